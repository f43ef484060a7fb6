"""Starts `netc MODEL -o OUT`, waits until its build folder (.netc-*) appears beside OUT,
sends SIGNAL, and prints how netc ended and which .netc-* entries are left.

usage: kill_during_build.py SIGNAL NETC MODEL OUT
"""
import glob
import os
import signal
import subprocess
import sys
import time

sig_name, netc, model, out = sys.argv[1:5]
folder = os.path.dirname(os.path.abspath(out))
# lit's workers ignore SIGINT, and an ignored signal stays ignored across exec: give netc
# the default dispositions a shell gives it.
def default_signals():
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, signal.SIG_DFL)


proc = subprocess.Popen([netc, model, "--no-compile-cache", "-o", out], stderr=subprocess.DEVNULL,
                        preexec_fn=default_signals)
deadline = time.time() + 120
while not glob.glob(os.path.join(folder, ".netc-*")):
    if proc.poll() is not None or time.time() > deadline:
        print("netc ended before its build folder appeared")
        sys.exit(1)
    time.sleep(0.02)
time.sleep(0.2)
proc.send_signal(getattr(signal, sig_name))
rc = proc.wait(timeout=120)
print("killed by", signal.Signals(-rc).name if rc < 0 else "nothing, exit %d" % rc)
print("left:", sorted(os.path.basename(p) for p in glob.glob(os.path.join(folder, ".netc-*"))))
