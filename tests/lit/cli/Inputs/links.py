"""Prints each path, whether it is a symlink and where it points, and its file's size.

Usage: links.py PATH...; exe-litter.test checks that outputs are written through links.
"""
import os
import sys

for path in sys.argv[1:]:
    kind = "link -> " + os.readlink(path) if os.path.islink(path) else "file"
    print(f"{os.path.basename(path)}: {kind}, {os.path.getsize(path)} bytes")
