// Every nn op round-trips: print, parse the printed form, print again, same text.
// RUN: netc-opt %s | netc-opt | FileCheck %s
// RUN: netc-opt %s --mlir-print-op-generic | netc-opt | FileCheck %s

// CHECK-LABEL: func.func @windowed
func.func @windowed(%x: tensor<1x3x32x32xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>,
                    %g: tensor<8x1x5x5xf32>) -> tensor<1x8x16x16xf32> {
  // CHECK: %[[C:.+]] = nn.conv2d %{{.+}}, %{{.+}}, %{{.+}} {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x32x32xf32>
  %c = nn.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x32x32xf32>
  // CHECK: nn.conv2d %[[C]], %{{.+}} {dilation = array<i64: 2, 2>, groups = 8 : i64, padding = array<i64: 4, 4, 4, 4>, stride = array<i64: 2, 2>} : (tensor<1x8x32x32xf32>, tensor<8x1x5x5xf32>) -> tensor<1x8x16x16xf32>
  %d = nn.conv2d %c, %g {stride = array<i64: 2, 2>, padding = array<i64: 4, 4, 4, 4>,
                         dilation = array<i64: 2, 2>, groups = 8}
      : (tensor<1x8x32x32xf32>, tensor<8x1x5x5xf32>) -> tensor<1x8x16x16xf32>
  // CHECK: nn.maxpool2d %{{.+}} {ceil_mode = true, kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>} : (tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32>
  %m = nn.maxpool2d %d {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, ceil_mode = true}
      : (tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32>
  // CHECK: nn.avgpool2d %{{.+}} {count_include_pad = false, kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %a = nn.avgpool2d %m {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>,
                        padding = array<i64: 1, 1, 1, 1>, count_include_pad = false}
      : (tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  // CHECK: nn.pad2d %{{.+}} {pads = array<i64: 4, 4, 5, 3>, value = 1.500000e+00 : f64} : (tensor<1x8x8x8xf32>) -> tensor<1x8x16x16xf32>
  %p = nn.pad2d %a {pads = array<i64: 4, 4, 5, 3>, value = 1.5}
      : (tensor<1x8x8x8xf32>) -> tensor<1x8x16x16xf32>
  return %p : tensor<1x8x16x16xf32>
}

// CHECK-LABEL: func.func @layers
func.func @layers(%x: tensor<64x42xf64>, %w: tensor<128x42xf64>, %b: tensor<128xf64>,
                  %idx: tensor<5x6xi64>, %table: tensor<42x16xf32>, %seed: i64)
    -> (tensor<64x128xf64>, tensor<5x6x16xf32>, tensor<64x42xf64>) {
  // CHECK: nn.linear %{{.+}}, %{{.+}}, %{{.+}} : (tensor<64x42xf64>, tensor<128x42xf64>, tensor<128xf64>) -> tensor<64x128xf64>
  %l = nn.linear %x, %w, %b : (tensor<64x42xf64>, tensor<128x42xf64>, tensor<128xf64>) -> tensor<64x128xf64>
  // CHECK: nn.linear %{{.+}}, %{{.+}} : (tensor<64x42xf64>, tensor<128x42xf64>) -> tensor<64x128xf64>
  %n = nn.linear %x, %w : (tensor<64x42xf64>, tensor<128x42xf64>) -> tensor<64x128xf64>
  // CHECK: nn.embedding %{{.+}}, %{{.+}} : (tensor<5x6xi64>, tensor<42x16xf32>) -> tensor<5x6x16xf32>
  %e = nn.embedding %idx, %table : (tensor<5x6xi64>, tensor<42x16xf32>) -> tensor<5x6x16xf32>
  // CHECK: nn.dropout %{{.+}}, %{{.+}} {p = 1.000000e-01 : f64} : (tensor<64x42xf64>, i64) -> tensor<64x42xf64>
  %d = nn.dropout %x, %seed {p = 0.1 : f64} : (tensor<64x42xf64>, i64) -> tensor<64x42xf64>
  // CHECK: nn.dropout %{{.+}} {p = 5.000000e-01 : f64} : (tensor<64x42xf64>) -> tensor<64x42xf64>
  %i = nn.dropout %d {p = 0.5 : f64} : (tensor<64x42xf64>) -> tensor<64x42xf64>
  return %l, %e, %i : tensor<64x128xf64>, tensor<5x6x16xf32>, tensor<64x42xf64>
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<4x8xf32>, %y: tensor<8xf32>) -> tensor<4x8xf32> {
  // CHECK: nn.relu %{{.+}} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %0 = nn.relu %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.sigmoid
  %1 = nn.sigmoid %0 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.tanh
  %2 = nn.tanh %1 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.exp
  %3 = nn.exp %2 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.log
  %4 = nn.log %3 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.sqrt
  %5 = nn.sqrt %4 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.neg
  %6 = nn.neg %5 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.leaky_relu %{{.+}} {slope = 2.000000e-01 : f64}
  %7 = nn.leaky_relu %6 {slope = 0.2} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.leaky_relu %{{.+}} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %8 = nn.leaky_relu %7 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.add %{{.+}}, %{{.+}} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %9 = nn.add %8, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.sub
  %10 = nn.sub %y, %9 : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.mul
  %11 = nn.mul %10, %9 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.div
  %12 = nn.div %11, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.softmax %{{.+}} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %13 = nn.softmax %12 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.log_softmax %{{.+}} {dim = 0 : i64}
  %14 = nn.log_softmax %13 {dim = 0} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %14 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @shapes
func.func @shapes(%x: tensor<2x3x4x5xf32>, %y: tensor<2x7x4x5xf32>)
    -> (tensor<2x60xf32>, tensor<4x30xf32>, tensor<2x5x4x3xf32>, tensor<2x10x4x5xf32>) {
  // CHECK: nn.flatten %{{.+}} : (tensor<2x3x4x5xf32>) -> tensor<2x60xf32>
  %f = nn.flatten %x : (tensor<2x3x4x5xf32>) -> tensor<2x60xf32>
  // CHECK: nn.flatten %{{.+}} {end_dim = 2 : i64, start_dim = 0 : i64} : (tensor<2x3x4x5xf32>) -> tensor<24x5xf32>
  %g = nn.flatten %x {start_dim = 0, end_dim = 2} : (tensor<2x3x4x5xf32>) -> tensor<24x5xf32>
  // CHECK: nn.reshape %{{.+}} {shape = array<i64: 4, -1>} : (tensor<2x3x4x5xf32>) -> tensor<4x30xf32>
  %r = nn.reshape %x {shape = array<i64: 4, -1>} : (tensor<2x3x4x5xf32>) -> tensor<4x30xf32>
  // CHECK: nn.transpose %{{.+}} {dim0 = 1 : i64, dim1 = -1 : i64} : (tensor<2x3x4x5xf32>) -> tensor<2x5x4x3xf32>
  %t = nn.transpose %x {dim0 = 1, dim1 = -1} : (tensor<2x3x4x5xf32>) -> tensor<2x5x4x3xf32>
  // CHECK: nn.concat %{{.+}}, %{{.+}} : (tensor<2x3x4x5xf32>, tensor<2x7x4x5xf32>) -> tensor<2x10x4x5xf32>
  %c = nn.concat %x, %y : (tensor<2x3x4x5xf32>, tensor<2x7x4x5xf32>) -> tensor<2x10x4x5xf32>
  return %f, %r, %t, %c : tensor<2x60xf32>, tensor<4x30xf32>, tensor<2x5x4x3xf32>, tensor<2x10x4x5xf32>
}

// CHECK-LABEL: func.func @algebra
func.func @algebra(%a: tensor<2x1x3x4xf32>, %b: tensor<5x4x6xf32>)
    -> (tensor<2x5x3x6xf32>, tensor<f32>, tensor<2x1x1x6xf32>, tensor<f32>, tensor<f32>) {
  // CHECK: nn.matmul %{{.+}}, %{{.+}} : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32>
  %m = nn.matmul %a, %b : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32>
  // CHECK: nn.sum %{{.+}} : (tensor<2x5x3x6xf32>) -> tensor<f32>
  %s = nn.sum %m : (tensor<2x5x3x6xf32>) -> tensor<f32>
  // CHECK: nn.mean %{{.+}} {dims = array<i64: 1, 2>, keepdim = true} : (tensor<2x5x3x6xf32>) -> tensor<2x1x1x6xf32>
  %k = nn.mean %m {dims = array<i64: 1, 2>, keepdim = true} : (tensor<2x5x3x6xf32>) -> tensor<2x1x1x6xf32>
  // CHECK: nn.sum %{{.+}} {dims = array<i64: -1>} : (tensor<2x5x3x6xf32>) -> tensor<2x5x3xf32>
  %l = nn.sum %m {dims = array<i64: -1>} : (tensor<2x5x3x6xf32>) -> tensor<2x5x3xf32>
  // CHECK: nn.mean %{{.+}} : (tensor<2x5x3xf32>) -> tensor<f32>
  %n = nn.mean %l : (tensor<2x5x3xf32>) -> tensor<f32>
  // CHECK: nn.sqnorm %{{.+}} : (tensor<5x4x6xf32>) -> tensor<f32>
  %q = nn.sqnorm %b : (tensor<5x4x6xf32>) -> tensor<f32>
  return %m, %s, %k, %n, %q : tensor<2x5x3x6xf32>, tensor<f32>, tensor<2x1x1x6xf32>, tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @losses
func.func @losses(%y: tensor<64x1xf32>, %t: tensor<64x1xf32>, %z: tensor<64x10xf32>,
                  %c: tensor<64xi64>, %z3: tensor<2x10x7xf32>, %c3: tensor<2x7xi32>)
    -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) {
  // CHECK: nn.mse %{{.+}}, %{{.+}} : (tensor<64x1xf32>, tensor<64x1xf32>) -> tensor<f32>
  %0 = nn.mse %y, %t : (tensor<64x1xf32>, tensor<64x1xf32>) -> tensor<f32>
  // CHECK: nn.bce %{{.+}}, %{{.+}} : (tensor<64x1xf32>, tensor<64x1xf32>) -> tensor<f32>
  %1 = nn.bce %y, %t : (tensor<64x1xf32>, tensor<64x1xf32>) -> tensor<f32>
  // CHECK: nn.bce_logits %{{.+}}, %{{.+}} : (tensor<64x1xf32>, tensor<64x1xf32>) -> tensor<f32>
  %2 = nn.bce_logits %y, %t : (tensor<64x1xf32>, tensor<64x1xf32>) -> tensor<f32>
  // CHECK: nn.cross_entropy %{{.+}}, %{{.+}} : (tensor<64x10xf32>, tensor<64xi64>) -> tensor<f32>
  %3 = nn.cross_entropy %z, %c : (tensor<64x10xf32>, tensor<64xi64>) -> tensor<f32>
  // CHECK: nn.cross_entropy %{{.+}}, %{{.+}} : (tensor<2x10x7xf32>, tensor<2x7xi32>) -> tensor<f32>
  %4 = nn.cross_entropy %z3, %c3 : (tensor<2x10x7xf32>, tensor<2x7xi32>) -> tensor<f32>
  return %0, %1, %2, %3, %4 : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>
}

// gelu, silu, gelu's backward op and the composite ops gelu_tanh and layer_norm.
// CHECK-LABEL: func.func @activations_and_norm
func.func @activations_and_norm(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>,
                                %v: tensor<2x4x8xf64>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<2x4x8xf64>) {
  // CHECK: %[[G:.+]] = nn.gelu %{{.+}} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %0 = nn.gelu %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[S:.+]] = nn.silu %[[G]] : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = nn.silu %0 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.gelu_backward %[[S]], %{{.+}} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = nn.gelu_backward %1, %x : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.gelu_tanh %{{.+}} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %3 = nn.gelu_tanh %2 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.layer_norm %{{.+}}, %{{.+}}, %{{.+}} {normalized_shape = array<i64: 8>} : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %4 = nn.layer_norm %3, %w, %b {normalized_shape = array<i64: 8>}
      : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK: nn.layer_norm %{{.+}} {eps = 1.000000e-03 : f64, normalized_shape = array<i64: 4, 8>} : (tensor<2x4x8xf64>) -> tensor<2x4x8xf64>
  %5 = nn.layer_norm %v {normalized_shape = array<i64: 4, 8>, eps = 1.0e-3 : f64}
      : (tensor<2x4x8xf64>) -> tensor<2x4x8xf64>
  return %3, %4, %5 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<2x4x8xf64>
}
