// nn-autodiff adds a train step beside every function with a loss: the forward ops, then
// each op's vector-Jacobian product in reverse order, gradients of shared values summed.
// RUN: netc-opt %s --nn-autodiff | FileCheck %s
// RUN: netc-opt %s --nn-autodiff=grad-inputs=true | FileCheck %s --check-prefix=INPUTS

// The forward function stays as it was.
// CHECK-LABEL: func.func @mlp(
// CHECK-NOT: nn.seed
// CHECK-SAME: -> (tensor<8x2xf32> {nn.output = "y"}, tensor<f32> {nn.loss = "loss"}) {
// CHECK-NOT: nn.grad
// CHECK: return

// Arguments: the forward's and the seed. Results: loss, outputs, one gradient per parameter.
// CHECK-LABEL: func.func @mlp_train_step(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<8x4xf32> {nn.input = "x"}, %[[T:[a-z0-9]+]]: tensor<8x2xf32> {nn.input = "t"}
// CHECK-SAME: %[[W1:[a-z0-9]+]]: tensor<16x4xf32> {nn.param = "fc1.weight"}
// CHECK-SAME: %[[W2:[a-z0-9]+]]: tensor<2x16xf32> {nn.param = "fc2.weight"}, %{{.+}}: i64 {nn.seed})
// CHECK-SAME: -> (tensor<f32> {nn.loss = "loss"}, tensor<8x2xf32> {nn.output = "y"},
// CHECK-SAME: tensor<16x4xf32> {nn.grad = "fc1.weight"}, tensor<16xf32> {nn.grad = "fc1.bias"},
// CHECK-SAME: tensor<2x16xf32> {nn.grad = "fc2.weight"})
// CHECK-SAME: attributes {nn.train_step_of = "mlp"}
// CHECK: %[[H:.+]] = nn.tanh
// CHECK: %[[Y:.+]] = nn.linear %[[H]], %[[W2]]
// CHECK: %[[LOSS:.+]] = nn.mse %[[Y]], %[[T]]
// The gradient of the loss is 1; mse's is (2 / 16) (y - t) g.
// CHECK: %[[ONE:.+]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[DIFF:.+]] = nn.sub %[[Y]], %[[T]]
// CHECK: %[[NORM:.+]] = arith.constant dense<1.250000e-01> : tensor<f32>
// CHECK: %[[SCALED:.+]] = nn.mul %[[DIFF]], %[[NORM]]
// CHECK: %[[GY:.+]] = nn.mul %[[SCALED]], %[[ONE]]
// linear: dx = g @ W, dW = g^T @ x.
// CHECK: %[[GYT:.+]] = nn.transpose %[[GY]] {dim0 = -2 : i64, dim1 = -1 : i64} : (tensor<8x2xf32>) -> tensor<2x8xf32>
// CHECK: %[[GH:.+]] = nn.matmul %[[GY]], %[[W2]] : (tensor<8x2xf32>, tensor<2x16xf32>) -> tensor<8x16xf32>
// CHECK: %[[GW2:.+]] = nn.matmul %[[GYT]], %[[H]] : (tensor<2x8xf32>, tensor<8x16xf32>) -> tensor<2x16xf32>
// tanh: g (1 - y y).
// CHECK: %[[SQ:.+]] = nn.mul %[[H]], %[[H]]
// CHECK: %[[ONE2:.+]] = arith.constant dense<1.000000e+00>
// CHECK: %[[DTANH:.+]] = nn.sub %[[ONE2]], %[[SQ]]
// CHECK: %[[G0:.+]] = nn.mul %[[GH]], %[[DTANH]]
// CHECK: %[[G0T:.+]] = nn.transpose %[[G0]]
// CHECK: %[[GW1:.+]] = nn.matmul %[[G0T]], %[[X]] : (tensor<16x8xf32>, tensor<8x4xf32>) -> tensor<16x4xf32>
// The bias gradient sums the batch away.
// CHECK: %[[GB1:.+]] = nn.sum_to %[[G0]] {shape = array<i64: 16>} : (tensor<8x16xf32>) -> tensor<16xf32>
// CHECK: return %[[LOSS]], %[[Y]], %[[GW1]], %[[GB1]], %[[GW2]]

