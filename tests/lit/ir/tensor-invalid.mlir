// The verifier rules of the tensor ops reject bad IR with a message naming the values.
// RUN: netc-opt %s -split-input-file -verify-diagnostics

func.func @permute_repeated(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{permute dims [0, 0] are not a permutation of the 2 axes of input [2, 3]}}
  %0 = nn.permute %x {dims = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @permute_short(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{permute dims [1, 0] are not a permutation of the 3 axes of input [2, 3, 4]}}
  %0 = nn.permute %x {dims = array<i64: 1, 0>} : (tensor<2x3x4xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @max_dim(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{max dim 2 is out of range}}
  %0 = nn.max %x {dim = 2 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @argmin_type(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{result #0 must be tensor of 64-bit signless integer values}}
  %0 = nn.argmin %x {dim = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @triu_rank(%x: tensor<3xf32>) {
  // expected-error @+1 {{triu expects a tensor of rank >= 2, got [3]}}
  %0 = nn.triu %x : (tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @slice_step(%x: tensor<2x5xf32>) {
  // expected-error @+1 {{slice [1, +3) by step 2 does not fit in dimension 1 of [2, 5]}}
  %0 = nn.slice %x {dim = 1 : i64, start = 1 : i64, size = 3 : i64, step = 2 : i64}
      : (tensor<2x5xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @extremum_backward_grad(%x: tensor<2x3xf32>, %g: tensor<2xf32>) {
  // expected-error @+1 {{extremum_backward expects a gradient of shape [2, 1], got [2]}}
  %0 = nn.extremum_backward %x, %g {dim = 1 : i64} : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}
