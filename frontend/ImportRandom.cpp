//===- ImportRandom.cpp - randn_like and rand_like ------------------------===//
//
// A model that draws random tensors gets one i64 argument marked `nn.seed`,
// its last. Each draw takes a seed derived from it by its index among the
// model's draws (ir/Seeds.h), so two draws are independent; the train step
// keeps that argument and gets its value from --seed and the step number,
// so every step draws afresh. The forward function (--run, inference)
// draws too, with the seed of step 0.
//
//===----------------------------------------------------------------------===//

#include "frontend/ImportArgs.h"

#include "ir/Seeds.h"
#include "ir/Signature.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace netc::frontend {

Value Importer::nextDrawSeed(Loc loc) {
  if (!drawSeed) {
    // Created here, where the first draw needs it; finishFunction moves it last.
    drawSeed = body->addArgument(builder.getI64Type(), location(loc));
    argAttrs.push_back(builder.getDictionaryAttr(nn::roleAttr(&context, nn::ArgRole::Seed)));
  }
  return nn::deriveSeed(builder, location(loc), drawSeed, nn::SeedStream::Draw, drawCount++);
}

void Importer::placeDrawSeedLast() {
  if (!drawSeed)
    return;
  auto seed = cast<BlockArgument>(drawSeed);
  if (seed.getArgNumber() + 1 == body->getNumArguments())
    return;
  unsigned index = seed.getArgNumber();
  BlockArgument last = body->addArgument(seed.getType(), seed.getLoc());
  seed.replaceAllUsesWith(last);
  argAttrs.push_back(argAttrs[index]);
  argAttrs.erase(argAttrs.begin() + index);
  body->eraseArgument(index);
  drawSeed = last;
}

namespace {

/// randn_like(x) and rand_like(x): a draw of x's shape and float type.
OpHandler draw(const char *opName) {
  return [opName](Importer &im, const CallArgs &args) -> Val {
    auto x = im.getTensor(args, "x");
    if (!x)
      return Val::poison(args.call->loc);
    if (!isa<FloatType>(cast<TensorType>(x->getType()).getElementType())) {
      im.error(args.values.at("x").loc)
          << "'" << args.call->callee << "' expects 'x' to be a float tensor (f32 or f64), got "
          << describe(args.values.at("x"));
      return Val::poison(args.call->loc);
    }
    Value seed = im.nextDrawSeed(args.call->loc);
    return im.buildOp(opName, args.call->loc, {*x, seed}, {});
  };
}

} // namespace

void registerRandomOps(const OpRegistrar &add) {
  add("randn_like", {{"x"}, 1}, draw("nn.randn"));
  add("rand_like", {{"x"}, 1}, draw("nn.rand"));
}

} // namespace netc::frontend
