"""Runs a command, sends it a signal once it has run a while, and says how it ended.

Usage: kill_during.py SIGNAL SECONDS COMMAND [ARGS...]; prints "killed by SIGNAL" or
"exit N". The exe-litter test checks that a killed run leaves no temporary file.
"""
import signal
import subprocess
import sys
import time

sig = getattr(signal, sys.argv[1])


def default_signals():
    """As from an interactive shell: a test runner may have left SIGINT ignored."""
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_DFL)


process = subprocess.Popen(sys.argv[3:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           preexec_fn=default_signals)
time.sleep(float(sys.argv[2]))
process.send_signal(sig)
try:
    code = process.wait(timeout=20)
except subprocess.TimeoutExpired:
    process.kill()
    process.wait()
    sys.exit(f"still running 20 s after {sys.argv[1]}")
print("killed by " + signal.Signals(-code).name if code < 0 else f"exit {code}")
