//===- ImportNorm.cpp - batch normalisation in the language ---------------===//
//
// batch_norm1d and batch_norm2d as torch.nn.BatchNorm1d/2d: parameters
// NAME.weight (ones) and NAME.bias (zeros) when affine, buffers
// NAME.running_mean (zeros), NAME.running_var (ones) and
// NAME.num_batches_tracked (an i64 scalar, zero). One nn.batch_norm gives the
// output and the next running statistics, which become buffer updates with
// the counter plus one.
//
//===----------------------------------------------------------------------===//

#include "frontend/ImportArgs.h"

#include "ir/NNOps.h"

#include "mlir/IR/Verifier.h"

using namespace mlir;

namespace netc::frontend {

/// Checks the input's rank for the op `callee`; reports and returns false if wrong.
static bool checkNormInput(Importer &im, const CallArgs &args, RankedTensorType type,
                           int spatialDims) {
  int64_t rank = type.getRank();
  bool ok = spatialDims == 1 ? rank == 2 || rank == 3 : rank == 4;
  if (!ok)
    im.error(args.values.at("x").loc)
        << "'" << args.call->callee << "' expects an input "
        << (spatialDims == 1 ? "[N, C] or [N, C, L]" : "[N, C, H, W]") << ", got "
        << describe(args.values.at("x"));
  return ok;
}

/// Builds nn.batch_norm with its three results; null on error (reported).
static Operation *buildBatchNorm(Importer &im, Loc loc, const std::string &name,
                                 ValueRange operands, double eps, double momentum) {
  OpBuilder &b = im.builder;
  Location where = NameLoc::get(b.getStringAttr(im.qualify(name)), im.location(loc));
  Type stats = operands[1].getType();
  auto op = b.create<nn::BatchNormOp>(where, TypeRange{operands[0].getType(), stats, stats},
                                      operands, ArrayRef<NamedAttribute>{});
  op.setEpsAttr(b.getF64FloatAttr(eps));
  op.setMomentumAttr(b.getF64FloatAttr(momentum));
  SmallVector<Type> types;
  if (failed(cast<nn::ShapeInferenceOpInterface>(op.getOperation()).inferResultTypes(types)) ||
      failed(verify(op, /*verifyRecursively=*/false))) {
    op.erase();
    return nullptr;
  }
  return op;
}

Val importBatchNorm(Importer &im, const CallArgs &args, const std::string &name,
                    int spatialDims) {
  auto x = im.getTensor(args, "x");
  auto eps = im.getFloat(args, "eps", 1e-5);
  auto momentum = im.getFloat(args, "momentum", 0.1);
  auto affine = im.getBool(args, "affine", true);
  Loc loc = args.call->loc;
  if (!x || !eps || !momentum || !affine)
    return Val::poison(loc);
  const std::string &op = args.call->callee;
  if (!(*eps >= 0.0)) {
    im.error(args.values.at("eps").loc)
        << "'" << op << "' expects 'eps' to be non-negative, got " << describe(args.values.at("eps"));
    return Val::poison(loc);
  }
  if (!(*momentum >= 0.0 && *momentum <= 1.0)) {
    im.error(args.values.at("momentum").loc)
        << "'" << op << "' expects 'momentum' in [0, 1], got "
        << describe(args.values.at("momentum"))
        << " (momentum=None, the cumulative average, is not supported)";
    return Val::poison(loc);
  }
  auto type = cast<RankedTensorType>(x->getType());
  if (!checkNormInput(im, args, type, spatialDims))
    return Val::poison(loc);

  Builder &b = im.builder;
  auto channels = RankedTensorType::get({type.getDimSize(1)}, type.getElementType());
  // Declared in the order of torch's state_dict; a name clash is reported once.
  struct Spec {
    const char *suffix;
    bool param;
    RankedTensorType type;
    double init;
  };
  auto counter = RankedTensorType::get({}, b.getI64Type());
  SmallVector<Spec> specs;
  if (*affine)
    specs.append({{".weight", true, channels, 1.0}, {".bias", true, channels, 0.0}});
  specs.append({{".running_mean", false, channels, 0.0},
                {".running_var", false, channels, 1.0},
                {".num_batches_tracked", false, counter, 0.0}});
  SmallVector<Value> made;
  for (const Spec &t : specs) {
    std::string full = name + t.suffix;
    Value v = t.param ? im.newParam(loc, full, t.type, constantInit(b, t.init))
                      : im.newBuffer(loc, full, t.type, constantInit(b, t.init));
    if (!v)
      return Val::poison(loc);
    made.push_back(v);
  }
  // made: [weight, bias,] running_mean, running_var, num_batches_tracked.
  Value mean = made[made.size() - 3], var = made[made.size() - 2], count = made.back();
  SmallVector<Value> operands{*x, mean, var};
  operands.append(made.begin(), made.end() - 3);
  Operation *norm = buildBatchNorm(im, loc, name, operands, *eps, *momentum);
  if (!norm)
    return Val::poison(loc);

  // PyTorch refuses batch statistics of a single value per channel.
  if (type.getNumElements() / type.getDimSize(1) == 1)
    im.errorIfTrained(loc, "'" + op + "' expects more than 1 value per channel in train steps, "
                                      "got an input " + describe(args.values.at("x")));
  im.updateBuffer(loc, mean, norm->getResult(1));
  im.updateBuffer(loc, var, norm->getResult(2));
  OpBuilder &ob = im.builder;
  Value next = ob.create<nn::IncrementOp>(norm->getLoc(), count.getType(), count,
                                          ob.getI64IntegerAttr(1));
  im.updateBuffer(loc, count, next);
  return Val::ofTensor(loc, norm->getResult(0));
}

} // namespace netc::frontend
