// rand and randn round-trip: print, parse the printed form, print again; each
// takes its operand's type and an i64 seed.
// RUN: netc-opt %s --split-input-file | netc-opt --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @draws
func.func @draws(%x: tensor<4x8xf32>, %y: tensor<3xf64>, %seed: i64 {nn.seed})
    -> (tensor<4x8xf32>, tensor<3xf64>) {
  // CHECK: nn.randn %{{.+}}, %{{.+}} : (tensor<4x8xf32>, i64) -> tensor<4x8xf32>
  %0 = nn.randn %x, %seed : (tensor<4x8xf32>, i64) -> tensor<4x8xf32>
  // CHECK: nn.rand %{{.+}}, %{{.+}} : (tensor<3xf64>, i64) -> tensor<3xf64>
  %1 = nn.rand %y, %seed : (tensor<3xf64>, i64) -> tensor<3xf64>
  return %0, %1 : tensor<4x8xf32>, tensor<3xf64>
}
