#!/usr/bin/env python3
"""Runs every command of the documentation, so that the docs never go stale.

Usage: run_doc_commands.py --build BUILD --source SOURCE [--list] [--keep] [--verbose] [DOC.md ...]

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

A ```output block that follows a ```sh block (blank lines between them at most) is the
printed output of that block's commands, stdout and stderr together: it is compared with
what they print, and a difference fails the document with a diff. In it, a line that is
only `...` stands for any number of lines, and `...` within a line for any text (timings,
addresses); trailing spaces and blank lines at the ends do not count. Other blocks after a
command (```text) are not checked, so a document shows printed output only as ```output.

Blocks fenced as ```shell are shown but not run: they are the commands that set up
or build netc itself (scripts/setup.sh, the first cmake configure), which the test
suite runs inside of.
"""

import argparse
import difflib
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
    """The commands of the ```sh blocks of one file as (line, command, block) triples, and
    the expected outputs as {block: (line, text)} for the blocks an ```output block follows."""
    commands, expected, language, pending, start, heredoc = [], {}, None, "", 0, None
    block, last_sh, body = 0, None, []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            match = FENCE.match(line)
            if match:
                if language is None:
                    language = match.group(1) or "text"
                    block += 1
                    follows = last_sh == block - 1
                    if language == "output" and not follows:
                        raise SystemExit(f"{path}:{number}: an ```output block must follow "
                                         "a ```sh block")
                    body, start_output = [], number
                    continue
                if pending:
                    raise SystemExit(f"{path}:{start}: a command ends in a backslash")
                if language == "sh":
                    last_sh = block
                elif language == "output":
                    expected[block - 1] = (start_output, "".join(body))
                language = None
                continue
            if language is None:
                if line.strip():
                    last_sh = None
                continue
            if language == "output":
                body.append(line)
            if language != "sh":
                continue
            text = line.rstrip("\n")
            if heredoc is not None:
                commands[-1] = (start, commands[-1][1] + "\n" + text, block)
                heredoc = None if text.strip() == heredoc else heredoc
                continue
            if not pending and (not text.strip() or text.lstrip().startswith("#")):
                continue
            if not pending:
                start = number
            if text.endswith("\\"):
                pending += text[:-1] + " "
                continue
            commands.append((start, pending + text, block))
            pending = ""
            match = HEREDOC.search(text)
            heredoc = match.group(1) if match else None
    if language is not None:
        raise SystemExit(f"{path}: a ``` fence is not closed")
    return commands, expected


def output_pattern(expected):
    """A regular expression for an ```output block: `...` lines match any lines, `...`
    within a line any text."""
    parts = []
    for line in expected.strip("\n").split("\n"):
        line = line.rstrip()
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(piece) for piece in line.split("...")) + r"\n")
    return re.compile("".join(parts))


def output_matches(expected, actual):
    """Whether what the commands printed matches the ```output block."""
    actual = "\n".join(l.rstrip() for l in actual.strip("\n").split("\n")) + "\n"
    return output_pattern(expected).fullmatch(actual) is not None


def make_workdir(build, source):
    """A temporary folder with the links the commands expect."""
    workdir = tempfile.mkdtemp(prefix="netc-docs-")
    for name in ("examples", "bench", "docs", "tests"):
        os.symlink(os.path.join(source, name), os.path.join(workdir, name))
    os.symlink(build, os.path.join(workdir, "build"))
    return workdir


def run_command(command, workdir, env, timeout):
    """Runs one command; returns its exit status (or a timeout message) and output."""
    try:
        result = subprocess.run(["bash", "-c", "set -o pipefail\n" + command],
                                cwd=workdir, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, timeout=timeout)
        return result.returncode, result.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        return f"timeout after {timeout} s", (e.stdout or b"").decode("utf-8", "replace")


def quoted(text):
    """Output indented under a FAIL line."""
    return "".join("  | " + l + "\n" for l in text.rstrip("\n").split("\n"))


def run_document(path, commands, expected, args, env):
    """Runs one document's commands; returns the number run, or None on a failure."""
    workdir = make_workdir(args.build, args.source)
    printed = {}
    try:
        for index, (number, command, block) in enumerate(commands):
            began = time.monotonic()
            status, output = run_command(command, workdir, env, args.timeout)
            seconds = time.monotonic() - began
            where = f"{os.path.relpath(path, args.source)}:{number}"
            if status != 0:
                print(f"FAIL {where}: {command}\n  exit status {status}; output:")
                print(quoted(output))
                return None
            print(f"ok   {where} ({seconds:.1f} s): {command.splitlines()[0]}")
            if args.verbose and output:
                print(quoted(output), end="")
            printed[block] = printed.get(block, "") + output
            last_of_block = index + 1 == len(commands) or commands[index + 1][2] != block
            if last_of_block and block in expected:
                line, text = expected[block]
                where = f"{os.path.relpath(path, args.source)}:{line}"
                if not output_matches(text, printed[block]):
                    diff = difflib.unified_diff(text.strip("\n").split("\n"),
                                                printed[block].strip("\n").split("\n"),
                                                "documented", "printed", lineterm="")
                    print(f"FAIL {where}: the output differs from the ```output block:")
                    print(quoted("\n".join(diff)))
                    return None
                print(f"ok   {where}: output as documented")
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
    parser.add_argument("--verbose", action="store_true",
                        help="print every command's output under its ok line")
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
        commands, expected = extract(path)
        if not commands:
            failed.append(path)
            print(f"FAIL {path}: no ```sh command in it")
            continue
        if args.list:
            for number, command, _ in commands:
                print(f"{os.path.relpath(path, args.source)}:{number}: {command}")
            total += len(commands)
            continue
        ran = run_document(path, commands, expected, args, env)
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
