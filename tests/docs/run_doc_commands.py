#!/usr/bin/env python3
"""Runs every command of the documentation, so that the docs never go stale.

Usage: run_doc_commands.py --build BUILD --source SOURCE [--list] [--keep] [DOC.md ...]

Extracts the fenced ```sh blocks of docs/*.md (or the files given) and runs each
command in them with bash (pipefail on), in a fresh temporary folder per document,
in document order, so that a later command sees the files an earlier one wrote.
The folder holds links to the source tree's examples/, bench/, docs/ and tests/ and to the
build tree as build/, so commands are written as a user types them in a checkout
(`netc examples/cnn.net`, `cmake --install build ...`); BUILD/bin comes first on
PATH. A line ending in a backslash continues on the next; blank lines and lines
that are only a comment are skipped; a line ending in a here-document (<<'EOF')
takes the lines up to its terminator with it. Fails (exit 1) on the first command of a
document that exits non-zero or runs past --timeout seconds, printing its output,
and when a document has no command at all or an unclosed fence.

Blocks fenced as ```shell are shown but not run: they are the commands that set up
or build netc itself (scripts/setup.sh, the first cmake configure), which the test
suite runs inside of.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

FENCE = re.compile(r"^\s*```\s*([\w+-]*)")
# A here-document (`python3 - <<'EOF'`): its lines up to the terminator belong to the command.
HEREDOC = re.compile(r"<<-?\s*['\"]?(\w+)['\"]?\s*$")


def extract(path):
    """Returns the commands of the ```sh blocks of one file as (line, command) pairs."""
    commands, language, pending, start, heredoc = [], None, "", 0, None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            match = FENCE.match(line)
            if match:
                if language is None:
                    language = match.group(1) or "text"
                    continue
                if pending:
                    raise SystemExit(f"{path}:{start}: a command ends in a backslash")
                language = None
                continue
            if language != "sh":
                continue
            text = line.rstrip("\n")
            if heredoc is not None:
                commands[-1] = (start, commands[-1][1] + "\n" + text)
                heredoc = None if text.strip() == heredoc else heredoc
                continue
            if not pending and (not text.strip() or text.lstrip().startswith("#")):
                continue
            if not pending:
                start = number
            if text.endswith("\\"):
                pending += text[:-1] + " "
                continue
            commands.append((start, pending + text))
            pending = ""
            match = HEREDOC.search(text)
            heredoc = match.group(1) if match else None
    if language is not None:
        raise SystemExit(f"{path}: a ``` fence is not closed")
    return commands


def make_workdir(build, source):
    """A temporary folder with the links the commands expect."""
    workdir = tempfile.mkdtemp(prefix="netc-docs-")
    for name in ("examples", "bench", "docs", "tests"):
        os.symlink(os.path.join(source, name), os.path.join(workdir, name))
    os.symlink(build, os.path.join(workdir, "build"))
    return workdir


def run_document(path, commands, args, env):
    """Runs one document's commands; returns the number run, or None on a failure."""
    workdir = make_workdir(args.build, args.source)
    try:
        for number, command in commands:
            began = time.monotonic()
            try:
                result = subprocess.run(["bash", "-c", "set -o pipefail\n" + command],
                                        cwd=workdir, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, timeout=args.timeout)
                status = result.returncode
                output = result.stdout.decode("utf-8", "replace")
            except subprocess.TimeoutExpired as e:
                status = f"timeout after {args.timeout} s"
                output = (e.stdout or b"").decode("utf-8", "replace")
            seconds = time.monotonic() - began
            where = f"{os.path.relpath(path, args.source)}:{number}"
            if status != 0:
                print(f"FAIL {where}: {command}\n  exit status {status}; output:")
                print("".join("  | " + l + "\n" for l in output.rstrip("\n").split("\n")))
                return None
            print(f"ok   {where} ({seconds:.1f} s): {command.splitlines()[0]}")
        return len(commands)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", required=True, help="the build tree (holds bin/netc)")
    parser.add_argument("--source", required=True, help="the source tree (holds docs/)")
    parser.add_argument("--list", action="store_true", help="print the commands, run none")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per command")
    parser.add_argument("docs", nargs="*", help="markdown files (default: SOURCE/docs/*.md)")
    args = parser.parse_args()
    args.build = os.path.abspath(args.build)
    args.source = os.path.abspath(args.source)
    docs = args.docs or sorted(glob.glob(os.path.join(args.source, "docs", "*.md")))
    if not docs:
        raise SystemExit("no documents found")

    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.join(args.build, "bin"), "/usr/lib/llvm-19/bin",
                                   env.get("PATH", "/usr/bin:/bin")])
    total, failed = 0, []
    for path in docs:
        commands = extract(path)
        if not commands:
            failed.append(path)
            print(f"FAIL {path}: no ```sh command in it")
            continue
        if args.list:
            for number, command in commands:
                print(f"{os.path.relpath(path, args.source)}:{number}: {command}")
            total += len(commands)
            continue
        ran = run_document(path, commands, args, env)
        if ran is None:
            failed.append(path)
        else:
            total += ran
    if failed:
        print(f"doc commands: {len(failed)} of {len(docs)} documents failed")
        return 1
    verb = "listed" if args.list else "ran"
    print(f"doc commands: {verb} {total} commands from {len(docs)} documents, all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
