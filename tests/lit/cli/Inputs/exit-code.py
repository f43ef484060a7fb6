"""Runs a command and succeeds only if it exits with the expected code.

Usage: exit-code.py CODE COMMAND [ARGS...]; lit's `not` only tells zero from
non-zero, and netc promises 1 for input errors and 2 for bad command lines.
"""
import subprocess
import sys

expected = int(sys.argv[1])
result = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if result.returncode != expected:
    print(f"exit code {result.returncode}, expected {expected}: {' '.join(sys.argv[2:])}")
    sys.exit(1)
