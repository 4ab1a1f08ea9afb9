#!/usr/bin/env python3
"""Times `lab grade --watch` rounds from outside, through its page's
server-sent events (scripts/bench-grade-watch runs it).

    bench-grade-watch.py RUNS "s01 s02 ..." LAB-COMMAND...

Prints `FIRST ROUND CPU ROUND_CPU`: seconds until every row was graded
once (the logins included), the median full round after a Docker event on
every VM, lab's CPU seconds over 10 s with nothing happening, and the
median CPU seconds of lab and its ssh children during a full round (the
rest of the machine's work in a round is the VMs': sshd, sh, docker,
dockerd).
"""
import json, os, signal, socket, statistics, subprocess, sys, threading, time

runs, vms, cmd = int(sys.argv[1]), sys.argv[2].split(), sys.argv[3:]
bed = os.environ.get("LAB_GRADEBED_DIR", "/tmp/lab-gradebed")
started = time.monotonic()
lab = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, start_new_session=True)
first_line = lab.stderr.readline()
addr = first_line.split("http://")[1].split("/")[0]
threading.Thread(target=lambda: lab.stderr.read(), daemon=True).start()

state = {"rounds": None, "changed": time.monotonic()}
cond = threading.Condition()


def follow():
    host, port = addr.rsplit(":", 1)
    s = socket.create_connection((host, int(port)))
    s.sendall(b"GET /events HTTP/1.0\r\nHost: lab\r\n\r\n")
    for line in s.makefile("r", encoding="utf-8"):
        if not line.startswith("data: "):
            continue
        rows = json.loads(line[6:])["board"]["rows"]
        rounds = [r["rounds"] for r in rows]
        with cond:
            if rounds != state["rounds"]:
                state["rounds"], state["changed"] = rounds, time.monotonic()
                cond.notify_all()


threading.Thread(target=follow, daemon=True).start()


def wait(pred, limit=300):
    with cond:
        if not cond.wait_for(lambda: state["rounds"] is not None and pred(state["rounds"]), limit):
            sys.exit(f"bench-grade-watch: timed out; rounds {state['rounds']}")
        return list(state["rounds"])


def quiet(secs=2.5):
    while True:
        with cond:
            left = state["changed"] + secs - time.monotonic()
        if left <= 0:
            return
        time.sleep(left)


def docker(vm, *args):
    sock = f"unix://{bed}/vms/{vm}/run/docker.sock"
    return subprocess.Popen(["docker", "-H", sock, *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


wait(lambda r: all(n >= 1 for n in r))
first = time.monotonic() - started
def cpu(children=False):
    f = open(f"/proc/{lab.pid}/stat").read().rsplit(")", 1)[1].split()
    fields = [11, 12, 13, 14] if children else [11, 12]
    return sum(int(f[i]) for i in fields) / os.sysconf("SC_CLK_TCK")


names, rounds, round_cpu = [], [], []
for k in range(runs):
    quiet()
    before = wait(lambda r: True)
    name = f"lab-bench-watch-{os.getpid()}-{k}"
    names.append(name)
    t0, c0 = time.monotonic(), cpu(children=True)
    for p in [docker(vm, "volume", "create", name) for vm in vms]:
        p.wait()
    wait(lambda r: all(a > b for a, b in zip(r, before)))
    rounds.append(time.monotonic() - t0)
    round_cpu.append(cpu(children=True) - c0)
quiet()

c0 = cpu()
time.sleep(10)
idle = cpu() - c0
for name in names:
    for p in [docker(vm, "volume", "rm", name) for vm in vms]:
        p.wait()
os.killpg(lab.pid, signal.SIGINT)
lab.wait(timeout=120)
print(f"{first:.2f} {statistics.median(rounds):.2f} {idle:.2f} {statistics.median(round_cpu):.2f}")
