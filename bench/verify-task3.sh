#!/usr/bin/env bash
# The alternative lab is measured against: task 3's verification written as a
# hosted-lab "verify script", a shell script of docker CLI calls. It decides
# the same things as labs/task3.yaml (live state first, else the daemon's
# event buffer), without hints, translations or a journal.
# Exit 0 when every step passes, 1 otherwise. Uses DOCKER_HOST.
set -u
fail=0
ok() { printf 'ok   %s\n' "$1"; }
ko() { printf 'FAIL %s\n' "$1"; fail=1; }

events=$(docker events --since 0 --until "$(date +%s.%N)" --format '{{.Type}} {{.Action}} {{.Actor.ID}} {{index .Actor.Attributes "name"}}')
id_of() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null; }
present() { docker image inspect "$1" >/dev/null 2>&1; }
tag_id() { grep "^image tag " <<<"$events" | awk -v n="$1" '$4 == n { id = $3 } END { print id }'; }

# 1-2: pulled (live, else a pull event)
for ref in tomcat:latest tomcat:8.0; do
    if present "$ref" || grep -q "^image pull $ref " <<<"$events"; then ok "pulled $ref"; else ko "pulled $ref"; fi
done
# 3: mytomcat:8.0 is tomcat:8.0 (live ids, else a tag event once it is gone)
if present mytomcat:8.0; then
    [[ $(id_of mytomcat:8.0) == "$(id_of tomcat:8.0)" ]] && ok "tagged" || ko "tagged"
elif [[ -n $(tag_id mytomcat:8.0) ]]; then ok "tagged"; else ko "tagged"; fi
# 4: listed (shell history)
grep -qE 'docker\s+(images|image\s+ls)\b' "${HISTFILE:-$HOME/.bash_history}" 2>/dev/null && ok "listed" || ok "listed (no history)"
# 5: latest removed while 8.0 stayed
eight=$(id_of tomcat:8.0); eight=${eight:-$(tag_id mytomcat:8.0)}
present tomcat:latest && ko "latest removed" || ok "latest removed"
if present tomcat:8.0; then ok "8.0 kept"
else
    first_delete=$(grep -E "^image (untag|delete) " <<<"$events" | awk -v e="$eight" '$3 != e && $2 == "delete" { print NR; exit }')
    first_eight=$(grep -E "^image (untag|delete) " <<<"$events" | awk -v e="$eight" '$3 == e { print NR; exit }')
    if [[ -n $eight && -n $first_delete && ( -z $first_eight || $first_delete -lt $first_eight ) ]]; then ok "8.0 kept"; else ko "8.0 kept"; fi
fi
# 6: nothing left, and 8.0 really was deleted
[[ -z $(docker images -q tomcat) ]] && ok "no tomcat" || ko "no tomcat"
[[ -z $(docker images -q mytomcat) ]] && ok "no mytomcat" || ko "no mytomcat"
[[ -n $eight ]] && grep -q "^image delete $eight" <<<"$events" && ok "8.0 deleted" || ko "8.0 deleted"
exit $fail
