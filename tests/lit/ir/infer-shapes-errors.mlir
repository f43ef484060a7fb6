// nn-infer-shapes reports shapes that do not fit at the op, naming both, and
// refuses ops it cannot reason about.
// RUN: netc-opt %s --nn-infer-shapes --split-input-file --verify-diagnostics

func.func @no_broadcast(%x: tensor<2x3xf32>, %y: tensor<4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{add: shapes [2, 3] and [4] do not broadcast}}
  %0 = nn.add %x, %y : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @channels(%x: tensor<1x4x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{conv2d expects 3 input channels}}
  %0 = nn.conv2d %x, %w : (tensor<1x4x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @unranked_operand(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{operand #0 of 'nn.relu' has no static shape}}
  %0 = nn.relu %x : (tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
