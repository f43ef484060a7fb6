// The nn dialect's folds under MLIR's canonicalizer: each fold, and the look-alikes that must
// not fold.
// RUN: netc-opt %s --canonicalize --split-input-file | FileCheck %s

// relu(relu(x)) is relu(x); relu of another activation stays.
// CHECK-LABEL: func.func @relu_relu
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<4xf32>
// CHECK-NEXT: %[[R:.+]] = nn.relu %[[X]]
// CHECK-NEXT: %[[S:.+]] = nn.sigmoid %[[X]]
// CHECK-NEXT: %[[T:.+]] = nn.relu %[[S]]
// CHECK-NEXT: return %[[R]], %[[T]]
func.func @relu_relu(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = nn.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.relu %0 : (tensor<4xf32>) -> tensor<4xf32>
  %2 = nn.sigmoid %x : (tensor<4xf32>) -> tensor<4xf32>
  %3 = nn.relu %2 : (tensor<4xf32>) -> tensor<4xf32>
  return %1, %3 : tensor<4xf32>, tensor<4xf32>
}

// -----

// reshape(reshape(x)) is one reshape of x with the outer shape (a -1 in it still resolves);
// a reshape back to x's own shape is x.
// CHECK-LABEL: func.func @reshape_reshape
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x6xf32>
// CHECK-NEXT: %[[A:.+]] = nn.reshape %[[X]] {shape = array<i64: 4, 3>} : (tensor<2x6xf32>)
// CHECK-NEXT: %[[B:.+]] = nn.reshape %[[X]] {shape = array<i64: -1, 2>} : (tensor<2x6xf32>)
// CHECK-NEXT: return %[[A]], %[[B]], %[[X]]
func.func @reshape_reshape(%x: tensor<2x6xf32>)
    -> (tensor<4x3xf32>, tensor<6x2xf32>, tensor<2x6xf32>) {
  %0 = nn.reshape %x {shape = array<i64: 12>} : (tensor<2x6xf32>) -> tensor<12xf32>
  %1 = nn.reshape %0 {shape = array<i64: 4, 3>} : (tensor<12xf32>) -> tensor<4x3xf32>
  %2 = nn.reshape %x {shape = array<i64: 3, 4>} : (tensor<2x6xf32>) -> tensor<3x4xf32>
  %3 = nn.reshape %2 {shape = array<i64: -1, 2>} : (tensor<3x4xf32>) -> tensor<6x2xf32>
  %4 = nn.reshape %2 {shape = array<i64: 2, 6>} : (tensor<3x4xf32>) -> tensor<2x6xf32>
  return %1, %3, %4 : tensor<4x3xf32>, tensor<6x2xf32>, tensor<2x6xf32>
}

// -----

