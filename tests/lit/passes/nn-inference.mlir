// nn-inference: dropout is the identity; the loss result and everything only it needed go;
// every argument stays.
// RUN: netc-opt %s --nn-inference --split-input-file | FileCheck %s

// The mlp2 example of DSL.md: the loss (BCE plus an L2 penalty) goes with the BCE, the
// penalty's constant, norms and sums; the target %y stays as an unused argument; the output
// keeps its attribute.
// CHECK-LABEL: func.func @mlp2
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<32x10xf32> {nn.input = "x"},
// CHECK-SAME: %{{[a-z0-9]+}}: tensor<32x1xf32> {nn.input = "y"},
// CHECK-SAME: %[[W1:[a-z0-9]+]]: tensor<16x10xf32> {nn.param = "fc1.weight"},
// CHECK-SAME: %[[B1:[a-z0-9]+]]: tensor<16xf32> {nn.param = "fc1.bias"},
// CHECK-SAME: %[[W2:[a-z0-9]+]]: tensor<1x16xf32> {nn.param = "fc2.weight"},
// CHECK-SAME: %[[B2:[a-z0-9]+]]: tensor<1xf32> {nn.param = "fc2.bias"})
// CHECK-SAME: -> (tensor<32x1xf32> {nn.output = "p"})
// CHECK-NEXT: %[[L1:.+]] = nn.linear %[[X]], %[[W1]], %[[B1]]
// CHECK-NEXT: %[[H:.+]] = nn.tanh %[[L1]]
// CHECK-NEXT: %[[L2:.+]] = nn.linear %[[H]], %[[W2]], %[[B2]]
// CHECK-NEXT: %[[P:.+]] = nn.sigmoid %[[L2]]
// CHECK-NEXT: return %[[P]] : tensor<32x1xf32>
// CHECK-NEXT: }
func.func @mlp2(%x: tensor<32x10xf32> {nn.input = "x"}, %y: tensor<32x1xf32> {nn.input = "y"},
                %w1: tensor<16x10xf32> {nn.param = "fc1.weight"},
                %b1: tensor<16xf32> {nn.param = "fc1.bias"},
                %w2: tensor<1x16xf32> {nn.param = "fc2.weight"},
                %b2: tensor<1xf32> {nn.param = "fc2.bias"})
    -> (tensor<32x1xf32> {nn.output = "p"}, tensor<f32> {nn.loss = "loss"}) {
  %cst = arith.constant dense<5.000000e-04> : tensor<f32>
  %0 = nn.linear %x, %w1, %b1
      : (tensor<32x10xf32>, tensor<16x10xf32>, tensor<16xf32>) -> tensor<32x16xf32>
  %1 = nn.tanh %0 : (tensor<32x16xf32>) -> tensor<32x16xf32>
  %2 = nn.linear %1, %w2, %b2
      : (tensor<32x16xf32>, tensor<1x16xf32>, tensor<1xf32>) -> tensor<32x1xf32>
  %3 = nn.sigmoid %2 : (tensor<32x1xf32>) -> tensor<32x1xf32>
  %4 = nn.bce %3, %y : (tensor<32x1xf32>, tensor<32x1xf32>) -> tensor<f32>
  %5 = nn.sqnorm %w1 : (tensor<16x10xf32>) -> tensor<f32>
  %6 = nn.sqnorm %w2 : (tensor<1x16xf32>) -> tensor<f32>
  %7 = nn.add %5, %6 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %8 = nn.mul %cst, %7 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %9 = nn.add %4, %8 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %3, %9 : tensor<32x1xf32>, tensor<f32>
}

// -----

