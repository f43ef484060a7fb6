// nn.batch_norm {sync = true} (netc --sync-bn) averages its batch statistics over the
// data-parallel replicas: the mean, then the variance about the global mean, each through
// nn.replica_mean, and the unbiased factor of running_var counts every replica's elements
// (nn.replica_count). The train step's backward averages the statistics' gradients too
// (the VJP of replica_mean is replica_mean) where a parameter before the norm needs them;
// the inference form has none of them.
// RUN: netc-opt %s --nn-decompose | FileCheck %s --check-prefix=DECOMP
// RUN: netc-opt %s --nn-train-pipeline | FileCheck %s --check-prefix=TRAIN
// RUN: netc-opt %s --nn-inference-pipeline | FileCheck %s --check-prefix=INFER

// DECOMP-LABEL: func.func @m
// DECOMP: %[[MEAN:.+]] = nn.mean %{{.+}} {dims = array<i64: 0, 2, 3>, keepdim = true} : (tensor<4x3x2x2xf32>) -> tensor<1x3x1x1xf32>
// DECOMP: %[[GMEAN:.+]] = nn.replica_mean %[[MEAN]] : (tensor<1x3x1x1xf32>) -> tensor<1x3x1x1xf32>
// DECOMP: nn.sub %{{.+}}, %[[GMEAN]]
// DECOMP: %[[VAR:.+]] = nn.mean %{{.+}} {dims = array<i64: 0, 2, 3>, keepdim = true}
// DECOMP: nn.replica_mean %[[VAR]]
// DECOMP: %[[N:.+]] = nn.replica_count {{.*}}element_type = f32} : () -> tensor<f32>
// DECOMP: nn.mul %[[N]], %{{.+}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
// DECOMP-NOT: nn.batch_norm
// DECOMP: return

// TRAIN-LABEL: func.func @m_train_step
// TRAIN-COUNT-4: nn.replica_mean
// TRAIN-NOT: nn.replica_mean
// TRAIN: return

// INFER-LABEL: func.func @m
// INFER-NOT: nn.replica
// INFER: return

func.func @m(%x: tensor<4x3x2x2xf32> {nn.input = "x"},
             %w: tensor<3xf32> {nn.param = "bn.weight", nn.init = {dist = "constant", value = 1.0 : f64}},
             %b: tensor<3xf32> {nn.param = "bn.bias", nn.init = {dist = "constant", value = 0.0 : f64}},
             %rm: tensor<3xf32> {nn.buffer = "bn.running_mean", nn.init = {dist = "constant", value = 0.0 : f64}},
             %rv: tensor<3xf32> {nn.buffer = "bn.running_var", nn.init = {dist = "constant", value = 1.0 : f64}},
             %p: tensor<1x3x1x1xf32> {nn.param = "scale", nn.init = {dist = "constant", value = 2.0 : f64}})
    -> (tensor<4x3x2x2xf32> {nn.output = "y"}, tensor<f32> {nn.loss = "loss"},
        tensor<3xf32> {nn.buffer_update = "bn.running_mean"},
        tensor<3xf32> {nn.buffer_update = "bn.running_var"})
    attributes {nn.optimizer = {kind = "sgd", lr = 1.0e-01 : f64}} {
  %h = nn.mul %x, %p : (tensor<4x3x2x2xf32>, tensor<1x3x1x1xf32>) -> tensor<4x3x2x2xf32>
  %y:3 = nn.batch_norm %h, %rm, %rv, %w, %b {sync = true}
      : (tensor<4x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
      -> (tensor<4x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>)
  %sq = nn.mul %y#0, %y#0 : (tensor<4x3x2x2xf32>, tensor<4x3x2x2xf32>) -> tensor<4x3x2x2xf32>
  %loss = nn.mean %sq : (tensor<4x3x2x2xf32>) -> tensor<f32>
  return %y#0, %loss, %y#1, %y#2
      : tensor<4x3x2x2xf32>, tensor<f32>, tensor<3xf32>, tensor<3xf32>
}
