"""netc.compile: runs the netc compiler to build a model's shared library.

The library is written with ``netc FILE --emit=so -o libNAME.so``, into ``out``
when given, else into a cache folder keyed by everything that decides its
contents (the source file's bytes, the options, the compiler's own file), so a
second compile of an unchanged model opens the library it built before.
"""

import hashlib
import os
import shutil
import subprocess
from pathlib import Path


class CompileError(RuntimeError):
    """netc failed: ``str(e)`` holds its diagnostics, ``returncode`` its exit status."""

    def __init__(self, message, returncode, command):
        super().__init__(message)
        self.returncode = returncode
        self.command = command


def find_netc():
    """The netc executable: $NETC, else the bin/ of the prefix this package is
    installed in (or of the build tree it was built in), else netc on PATH."""
    env = os.environ.get("NETC")
    if env:
        return env
    here = Path(__file__).resolve().parent
    # build/python/netc/ and <prefix>/lib/python3/dist-packages/netc/.
    for prefix in (here.parents[1], here.parents[3]):
        candidate = prefix / "bin" / "netc"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("netc")
    if found:
        return found
    raise FileNotFoundError("cannot find the netc executable (set NETC to its path)")


def _flag_words(defines, model, target, schedule, flags):
    """The command-line words of the compile options, in a fixed order."""
    words = []
    for name, value in sorted((defines or {}).items()):
        words.append("-D%s=%s" % (name, value))
    if model is not None:
        words.append("--model=%s" % model)
    if target is not None:
        words.append("--target=%s" % target)
    if schedule is not None:
        words.append("--schedule=%s" % schedule)
    for name, value in sorted(flags.items()):
        flag = "--" + name.replace("_", "-")
        values = value if isinstance(value, (list, tuple)) else [value]
        for one in values:
            if one is True:
                words.append(flag)
            elif one is not False and one is not None:
                words.append("%s=%s" % (flag, one))
    return words


def _cache_dir():
    """$NETC_CACHE, else $XDG_CACHE_HOME/netc, else ~/.cache/netc."""
    if os.environ.get("NETC_CACHE"):
        return Path(os.environ["NETC_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "netc"


def _runtime_library(netc):
    """The runtime archive netc builds into every library (codegen/Artifact.cpp)."""
    env = os.environ.get("NETC_RUNTIME_LIB")
    if env:
        return env
    return str(Path(os.path.realpath(netc)).parents[1] / "lib" / "libNetCRuntime.a")


def _cached_output(source, netc, words):
    """A cache path for the library of `source` compiled by `netc` with `words`:
    a rebuilt netc or runtime (the archive is rebuilt without netc) misses."""
    digest = hashlib.sha256()
    digest.update(Path(source).read_bytes())
    for tool in (netc, _runtime_library(netc)):
        stat = os.stat(tool) if os.path.exists(tool) else None
        digest.update(("%s\0%s\0%s\0" % (os.path.realpath(tool), stat and stat.st_size,
                                         stat and stat.st_mtime_ns)).encode())
    digest.update("\0".join(words).encode())
    return _cache_dir() / digest.hexdigest()[:24] / ("lib%s.so" % Path(source).stem)


def build_library(path, out=None, defines=None, model=None, target=None, schedule=None,
                  **flags):
    """Compiles `path` (a .net or .onnx model) to a shared library; returns its path.

    `out` is the library's path (a name ending in .so) or a folder for
    libSTEM.so; without it, a cache folder (_cache_dir) holds it and an
    unchanged model is not compiled again.
    """
    source = os.fspath(path)
    if not os.path.isfile(source):
        raise FileNotFoundError("no model file '%s'" % source)
    netc = find_netc()
    words = _flag_words(defines, model, target, schedule, flags)
    if out is None:
        library = _cached_output(source, netc, words)
        if library.is_file():
            return str(library)
    else:
        library = Path(os.fspath(out))
        if library.suffix != ".so":
            library = library / ("lib%s.so" % Path(source).stem)
    library.parent.mkdir(parents=True, exist_ok=True)
    command = [netc, source, "--emit=so", "-o", str(library)] + words
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).rstrip()
        raise CompileError("netc failed with exit status %d:\n%s" % (result.returncode, message),
                           result.returncode, command)
    return str(library)
