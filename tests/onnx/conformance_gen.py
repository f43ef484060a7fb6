"""Generation of ONNX's node conformance tests from python3-onnx's generators.

python3-onnx ships the generators of the backend node tests
(onnx/backend/test/case/node/*.py) but not the generated files. This module runs
them once and writes each test as ONNX's own test data layout:

    CACHE/<test>/model.onnx
    CACHE/<test>/test_data_set_0/input_<i>.pb, output_<i>.pb

with an index (cases.json) of what every test contains. The cache is keyed by
the onnx and numpy versions (the generators draw their data with numpy's seeded
generator), so a second run reads the index and nothing else.
"""

import importlib
import json
import os
import pkgutil
import shutil
import tempfile

INDEX = "cases.json"


def _numpy_aliases(np):
    """onnx 1.12's generators still use numpy's removed aliases of builtins
    (np.float, np.int, ...); they were exactly the builtins, so restore them."""
    for name, builtin in (("float", float), ("int", int), ("bool", bool), ("object", object)):
        if name not in np.__dict__:
            setattr(np, name, builtin)


def cache_dir(build_dir):
    """The folder of the generated tests for the installed onnx and numpy."""
    import numpy
    import onnx
    key = "onnx-%s-numpy-%s" % (onnx.__version__, numpy.__version__)
    return os.path.join(os.path.abspath(build_dir), "onnx-node-tests", key)


def graph_op_types(graph):
    """Every (domain, op type) in a graph and its subgraphs (If, Loop, Scan)."""
    from onnx import AttributeProto
    found = set()
    for node in graph.node:
        found.add((node.domain if node.domain != "ai.onnx" else "", node.op_type))
        for attr in node.attribute:
            if attr.type == AttributeProto.GRAPH:
                found |= graph_op_types(attr.g)
            elif attr.type == AttributeProto.GRAPHS:
                for g in attr.graphs:
                    found |= graph_op_types(g)
    return found


def _opset(model):
    """The default-domain opset the model imports (0 when it has none)."""
    for entry in model.opset_import:
        if entry.domain in ("", "ai.onnx"):
            return entry.version
    return 0


def _value_kind(value_info):
    """'tensor:<elem type name>' for tensors, else the value's kind
    ('sequence', 'optional', 'map')."""
    from onnx import TensorProto
    kind = value_info.type.WhichOneof("value")
    if kind != "tensor_type":
        return kind.replace("_type", "")
    return "tensor:" + TensorProto.DataType.Name(value_info.type.tensor_type.elem_type).lower()


def _serialized(value, value_info):
    """One input or output value as the serialized proto ONNX's runners read."""
    from onnx import numpy_helper
    kind = value_info.type.WhichOneof("value")
    if kind == "sequence_type":
        return numpy_helper.from_list(value, value_info.name).SerializeToString()
    if kind == "optional_type":
        return numpy_helper.from_optional(value, value_info.name).SerializeToString()
    if kind == "map_type":
        return numpy_helper.from_dict(value, value_info.name).SerializeToString()
    return numpy_helper.from_array(value, value_info.name).SerializeToString()


def _collect():
    """Runs every generator module; returns (test cases, {module: error}) so
    that one broken generator costs its own tests only."""
    import numpy
    _numpy_aliases(numpy)
    import onnx.backend.test.case.node as node_cases
    broken = {}
    for _, name, _ in pkgutil.iter_modules(node_cases.__path__):
        try:
            importlib.import_module(node_cases.__name__ + "." + name)
        except Exception as error:  # a generator that does not run here
            broken[name] = "%s: %s" % (type(error).__name__, error)
    # A few generators emit two tests of one name; ONNX's own generate-data
    # keeps the last one written, and so do we.
    unique = {case.name: case for case in node_cases._NodeTestCases}
    return list(unique.values()), broken


def _write_case(root, case):
    """Writes one test in ONNX's layout; returns its index entry."""
    folder = os.path.join(root, case.name)
    os.makedirs(folder)
    with open(os.path.join(folder, "model.onnx"), "wb") as f:
        f.write(case.model.SerializeToString())
    graph = case.model.graph
    for number, (inputs, outputs) in enumerate(case.data_sets):
        data_dir = os.path.join(folder, "test_data_set_%d" % number)
        os.makedirs(data_dir)
        for prefix, values, infos in (("input", inputs, graph.input), ("output", outputs, graph.output)):
            for i, value in enumerate(values):
                with open(os.path.join(data_dir, "%s_%d.pb" % (prefix, i)), "wb") as f:
                    f.write(_serialized(value, infos[i]))
    return {
        "name": case.name,
        "ops": sorted("%s:%s" % op if op[0] else op[1] for op in graph_op_types(graph)),
        "top": graph.node[0].op_type if len(graph.node) == 1 else "",
        "opset": _opset(case.model),
        "inputs": [[vi.name, _value_kind(vi)] for vi in graph.input],
        "outputs": [[vi.name, _value_kind(vi)] for vi in graph.output],
        "data_sets": len(case.data_sets),
        "rtol": case.rtol,
        "atol": case.atol,
    }


def _op_under_test(entries):
    """Each test's op under test: the only node's op type, or for an
    '_expanded' test (the op's ONNX function body) the op of the test it
    expands."""
    by_name = {e["name"]: e for e in entries}
    for e in entries:
        base = by_name.get(e["name"][:-len("_expanded")]) if e["name"].endswith("_expanded") else None
        e["expanded"] = base is not None
        e["op"] = (base or e)["top"]


def generate(build_dir, log):
    """The index of the node tests (a dict), generating them first when the
    cache for these onnx and numpy versions is absent."""
    root = cache_dir(build_dir)
    index_path = os.path.join(root, INDEX)
    if os.path.exists(index_path):
        with open(index_path) as f:
            return json.load(f)
    log("generating ONNX's node tests into %s" % root)
    cases, broken = _collect()
    parent = os.path.dirname(root)
    os.makedirs(parent, exist_ok=True)
    # Written beside and renamed into place: a concurrent or interrupted run
    # never sees half a cache.
    staging = tempfile.mkdtemp(prefix=".staging-", dir=parent)
    try:
        entries = [_write_case(staging, case) for case in cases]
        _op_under_test(entries)
        import onnx
        index = {"onnx": onnx.__version__, "tests": entries, "broken_generators": broken}
        with open(os.path.join(staging, INDEX), "w") as f:
            json.dump(index, f, indent=0, sort_keys=True)
        try:
            os.rename(staging, root)
        except OSError:  # another run finished first: use its copy
            shutil.rmtree(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    with open(index_path) as f:
        return json.load(f)