// A reshape that changes the shape stays.
// CHECK-LABEL: func.func @reshape_kept
// CHECK: nn.reshape %{{.+}} {shape = array<i64: 3, 4>}
func.func @reshape_kept(%x: tensor<2x6xf32>) -> tensor<3x4xf32> {
  %0 = nn.reshape %x {shape = array<i64: 3, 4>} : (tensor<2x6xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Swapping the same two axes twice is the identity, whatever their order or sign; swapping an
// axis with itself too.
// CHECK-LABEL: func.func @transpose_twice
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x3x4xf32>
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]]
func.func @transpose_twice(%x: tensor<2x3x4xf32>)
    -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>) {
  %0 = nn.transpose %x {dim0 = 0 : i64, dim1 = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  %1 = nn.transpose %0 {dim0 = 1 : i64, dim1 = 0 : i64} : (tensor<3x2x4xf32>) -> tensor<2x3x4xf32>
  %2 = nn.transpose %x {dim0 = -1 : i64, dim1 = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  %3 = nn.transpose %2 {dim0 = 0 : i64, dim1 = 2 : i64} : (tensor<4x3x2xf32>) -> tensor<2x3x4xf32>
  %4 = nn.transpose %x {dim0 = 1 : i64, dim1 = -2 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %1, %3, %4 : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
}

// -----

// Two swaps of different pairs are a rotation, not the identity.
// CHECK-LABEL: func.func @transpose_other_dims
// CHECK: nn.transpose
// CHECK: nn.transpose
func.func @transpose_other_dims(%x: tensor<2x3x4xf32>) -> tensor<3x4x2xf32> {
  %0 = nn.transpose %x {dim0 = 0 : i64, dim1 = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  %1 = nn.transpose %0 {dim0 = 1 : i64, dim1 = 2 : i64} : (tensor<3x2x4xf32>) -> tensor<3x4x2xf32>
  return %1 : tensor<3x4x2xf32>
}

// -----

// flatten of a tensor already flat over the range is the tensor: a range of one axis (the
// default range 1..-1 of a 2-d tensor, an explicit one, a 1-d tensor from axis 0).
// CHECK-LABEL: func.func @flatten_flat
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x60xf32>, %[[Y:[a-z0-9]+]]: tensor<2x3x4xf32>,
// CHECK-SAME: %[[Z:[a-z0-9]+]]: tensor<7xf32>
// CHECK-NEXT: return %[[X]], %[[Y]], %[[Z]]
func.func @flatten_flat(%x: tensor<2x60xf32>, %y: tensor<2x3x4xf32>, %z: tensor<7xf32>)
    -> (tensor<2x60xf32>, tensor<2x3x4xf32>, tensor<7xf32>) {
  %0 = nn.flatten %x : (tensor<2x60xf32>) -> tensor<2x60xf32>
  %1 = nn.flatten %y {start_dim = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %2 = nn.flatten %z {start_dim = 0 : i64} : (tensor<7xf32>) -> tensor<7xf32>
  return %0, %1, %2 : tensor<2x60xf32>, tensor<2x3x4xf32>, tensor<7xf32>
}

// -----

// flatten that merges axes stays, even axes of size 1 (the rank changes); so does one with
// unranked types (before shape inference equal types prove nothing).
// CHECK-LABEL: func.func @flatten_kept
// CHECK: nn.flatten %{{.+}} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
// CHECK: nn.flatten %{{.+}} : (tensor<2x1x5xf32>) -> tensor<2x5xf32>
// CHECK: nn.flatten %{{.+}} : (tensor<*xf32>) -> tensor<*xf32>
func.func @flatten_kept(%x: tensor<2x3x4xf32>, %y: tensor<2x1x5xf32>, %u: tensor<*xf32>)
    -> (tensor<2x12xf32>, tensor<2x5xf32>, tensor<*xf32>) {
  %0 = nn.flatten %x : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  %1 = nn.flatten %y : (tensor<2x1x5xf32>) -> tensor<2x5xf32>
  %2 = nn.flatten %u : (tensor<*xf32>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<2x12xf32>, tensor<2x5xf32>, tensor<*xf32>
}

// -----

// x + 0, 0 + x, x + (-0) and x - 0 are x, with zeros of x's shape or broadcast from a scalar.
// CHECK-LABEL: func.func @add_zero
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<4x8xf32>
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]]
func.func @add_zero(%x: tensor<4x8xf32>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %zeros = arith.constant dense<0.0> : tensor<4x8xf32>
  %zero = arith.constant dense<0.0> : tensor<f32>
  %negzero = arith.constant dense<-0.0> : tensor<8xf32>
  %0 = nn.add %x, %zeros : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = nn.add %zero, %x : (tensor<f32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = nn.add %x, %negzero : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %3 = nn.sub %x, %zero : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  return %0, %1, %2, %3 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Not folded: zeros that broadcast x to a larger shape, a constant that is not all zeros, a
// non-zero splat, 0 - x.
// CHECK-LABEL: func.func @add_kept
// CHECK-COUNT-3: nn.add
// CHECK: nn.sub
func.func @add_kept(%x: tensor<8xf32>)
    -> (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %zeros = arith.constant dense<0.0> : tensor<4x8xf32>
  %mixed = arith.constant dense<[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]> : tensor<8xf32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %zero = arith.constant dense<0.0> : tensor<f32>
  %0 = nn.add %x, %zeros : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = nn.add %x, %mixed : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %2 = nn.add %x, %one : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %3 = nn.sub %zero, %x : (tensor<f32>, tensor<8xf32>) -> tensor<8xf32>
  return %0, %1, %2, %3 : tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}

// -----

// x * 1, 1 * x and x / 1 are x.
// CHECK-LABEL: func.func @mul_one
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<4x8xf64>
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]]
func.func @mul_one(%x: tensor<4x8xf64>) -> (tensor<4x8xf64>, tensor<4x8xf64>, tensor<4x8xf64>) {
  %ones = arith.constant dense<1.0> : tensor<4x8xf64>
  %one = arith.constant dense<1.0> : tensor<1xf64>
  %0 = nn.mul %x, %ones : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
  %1 = nn.mul %one, %x : (tensor<1xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
  %2 = nn.div %x, %one : (tensor<4x8xf64>, tensor<1xf64>) -> tensor<4x8xf64>
  return %0, %1, %2 : tensor<4x8xf64>, tensor<4x8xf64>, tensor<4x8xf64>
}

// -----

// Not folded: x * 0 (NaN for infinite x), x * 2, ones that broadcast x to a larger shape, 1 / x.
// CHECK-LABEL: func.func @mul_kept
// CHECK-COUNT-3: nn.mul
// CHECK: nn.div
func.func @mul_kept(%x: tensor<8xf32>)
    -> (tensor<8xf32>, tensor<8xf32>, tensor<2x8xf32>, tensor<8xf32>) {
  %zero = arith.constant dense<0.0> : tensor<f32>
  %two = arith.constant dense<2.0> : tensor<f32>
  %ones = arith.constant dense<1.0> : tensor<2x8xf32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %0 = nn.mul %x, %zero : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %1 = nn.mul %x, %two : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %2 = nn.mul %ones, %x : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  %3 = nn.div %one, %x : (tensor<f32>, tensor<8xf32>) -> tensor<8xf32>
  return %0, %1, %2, %3 : tensor<8xf32>, tensor<8xf32>, tensor<2x8xf32>, tensor<8xf32>
}

// -----

// dropout with p = 0 is its input, with or without a seed; p > 0 stays.
// CHECK-LABEL: func.func @dropout_zero
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<8xf32>
// CHECK-NEXT: %[[D:.+]] = nn.dropout %[[X]] {p = 1.000000e-01 : f64}
// CHECK-NEXT: return %[[X]], %[[X]], %[[D]]
func.func @dropout_zero(%x: tensor<8xf32>, %seed: i64)
    -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %0 = nn.dropout %x {p = 0.0 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  %1 = nn.dropout %x, %seed {p = 0.0 : f64} : (tensor<8xf32>, i64) -> tensor<8xf32>
  %2 = nn.dropout %x {p = 0.1 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  return %0, %1, %2 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}
