// nn-decompose rewrites the spatial composite ops into primitive nn ops.
// RUN: netc-opt %s --nn-decompose | FileCheck %s
// RUN: netc-opt %s --nn-optimize-pipeline | FileCheck %s --check-prefix=PIPE
// PIPE-NOT: nn.conv_transpose2d
// PIPE-NOT: nn.adaptive
// PIPE-NOT: nn.upsample
// PIPE-NOT: nn.group_norm

// The transposed convolution is the conv's input gradient, padding [p, p, q, q], plus the bias.
// CHECK-LABEL: func.func @conv_transpose
// CHECK: %[[Y:.+]] = nn.conv2d_backward_input %arg0, %arg1 {{{.*}}input_shape = array<i64: 1, 3, 8, 8>, padding = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 2>}
// CHECK: %[[B:.+]] = nn.reshape %arg2 {shape = array<i64: 3, 1, 1>}
// CHECK: nn.add %[[Y]], %[[B]]
func.func @conv_transpose(%x: tensor<1x8x4x4xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<3xf32>)
    -> tensor<1x3x8x8xf32> {
  %0 = nn.conv_transpose2d %x, %w, %b {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>,
                                       output_padding = array<i64: 1, 1>}
      : (tensor<1x8x4x4xf32>, tensor<8x3x3x3xf32>, tensor<3xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// Bins that divide: one avgpool per axis. Bins that do not (7 into 3: [0, 3), [2, 5),
// [4, 7)): a product with the averaging matrix.
// CHECK-LABEL: func.func @adaptive_avg
// CHECK: %[[M:.+]] = arith.constant dense<{{\[\[}}0.333333343, 0.333333343, 0.333333343, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 0.333333343, 0.333333343, 0.333333343, 0.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.333333343, 0.333333343, 0.333333343]]> : tensor<3x7xf32>
// CHECK: %[[H:.+]] = nn.matmul %[[M]], %arg0 : (tensor<3x7xf32>, tensor<1x2x7x6xf32>) -> tensor<1x2x3x6xf32>
// CHECK: nn.avgpool2d %[[H]] {kernel = array<i64: 1, 2>, stride = array<i64: 1, 2>}
func.func @adaptive_avg(%x: tensor<1x2x7x6xf32>) -> tensor<1x2x3x3xf32> {
  %0 = nn.adaptive_avg_pool2d %x {size = array<i64: 3, 3>} : (tensor<1x2x7x6xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// 5 into 2 along W: bins [0, 3) and [2, 5), both of size 3: one stride-1 maxpool of
// kernel 3 whose windows 0 and 2 a 0/1 matrix picks.
// CHECK-LABEL: func.func @adaptive_max
// CHECK-DAG: %[[P:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG: %[[H:.+]] = nn.maxpool2d %arg0 {kernel = array<i64: 2, 1>, stride = array<i64: 2, 1>}
// CHECK: %[[W:.+]] = nn.maxpool2d %[[H]] {kernel = array<i64: 1, 3>, stride = array<i64: 1, 1>}
// CHECK: nn.matmul %[[W]], %[[P]] : (tensor<1x2x2x3xf32>, tensor<3x2xf32>) -> tensor<1x2x2x2xf32>
func.func @adaptive_max(%x: tensor<1x2x4x5xf32>) -> tensor<1x2x2x2xf32> {
  %0 = nn.adaptive_max_pool2d %x {size = array<i64: 2, 2>} : (tensor<1x2x4x5xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// Twice the size, nearest: each input row read by two output rows; W is left as it is.
// CHECK-LABEL: func.func @upsample_nearest
// CHECK: %[[M:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 0.000000e+00], [1.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00], [0.000000e+00, 1.000000e+00]]> : tensor<4x2xf32>
// CHECK: nn.matmul %[[M]], %arg0 : (tensor<4x2xf32>, tensor<1x1x2x3xf32>) -> tensor<1x1x4x3xf32>
// CHECK-NOT: nn.matmul
func.func @upsample_nearest(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x4x3xf32> {
  %0 = nn.upsample %x {size = array<i64: 4, 3>, scale = array<f64: 0.5, 1.0>}
      : (tensor<1x1x2x3xf32>) -> tensor<1x1x4x3xf32>
  return %0 : tensor<1x1x4x3xf32>
}

// Bilinear 2 to 4 along W (source (o + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped
// below at 0 and to the last pixel): weights 1 | 0.75, 0.25 | 0.25, 0.75 | 1.
// CHECK-LABEL: func.func @upsample_bilinear
// CHECK: %[[M:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 7.500000e-01, 2.500000e-01, 0.000000e+00], [0.000000e+00, 2.500000e-01, 7.500000e-01, 1.000000e+00]]> : tensor<2x4xf32>
// CHECK: nn.matmul %arg0, %[[M]] : (tensor<1x1x1x2xf32>, tensor<2x4xf32>) -> tensor<1x1x1x4xf32>
func.func @upsample_bilinear(%x: tensor<1x1x1x2xf32>) -> tensor<1x1x1x4xf32> {
  %0 = nn.upsample %x {size = array<i64: 1, 4>, scale = array<f64: 1.0, 0.5>, mode = "bilinear"}
      : (tensor<1x1x1x2xf32>) -> tensor<1x1x1x4xf32>
  return %0 : tensor<1x1x1x4xf32>
}

// group_norm over a [N, groups, rest] view, then the per-channel affine map.
// CHECK-LABEL: func.func @group_norm
// CHECK: nn.reshape %arg0 {shape = array<i64: 2, 2, 18>}
// CHECK: nn.mean {{.*}}dims = array<i64: 2>{{.*}}keepdim = true
// CHECK: nn.sqrt
// CHECK: nn.reshape {{.*}}{shape = array<i64: 2, 4, 3, 3>}
// CHECK: nn.reshape %arg1 {shape = array<i64: 4, 1, 1>}
func.func @group_norm(%x: tensor<2x4x3x3xf32>, %w: tensor<4xf32>, %b: tensor<4xf32>)
    -> tensor<2x4x3x3xf32> {
  %0 = nn.group_norm %x, %w, %b {groups = 2 : i64}
      : (tensor<2x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x3x3xf32>
  return %0 : tensor<2x4x3x3xf32>
}
