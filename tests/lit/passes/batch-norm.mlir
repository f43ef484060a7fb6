// nn.batch_norm decomposes into both forms joined by nn.train_select; the train step keeps
// the batch form and returns every buffer update (after the gradients, not differentiated);
// the inference form keeps the running form and drops the buffer updates.
// RUN: netc-opt %s --nn-decompose | FileCheck %s --check-prefix=DECOMP
// RUN: netc-opt %s --nn-train-pipeline | FileCheck %s --check-prefix=TRAIN
// RUN: netc-opt %s --nn-inference-pipeline | FileCheck %s --check-prefix=INFER

// DECOMP-LABEL: func.func @m
// DECOMP: %[[MEAN:.+]] = nn.mean %{{.+}} {dims = array<i64: 0, 2, 3>, keepdim = true} : (tensor<4x3x2x2xf32>) -> tensor<1x3x1x1xf32>
// DECOMP: %[[SEL:.+]] = nn.train_select %{{.+}}, %{{.+}} : (tensor<4x3x2x2xf32>, tensor<4x3x2x2xf32>) -> tensor<4x3x2x2xf32>
// DECOMP: nn.mul %[[SEL]], %{{.+}}
// DECOMP-NOT: nn.batch_norm
// DECOMP: return

// TRAIN-LABEL: func.func @m_train_step
// TRAIN-SAME: {nn.loss = "loss"}
// TRAIN-SAME: {nn.grad = "bn.weight"}
// TRAIN-SAME: {nn.grad = "bn.bias"}
// TRAIN-SAME: {nn.buffer_update = "bn.running_mean"}
// TRAIN-SAME: {nn.buffer_update = "bn.running_var"}
// TRAIN-SAME: {nn.buffer_update = "bn.num_batches_tracked"}
// TRAIN-SAME: {nn.param_update = "bn.weight"}
// TRAIN-NOT: nn.train_select
// TRAIN: nn.increment
// TRAIN: return

// INFER-LABEL: func.func @m
// INFER-SAME: nn.buffer = "bn.running_mean"
// INFER-SAME: -> (tensor<4x3x2x2xf32> {nn.output = "y"})
// INFER-NOT: nn.train_select
// INFER-NOT: nn.mean
// INFER-NOT: nn.increment
// INFER: nn.sqrt
// INFER: return

func.func @m(%x: tensor<4x3x2x2xf32> {nn.input = "x"},
             %w: tensor<3xf32> {nn.param = "bn.weight", nn.init = {dist = "constant", value = 1.0 : f64}},
             %b: tensor<3xf32> {nn.param = "bn.bias", nn.init = {dist = "constant", value = 0.0 : f64}},
             %rm: tensor<3xf32> {nn.buffer = "bn.running_mean", nn.init = {dist = "constant", value = 0.0 : f64}},
             %rv: tensor<3xf32> {nn.buffer = "bn.running_var", nn.init = {dist = "constant", value = 1.0 : f64}},
             %n: tensor<i64> {nn.buffer = "bn.num_batches_tracked", nn.init = {dist = "constant", value = 0.0 : f64}})
    -> (tensor<4x3x2x2xf32> {nn.output = "y"}, tensor<f32> {nn.loss = "loss"},
        tensor<3xf32> {nn.buffer_update = "bn.running_mean"},
        tensor<3xf32> {nn.buffer_update = "bn.running_var"},
        tensor<i64> {nn.buffer_update = "bn.num_batches_tracked"})
    attributes {nn.optimizer = {kind = "sgd", lr = 1.0e-01 : f64}} {
  %y:3 = nn.batch_norm %x, %rm, %rv, %w, %b
      : (tensor<4x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
      -> (tensor<4x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>)
  %sq = nn.mul %y#0, %y#0 : (tensor<4x3x2x2xf32>, tensor<4x3x2x2xf32>) -> tensor<4x3x2x2xf32>
  %loss = nn.mean %sq : (tensor<4x3x2x2xf32>) -> tensor<f32>
  %n1 = nn.increment %n : (tensor<i64>) -> tensor<i64>
  return %y#0, %loss, %y#1, %y#2, %n1
      : tensor<4x3x2x2xf32>, tensor<f32>, tensor<3xf32>, tensor<3xf32>, tensor<i64>
}
