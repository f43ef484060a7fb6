// nn-receptive-field: per axis (H, W) size r, effective stride j and effective
// padding p of every value that depends on the image input. Every expected
// number below is worked out by hand in the comments with
//   r_out = r_in + (k' - 1) j_in,  j_out = j_in s,  p_out = p_in + pad j_in,
// k' = d (k - 1) + 1, starting from r = 1, j = 1, p = 0 at the input.
// RUN: netc-opt %s --nn-receptive-field --split-input-file --verify-diagnostics | FileCheck %s

// A stack of dilated 3x3 convolutions; the last one dilates H by 2 and W by 8.
// CHECK-LABEL: func.func @dilated
func.func @dilated(%x: tensor<1x1x64x64xf32> {nn.input = "x"},
                   %w: tensor<1x1x3x3xf32> {nn.param = "w"}) -> tensor<1x1x60x48xf32> {
  // d1 p1: k' = 3. r = 1 + 2*1 = 3, j = 1, p = 0 + 1*1 = 1.
  // CHECK: nn.conv2d {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 1, 1>, size = array<i64: 3, 3>, stride = array<i64: 1, 1>}
  %0 = nn.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x1x64x64xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x64x64xf32>
  // d2 p2: k' = 5. r = 3 + 4*1 = 7, p = 1 + 2*1 = 3.
  // CHECK: nn.conv2d {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 3, 3>, size = array<i64: 7, 7>, stride = array<i64: 1, 1>}
  %1 = nn.conv2d %0, %w {dilation = array<i64: 2, 2>, padding = array<i64: 2, 2, 2, 2>}
      : (tensor<1x1x64x64xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x64x64xf32>
  // d4 p4: k' = 9. r = 7 + 8*1 = 15, p = 3 + 4*1 = 7.
  // CHECK: nn.conv2d {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 7, 7>, size = array<i64: 15, 15>, stride = array<i64: 1, 1>}
  %2 = nn.conv2d %1, %w {dilation = array<i64: 4, 4>, padding = array<i64: 4, 4, 4, 4>}
      : (tensor<1x1x64x64xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x64x64xf32>
  // d [2, 8], no padding: k' = 5 on H, 17 on W. r = 15 + 4 = 19 on H, 15 + 16 = 31 on W; p stays 7.
  // CHECK: nn.conv2d {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 7, 7>, size = array<i64: 19, 31>, stride = array<i64: 1, 1>}
  %3 = nn.conv2d %2, %w {dilation = array<i64: 2, 8>}
      : (tensor<1x1x64x64xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x60x48xf32>
  return %3 : tensor<1x1x60x48xf32>
}

// -----

// A residual block whose shortcut is a strided 1x1 convolution.
// CHECK-LABEL: func.func @residual
func.func @residual(%x: tensor<1x8x32x32xf32> {nn.input = "x"},
                    %w1: tensor<16x8x3x3xf32>, %w2: tensor<16x16x3x3xf32>,
                    %ws: tensor<16x8x1x1xf32>) -> tensor<1x16x16x16xf32> {
  // 3x3 s2 p1: r = 3, j = 2, p = 1.
  // CHECK: nn.conv2d {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 1, 1>, size = array<i64: 3, 3>, stride = array<i64: 2, 2>}
  %a = nn.conv2d %x, %w1 {stride = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x8x32x32xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x16x16xf32>
  // CHECK: nn.relu {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 1, 1>, size = array<i64: 3, 3>, stride = array<i64: 2, 2>}
  %r = nn.relu %a : (tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32>
  // 3x3 s1 p1 after j = 2: r = 3 + 2*2 = 7, j = 2, p = 1 + 1*2 = 3.
  // CHECK: nn.conv2d {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 3, 3>, size = array<i64: 7, 7>, stride = array<i64: 2, 2>}
  %b = nn.conv2d %r, %w2 {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x16x16x16xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x16x16xf32>
  // Shortcut 1x1 s2: r = 1, j = 2, p = 0.
  // CHECK: nn.conv2d {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 0, 0>, size = array<i64: 1, 1>, stride = array<i64: 2, 2>}
  %s = nn.conv2d %x, %ws {stride = array<i64: 2, 2>}
      : (tensor<1x8x32x32xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x16x16xf32>
  // Both paths have j = 2 and centre (r - 1)/2 - p = 3 - 3 = 0 and 0 - 0 = 0: aligned, no
  // warning. The larger path wins: r = 7, j = 2, p = 3.
  // CHECK: nn.add {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 3, 3>, size = array<i64: 7, 7>, stride = array<i64: 2, 2>}
  %y = nn.add %b, %s : (tensor<1x16x16x16xf32>, tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32>
  return %y : tensor<1x16x16x16xf32>
}

// -----

// Branches with different non-square kernels, joined by concat along channels.
// CHECK-LABEL: func.func @inception
func.func @inception(%x: tensor<1x4x16x16xf32> {nn.input = "x"}, %wa: tensor<2x4x1x7xf32>,
                     %wb: tensor<2x4x7x1xf32>, %wc: tensor<2x4x5x3xf32>)
    -> (tensor<1x6x16x16xf32>, tensor<1x2x16x32xf32>) {
  // 1x7, pads [0, 0, 3, 3]: H r = 1, p = 0; W r = 7, p = 3.
  // CHECK: nn.conv2d {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 0, 3>, size = array<i64: 1, 7>, stride = array<i64: 1, 1>}
  %a = nn.conv2d %x, %wa {padding = array<i64: 0, 0, 3, 3>}
      : (tensor<1x4x16x16xf32>, tensor<2x4x1x7xf32>) -> tensor<1x2x16x16xf32>
  // 7x1, pads [3, 3, 0, 0]: H r = 7, p = 3; W r = 1, p = 0.
  // CHECK: nn.conv2d {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 3, 0>, size = array<i64: 7, 1>, stride = array<i64: 1, 1>}
  %b = nn.conv2d %x, %wb {padding = array<i64: 3, 3, 0, 0>}
      : (tensor<1x4x16x16xf32>, tensor<2x4x7x1xf32>) -> tensor<1x2x16x16xf32>
  // 5x3, pads [2, 2, 1, 1]: H r = 5, p = 2; W r = 3, p = 1.
  // CHECK: nn.conv2d {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 2, 1>, size = array<i64: 5, 3>, stride = array<i64: 1, 1>}
  %c = nn.conv2d %x, %wc {padding = array<i64: 2, 2, 1, 1>}
      : (tensor<1x4x16x16xf32>, tensor<2x4x5x3xf32>) -> tensor<1x2x16x16xf32>
  // Every centre is 0 ((1-1)/2-0, (7-1)/2-3, (5-1)/2-2, (3-1)/2-1), every j = 1: aligned.
  // Largest per axis: H from %b (r = 7, p = 3), W from %a (r = 7, p = 3).
  // CHECK: nn.concat {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 3, 3>, size = array<i64: 7, 7>, stride = array<i64: 1, 1>}
  %cat = nn.concat %a, %b, %c {dim = 1 : i64}
      : (tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>) -> tensor<1x6x16x16xf32>
  // Concatenating along W puts two different windows side by side: global.
  // CHECK: nn.concat {{.*}}nn.rf = {aligned = true, global = true, input = "x"}
  %side = nn.concat %a, %b {dim = 3 : i64}
      : (tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>) -> tensor<1x2x16x32xf32>
  return %cat, %side : tensor<1x6x16x16xf32>, tensor<1x2x16x32xf32>
}

// -----

// pad2d crops (negative amounts move the first window into the input) and pads.
// CHECK-LABEL: func.func @crop
func.func @crop(%x: tensor<1x1x32x32xf32> {nn.input = "x"}, %w: tensor<1x1x3x3xf32>)
    -> tensor<1x1x16x15xf32> {
  // Crop 2 rows at the top and 3 columns at the left (and pad 1 at the right):
  // kernel 1, stride 1, p = -2 on H and -3 on W. Output row 0 is input row 2.
  // CHECK: nn.pad2d {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: -2, -3>, size = array<i64: 1, 1>, stride = array<i64: 1, 1>}
  %c = nn.pad2d %x {pads = array<i64: -2, 0, -3, 1>} : (tensor<1x1x32x32xf32>) -> tensor<1x1x30x30xf32>
  // 3x3 s2 p1: r = 3, j = 2, p = -2 + 1 = -1 on H and -3 + 1 = -2 on W: output (0, 0)
  // reads input rows 1..3 and columns 2..4.
  // CHECK: nn.conv2d {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: -1, -2>, size = array<i64: 3, 3>, stride = array<i64: 2, 2>}
  %y = nn.conv2d %c, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x1x30x30xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x15x15xf32>
  // Pad one row on top after j = 2: p = -1 + 1*2 = 1 on H, W unchanged.
  // CHECK: nn.pad2d {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 1, -2>, size = array<i64: 3, 3>, stride = array<i64: 2, 2>}
  %p = nn.pad2d %y {pads = array<i64: 1, 0, 0, 0>} : (tensor<1x1x15x15xf32>) -> tensor<1x1x16x15xf32>
  return %p : tensor<1x1x16x15xf32>
}

// -----

// Two paths whose centres differ by half a pixel: a 2x2 window without top/left
// padding (r = 2, p = 0, centre 0.5) and a 3x3 one with padding 1 (r = 3, p = 1,
// centre 0). The join warns, keeps the larger (r = 3, j = 1, p = 1) and is no
// longer aligned, nor is anything after it.
// CHECK-LABEL: func.func @misaligned_centres
func.func @misaligned_centres(%x: tensor<1x1x32x32xf32> {nn.input = "x"},
                              %w2: tensor<1x1x2x2xf32>, %w3: tensor<1x1x3x3xf32>)
    -> tensor<1x1x32x32xf32> {
  %a = nn.conv2d %x, %w2 {padding = array<i64: 0, 1, 0, 1>}
      : (tensor<1x1x32x32xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x32x32xf32>
  %b = nn.conv2d %x, %w3 {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x1x32x32xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x32x32xf32>
  // CHECK: nn.add {{.*}}nn.rf = {aligned = false, input = "x", padding = array<i64: 1, 1>, size = array<i64: 3, 3>, stride = array<i64: 1, 1>}
  // expected-warning @+1 {{'add' joins misaligned receptive fields: along H, operand #1 has stride 1 and centre 0 but operand #0 has stride 1 and centre 0.5; along W, operand #1 has stride 1 and centre 0 but operand #0 has stride 1 and centre 0.5}}
  %y = nn.add %a, %b : (tensor<1x1x32x32xf32>, tensor<1x1x32x32xf32>) -> tensor<1x1x32x32xf32>
  // CHECK: nn.relu {{.*}}nn.rf = {aligned = false, input = "x", padding = array<i64: 1, 1>, size = array<i64: 3, 3>, stride = array<i64: 1, 1>}
  %z = nn.relu %y : (tensor<1x1x32x32xf32>) -> tensor<1x1x32x32xf32>
  return %z : tensor<1x1x32x32xf32>
}

// -----

// Two paths with different effective strides that happen to give the same size:
// maxpool 2 (r = 2, j = 2, p = 0) and a 17x17 convolution (r = 17, j = 1, p = 0).
// CHECK-LABEL: func.func @misaligned_strides
func.func @misaligned_strides(%x: tensor<1x1x32x32xf32> {nn.input = "x"},
                              %w: tensor<1x1x17x17xf32>) -> tensor<1x1x16x16xf32> {
  %a = nn.maxpool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>}
      : (tensor<1x1x32x32xf32>) -> tensor<1x1x16x16xf32>
  %b = nn.conv2d %x, %w : (tensor<1x1x32x32xf32>, tensor<1x1x17x17xf32>) -> tensor<1x1x16x16xf32>
  // CHECK: nn.mul {{.*}}nn.rf = {aligned = false, input = "x", padding = array<i64: 0, 0>, size = array<i64: 17, 17>, stride = array<i64: 1, 1>}
  // expected-warning @+1 {{along H, operand #1 has stride 1 and centre 8 but operand #0 has stride 2 and centre 0.5}}
  %y = nn.mul %a, %b : (tensor<1x1x16x16xf32>, tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  return %y : tensor<1x1x16x16xf32>
}

// -----

// What passes through, what becomes global, and what gets no attribute.
// CHECK-LABEL: func.func @kinds
func.func @kinds(%x: tensor<1x3x8x8xf32> {nn.input = "x"}, %t: tensor<1x5xf32> {nn.input = "t"},
                 %w: tensor<4x3x3x1xf32>, %lw: tensor<5x256xf32>, %seed: i64)
    -> (tensor<4x8x8xf32>, tensor<1x4xf32>, tensor<1x5xf32>, tensor<f32>, tensor<1x4x64xf32>) {
  // 3x1 with pads [1, 1, 0, 0]: H r = 3, p = 1; W r = 1, p = 0.
  // CHECK: nn.conv2d {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 1, 0>, size = array<i64: 3, 1>, stride = array<i64: 1, 1>}
  %c = nn.conv2d %x, %w {padding = array<i64: 1, 1, 0, 0>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x1xf32>) -> tensor<1x4x8x8xf32>
  // Dropout, softmax over channels and a mean over channels pass the geometry through.
  // CHECK: nn.dropout {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 1, 0>, size = array<i64: 3, 1>, stride = array<i64: 1, 1>}
  %d = nn.dropout %c, %seed {p = 0.1 : f64} : (tensor<1x4x8x8xf32>, i64) -> tensor<1x4x8x8xf32>
  // CHECK: nn.softmax {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 1, 0>, size = array<i64: 3, 1>, stride = array<i64: 1, 1>}
  %s = nn.softmax %d {dim = 1 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: nn.mean {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 1, 0>, size = array<i64: 3, 1>, stride = array<i64: 1, 1>}
  %m = nn.mean %s {dims = array<i64: 1>, keepdim = true} : (tensor<1x4x8x8xf32>) -> tensor<1x1x8x8xf32>
  // Swapping H and W swaps the geometry.
  // CHECK: nn.transpose {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 0, 1>, size = array<i64: 1, 3>, stride = array<i64: 1, 1>}
  %tr = nn.transpose %m {dim0 = 2 : i64, dim1 = 3 : i64} : (tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32>
  // A softmax over W mixes a whole row: global.
  // CHECK: nn.softmax {{.*}}nn.rf = {aligned = true, global = true, input = "x"}
  %sw = nn.softmax %tr {dim = -1 : i64} : (tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32>
  // A reshape that keeps the trailing 8x8 keeps the geometry; one that merges them does not.
  // CHECK: nn.reshape {{.*}}nn.rf = {aligned = true, input = "x", padding = array<i64: 1, 0>, size = array<i64: 3, 1>, stride = array<i64: 1, 1>}
  %rs = nn.reshape %c {shape = array<i64: 4, 8, 8>} : (tensor<1x4x8x8xf32>) -> tensor<4x8x8xf32>
  // CHECK: nn.reshape {{.*}}nn.rf = {aligned = true, global = true, input = "x"}
  %rg = nn.reshape %c {shape = array<i64: 1, 4, 64>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x64xf32>
  // Global reductions, flatten and linear are global.
  // CHECK: nn.mean {{.*}}nn.rf = {aligned = true, global = true, input = "x"}
  %gap = nn.mean %c {dims = array<i64: 2, 3>} : (tensor<1x4x8x8xf32>) -> tensor<1x4xf32>
  // CHECK: nn.flatten {{.*}}nn.rf = {aligned = true, global = true, input = "x"}
  %f = nn.flatten %c : (tensor<1x4x8x8xf32>) -> tensor<1x256xf32>
  // CHECK: nn.linear {{.*}}nn.rf = {aligned = true, global = true, input = "x"}
  %l = nn.linear %f, %lw : (tensor<1x256xf32>, tensor<5x256xf32>) -> tensor<1x5xf32>
  // %t is an input but not an image (rank 2): what depends only on it gets nothing.
  // CHECK: nn.relu %arg1 : (tensor<1x5xf32>) -> tensor<1x5xf32>
  %tt = nn.relu %t : (tensor<1x5xf32>) -> tensor<1x5xf32>
  // CHECK: nn.add {{.*}}nn.rf = {aligned = true, global = true, input = "x"}
  %j = nn.add %l, %tt : (tensor<1x5xf32>, tensor<1x5xf32>) -> tensor<1x5xf32>
  // A parameter's penalty has no receptive field; a loss of the image path is global.
  // CHECK: nn.sqnorm %arg2 : (tensor<4x3x3x1xf32>) -> tensor<f32>
  %pen = nn.sqnorm %w : (tensor<4x3x3x1xf32>) -> tensor<f32>
  // CHECK: nn.mse {{.*}}nn.rf = {aligned = true, global = true, input = "x"}
  %loss = nn.mse %j, %t : (tensor<1x5xf32>, tensor<1x5xf32>) -> tensor<f32>
  %sum = nn.add %loss, %pen : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %rs, %gap, %j, %sum, %rg : tensor<4x8x8xf32>, tensor<1x4xf32>, tensor<1x5xf32>, tensor<f32>, tensor<1x4x64xf32>
}

// -----

// A model without an image input: no attribute anywhere.
// CHECK-LABEL: func.func @mlp
// CHECK-NOT: nn.rf
func.func @mlp(%x: tensor<4x10xf32> {nn.input = "x"}, %w: tensor<3x10xf32>) -> tensor<4x3xf32> {
  %y = nn.linear %x, %w : (tensor<4x10xf32>, tensor<3x10xf32>) -> tensor<4x3xf32>
  %z = nn.relu %y : (tensor<4x3xf32>) -> tensor<4x3xf32>
  return %z : tensor<4x3xf32>
}
