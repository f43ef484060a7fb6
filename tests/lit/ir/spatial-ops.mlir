// The spatial composite ops round-trip: print, parse the printed form, print again.
// RUN: netc-opt %s --split-input-file | netc-opt --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @spatial
func.func @spatial(%x: tensor<1x8x4x4xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<3xf32>,
                   %g: tensor<8xf32>) -> (tensor<1x3x8x8xf32>, tensor<1x8x3x3xf32>,
                   tensor<1x8x2x3xf32>, tensor<1x8x7x6xf32>, tensor<1x8x4x4xf32>) {
  // CHECK: nn.conv_transpose2d %{{.+}}, %{{.+}}, %{{.+}} {output_padding = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x8x4x4xf32>, tensor<8x3x3x3xf32>, tensor<3xf32>) -> tensor<1x3x8x8xf32>
  %0 = nn.conv_transpose2d %x, %w, %b {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>,
                                       output_padding = array<i64: 1, 1>}
      : (tensor<1x8x4x4xf32>, tensor<8x3x3x3xf32>, tensor<3xf32>) -> tensor<1x3x8x8xf32>
  // CHECK: nn.adaptive_avg_pool2d %{{.+}} {size = array<i64: 3, 3>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x3x3xf32>
  %1 = nn.adaptive_avg_pool2d %x {size = array<i64: 3, 3>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x3x3xf32>
  // CHECK: nn.adaptive_max_pool2d %{{.+}} {size = array<i64: 2, 3>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x2x3xf32>
  %2 = nn.adaptive_max_pool2d %x {size = array<i64: 2, 3>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x2x3xf32>
  // CHECK: nn.upsample %{{.+}} {mode = "bilinear", scale = array<f64: 0.5714{{[0-9]+}}, 0.6666{{[0-9]+}}>, size = array<i64: 7, 6>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x7x6xf32>
  %3 = nn.upsample %x {size = array<i64: 7, 6>, scale = array<f64: 0.5714285714285714, 0.6666666666666666>,
                       mode = "bilinear"} : (tensor<1x8x4x4xf32>) -> tensor<1x8x7x6xf32>
  // CHECK: nn.group_norm %{{.+}}, %{{.+}}, %{{.+}} {groups = 2 : i64} : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  %4 = nn.group_norm %x, %g, %g {groups = 2 : i64}
      : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  return %0, %1, %2, %3, %4 : tensor<1x3x8x8xf32>, tensor<1x8x3x3xf32>, tensor<1x8x2x3xf32>,
                              tensor<1x8x7x6xf32>, tensor<1x8x4x4xf32>
}
