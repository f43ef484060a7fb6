"""Runs a command that must fail cleanly: exit status 1 (or --status N), exactly one line
on stderr and none on stdout. Prints that line for FileCheck; exits 1 otherwise.

Usage: expect_error.py [--status N] COMMAND ARGS...
"""
import subprocess
import sys

args = sys.argv[1:]
status = 1
if args[:1] == ["--status"]:
    status, args = int(args[1]), args[2:]
r = subprocess.run(args, capture_output=True, text=True)
lines = r.stderr.splitlines()
print(r.stderr, end="")
if r.returncode != status:
    sys.exit(f"expected exit status {status}, got {r.returncode}")
if len(lines) != 1:
    sys.exit(f"expected one line on stderr, got {len(lines)}")
if r.stdout:
    sys.exit("expected nothing on stdout, got: " + r.stdout)
