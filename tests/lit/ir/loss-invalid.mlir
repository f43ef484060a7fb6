// The verifier rules of nll_loss, kl_div, the composite losses and the
// metrics reject bad IR with a message naming the values.
// RUN: netc-opt %s -split-input-file -verify-diagnostics

func.func @nll_target(%z: tensor<64x10xf32>, %t: tensor<32xi64>) {
  // expected-error @+1 {{nll_loss expects target [64] (class indices) for logits [64, 10], got [32]}}
  %0 = nn.nll_loss %z, %t : (tensor<64x10xf32>, tensor<32xi64>) -> tensor<f32>
  return
}

// -----

func.func @nll_smoothing(%z: tensor<4x3xf32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{nll_loss expects label_smoothing in [0, 1], got 1.5}}
  %0 = nn.nll_loss %z, %t {label_smoothing = 1.5 : f64} : (tensor<4x3xf32>, tensor<4xi64>) -> tensor<f32>
  return
}

// -----

func.func @l1_broadcast(%a: tensor<3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{l1_loss expects broadcastable operands}}
  %0 = nn.l1_loss %a, %b : (tensor<3xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func.func @smooth_l1_beta(%a: tensor<3xf32>) {
  // expected-error @+1 {{smooth_l1_loss expects beta >= 0, got -1}}
  %0 = nn.smooth_l1_loss %a, %a {beta = -1.0 : f64} : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  return
}

// -----

func.func @kl_types(%a: tensor<3xf32>, %b: tensor<3xf64>) {
  // expected-error @+1 {{f64}}
  %0 = nn.kl_div %a, %b : (tensor<3xf32>, tensor<3xf64>) -> tensor<3xf32>
  return
}

// -----

func.func @iou_shapes(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{iou expects input and target of one shape, got [2, 3] and [3]}}
  %0 = nn.iou %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<f32>
  return
}

// -----

func.func @dice_loss_eps(%a: tensor<3xf32>) {
  // expected-error @+1 {{dice_loss expects eps >= 0, got -2}}
  %0 = nn.dice_loss %a, %a {eps = -2.0 : f64} : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  return
}

// -----

func.func @accuracy_target(%z: tensor<4x3xf32>, %t: tensor<4x2xi32>) {
  // expected-error @+1 {{accuracy expects target [4] (class indices) for logits [4, 3], got [4, 2]}}
  %0 = nn.accuracy %z, %t : (tensor<4x3xf32>, tensor<4x2xi32>) -> tensor<f32>
  return
}
