# What Ansible runs on each VM in scripts/bench-grade and
# scripts/bench-grade-split: the same facts `lab grade task2 task3` reads.
docker version --format '{{json .}}'
docker info --format '{{json .}}'
docker image ls -a --no-trunc --format '{{json .}}'
docker ps -a --no-trunc --format '{{json .}}'
docker events --since 0 --until "$(date +%s)" --format '{{json .}}'
cat /etc/docker/daemon.json 2>/dev/null
cat "$HOME/.bash_history" "$HOME/.zsh_history" 2>/dev/null
cat "${XDG_STATE_HOME:-$HOME/.local/state}/lab/journal.jsonl" 2>/dev/null
cat /proc/net/tcp /proc/net/tcp6
true
