//===- OpsLoss.cpp - ONNX SoftmaxCrossEntropyLoss and NegativeLogLikelihoodLoss
//
// Both are nn.nll_loss (on nn.log_softmax over the classes, axis 1, for
// the cross-entropy), which reduces by the mean over the targets kept.
// reduction "sum" is that mean times the number of targets when no
// ignore_index can drop some; "none" and class weights have no nn op.
//
//===----------------------------------------------------------------------===//

#include "onnx/OpsBuilder.h"

using namespace mlir;

namespace netc::onnx {

namespace {

LogicalResult convertLoss(OpsBuilder &b, bool softmax) {
  Value scores = b.in(0), labels = b.in(1);
  if (!scores || !labels)
    return b.result();
  if (b.has(2))
    return b.fail("unsupported class weights (input 2)");
  if (!OpsBuilder::isFloat(scores) || OpsBuilder::isFloat(labels) || OpsBuilder::rank(scores) < 2)
    return b.fail("expects float scores [N, C, ...] and integer labels [N, ...]");
  std::string reduction = b.attrString("reduction", "mean");
  bool ignores = b.hasAttr("ignore_index");
  if (reduction != "mean" && (reduction != "sum" || ignores))
    return b.fail("unsupported reduction: \"" + reduction + "\"" +
                  (ignores ? " with ignore_index" : "") + " (netc's losses reduce by the mean)");
  Value logp = softmax ? b.op("nn.log_softmax", scores, {b.i64("dim", 1)}) : scores;
  SmallVector<NamedAttribute> attrs;
  if (ignores)
    attrs.push_back(b.i64("ignore_index", b.attrInt("ignore_index", -100)));
  Value loss = b.op("nn.nll_loss", {logp, labels}, attrs);
  if (loss && reduction == "sum")
    loss = b.binary("nn.mul", loss, b.scalar(double(product(OpsBuilder::dims(labels))), loss));
  b.out(0, loss);
  if (softmax)
    b.out(1, logp);
  return b.result();
}

} // namespace

void registerLossOps(OnnxOpRegistry &r) {
  addOp(r, "SoftmaxCrossEntropyLoss", [](OpsBuilder &b) { return convertLoss(b, true); });
  addOp(r, "NegativeLogLikelihoodLoss", [](OpsBuilder &b) { return convertLoss(b, false); });
}

} // namespace netc::onnx
