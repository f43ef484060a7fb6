// The second-wave elementwise ops round-trip: print, parse the printed form, print again.
// RUN: netc-opt %s | netc-opt | FileCheck %s
// RUN: netc-opt %s --mlir-print-op-generic | netc-opt | FileCheck %s

// CHECK-LABEL: func.func @activations
func.func @activations(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: %[[E:.+]] = nn.elu %{{.+}} {alpha = 5.000000e-01 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %0 = nn.elu %x {alpha = 0.5 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[S:.+]] = nn.softplus %[[E]] {beta = 2.000000e+00 : f64, threshold = 1.000000e+01 : f64}
  %1 = nn.softplus %0 {beta = 2.0 : f64, threshold = 10.0 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[C:.+]] = nn.clamp %[[S]] {max = 6.000000e+00 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = nn.clamp %1 {max = 6.0 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[H:.+]] = nn.hardtanh %[[C]] {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64}
  %3 = nn.hardtanh %2 {min = 0.0 : f64, max = 6.0 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[HS:.+]] = nn.hardswish %[[H]] : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %4 = nn.hardswish %3 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[HG:.+]] = nn.hardsigmoid %[[HS]] : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %5 = nn.hardsigmoid %4 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[EB:.+]] = nn.elu_backward %[[HG]], %{{.+}} {alpha = 1.000000e+00 : f64}
  %6 = nn.elu_backward %5, %x {alpha = 1.0 : f64} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[SB:.+]] = nn.softplus_backward %[[EB]], %{{.+}} {beta = 1.000000e+00 : f64, threshold = 2.000000e+01 : f64}
  %7 = nn.softplus_backward %6, %x {beta = 1.0 : f64, threshold = 20.0 : f64} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.clamp_backward %[[SB]], %{{.+}} {inclusive = false, min = -1.000000e+00 : f64}
  %8 = nn.clamp_backward %7, %x {min = -1.0 : f64, inclusive = false} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %8 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @math
func.func @math(%x: tensor<4x8xf32>, %y: tensor<8xf32>, %c: tensor<4x1xi64>)
    -> (tensor<4x8xf32>, tensor<4x8xf64>, tensor<4x8xi32>) {
  // CHECK: %[[A:.+]] = nn.abs %{{.+}} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %0 = nn.abs %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[P:.+]] = nn.pow %[[A]] {exponent = 2.500000e+00 : f64}
  %1 = nn.pow %0 {exponent = 2.5 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[E:.+]] = nn.erf %[[P]]
  %2 = nn.erf %1 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[S:.+]] = nn.sin %[[E]]
  %3 = nn.sin %2 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[C:.+]] = nn.cos %[[S]]
  %4 = nn.cos %3 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[MX:.+]] = nn.maximum %[[C]], %{{.+}} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %5 = nn.maximum %4, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[MN:.+]] = nn.minimum %{{.+}}, %[[MX]] : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %6 = nn.minimum %y, %5 : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[MB:.+]] = nn.minmax_backward %[[MN]], %{{.+}}, %{{.+}} {maximum = true} : (tensor<4x8xf32>, tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %7 = nn.minmax_backward %6, %y, %x {maximum = true} : (tensor<4x8xf32>, tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[W:.+]] = nn.where %{{.+}}, %[[MB]], %{{.+}} : (tensor<4x1xi64>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %8 = nn.where %c, %7, %y : (tensor<4x1xi64>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[D:.+]] = nn.detach %[[W]]
  %9 = nn.detach %8 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[SG:.+]] = nn.sign %[[D]]
  %10 = nn.sign %9 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.cast %[[SG]] {dtype = f64} : (tensor<4x8xf32>) -> tensor<4x8xf64>
  %11 = nn.cast %10 {dtype = f64} : (tensor<4x8xf32>) -> tensor<4x8xf64>
  // CHECK: nn.cast %[[SG]] {dtype = i32} : (tensor<4x8xf32>) -> tensor<4x8xi32>
  %12 = nn.cast %10 {dtype = i32} : (tensor<4x8xf32>) -> tensor<4x8xi32>
  return %10, %11, %12 : tensor<4x8xf32>, tensor<4x8xf64>, tensor<4x8xi32>
}
