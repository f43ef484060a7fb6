# lit configuration for netc's FileCheck tests; run on the build tree
# (lit.py build/tests/lit), whose lit.site.cfg.py points back here.
import os

import lit.formats

config.name = "netc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".net", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.netc_obj_root, "tests", "lit")

# Our tools first, then LLVM 19's FileCheck, not, count and split-file (never FileCheck-14).
config.environment["PATH"] = os.pathsep.join(
    [config.netc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
# netc's caches (host measurements, compiled artifacts) go to the build tree, never the
# user's ~/.cache: a test sees only what this build measured and compiled.
config.environment["NETC_CACHE_DIR"] = os.path.join(config.netc_obj_root, "tests", "netc-cache")
config.substitutions.append(("%examples", os.path.join(config.netc_src_root, "examples")))
# The build tree under test and the source tree (install and docs tests).
config.substitutions.append(("%netc_build", config.netc_obj_root))
config.substitutions.append(("%netc_src", config.netc_src_root))
config.substitutions.append(("%torch_python", config.torch_python))
# The hand schedule chooses between vector widths only on CPUs with AVX-512
# (codegen/Schedules/HostTune.h); tests of that choice require one.
try:
    with open("/proc/cpuinfo") as cpuinfo:
        if " avx512f" in cpuinfo.read():
            config.available_features.add("avx512")
except OSError:
    pass
