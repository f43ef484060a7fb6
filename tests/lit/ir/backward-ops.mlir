// The backward ops round-trip, and their shapes follow from the forward op's.
// RUN: netc-opt %s | netc-opt | FileCheck %s
// RUN: netc-opt %s --nn-infer-shapes --split-input-file | FileCheck %s --check-prefix=INFER

// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<1x3x9x9xf32>, %w: tensor<4x3x3x3xf32>, %g: tensor<1x4x4x4xf32>)
    -> (tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>) {
  // A stride-2 conv of a 9x9 input gives 4x4; so does an 10x10 input: input_shape decides.
  // CHECK: nn.conv2d_backward_input %{{.+}}, %{{.+}} {input_shape = array<i64: 1, 3, 9, 9>, stride = array<i64: 2, 2>} : (tensor<1x4x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x9x9xf32>
  %gx = nn.conv2d_backward_input %g, %w {input_shape = array<i64: 1, 3, 9, 9>, stride = array<i64: 2, 2>}
      : (tensor<1x4x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x9x9xf32>
  // CHECK: nn.conv2d_backward_filter %{{.+}}, %{{.+}} {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>} : (tensor<1x3x9x9xf32>, tensor<1x4x4x4xf32>) -> tensor<4x3x3x3xf32>
  %gw = nn.conv2d_backward_filter %x, %g {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>}
      : (tensor<1x3x9x9xf32>, tensor<1x4x4x4xf32>) -> tensor<4x3x3x3xf32>
  return %gx, %gw : tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>
}

// CHECK-LABEL: func.func @pool
func.func @pool(%x: tensor<1x2x8x8xf32>, %g: tensor<1x2x4x4xf32>) -> (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) {
  // CHECK: nn.maxpool2d_backward
  %a = nn.maxpool2d_backward %g, %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>}
      : (tensor<1x2x4x4xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  // CHECK: nn.avgpool2d_backward
  %b = nn.avgpool2d_backward %g, %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>}
      : (tensor<1x2x4x4xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  return %a, %b : tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>
}

// CHECK-LABEL: func.func @misc
func.func @misc(%g: tensor<5x6x16xf32>, %idx: tensor<5x6xi64>, %x: tensor<4x8xf32>, %l: tensor<f32>,
                %z: tensor<4x10xf32>, %t: tensor<4xi32>, %c: tensor<1x5x4x4xf32>)
    -> (tensor<42x16xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x10xf32>, tensor<8xf32>, tensor<2x4x8xf32>, tensor<1x3x4x4xf32>) {
  // CHECK: nn.embedding_backward %{{.+}}, %{{.+}} {num = 42 : i64} : (tensor<5x6x16xf32>, tensor<5x6xi64>) -> tensor<42x16xf32>
  %0 = nn.embedding_backward %g, %idx {num = 42 : i64} : (tensor<5x6x16xf32>, tensor<5x6xi64>) -> tensor<42x16xf32>
  // CHECK: nn.leaky_relu_backward %{{.+}}, %{{.+}} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = nn.leaky_relu_backward %x, %x : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.bce_backward
  %2 = nn.bce_backward %l, %x, %x : (tensor<f32>, tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.cross_entropy_backward
  %3 = nn.cross_entropy_backward %l, %z, %t : (tensor<f32>, tensor<4x10xf32>, tensor<4xi32>) -> tensor<4x10xf32>
  // CHECK: nn.sum_to %{{.+}} {shape = array<i64: 8>} : (tensor<4x8xf32>) -> tensor<8xf32>
  %4 = nn.sum_to %x {shape = array<i64: 8>} : (tensor<4x8xf32>) -> tensor<8xf32>
  // CHECK: nn.broadcast_to %{{.+}} {shape = array<i64: 2, 4, 8>} : (tensor<4x8xf32>) -> tensor<2x4x8xf32>
  %5 = nn.broadcast_to %x {shape = array<i64: 2, 4, 8>} : (tensor<4x8xf32>) -> tensor<2x4x8xf32>
  // CHECK: nn.slice %{{.+}} {dim = 1 : i64, size = 3 : i64, start = 2 : i64} : (tensor<1x5x4x4xf32>) -> tensor<1x3x4x4xf32>
  %6 = nn.slice %c {dim = 1 : i64, start = 2 : i64, size = 3 : i64} : (tensor<1x5x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<42x16xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x10xf32>, tensor<8xf32>, tensor<2x4x8xf32>, tensor<1x3x4x4xf32>
}

// -----

// INFER-LABEL: func.func @infer
func.func @infer(%x: tensor<2x3x10x10xf32>, %w: tensor<6x1x3x3xf32>, %g: tensor<2x6x5x5xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  // Grouped, strided, padded: 3 groups of 1 input channel, 10x10 with p1 s2 gives 5x5.
  // INFER: nn.conv2d_backward_input {{.+}} -> tensor<2x3x10x10xf32>
  %gx = nn.conv2d_backward_input %g, %w {input_shape = array<i64: 2, 3, 10, 10>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, groups = 3}
      : (tensor<2x6x5x5xf32>, tensor<6x1x3x3xf32>) -> tensor<*xf32>
  // INFER: nn.conv2d_backward_filter {{.+}} -> tensor<6x1x3x3xf32>
  %gw = nn.conv2d_backward_filter %x, %g {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, groups = 3}
      : (tensor<2x3x10x10xf32>, tensor<2x6x5x5xf32>) -> tensor<*xf32>
  return %gx, %gw : tensor<*xf32>, tensor<*xf32>
}
