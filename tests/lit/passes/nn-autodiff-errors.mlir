// Ops on the loss path without a gradient rule are errors at their locations, all of them
// reported in one run; the pass fails.
// RUN: netc-opt %s --nn-autodiff --split-input-file --verify-diagnostics

func.func @no_rule(%x: tensor<4x3xf32> {nn.input = "x"}, %w: tensor<3xf32> {nn.param = "w"})
    -> (tensor<f32> {nn.loss = "loss"}) {
  %0 = nn.mul %x, %w : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  // expected-error @+1 {{'nn.sum_to' has no gradient rule, but the loss depends on it through a parameter}}
  %1 = nn.sum_to %0 {shape = array<i64: 3>} : (tensor<4x3xf32>) -> tensor<3xf32>
  // expected-error @+1 {{'nn.broadcast_to' has no gradient rule, but the loss depends on it through a parameter}}
  %2 = nn.broadcast_to %w {shape = array<i64: 2, 3>} : (tensor<3xf32>) -> tensor<2x3xf32>
  %3 = nn.sum %1 : (tensor<3xf32>) -> tensor<f32>
  %4 = nn.sum %2 : (tensor<2x3xf32>) -> tensor<f32>
  %5 = nn.add %3, %4 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %5 : tensor<f32>
}

// -----

// An op without a rule is fine where no parameter reaches it.
func.func @constant_path(%x: tensor<4x3xf32> {nn.input = "x"}, %w: tensor<3xf32> {nn.param = "w"})
    -> (tensor<f32> {nn.loss = "loss"}) {
  %0 = nn.sum_to %x {shape = array<i64: 3>} : (tensor<4x3xf32>) -> tensor<3xf32>
  %1 = nn.mul %0, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %2 = nn.sum %1 : (tensor<3xf32>) -> tensor<f32>
  return %2 : tensor<f32>
}

// -----

// expected-error @+1 {{cannot add the train step of 'm': 'm_train_step' exists already}}
func.func @m(%w: tensor<3xf32> {nn.param = "w"}) -> (tensor<f32> {nn.loss = "loss"}) {
  %0 = nn.sqnorm %w : (tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
func.func @m_train_step() {
  return
}
