// nn-decompose rewrites hardswish and hardsigmoid in the order of PyTorch's kernels:
// hardswish through clamp (gradient at 0) and hardtanh (none at 6), hardsigmoid through
// hardtanh (none at its bounds).
// RUN: netc-opt %s --nn-decompose | FileCheck %s

// CHECK-LABEL: func.func @hardswish
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK-DAG: %[[THREE:.+]] = arith.constant dense<3.000000e+00> : tensor<f32>
// CHECK-DAG: %[[SIX:.+]] = arith.constant dense<6.000000e+00> : tensor<f32>
// CHECK: %[[S:.+]] = nn.add %[[X]], %[[THREE]]
// CHECK: %[[L:.+]] = nn.clamp %[[S]] {min = 0.000000e+00 : f64}
// CHECK: %[[C:.+]] = nn.hardtanh %[[L]] {max = 6.000000e+00 : f64}
// CHECK: %[[M:.+]] = nn.mul %[[X]], %[[C]]
// CHECK: %[[Y:.+]] = nn.div %[[M]], %[[SIX]]
// CHECK-NOT: nn.hardswish
// CHECK: return %[[Y]]
func.func @hardswish(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = nn.hardswish %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @hardsigmoid
// CHECK-SAME: (%[[X:.+]]: tensor<3xf64>)
// CHECK: %[[S:.+]] = nn.add %[[X]], %{{.+}}
// CHECK: %[[C:.+]] = nn.hardtanh %[[S]] {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64}
// CHECK: %[[Y:.+]] = nn.div %[[C]], %{{.+}} : (tensor<3xf64>, tensor<f64>) -> tensor<3xf64>
// CHECK-NOT: nn.hardsigmoid
// CHECK: return %[[Y]]
func.func @hardsigmoid(%x: tensor<3xf64>) -> tensor<3xf64> {
  %0 = nn.hardsigmoid %x : (tensor<3xf64>) -> tensor<3xf64>
  return %0 : tensor<3xf64>
}
