// Invalid second-wave elementwise ops are rejected with their reasons.
// RUN: netc-opt %s --split-input-file --verify-diagnostics

func.func @maximum_shapes(%x: tensor<4x6xf32>, %y: tensor<5xf32>) {
  // expected-error @+1 {{maximum}}
  %0 = nn.maximum %x, %y : (tensor<4x6xf32>, tensor<5xf32>) -> tensor<4x6xf32>
  return
}

// -----

func.func @where_types(%c: tensor<4xi32>, %x: tensor<4xf32>, %y: tensor<4xf64>) {
  // expected-error @+1 {{f32}}
  %0 = nn.where %c, %x, %y : (tensor<4xi32>, tensor<4xf32>, tensor<4xf64>) -> tensor<4xf32>
  return
}

// -----

func.func @where_shapes(%c: tensor<3xf32>, %x: tensor<4xf32>) {
  // expected-error @+1 {{where: condition [3], values [4] and [4] do not broadcast}}
  %0 = nn.where %c, %x, %x : (tensor<3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @cast_dtype(%x: tensor<4xf32>) {
  // expected-error @+1 {{cast expects dtype f32, f64, i32 or i64, got 'f16'}}
  %0 = nn.cast %x {dtype = f16} : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @minmax_backward_shapes(%g: tensor<4xf32>, %a: tensor<4xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{minmax_backward expects operands that broadcast to the gradient's shape [4], got [4] and [2, 4]}}
  %0 = nn.minmax_backward %g, %a, %b {maximum = false} : (tensor<4xf32>, tensor<4xf32>, tensor<2x4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @clamp_backward_shapes(%g: tensor<4xf32>, %x: tensor<5xf32>) {
  // expected-error @+1 {{clamp_backward expects operands of one shape, got [4] and [5]}}
  %0 = nn.clamp_backward %g, %x {inclusive = true} : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @pow_int(%x: tensor<4xi32>) {
  // expected-error @+1 {{must be tensor of 32-bit float or 64-bit float values}}
  %0 = nn.pow %x {exponent = 2.0 : f64} : (tensor<4xi32>) -> tensor<4xi32>
  return
}
