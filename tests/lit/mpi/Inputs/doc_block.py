"""Prints the first fenced block of language LANG in a Markdown file.

usage: doc_block.py FILE.md LANG
"""
import re
import sys

text = open(sys.argv[1]).read()
match = re.search(r"^```" + re.escape(sys.argv[2]) + r"\n(.*?)^```", text, re.S | re.M)
if not match:
    sys.exit(f"{sys.argv[1]}: no ```{sys.argv[2]} block")
sys.stdout.write(match.group(1))
