// The shape rules of the spatial composite ops reject bad IR, naming the values.
// RUN: netc-opt %s -split-input-file -verify-diagnostics

func.func @conv_transpose_output_padding(%x: tensor<1x8x4x4xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{conv_transpose2d: output_padding 2 must be smaller than the stride 2}}
  %0 = nn.conv_transpose2d %x, %w {stride = array<i64: 2, 2>, output_padding = array<i64: 2, 0>}
      : (tensor<1x8x4x4xf32>, tensor<8x3x3x3xf32>) -> tensor<1x3x11x9xf32>
  return
}

// -----

func.func @conv_transpose_weight(%x: tensor<1x8x4x4xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{conv_transpose2d expects a weight [8, out / groups, kH, kW] for input [1, 8, 4, 4], got [4, 3, 3, 3]}}
  %0 = nn.conv_transpose2d %x, %w : (tensor<1x8x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @conv_transpose_groups(%x: tensor<1x8x4x4xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{conv_transpose2d: input channels 8 are not divisible by groups 3}}
  %0 = nn.conv_transpose2d %x, %w {groups = 3 : i64} : (tensor<1x8x4x4xf32>, tensor<8x3x3x3xf32>) -> tensor<1x9x6x6xf32>
  return
}

// -----

func.func @adaptive_size(%x: tensor<1x8x4x4xf32>) {
  // expected-error @+1 {{adaptive_avg_pool2d expects a positive output size, got [0, 2]}}
  %0 = nn.adaptive_avg_pool2d %x {size = array<i64: 0, 2>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x0x2xf32>
  return
}

// -----

func.func @adaptive_rank(%x: tensor<8x4xf32>) {
  // expected-error @+1 {{adaptive_max_pool2d expects an image [N, C, H, W] or [C, H, W], got [8, 4]}}
  %0 = nn.adaptive_max_pool2d %x {size = array<i64: 2, 2>} : (tensor<8x4xf32>) -> tensor<8x4xf32>
  return
}

// -----

func.func @upsample_mode(%x: tensor<1x8x4x4xf32>) {
  // expected-error @+1 {{upsample expects mode "nearest" or "bilinear", got "bicubic"}}
  %0 = nn.upsample %x {size = array<i64: 8, 8>, scale = array<f64: 0.5, 0.5>, mode = "bicubic"}
      : (tensor<1x8x4x4xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @upsample_corners(%x: tensor<1x8x4x4xf32>) {
  // expected-error @+1 {{upsample: align_corners applies to mode "bilinear" only}}
  %0 = nn.upsample %x {size = array<i64: 8, 8>, scale = array<f64: 0.5, 0.5>, align_corners = true}
      : (tensor<1x8x4x4xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @group_norm_groups(%x: tensor<1x8x4x4xf32>) {
  // expected-error @+1 {{group_norm: 8 channels are not divisible by groups 3}}
  %0 = nn.group_norm %x {groups = 3 : i64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return
}
