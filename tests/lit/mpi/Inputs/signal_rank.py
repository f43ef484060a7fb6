"""Runs an mpirun command, signals one of its ranks once training is under way, and
reports how the job ended.

usage: signal_rank.py RANK SIGNAL -- MPIRUN ARGS...
Waits for the first output mentioning 'epoch'  on the command's standard output (rank 0's), sends
SIGNAL (KILL or STOP) to the process of rank RANK (found by OMPI_COMM_WORLD_RANK in its
environment, among the command's descendants), then waits for the command at most 120 s.
Prints 'signalled rank R with SIGS', the job's output without its progress lines, then 'exit CODE', or 'HANG' (and kills the job) if it did not end.
"""
import os
import re
import signal
import subprocess
import sys
import time


def descendants(root):
    children = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(ppid, []).append(int(pid))
    found, todo = [], [root]
    while todo:
        for c in children.get(todo.pop(), []):
            found.append(c)
            todo.append(c)
    return found


def rank_of(pid):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            for entry in f.read().split(b"\0"):
                if entry.startswith(b"OMPI_COMM_WORLD_RANK="):
                    return int(entry.split(b"=", 1)[1])
    except OSError:
        pass
    return None


rank, sig = int(sys.argv[1]), getattr(signal, "SIG" + sys.argv[2])
cmd = sys.argv[sys.argv.index("--") + 1:]
job = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       start_new_session=True, text=True)
lines = []
for line in job.stdout:
    if "epoch" in line:
        break
target = [p for p in descendants(job.pid) if rank_of(p) == rank]
if target:
    os.kill(target[0], sig)
    lines.append(f"signalled rank {rank} with SIG{sys.argv[2]}\n")
else:
    lines.append(f"(no process of rank {rank} found)\n")
try:
    rest, _ = job.communicate(timeout=120)
    lines.append(rest)
    status = f"exit {job.returncode}"
except subprocess.TimeoutExpired:
    os.killpg(job.pid, signal.SIGKILL)
    status = "HANG"
for p in target:
    try:
        os.kill(p, signal.SIGKILL)
    except OSError:
        pass
# The progress and epoch lines say nothing here.
# (On a terminal, which mpirun gives its ranks, a message may follow a redrawn step line.)
text = re.sub(r"epoch \d+/\d+  step .*? left", "", "".join(lines).replace("\r", "\n"))
sys.stdout.write("".join(l + "\n" for l in text.splitlines()
                         if l.strip() and not l.startswith("epoch")))
print(status)