// Dropouts, with or without a seed, become their input; the seed's arithmetic goes, the seed
// argument stays.
// CHECK-LABEL: func.func @dropouts
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<8xf32>, %{{[a-z0-9]+}}: i64) -> tensor<8xf32>
// CHECK-NEXT: %[[R:.+]] = nn.relu %[[X]]
// CHECK-NEXT: %[[T:.+]] = nn.tanh %[[R]]
// CHECK-NEXT: return %[[T]]
func.func @dropouts(%x: tensor<8xf32>, %seed: i64) -> tensor<8xf32> {
  %c1 = arith.constant 1 : i64
  %s1 = arith.addi %seed, %c1 : i64
  %0 = nn.dropout %x {p = 0.1 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  %1 = nn.relu %0 : (tensor<8xf32>) -> tensor<8xf32>
  %2 = nn.dropout %1, %s1 {p = 0.5 : f64} : (tensor<8xf32>, i64) -> tensor<8xf32>
  %3 = nn.tanh %2 : (tensor<8xf32>) -> tensor<8xf32>
  return %3 : tensor<8xf32>
}

// -----

// The loss between two outputs: the outputs keep their order and attributes. What the loss
// shares with an output (the difference) stays; what only the loss needs (mean) goes.
// CHECK-LABEL: func.func @loss_between
// CHECK-SAME: -> (tensor<4xf32> {nn.output = "a"}, tensor<4xf32> {nn.output = "b"})
// CHECK-NEXT: %[[D:.+]] = nn.sub
// CHECK-NEXT: %[[E:.+]] = nn.exp %[[D]]
// CHECK-NEXT: return %[[D]], %[[E]] : tensor<4xf32>, tensor<4xf32>
func.func @loss_between(%x: tensor<4xf32> {nn.input = "x"}, %t: tensor<4xf32> {nn.input = "t"})
    -> (tensor<4xf32> {nn.output = "a"}, tensor<f32> {nn.loss = "loss"},
        tensor<4xf32> {nn.output = "b"}) {
  %0 = nn.sub %x, %t : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.mean %0 : (tensor<4xf32>) -> tensor<f32>
  %2 = nn.exp %0 : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<f32>, tensor<4xf32>
}

// -----

// A value that is both an output and the loss stays for the output.
// CHECK-LABEL: func.func @loss_is_output
// CHECK-SAME: -> (tensor<f32> {nn.output = "m"})
// CHECK-NEXT: %[[M:.+]] = nn.mean
// CHECK-NEXT: return %[[M]] : tensor<f32>
func.func @loss_is_output(%x: tensor<4xf32> {nn.input = "x"})
    -> (tensor<f32> {nn.output = "m"}, tensor<f32> {nn.loss = "loss"}) {
  %0 = nn.mean %x : (tensor<4xf32>) -> tensor<f32>
  return %0, %0 : tensor<f32>, tensor<f32>
}

// -----

// A model without a loss keeps its signature.
// CHECK-LABEL: func.func @no_loss
// CHECK-SAME: -> (tensor<4xf32> {nn.output = "y"})
// CHECK-NEXT: nn.relu
// CHECK-NEXT: return
func.func @no_loss(%x: tensor<4xf32> {nn.input = "x"}) -> (tensor<4xf32> {nn.output = "y"}) {
  %0 = nn.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// The foo model of DSL.md has a loss and no output: nothing is left but its arguments.
// CHECK-LABEL: func.func @foo
// CHECK-SAME: (%{{[a-z0-9]+}}: tensor<100x5xf64> {nn.input = "X"},
// CHECK-SAME: %{{[a-z0-9]+}}: tensor<5x5xf64> {nn.param = "W"},
// CHECK-SAME: %{{[a-z0-9]+}}: tensor<5xf64> {nn.param = "b"})
// CHECK-NOT: ->
// CHECK-NEXT: return
// CHECK-NEXT: }
func.func @foo(%x: tensor<100x5xf64> {nn.input = "X"}, %w: tensor<5x5xf64> {nn.param = "W"},
               %b: tensor<5xf64> {nn.param = "b"}) -> (tensor<f64> {nn.loss = "loss"}) {
  %0 = nn.matmul %x, %w : (tensor<100x5xf64>, tensor<5x5xf64>) -> tensor<100x5xf64>
  %1 = nn.add %0, %b : (tensor<100x5xf64>, tensor<5xf64>) -> tensor<100x5xf64>
  %2 = nn.mean %1 : (tensor<100x5xf64>) -> tensor<f64>
  return %2 : tensor<f64>
}
