# Sourced by scripts/bench-grade and scripts/bench-grade-split: Ansible set
# up the same way for both.

# ansible_config WORK JOBS: writes WORK/ansible.cfg and points Ansible at it
# (masters' control sockets under WORK/cp).
ansible_config() {
    cat >"$1/ansible.cfg" <<EOF
[defaults]
host_key_checking = True
forks = $2
# Under this load a login can take more than the default 10 s: a host
# reported UNREACHABLE would end the run.
timeout = 60
gathering = explicit
stdout_callback = minimal
interpreter_python = /usr/bin/python3
[ssh_connection]
pipelining = True
EOF
    export ANSIBLE_CONFIG=$1/ansible.cfg ANSIBLE_SSH_CONTROL_PATH_DIR=$1/cp
}

# ansible_inventory ROSTER SSH_OPTS: the group `class`, one host per roster
# row (student_id,name,host,port,user,identity_file), on stdout.
ansible_inventory() {
    echo "[class]"
    tail -n +2 "$1" | while IFS=, read -r id _name host port user key; do
        echo "$id ansible_host=$host ansible_port=$port ansible_user=$user ansible_ssh_private_key_file=$key"
    done
    echo "[class:vars]"
    echo "ansible_ssh_common_args='$2'"
}
