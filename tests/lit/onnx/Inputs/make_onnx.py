"""Writes the small ONNX models of the tests in tests/lit/onnx with onnx.helper.

usage: make_onnx.py CASE OUT.onnx

Weights are seeded random values; every CASE is a function below (its docstring says
what it exercises). `truncated` writes the first 100 bytes of `small`; `external` and
`external_escape` write their data file beside OUT.
"""
import os
import sys

import numpy as np

sys.path.append("/usr/lib/python3/dist-packages")
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

F = TensorProto.FLOAT
I64 = TensorProto.INT64
RNG = np.random.default_rng(0)


def weight(name, *shape):
    return numpy_helper.from_array(RNG.standard_normal(shape).astype(np.float32), name)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def floats(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.float32), name)


def tensor(name, shape, dtype=F):
    return helper.make_tensor_value_info(name, dtype, shape)


def model(nodes, inputs, outputs, inits=(), opset=13, name="test-graph", domains=()):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, 1) for d in domains]
    m = helper.make_model(graph, opset_imports=opsets)
    m.ir_version = 8
    return m


def node(op, inputs, outputs, name=None, **attrs):
    return helper.make_node(op, inputs, outputs, name=name, **attrs)


def small():
    """Conv, Relu, Flatten, Gemm: parameters under their ONNX names."""
    return model([node("Conv", ["x", "conv.weight", "conv.bias"], ["c"], "conv1",
                       kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
                  node("Relu", ["c"], ["r"], "relu1"),
                  node("Flatten", ["r"], ["f"], "flat", axis=1),
                  node("Gemm", ["f", "fc.weight", "fc.bias"], ["y"], "fc", transB=1)],
                 [tensor("x", [1, 3, 4, 4])], [tensor("y", [1, 5])],
                 [weight("conv.weight", 2, 3, 3, 3), weight("conv.bias", 2),
                  weight("fc.weight", 5, 32), weight("fc.bias", 5)])


def cnn():
    """BatchNormalization (statistics as buffers), pools, Clip, Concat, Split, Pad,
    Softmax, Transpose, Reshape, Dropout, HardSigmoid, Mul by a Constant."""
    nodes = [
        node("Conv", ["x", "w1"], ["c1"], "conv_same", kernel_shape=[3, 3], auto_pad="SAME_UPPER",
             strides=[2, 2]),
        node("BatchNormalization", ["c1", "bn.weight", "bn.bias", "bn.running_mean",
                                    "bn.running_var"], ["b1"], "bn", epsilon=1e-3),
        node("Constant", [], ["zero"], value=helper.make_tensor("zero", F, [], [0.0])),
        node("Constant", [], ["six"], value=helper.make_tensor("six", F, [], [6.0])),
        node("Clip", ["b1", "zero", "six"], ["r1"], "relu6"),
        node("MaxPool", ["r1"], ["p1"], "maxpool", kernel_shape=[3, 3], strides=[2, 2],
             pads=[1, 1, 0, 0], ceil_mode=1),
        node("AveragePool", ["r1"], ["p2"], "avgpool", kernel_shape=[2, 2], strides=[2, 2]),
        node("Concat", ["p1", "p2"], ["cat"], "concat", axis=1),
        node("Split", ["cat", "split_sizes"], ["s1", "s2"], "split", axis=1),
        node("Pad", ["s1", "pads"], ["padded"], "pad"),
        node("HardSigmoid", ["padded"], ["hs"], "hsig", alpha=1.0 / 6),
        node("Constant", [], ["half"], value=helper.make_tensor("half", F, [1], [0.5])),
        node("Mul", ["hs", "half"], ["m"], "scale"),
        node("Dropout", ["m"], ["d"], "drop"),
        node("GlobalAveragePool", ["d"], ["g"], "gap"),
        node("Reshape", ["g", "shape"], ["flat"], "reshape"),
        node("Softmax", ["flat"], ["prob"], "softmax", axis=1),
        node("Transpose", ["s2"], ["t"], "transpose", perm=[0, 2, 3, 1]),
    ]
    inits = [weight("w1", 4, 3, 3, 3), floats("bn.weight", [1, 2, 3, 4]),
             floats("bn.bias", [0, 0, 1, 1]), floats("bn.running_mean", [0, 1, 0, 1]),
             floats("bn.running_var", [1, 2, 1, 2]), ints("split_sizes", [3, 5]),
             ints("pads", [0, 0, 1, 1, 0, 0, 1, 1]), ints("shape", [1, -1])]
    return model(nodes, [tensor("x", [1, 3, 16, 16])],
                 [tensor("prob", [1, 3]), tensor("t", [1, 2, 2, 5])], inits)


def shape_fold():
    """Shape -> Gather -> Unsqueeze -> Concat -> Reshape, ConstantOfShape, Range, Cast,
    Slice, Squeeze, Where, Equal, Expand and integer Add/Sub/Mul/Div: all fold (float
    initializers are weights, never folded: the Where's float operand is a Constant)."""
    nodes = [
        node("Shape", ["x"], ["s"], "shape"),
        node("Constant", [], ["zero"], value=helper.make_tensor("z", I64, [], [0])),
        node("Gather", ["s", "zero"], ["n"], "batch", axis=0),
        node("Unsqueeze", ["n", "axes0"], ["n1"], "unsq"),
        node("Slice", ["s", "start1", "end_big"], ["rest"], "rest"),
        node("Mul", ["rest", "two"], ["rest2"], "mul"),
        node("Div", ["rest2", "two"], ["rest3"], "div"),
        node("Sub", ["rest3", "one"], ["rest4"], "sub"),
        node("Add", ["rest4", "one"], ["rest5"], "add"),
        node("Slice", ["rest5", "start0", "end1"], ["c"], "chan"),
        node("Constant", [], ["minus1"], value=helper.make_tensor("m1", I64, [1], [-1])),
        node("Concat", ["n1", "c", "minus1"], ["target"], "target", axis=0),
        node("Reshape", ["x", "target"], ["flat"], "reshape"),
        node("ConstantOfShape", ["target_c"], ["ones"], "fill",
             value=helper.make_tensor("v", F, [1], [1.0])),
        node("Range", ["r0", "r3", "r1"], ["range"], "range"),
        node("Cast", ["range"], ["rangef"], "cast", to=F),
        node("Equal", ["range", "r1"], ["eq"], "equal"),
        node("Constant", [], ["zerof"], value=helper.make_tensor("zf", F, [], [0.0])),
        node("Where", ["eq", "rangef", "zerof"], ["w"], "where"),
        node("Unsqueeze", ["w", "axes0"], ["w1"], "unsq_w"),
        node("Squeeze", ["w1", "axes0"], ["w2"], "sq_w"),
        node("Expand", ["w2", "expand_shape"], ["wide"], "expand"),
        node("Add", ["flat", "ones"], ["y0"], "add_ones"),
        node("Mul", ["y0", "wide"], ["y"], "mul_wide"),
    ]
    inits = [ints("axes0", [0]), ints("start1", [1]), ints("end_big", [100]),
             ints("two", [2]), ints("one", [1]), ints("start0", [0]), ints("end1", [1]),
             ints("target_c", [2, 3, 16]), ints("r0", 0), ints("r3", 16), ints("r1", 1),
             ints("expand_shape", [3, 16])]
    return model(nodes, [tensor("x", [2, 3, 4, 4])], [tensor("y", [2, 3, 16])], inits)


def misc():
    """Gemm that is no linear layer, Sigmoid, HardSwish (opset 14), GlobalMaxPool,
    LogSoftmax over axis 1 (opset 13 and later: that axis alone), ReduceMean."""
    nodes = [
        node("Gemm", ["a", "b", "c"], ["g"], "gemm", transA=1, alpha=2.0, beta=0.5),
        node("Sigmoid", ["g"], ["s"], "sigmoid"),
        node("HardSwish", ["x"], ["h"], "hardswish"),
        node("GlobalMaxPool", ["h"], ["p"], "gmp"),
        node("LogSoftmax", ["h"], ["l"], "logsoftmax", axis=1),
        node("ReduceMean", ["l"], ["m"], "mean", axes=[-1, 2], keepdims=0),
    ]
    return model(nodes, [tensor("a", [3, 2]), tensor("x", [1, 4, 5, 5])],
                 [tensor("s", [2, 4]), tensor("p", [1, 4, 1, 1]), tensor("m", [1, 4])],
                 [weight("b", 3, 4), weight("c", 2, 4)], opset=14)


def set_dim():
    """An input with symbolic dimensions: --set-dim gives their sizes."""
    return model([node("Relu", ["x"], ["y"], "relu")],
                 [tensor("x", ["batch", 3, "height", 8])], [tensor("y", ["batch", 3, "height", 8])])


def conv1d():
    """A 1-D convolution with SAME_LOWER padding and a dilation, and a 1-D max pool."""
    return model([node("Conv", ["x", "w"], ["c"], "conv", auto_pad="SAME_LOWER",
                       dilations=[2], strides=[2]),
                  node("MaxPool", ["c"], ["y"], "pool", kernel_shape=[2], strides=[2])],
                 [tensor("x", [1, 2, 9])], [tensor("y", [1, 4, 2])], [weight("w", 4, 2, 4)])


def opset7():
    """Opset 7's forms: Clip's bounds as attributes, Softmax over the flattened axes."""
    return model([node("Clip", ["x"], ["c"], "clip", min=-1.0, max=1.0),
                  node("Softmax", ["c"], ["y"], "softmax", axis=1)],
                 [tensor("x", [2, 3, 4])], [tensor("y", [2, 3, 4])], opset=7)


def external():
    """A weight stored as external data beside the model."""
    w = weight("fc.weight", 3, 4)
    m = model([node("MatMul", ["x", "fc.weight"], ["y"], "matmul")],
              [tensor("x", [2, 3])], [tensor("y", [2, 4])], [w])
    return m, "fc.bin"


def external_escape():
    """External data whose location leaves the model's folder."""
    m, _ = external()
    return m, "../outside.bin"


def unsupported_op():
    """An op netc does not convert, in an unnamed node (named by its index)."""
    return model([node("Relu", ["x"], ["r"], "relu"), node("Foo", ["r"], ["y"])],
                 [tensor("x", [1, 4])], [tensor("y", [1, 4])])


def bad_auto_pad():
    """An attribute value netc does not support."""
    return model([node("Conv", ["x", "w"], ["y"], "conv7", kernel_shape=[3, 3], auto_pad="FOO")],
                 [tensor("x", [1, 1, 5, 5])], [tensor("y", [1, 1, 5, 5])], [weight("w", 1, 1, 3, 3)])


def bad_mode():
    """Pad in reflect mode."""
    return model([node("Pad", ["x", "pads"], ["y"], "pad3", mode="reflect")],
                 [tensor("x", [1, 1, 4, 4])], [tensor("y", [1, 1, 6, 6])],
                 [ints("pads", [0, 0, 1, 1, 0, 0, 1, 1])])


def bad_dtype():
    """A float16 input."""
    return model([node("Relu", ["x"], ["y"], "relu")],
                 [tensor("x", [1, 4], TensorProto.FLOAT16)], [tensor("y", [1, 4], TensorProto.FLOAT16)])


def bad_opset():
    """Opset 18, beyond what netc reads."""
    return model([node("Relu", ["x"], ["y"], "relu")], [tensor("x", [1, 4])],
                 [tensor("y", [1, 4])], opset=18)


def bad_domain():
    """A node of another domain."""
    n = node("Gelu", ["x"], ["y"], "gelu")
    n.domain = "com.microsoft"
    return model([n], [tensor("x", [1, 4])], [tensor("y", [1, 4])], domains=["com.microsoft"])


def dynamic_reshape():
    """Reshape to a shape that is a graph input, known only at run time."""
    return model([node("Reshape", ["x", "shape"], ["y"], "reshape")],
                 [tensor("x", [2, 3]), tensor("shape", [2], I64)], [tensor("y", [3, 2])])


def missing_dim():
    """A dimension with neither a size nor a name."""
    return model([node("Relu", ["x"], ["y"], "relu")],
                 [tensor("x", [None, 4])], [tensor("y", [None, 4])])


def shape_mismatch():
    """Add of tensors that do not broadcast: the nn op's error, named by the node."""
    return model([node("Add", ["x", "b"], ["y"], "add9")],
                 [tensor("x", [2, 3]), tensor("b", [4])], [tensor("y", [2, 3])])


def main():
    case, out = sys.argv[1], sys.argv[2]
    if case in ("truncated", "not_onnx"):
        with open(out, "wb") as f:
            f.write(small().SerializeToString()[:100] if case == "truncated" else b"hello\n" * 9)
        return
    result = globals()[case]()
    if isinstance(result, tuple):
        m, location = result
        data_path = os.path.join(os.path.dirname(os.path.abspath(out)), location)
        for init in m.graph.initializer:
            raw = init.raw_data or numpy_helper.to_array(init).tobytes()
            with open(data_path, "wb") as f:
                f.write(b"\0" * 16 + raw)
            init.ClearField("raw_data")
            init.ClearField("float_data")
            init.data_location = TensorProto.EXTERNAL
            for k, v in (("location", location), ("offset", "16"), ("length", str(len(raw)))):
                entry = init.external_data.add()
                entry.key, entry.value = k, v
        result = m
    onnx.save(result, out)


if __name__ == "__main__":
    main()
