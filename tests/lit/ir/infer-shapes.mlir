// nn-infer-shapes gives unranked results the shapes PyTorch computes.
// RUN: netc-opt %s --nn-infer-shapes --split-input-file | FileCheck %s

// The three-layer CNN of DSL.md: 1x3x1024x1024 gives 1x32x122x122.
// CHECK-LABEL: func.func @cnn
// CHECK-SAME: -> tensor<1x32x122x122xf32>
func.func @cnn(%x: tensor<1x3x1024x1024xf32>, %w0: tensor<4x3x3x3xf32>, %b0: tensor<4xf32>,
               %w1: tensor<16x4x5x5xf32>, %b1: tensor<16xf32>,
               %w2: tensor<32x16x7x7xf32>, %b2: tensor<32xf32>) -> tensor<*xf32> {
  // CHECK: nn.conv2d {{.+}} -> tensor<1x4x1024x1024xf32>
  %0 = nn.conv2d %x, %w0, %b0 {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x3x1024x1024xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<*xf32>
  // CHECK: nn.relu {{.+}} -> tensor<1x4x1024x1024xf32>
  %1 = nn.relu %0 : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: nn.maxpool2d {{.+}} -> tensor<1x4x512x512xf32>
  %2 = nn.maxpool2d %1 {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>}
      : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: nn.conv2d {{.+}} -> tensor<1x16x256x256xf32>
  %3 = nn.conv2d %2, %w1, %b1 {stride = array<i64: 2, 2>, padding = array<i64: 2, 2, 2, 2>}
      : (tensor<*xf32>, tensor<16x4x5x5xf32>, tensor<16xf32>) -> tensor<*xf32>
  %4 = nn.relu %3 : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: nn.maxpool2d {{.+}} -> tensor<1x16x128x128xf32>
  %5 = nn.maxpool2d %4 {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>}
      : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: nn.conv2d {{.+}} -> tensor<1x32x122x122xf32>
  %6 = nn.conv2d %5, %w2, %b2 {dilation = array<i64: 2, 2>, padding = array<i64: 3, 3, 3, 3>}
      : (tensor<*xf32>, tensor<32x16x7x7xf32>, tensor<32xf32>) -> tensor<*xf32>
  %7 = nn.relu %6 : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: return {{.+}} : tensor<1x32x122x122xf32>
  return %7 : tensor<*xf32>
}

// -----

// Pooling rounds down by default and up with ceil_mode, dropping a last window
// that would start in the padding.
// CHECK-LABEL: func.func @pooling
func.func @pooling(%x: tensor<1x1x5x5xf32>, %y: tensor<1x1x6x6xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  // CHECK: nn.maxpool2d {{.+}} -> tensor<1x1x2x2xf32>
  %0 = nn.maxpool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<*xf32>
  // CHECK: nn.maxpool2d {{.+}} -> tensor<1x1x3x3xf32>
  %1 = nn.maxpool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x1x5x5xf32>) -> tensor<*xf32>
  // in = 6, k = 2, s = 2, p = 1: ceil(6 / 2) + 1 = 4 windows, the last starting at 6 < 6 + 1: kept.
  // CHECK: nn.avgpool2d {{.+}} -> tensor<1x1x4x4xf32>
  %2 = nn.avgpool2d %y {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, ceil_mode = true} : (tensor<1x1x6x6xf32>) -> tensor<*xf32>
  // in = 5: ceil(5 / 2) + 1 = 4 windows, but the last would start at 6 >= 5 + 1: dropped.
  // CHECK: nn.avgpool2d {{.+}} -> tensor<1x1x3x3xf32>
  %3 = nn.avgpool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, ceil_mode = true} : (tensor<1x1x5x5xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// torch.matmul broadcasting and the 1-D cases.
// CHECK-LABEL: func.func @matmul
func.func @matmul(%a: tensor<2x1x3x4xf32>, %b: tensor<5x4x6xf32>, %v: tensor<4xf32>, %m: tensor<4x7xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  // CHECK: nn.matmul {{.+}} -> tensor<2x5x3x6xf32>
  %0 = nn.matmul %a, %b : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<*xf32>
  // CHECK: nn.matmul {{.+}} -> tensor<f32>
  %1 = nn.matmul %v, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<*xf32>
  // CHECK: nn.matmul {{.+}} -> tensor<7xf32>
  %2 = nn.matmul %v, %m : (tensor<4xf32>, tensor<4x7xf32>) -> tensor<*xf32>
  // CHECK: nn.matmul {{.+}} -> tensor<2x1x3xf32>
  %3 = nn.matmul %a, %v : (tensor<2x1x3x4xf32>, tensor<4xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// embedding appends the embedding dimension to the index shape.
// CHECK-LABEL: func.func @embedding
// CHECK-SAME: -> tensor<5x6x7x8x42000xf32>
func.func @embedding(%idx: tensor<5x6x7x8xi64>, %w: tensor<42x42000xf32>) -> tensor<*xf32> {
  // CHECK: nn.embedding {{.+}} -> tensor<5x6x7x8x42000xf32>
  %0 = nn.embedding %idx, %w : (tensor<5x6x7x8xi64>, tensor<42x42000xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Broadcasting, reductions, shape ops and losses.
// CHECK-LABEL: func.func @misc
func.func @misc(%x: tensor<8x1x6xf32>, %y: tensor<7x1xf32>, %l: tensor<3x10xf32>, %t: tensor<3xi64>)
    -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  // CHECK: nn.add {{.+}} -> tensor<8x7x6xf32>
  %0 = nn.add %x, %y : (tensor<8x1x6xf32>, tensor<7x1xf32>) -> tensor<*xf32>
  // CHECK: nn.sum {{.+}} -> tensor<8x6xf32>
  %1 = nn.sum %0 {dims = array<i64: 1>} : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: nn.mean {{.+}} -> tensor<1x7x1xf32>
  %2 = nn.mean %0 {dims = array<i64: 0, -1>, keepdim = true} : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: nn.flatten {{.+}} -> tensor<8x42xf32>
  %3 = nn.flatten %0 : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: nn.reshape {{.+}} -> tensor<2x4x42xf32>
  %4 = nn.reshape %3 {shape = array<i64: 2, -1, 42>} : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: nn.transpose {{.+}} -> tensor<42x4x2xf32>
  %5 = nn.transpose %4 {dim0 = 0, dim1 = 2} : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: nn.cross_entropy {{.+}} -> tensor<f32>
  %6 = nn.cross_entropy %l, %t : (tensor<3x10xf32>, tensor<3xi64>) -> tensor<*xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