// With grad-inputs, the float inputs' gradients follow the parameters'.
// INPUTS-LABEL: func.func @mlp_train_step(
// INPUTS-SAME: tensor<2x16xf32> {nn.grad = "fc2.weight"}, tensor<8x4xf32> {nn.grad_input = "x"},
// INPUTS-SAME: tensor<8x2xf32> {nn.grad_input = "t"})
// The target's gradient is the negated gradient of the prediction.
// INPUTS: %[[GT:.+]] = nn.neg %{{.+}} : (tensor<8x2xf32>) -> tensor<8x2xf32>
// INPUTS: %[[GX:.+]] = nn.matmul %{{.+}}, %{{.+}} : (tensor<8x16xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
// INPUTS: return %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[GX]], %[[GT]]
func.func @mlp(%x: tensor<8x4xf32> {nn.input = "x"}, %t: tensor<8x2xf32> {nn.input = "t"},
               %w1: tensor<16x4xf32> {nn.param = "fc1.weight"},
               %b1: tensor<16xf32> {nn.param = "fc1.bias"},
               %w2: tensor<2x16xf32> {nn.param = "fc2.weight"})
    -> (tensor<8x2xf32> {nn.output = "y"}, tensor<f32> {nn.loss = "loss"}) {
  %0 = nn.linear %x, %w1, %b1
      : (tensor<8x4xf32>, tensor<16x4xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %1 = nn.tanh %0 : (tensor<8x16xf32>) -> tensor<8x16xf32>
  %2 = nn.linear %1, %w2 : (tensor<8x16xf32>, tensor<2x16xf32>) -> tensor<8x2xf32>
  %3 = nn.mse %2, %t : (tensor<8x2xf32>, tensor<8x2xf32>) -> tensor<f32>
  return %2, %3 : tensor<8x2xf32>, tensor<f32>
}

// A conv net: the image is an input, so no conv2d_backward_input is needed; labels are
// class indices, constants of the backward pass.
// CHECK-LABEL: func.func @convnet_train_step(
// CHECK-SAME: %[[IMG:[a-z0-9]+]]: tensor<2x1x8x8xf32> {nn.input = "image"}, %[[LABEL:[a-z0-9]+]]: tensor<2xi64>
// CHECK-SAME: %[[FW:[a-z0-9]+]]: tensor<3x64xf32> {nn.param = "fc.weight"}
// CHECK: %[[CONV:.+]] = nn.conv2d %[[IMG]]
// CHECK: %[[RELU:.+]] = nn.relu %[[CONV]]
// CHECK: %[[POOL:.+]] = nn.maxpool2d %[[RELU]]
// CHECK: %[[FLAT:.+]] = nn.flatten %[[POOL]]
// CHECK: %[[LOGITS:.+]] = nn.linear %[[FLAT]], %[[FW]]
// CHECK: %[[ONE:.+]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[GL:.+]] = nn.cross_entropy_backward %[[ONE]], %[[LOGITS]], %[[LABEL]]
// CHECK: %[[GFLAT:.+]] = nn.matmul %[[GL]], %[[FW]]
// CHECK: %[[GPOOL:.+]] = nn.reshape %[[GFLAT]] {shape = array<i64: 2, 4, 4, 4>}
// CHECK: %[[GRELU:.+]] = nn.maxpool2d_backward %[[GPOOL]], %[[RELU]] {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>}
// relu's gradient is leaky_relu_backward with slope 0 at the relu's result (positive
// where its input is): the pool keeps the result anyway, the conv's output is not kept.
// CHECK: %[[GCONV:.+]] = nn.leaky_relu_backward %[[GRELU]], %[[RELU]] :
// CHECK-NOT: conv2d_backward_input
// CHECK: %[[GW:.+]] = nn.conv2d_backward_filter %[[IMG]], %[[GCONV]] {kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>}
// CHECK-SAME: -> tensor<4x1x3x3xf32>
// CHECK: %[[GB:.+]] = nn.sum %[[GCONV]] {dims = array<i64: 0, 2, 3>} : (tensor<2x4x8x8xf32>) -> tensor<4xf32>
// CHECK: return %{{.+}}, %[[LOGITS]], %[[GW]], %[[GB]], %{{.+}} :
func.func @convnet(%x: tensor<2x1x8x8xf32> {nn.input = "image"},
                   %t: tensor<2xi64> {nn.input = "label"},
                   %w: tensor<4x1x3x3xf32> {nn.param = "conv.weight"},
                   %b: tensor<4xf32> {nn.param = "conv.bias"},
                   %fw: tensor<3x64xf32> {nn.param = "fc.weight"})
    -> (tensor<2x3xf32> {nn.output = "logits"}, tensor<f32> {nn.loss = "loss"}) {
  %0 = nn.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<2x1x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<2x4x8x8xf32>
  %1 = nn.relu %0 : (tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %2 = nn.maxpool2d %1 {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>}
      : (tensor<2x4x8x8xf32>) -> tensor<2x4x4x4xf32>
  %3 = nn.flatten %2 : (tensor<2x4x4x4xf32>) -> tensor<2x64xf32>
  %4 = nn.linear %3, %fw : (tensor<2x64xf32>, tensor<3x64xf32>) -> tensor<2x3xf32>
  %5 = nn.cross_entropy %4, %t : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<f32>
  return %4, %5 : tensor<2x3xf32>, tensor<f32>
}

// A residual block: the relu's result feeds the second conv and the skip connection, so
// its gradient is the sum of both paths.
// CHECK-LABEL: func.func @residual_train_step(
// CHECK-SAME: %[[RX:[a-z0-9]+]]: tensor<1x2x4x4xf32> {nn.input = "x"}
// CHECK-SAME: %[[C2:[a-z0-9]+]]: tensor<2x2x3x3xf32> {nn.param = "c2.weight"}
// CHECK: %[[PRE:.+]] = nn.conv2d %[[RX]]
// CHECK: %[[ACT:.+]] = nn.relu %[[PRE]]
// mean's gradient: g / 32, broadcast.
// CHECK: %[[COUNT:.+]] = arith.constant dense<3.200000e+01> : tensor<f32>
// CHECK: %[[GMEAN:.+]] = nn.div %{{.+}}, %[[COUNT]]
// CHECK: %[[GY:.+]] = nn.broadcast_to %[[GMEAN]] {shape = array<i64: 1, 2, 4, 4>}
// CHECK: %[[GSKIP:.+]] = nn.conv2d_backward_input %[[GY]], %[[C2]] {input_shape = array<i64: 1, 2, 4, 4>, padding = array<i64: 1, 1, 1, 1>}
// CHECK: %[[GC2:.+]] = nn.conv2d_backward_filter %[[ACT]], %[[GY]]
// CHECK: %[[GACT:.+]] = nn.add %[[GY]], %[[GSKIP]]
// CHECK: %[[GPRE:.+]] = nn.leaky_relu_backward %[[GACT]], %[[ACT]]
// CHECK: %[[GC1:.+]] = nn.conv2d_backward_filter %[[RX]], %[[GPRE]]
// CHECK: return %{{.+}}, %[[GC1]], %[[GC2]] :
func.func @residual(%x: tensor<1x2x4x4xf32> {nn.input = "x"},
                    %w1: tensor<2x2x3x3xf32> {nn.param = "c1.weight"},
                    %w2: tensor<2x2x3x3xf32> {nn.param = "c2.weight"})
    -> (tensor<f32> {nn.loss = "loss"}) {
  %h = nn.conv2d %x, %w1 {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %a = nn.relu %h : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %c = nn.conv2d %a, %w2 {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %y = nn.add %c, %a : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %l = nn.mean %y : (tensor<1x2x4x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// A parameter used twice (a broadcast product and an L2 penalty): its two gradients are
// summed. A parameter the loss does not reach gets zeros, and its dead branch goes.
// CHECK-LABEL: func.func @shared_train_step(
// CHECK-SAME: %[[SX:[a-z0-9]+]]: tensor<3x4xf32> {nn.input = "x"}, %[[SW:[a-z0-9]+]]: tensor<4xf32> {nn.param = "w"}
// CHECK-SAME: -> (tensor<f32> {nn.loss = "loss"}, tensor<3x4xf32> {nn.output = "side"},
// CHECK-SAME: tensor<4xf32> {nn.grad = "w"}, tensor<4xf32> {nn.grad = "unused"})
// CHECK-NOT: nn.sigmoid
// CHECK: %[[SIDE:.+]] = nn.exp
// sqnorm: 2 w g.
// CHECK: %[[TWO:.+]] = arith.constant dense<2.000000e+00>
// CHECK: %[[TWOW:.+]] = nn.mul %[[TWO]], %[[SW]]
// CHECK: %[[GPEN:.+]] = nn.mul %[[TWOW]], %{{.+}}
// The product broadcast w over the rows: its gradient is summed back to w's shape.
// CHECK: %[[GPROD:.+]] = nn.mul %{{.+}}, %[[SX]] : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
// CHECK: %[[GMUL:.+]] = nn.sum_to %[[GPROD]] {shape = array<i64: 4>} : (tensor<3x4xf32>) -> tensor<4xf32>
// CHECK: %[[GW:.+]] = nn.add %[[GPEN]], %[[GMUL]]
// CHECK: %[[ZERO:.+]] = arith.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK-NOT: nn.sigmoid
// CHECK: return %{{.+}}, %[[SIDE]], %[[GW]], %[[ZERO]] :
func.func @shared(%x: tensor<3x4xf32> {nn.input = "x"}, %w: tensor<4xf32> {nn.param = "w"},
                  %u: tensor<4xf32> {nn.param = "unused"})
    -> (tensor<3x4xf32> {nn.output = "side"}, tensor<f32> {nn.loss = "loss"}) {
  %cst = arith.constant dense<5.000000e-01> : tensor<f32>
  %0 = nn.mul %x, %w : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %1 = nn.mean %0 : (tensor<3x4xf32>) -> tensor<f32>
  %2 = nn.sqnorm %w : (tensor<4xf32>) -> tensor<f32>
  %3 = nn.mul %cst, %2 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %4 = nn.add %1, %3 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %side = nn.exp %0 : (tensor<3x4xf32>) -> tensor<3x4xf32>
  %dead = nn.sigmoid %u : (tensor<4xf32>) -> tensor<4xf32>
  return %side, %4 : tensor<3x4xf32>, tensor<f32>
}

// Dropout k draws its mask from seed + k * 0x632BE59BD9B4E019 (7146057691288625177); its
// gradient is a dropout with the same seed and p, hence the same mask and scale.
// CHECK-LABEL: func.func @dropouts_train_step(
// CHECK-SAME: %[[SEED:[a-z0-9]+]]: i64 {nn.seed}
// CHECK: %[[D0:.+]] = nn.dropout %{{.+}}, %[[SEED]] {p = 1.000000e-01 : f64} : (tensor<4xf32>, i64) -> tensor<4xf32>
// CHECK: %[[K1:.+]] = arith.constant 7146057691288625177 : i64
// CHECK: %[[SEED1:.+]] = arith.addi %[[SEED]], %[[K1]] : i64
// CHECK: nn.dropout %[[D0]], %[[SEED1]] {p = 2.000000e-01 : f64}
// CHECK: %[[G1:.+]] = nn.dropout %{{.+}}, %[[SEED1]] {p = 2.000000e-01 : f64}
// CHECK: %[[G0:.+]] = nn.dropout %[[G1]], %[[SEED]] {p = 1.000000e-01 : f64}
// A dropout nothing reads is dropped with its seed.
// CHECK-NOT: p = 5.000000e-01
// CHECK: return
func.func @dropouts(%x: tensor<4xf32> {nn.input = "x"}, %w: tensor<4xf32> {nn.param = "w"})
    -> (tensor<f32> {nn.loss = "loss"}) {
  %0 = nn.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.dropout %0 {p = 1.000000e-01 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  %2 = nn.dropout %1 {p = 2.000000e-01 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  %3 = nn.sum %2 : (tensor<4xf32>) -> tensor<f32>
  %unused = nn.dropout %0 {p = 5.000000e-01 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  return %3 : tensor<f32>
}

// A function without a loss gets no train step.
// CHECK-LABEL: func.func @no_loss(
// CHECK-NOT: func.func @no_loss_train_step
func.func @no_loss(%x: tensor<4xf32> {nn.input = "x"}) -> (tensor<4xf32> {nn.output = "y"}) {
  %0 = nn.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
