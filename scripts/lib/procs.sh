# Process, mount and spawn helpers of the test beds, sourced by scripts/testbed
# and scripts/gradebed (one copy; each script defines `log` before sourcing).
# Every wait here has a deadline.

# pid_alive PID: the process exists and is not a zombie (kill -0 says yes to zombies,
# and nothing may reap an orphan here: PID 1 is not always an init).
pid_alive() {
    local stat
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != [ZX] ]]
}

# read_pid FILE: print the pid in FILE if that process is alive.
read_pid() {
    local pid
    [[ -s $1 ]] || return 1
    pid=$(<"$1")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    pid_alive "$pid" || return 1
    printf '%s\n' "$pid"
}

wait_gone() { # PID SECONDS
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        pid_alive "$1" || return 0
        sleep 0.1
    done
    ! pid_alive "$1"
}

# descendants PID...: every descendant of the given pids (children first listed last).
descendants() {
    local -A kids=()
    local p stat ppid
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        read -r stat 2>/dev/null <"/proc/$p/stat" || continue
        stat=${stat##*) }
        read -r _ ppid _ <<<"$stat"
        kids[$ppid]+=" $p"
    done
    local queue=("$@") out=() cur
    while ((${#queue[@]})); do
        cur=${queue[0]}
        queue=("${queue[@]:1}")
        for p in ${kids[$cur]:-}; do
            out+=("$p")
            queue+=("$p")
        done
    done
    ((${#out[@]} == 0)) || printf '%s\n' "${out[@]}"
}

mounts_under() {
    awk -v d="$1" '{ m = $5; gsub(/\\040/, " ", m); if (m == d || index(m, d "/") == 1) print m }' \
        /proc/self/mountinfo | tac
}

unmount_under() {
    local ms=() m i
    for i in 1 2 3; do
        mapfile -t ms < <(mounts_under "$1")
        ((${#ms[@]})) || return 0
        ((i > 1)) || log "unmounting ${#ms[@]} leftover mount(s) under $1"
        for m in "${ms[@]}"; do
            umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
        done
    done
    mounts_under "$1" | grep -q . && return 1
    return 0
}

# spawn_detached LOG CMD...: run CMD in a new session with stdin from /dev/null, output
# appended to LOG and no other inherited descriptor (so it never holds the caller's
# pipes or our lock open). $! is CMD's pid.
spawn_detached() {
    local logf=$1 fd
    shift
    (
        for fd in /proc/"$BASHPID"/fd/*; do
            fd=${fd##*/}
            if ((fd > 2)); then exec {fd}>&-; fi
        done
        exec setsid "$@"
    ) </dev/null >>"$logf" 2>&1 &
}
