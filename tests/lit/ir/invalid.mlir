// Every verifier rule of the nn dialect rejects bad IR with a message naming the values.
// RUN: netc-opt %s -split-input-file -verify-diagnostics

func.func @conv_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{conv2d expects 3 input channels per group (weight [8, 3, 3, 3], groups 1), got 4 from input [1, 4, 8, 8]}}
  %0 = nn.conv2d %x, %w : (tensor<1x4x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_groups(%x: tensor<1x6x8x8xf32>, %w: tensor<8x2x3x3xf32>) {
  // expected-error @+1 {{conv2d input channels 6 are not divisible by groups 4}}
  %0 = nn.conv2d %x, %w {groups = 4} : (tensor<1x6x8x8xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{conv2d stride must be positive, got [0, 1]}}
  %0 = nn.conv2d %x, %w {stride = array<i64: 0, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_stride_arity(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{conv2d expects 'stride' to hold 2 values, got 3}}
  %0 = nn.conv2d %x, %w {stride = array<i64: 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_padding(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{conv2d padding must be non-negative, got [1, -1, 0, 0]}}
  %0 = nn.conv2d %x, %w {padding = array<i64: 1, -1, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_dilation(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{conv2d dilation must be positive, got [1, 0]}}
  %0 = nn.conv2d %x, %w {dilation = array<i64: 1, 0>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{conv2d expects bias [8] to match weight [8, 3, 3, 3], got [4]}}
  %0 = nn.conv2d %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<4xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_too_small(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x7x7xf32>) {
  // expected-error @+1 {{conv2d output would be empty: input [1, 3, 4, 4] with effective kernel [7, 7]}}
  %0 = nn.conv2d %x, %w : (tensor<1x3x4x4xf32>, tensor<8x3x7x7xf32>) -> tensor<1x8x1x1xf32>
  return
}

// -----

func.func @conv_element_types(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf64>) {
  // expected-error @+1 {{conv2d expects operands of one element type, got 'f32' and 'f64'}}
  %0 = nn.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf64>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_integer(%x: tensor<1x3x8x8xi32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{operand #0 must be tensor of 32-bit float or 64-bit float values}}
  %0 = nn.conv2d %x, %w : (tensor<1x3x8x8xi32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @wrong_result(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{'nn.conv2d' op result #0 has type 'tensor<1x8x8x8xf32>' but its operands and attributes give 'tensor<1x8x6x6xf32>'}}
  %0 = nn.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @pool_negative_kernel(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{maxpool2d kernel must be positive, got [-2, 2]}}
  %0 = nn.maxpool2d %x {kernel = array<i64: -2, 2>, stride = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @pool_half_kernel(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{maxpool2d padding [2, 2, 2, 2] should be at most half of kernel size [2, 2]}}
  %0 = nn.maxpool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 2, 2, 2, 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @pool_kernel_arity(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{avgpool2d expects 'kernel' to hold 2 values, got 1}}
  %0 = nn.avgpool2d %x {kernel = array<i64: 2>, stride = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @pool_rank(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{avgpool2d expects input}}
  %0 = nn.avgpool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<8x8xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @pad_crop(%x: tensor<1x1x4x4xf32>) {
  // expected-error @+1 {{pad2d padding [-3, -2, 0, 0] crops dimension 2 of input [1, 1, 4, 4] below zero}}
  %0 = nn.pad2d %x {pads = array<i64: -3, -2, 0, 0>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @pad_arity(%x: tensor<1x1x4x4xf32>) {
  // expected-error @+1 {{pad2d expects 'pads' to hold 4 values, got 2}}
  %0 = nn.pad2d %x {pads = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @linear_features(%x: tensor<64x42xf32>, %w: tensor<128x40xf32>) {
  // expected-error @+1 {{linear expects 40 input features (weight [128, 40]), got 42 from input [64, 42]}}
  %0 = nn.linear %x, %w : (tensor<64x42xf32>, tensor<128x40xf32>) -> tensor<64x128xf32>
  return
}

// -----

func.func @linear_bias(%x: tensor<64x42xf32>, %w: tensor<128x42xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{linear expects bias [128] to match weight [128, 42], got [64]}}
  %0 = nn.linear %x, %w, %b : (tensor<64x42xf32>, tensor<128x42xf32>, tensor<64xf32>) -> tensor<64x128xf32>
  return
}

// -----

func.func @embedding_weight(%i: tensor<5xi64>, %w: tensor<42xf32>) {
  // expected-error @+1 {{embedding expects}}
  %0 = nn.embedding %i, %w : (tensor<5xi64>, tensor<42xf32>) -> tensor<5x42xf32>
  return
}

// -----

func.func @embedding_float_indices(%i: tensor<5xf32>, %w: tensor<42x3xf32>) {
  // expected-error @+1 {{operand #0 must be tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = nn.embedding %i, %w : (tensor<5xf32>, tensor<42x3xf32>) -> tensor<5x3xf32>
  return
}

// -----

func.func @dropout_p_one(%x: tensor<8xf32>) {
  // expected-error @+1 {{dropout probability p must lie in [0, 1), got 1}}
  %0 = nn.dropout %x {p = 1.0 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @dropout_p_negative(%x: tensor<8xf32>) {
  // expected-error @+1 {{dropout probability p must lie in [0, 1), got -0.1}}
  %0 = nn.dropout %x {p = -0.1 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @broadcast(%x: tensor<2x3xf32>, %y: tensor<4xf32>) {
  // expected-error @+1 {{mul: shapes [2, 3] and [4] do not broadcast: dimension 1 is 3 vs 4}}
  %0 = nn.mul %x, %y : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @binary_element_types(%x: tensor<3xf32>, %y: tensor<3xf64>) {
  // expected-error @+1 {{add expects operands of one element type, got 'f32' and 'f64'}}
  %0 = nn.add %x, %y : (tensor<3xf32>, tensor<3xf64>) -> tensor<3xf32>
  return
}

// -----

func.func @softmax_dim(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{softmax dim 2 is out of range for input [2, 3] (expected -2..1)}}
  %0 = nn.softmax %x {dim = 2} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @flatten_order(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{flatten start_dim 2 comes after end_dim 1}}
  %0 = nn.flatten %x {start_dim = 2, end_dim = 1} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{reshape cannot view [2, 3] (6 elements) as [4, -1]}}
  %0 = nn.reshape %x {shape = array<i64: 4, -1>} : (tensor<2x3xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @reshape_two_unknowns(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{reshape target [-1, -1] has more than one -1}}
  %0 = nn.reshape %x {shape = array<i64: -1, -1>} : (tensor<2x3xf32>) -> tensor<6xf32>
  return
}

// -----

func.func @transpose_dim(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{transpose dim1 5 is out of range for input [2, 3]}}
  %0 = nn.transpose %x {dim0 = 0, dim1 = 5} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @concat_mismatch(%a: tensor<1x2x4x4xf32>, %b: tensor<1x3x5x4xf32>) {
  // expected-error @+1 {{concat inputs must match except in dimension 1: input 0 [1, 2, 4, 4] vs input 1 [1, 3, 5, 4] differ in dimension 2 (4 vs 5)}}
  %0 = nn.concat %a, %b : (tensor<1x2x4x4xf32>, tensor<1x3x5x4xf32>) -> tensor<1x5x4x4xf32>
  return
}

// -----

func.func @matmul_inner(%a: tensor<3x4xf32>, %b: tensor<5x6xf32>) {
  // expected-error @+1 {{matmul cannot multiply [3, 4] by [5, 6]: contracted dimensions 4 and 5 differ}}
  %0 = nn.matmul %a, %b : (tensor<3x4xf32>, tensor<5x6xf32>) -> tensor<3x6xf32>
  return
}

// -----

func.func @sum_dim(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{sum dim 1 appears multiple times in dims [1, -1]}}
  %0 = nn.sum %x {dims = array<i64: 1, -1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @mean_dim(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{mean dim -3 is out of range for input [2, 3] (expected -2..1)}}
  %0 = nn.mean %x {dims = array<i64: -3>} : (tensor<2x3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @bce_shape(%p: tensor<32x1xf32>, %y: tensor<32xf32>) {
  // expected-error @+1 {{bce expects target [32] to have the same shape as input [32, 1]}}
  %0 = nn.bce %p, %y : (tensor<32x1xf32>, tensor<32xf32>) -> tensor<f32>
  return
}

// -----

func.func @cross_entropy_target(%z: tensor<64x10xf32>, %t: tensor<32xi64>) {
  // expected-error @+1 {{cross_entropy expects target [64] (class indices) for logits [64, 10], got [32]}}
  %0 = nn.cross_entropy %z, %t : (tensor<64x10xf32>, tensor<32xi64>) -> tensor<f32>
  return
}

// -----

func.func @cross_entropy_float_target(%z: tensor<64x10xf32>, %t: tensor<64xf32>) {
  // expected-error @+1 {{operand #1 must be tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = nn.cross_entropy %z, %t : (tensor<64x10xf32>, tensor<64xf32>) -> tensor<f32>
  return
}

// -----

func.func @mse_broadcast(%a: tensor<3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{mse expects broadcastable operands, but shapes [3] and [4] do not broadcast}}
  %0 = nn.mse %a, %b : (tensor<3xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func.func @conv_backward_grad(%g: tensor<1x4x5x5xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{conv2d_backward_input expects grad of shape [1, 4, 6, 6], got [1, 4, 5, 5]}}
  %0 = nn.conv2d_backward_input %g, %w {input_shape = array<i64: 1, 3, 8, 8>} : (tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @sum_to_bad(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{sum_to cannot sum [4, 8] to [3]: the target does not broadcast to the input}}
  %0 = nn.sum_to %x {shape = array<i64: 3>} : (tensor<4x8xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @slice_bad(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{slice [6, +3) does not fit in dimension 1 of [4, 8]}}
  %0 = nn.slice %x {dim = 1 : i64, start = 6 : i64, size = 3 : i64} : (tensor<4x8xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @embedding_backward_bad(%g: tensor<5x16xf32>, %i: tensor<5x6xi64>) {
  // expected-error @+1 {{embedding_backward expects grad of shape [5, 6] + [dim], got [5, 16]}}
  %0 = nn.embedding_backward %g, %i {num = 4 : i64} : (tensor<5x16xf32>, tensor<5x6xi64>) -> tensor<4x16xf32>
  return
}

// -----

// expected-error @+1 {{name 'bn mean' in 'nn.buffer' of argument 0 contains ' ' at byte 2}}
func.func @buffer_bad_name(%b: tensor<4xf32> {nn.buffer = "bn mean"}) {
  return
}

// -----

// expected-error @+1 {{'nn.buffer_update' of result 0 must be a string}}
func.func @buffer_update_not_a_string(%b: tensor<4xf32>) -> (tensor<4xf32> {nn.buffer_update = 1 : i64}) {
  return %b : tensor<4xf32>
}

// -----

func.func @gelu_backward_shapes(%g: tensor<4xf32>, %x: tensor<5xf32>) {
  // expected-error @+1 {{gelu_backward expects operands of one shape, got [4] and [5]}}
  %0 = nn.gelu_backward %g, %x : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @gelu_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{result #0 has type 'tensor<5xf32>' but its operands and attributes give 'tensor<4xf32>'}}
  %0 = nn.gelu %x : (tensor<4xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @layer_norm_shape(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{layer_norm expects normalized_shape [5] to match the trailing dimensions of the input [4, 6]}}
  %0 = nn.layer_norm %x {normalized_shape = array<i64: 5>} : (tensor<4x6xf32>) -> tensor<4x6xf32>
  return
}

// -----

func.func @layer_norm_too_long(%x: tensor<6xf32>) {
  // expected-error @+1 {{layer_norm expects normalized_shape [1, 6] to match the trailing dimensions of the input [6]}}
  %0 = nn.layer_norm %x {normalized_shape = array<i64: 1, 6>} : (tensor<6xf32>) -> tensor<6xf32>
  return
}

// -----

func.func @layer_norm_weight(%x: tensor<4x6xf32>, %w: tensor<4x6xf32>, %b: tensor<6xf32>) {
  // expected-error @+1 {{layer_norm expects weight and bias of shape [6], got [4, 6]}}
  %0 = nn.layer_norm %x, %w, %b {normalized_shape = array<i64: 6>} : (tensor<4x6xf32>, tensor<4x6xf32>, tensor<6xf32>) -> tensor<4x6xf32>
  return
}

// -----

func.func @layer_norm_one_affine(%x: tensor<4x6xf32>, %w: tensor<6xf32>) {
  // expected-error @+1 {{layer_norm expects no affine operands or two (weight, bias), got 1}}
  %0 = nn.layer_norm %x, %w {normalized_shape = array<i64: 6>} : (tensor<4x6xf32>, tensor<6xf32>) -> tensor<4x6xf32>
  return
}
