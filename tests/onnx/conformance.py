#!/usr/bin/env python3
"""ONNX's node conformance suite on netc.

  python3 tests/onnx/conformance.py --build build            # run, print the summary
  python3 tests/onnx/conformance.py --build build --write-docs   # and update docs/onnx.md

Generates ONNX's node tests from python3-onnx (cached in the build folder),
asks netc which ONNX ops it converts (netc --list-onnx-ops), runs every test
whose ops are all converted, and prints

  onnx node tests: P passed, R rejected (...), F failed, of N tests of the K supported ops (M ops unsupported)

Exits 1 when a test fails (wrong values, a crash, an error without a
location) or when --check-docs finds the committed report stale.
"""

import argparse
import difflib
import os
import re
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

try:
    import numpy  # noqa: F401
    import onnx  # noqa: F401
except ImportError:
    # The python3 first on PATH may be one without Debian's numpy and onnx.
    if os.path.exists("/usr/bin/python3") and sys.executable != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conformance_gen  # noqa: E402
import conformance_report  # noqa: E402
import conformance_run  # noqa: E402

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCS = os.path.join(SOURCE, "docs", "onnx.md")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", required=True, help="netc's build folder (bin/netc; the cache)")
    parser.add_argument("--netc", help="the netc binary (default: BUILD/bin/netc)")
    parser.add_argument("--jobs", type=int, default=2, help="tests run at once (default 2)")
    parser.add_argument("--engine", choices=["interp", "jit", "exe"], default="interp",
                        help="what runs the models: the interpreter (the default), code "
                             "compiled by Halide's JIT, or an executable compiled per test "
                             "(both slow: use them with --filter)")
    parser.add_argument("--filter", help="run only the tests whose name matches this regex")
    parser.add_argument("--report", help="write the report (docs/onnx.md's text) to this file "
                                         "(default: BUILD/onnx-conformance.md)")
    parser.add_argument("--check-docs", metavar="FILE",
                        help="fail when FILE (docs/onnx.md) differs from the report")
    parser.add_argument("--write-docs", action="store_true", help="write the report to " + DOCS)
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print every test's outcome, rejections' reasons included")
    arguments = parser.parse_args()
    if partial_run(arguments) and (arguments.write_docs or arguments.check_docs):
        parser.error("the docs describe the whole suite on the interpreter: "
                     "--write-docs and --check-docs take no --filter or --engine")
    return arguments


def partial_run(arguments):
    """Whether the run leaves tests out or runs another engine than the
    interpreter, which the docs describe."""
    return bool(arguments.filter) or arguments.engine != "interp"


def registered_ops(netc):
    """{op type: [(first opset, last opset)]} that netc converts, from
    `netc --list-onnx-ops` (lines 'OpType FIRST-LAST[, FIRST-LAST]')."""
    done = subprocess.run([netc, "--list-onnx-ops"], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit("conformance.py: '%s --list-onnx-ops' failed: %s" % (netc, done.stderr.strip()))
    registry = {}
    for line in done.stdout.splitlines():
        match = re.match(r"^(\S+)\s+(.*)$", line.strip())
        if not match:
            continue
        ranges = re.findall(r"(\d+)(?:-(\d+))?", match.group(2))
        registry[match.group(1)] = [(int(lo), int(hi or lo)) for lo, hi in ranges]
    if not registry:
        sys.exit("conformance.py: netc --list-onnx-ops listed no ops")
    return registry


def run_all(runner, tests, jobs, verbose):
    """[(test, Outcome)] in the tests' order."""
    def one(test):
        outcome = runner.run(test)
        if verbose:
            print("%-9s %s%s" % (outcome.kind.upper(), test["name"],
                                 ": " + outcome.detail if outcome.detail else ""), flush=True)
        return test, outcome
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, tests))


def check_docs(report, path):
    """Whether the committed report equals the fresh one; prints the diff."""
    try:
        with open(path) as f:
            committed = f.read()
    except OSError as error:
        print("conformance.py: cannot read %s: %s" % (path, error))
        return False
    if committed == report:
        return True
    diff = difflib.unified_diff(committed.splitlines(), report.splitlines(), path, "fresh run",
                                lineterm="")
    print("\n".join(list(diff)[:60]))
    print("conformance.py: %s is stale; update it with: python3 %s --build BUILD --write-docs" % (
        path, conformance_report.SCRIPT))
    return False


def main():
    arguments = parse_arguments()
    started = time.monotonic()
    netc = arguments.netc or os.path.join(arguments.build, "bin", "netc")
    registry = registered_ops(netc)
    index = conformance_gen.generate(arguments.build, lambda m: print(m, file=sys.stderr))
    tests = [t for t in index["tests"] if all(op in registry for op in t["ops"])]
    if arguments.filter:
        tests = [t for t in tests if re.search(arguments.filter, t["name"])]
    scratch = os.path.join(os.path.abspath(arguments.build), "onnx-node-runs")
    os.makedirs(scratch, exist_ok=True)
    runner = conformance_run.Runner(netc, conformance_gen.cache_dir(arguments.build), scratch,
                                    arguments.engine)
    results = run_all(runner, tests, arguments.jobs, arguments.verbose)

    counts = Counter(outcome.kind for _, outcome in results)
    all_ops = conformance_report.onnx_ops()
    unsupported = {op: dep for op, dep in all_ops.items() if op not in registry}
    summary = conformance_report.summary_line(counts, len(results), len(registry), len(unsupported))
    for test, outcome in results:
        if outcome.kind == "fail":
            print("FAIL %s: %s" % (test["name"], outcome.detail))
    print(summary)
    print("(%.0f s)" % (time.monotonic() - started), file=sys.stderr)

    through_body = {}
    for test, outcome in results:
        if test["op"] not in registry:
            passed, total = through_body.get(test["op"], (0, 0))
            through_body[test["op"]] = (passed + (outcome.kind == "pass"), total + 1)
    report = conformance_report.markdown(
        summary, registry, results, unsupported,
        ["%s (%d of %d passed)" % (op, p, n) for op, (p, n) in through_body.items()],
        index.get("broken_generators", {}), index["onnx"])
    # A partial run's report describes only its tests: written where asked only.
    report_path = arguments.report or (not partial_run(arguments) and
                                       os.path.join(arguments.build, "onnx-conformance.md"))
    if report_path:
        with open(report_path, "w") as f:
            f.write(report)
    if arguments.write_docs:
        with open(DOCS, "w") as f:
            f.write(report)
    ok = counts["fail"] == 0
    if arguments.check_docs and not check_docs(report, arguments.check_docs):
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
