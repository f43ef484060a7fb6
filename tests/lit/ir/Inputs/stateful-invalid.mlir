// Verifier rules of batch_norm, train_select and increment (run by ../stateful.mlir).

func.func @bn_rank(%x: tensor<4x3x5x5x2xf32>, %m: tensor<3xf32>) {
  // expected-error @+1 {{batch_norm expects an input of rank 2, 3 or 4 ([N, C], [N, C, L] or [N, C, H, W]), got [4, 3, 5, 5, 2]}}
  %y:3 = nn.batch_norm %x, %m, %m : (tensor<4x3x5x5x2xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3x5x5x2xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func.func @bn_stats(%x: tensor<4x3xf32>, %m: tensor<4xf32>) {
  // expected-error @+1 {{batch_norm expects running statistics of shape [3] (the channels of [4, 3]), got [4]}}
  %y:3 = nn.batch_norm %x, %m, %m : (tensor<4x3xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4x3xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @bn_one_affine(%x: tensor<4x3xf32>, %m: tensor<3xf32>) {
  // expected-error @+1 {{batch_norm expects no affine operands or two (weight, bias), got 1}}
  %y:3 = nn.batch_norm %x, %m, %m, %m : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func.func @bn_momentum(%x: tensor<4x3xf32>, %m: tensor<3xf32>) {
  // expected-error @+1 {{batch_norm expects momentum in [0, 1], got 2}}
  %y:3 = nn.batch_norm %x, %m, %m {momentum = 2.0 : f64} : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func.func @select_types(%a: tensor<4xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{train_select expects operands of one type, got 'tensor<4xf32>' and 'tensor<3xf32>'}}
  %y = nn.train_select %a, %b : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @increment_float(%a: tensor<4xf32>) {
  // expected-error @+1 {{operand #0 must be tensor of 32-bit signless integer or 64-bit signless integer values}}
  %y = nn.increment %a : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @replica_count_int() -> tensor<i64> {
  // expected-error @+1 {{'nn.replica_count' op attribute 'element_type' failed to satisfy constraint: type attribute of floating-point}}
  %n = nn.replica_count {element_type = i64} : () -> tensor<i64>
  return %n : tensor<i64>
}

// -----

func.func @replica_mean_int(%x: tensor<3xi64>) -> tensor<3xi64> {
  // expected-error @+1 {{'nn.replica_mean' op operand #0 must be}}
  %r = nn.replica_mean %x : (tensor<3xi64>) -> tensor<3xi64>
  return %r : tensor<3xi64>
}
