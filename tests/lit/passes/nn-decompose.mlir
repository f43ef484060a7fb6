// nn-decompose rewrites the composite ops into primitive nn ops with 0-d constants.
// RUN: netc-opt %s --nn-decompose | FileCheck %s
// The optimize pipeline runs it: no composite op is left after it.
// RUN: netc-opt %s --nn-optimize-pipeline | FileCheck %s --check-prefix=PIPE
// PIPE-NOT: nn.gelu_tanh
// PIPE-NOT: nn.layer_norm

// CHECK-LABEL: func.func @gelu_tanh
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK-DAG: %[[BETA:.+]] = arith.constant dense<0.797884583> : tensor<f32>
// CHECK-DAG: %[[KAPPA:.+]] = arith.constant dense<4.471500e-02> : tensor<f32>
// CHECK-DAG: %[[HALF:.+]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK-DAG: %[[ONE:.+]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[SQ:.+]] = nn.mul %[[X]], %[[X]]
// CHECK: %[[CUBE:.+]] = nn.mul %[[SQ]], %[[X]]
// CHECK: %[[KC:.+]] = nn.mul %[[KAPPA]], %[[CUBE]]
// CHECK: %[[SUM:.+]] = nn.add %[[X]], %[[KC]]
// CHECK: %[[INNER:.+]] = nn.mul %[[BETA]], %[[SUM]]
// CHECK: %[[HX:.+]] = nn.mul %[[HALF]], %[[X]]
// CHECK: %[[T:.+]] = nn.tanh %[[INNER]]
// CHECK: %[[OPT:.+]] = nn.add %[[ONE]], %[[T]]
// CHECK: %[[Y:.+]] = nn.mul %[[HX]], %[[OPT]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NOT: nn.gelu_tanh
// CHECK: return %[[Y]]
func.func @gelu_tanh(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = nn.gelu_tanh %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// Over the last axis, with weight and bias.
// CHECK-LABEL: func.func @layer_norm_affine
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %[[W:.+]]: tensor<8xf32>, %[[B:.+]]: tensor<8xf32>)
// CHECK-DAG: %[[EPS:.+]] = arith.constant dense<9.99999974E-6> : tensor<f32>
// CHECK: %[[MU:.+]] = nn.mean %[[X]] {dims = array<i64: 1>, keepdim = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
// CHECK: %[[D:.+]] = nn.sub %[[X]], %[[MU]]
// CHECK: %[[D2:.+]] = nn.mul %[[D]], %[[D]]
// CHECK: %[[VAR:.+]] = nn.mean %[[D2]] {dims = array<i64: 1>, keepdim = true}
// CHECK: %[[VE:.+]] = nn.add %[[VAR]], %[[EPS]]
// CHECK: %[[STD:.+]] = nn.sqrt %[[VE]]
// CHECK: %[[N:.+]] = nn.div %[[D]], %[[STD]]
// CHECK: %[[NW:.+]] = nn.mul %[[N]], %[[W]]
// CHECK: %[[Y:.+]] = nn.add %[[NW]], %[[B]]
// CHECK: return %[[Y]]
func.func @layer_norm_affine(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>)
    -> tensor<4x8xf32> {
  %0 = nn.layer_norm %x, %w, %b {normalized_shape = array<i64: 8>}
      : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// Over the two trailing axes, without affine operands, with its own eps.
// CHECK-LABEL: func.func @layer_norm_2d
// CHECK-DAG: %[[EPS:.+]] = arith.constant dense<1.000000e-03> : tensor<f64>
// CHECK: nn.mean %{{.+}} {dims = array<i64: 1, 2>, keepdim = true} : (tensor<2x3x5xf64>) -> tensor<2x1x1xf64>
// CHECK: nn.add %{{.+}}, %[[EPS]]
// CHECK: %[[Y:.+]] = nn.div
// CHECK-NOT: nn.mul %[[Y]]
// CHECK: return %[[Y]]
func.func @layer_norm_2d(%x: tensor<2x3x5xf64>) -> tensor<2x3x5xf64> {
  %0 = nn.layer_norm %x {normalized_shape = array<i64: 3, 5>, eps = 1.0e-3 : f64}
      : (tensor<2x3x5xf64>) -> tensor<2x3x5xf64>
  return %0 : tensor<2x3x5xf64>
}

// Primitive ops are left alone.
// CHECK-LABEL: func.func @primitives
// CHECK: nn.gelu %
// CHECK: nn.silu %
func.func @primitives(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.gelu %x : (tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.silu %0 : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}
