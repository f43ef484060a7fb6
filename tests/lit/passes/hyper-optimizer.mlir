// nn-optimizer makes the hyperparameters run-time arguments of the train step: 0-d f64
// tensors marked nn.hyper with their compiled values in nn.value, after the seed and
// before the optimizer state. Scalar formulas are computed in f64 and cast to the
// parameter's element type where they meet tensors.
// RUN: netc-opt %s --nn-autodiff --nn-optimizer | FileCheck %s

func.func @sgd(%x: tensor<4xf32> {nn.input = "x"}, %w: tensor<4xf32> {nn.param = "w"})
    -> (tensor<f32> {nn.loss = "loss"})
    attributes {nn.optimizer = {kind = "sgd", lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64,
                                nesterov = false, weight_decay = 0.000000e+00 : f64}} {
  %0 = nn.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.sum %0 : (tensor<4xf32>) -> tensor<f32>
  return %1 : tensor<f32>
}

func.func @plain(%x: tensor<4xf64> {nn.input = "x"}, %w: tensor<4xf64> {nn.param = "w"})
    -> (tensor<f64> {nn.loss = "loss"})
    attributes {nn.optimizer = {kind = "sgd", lr = 5.000000e-02 : f64}} {
  %0 = nn.mul %x, %w : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
  %1 = nn.sum %0 : (tensor<4xf64>) -> tensor<f64>
  return %1 : tensor<f64>
}

func.func @adam(%x: tensor<4xf32> {nn.input = "x"}, %w: tensor<4xf32> {nn.param = "w"})
    -> (tensor<f32> {nn.loss = "loss"})
    attributes {nn.optimizer = {kind = "adamw", lr = 1.000000e-02 : f64, beta1 = 8.000000e-01 : f64}} {
  %0 = nn.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.sum %0 : (tensor<4xf32>) -> tensor<f32>
  return %1 : tensor<f32>
}

func.func @rms(%x: tensor<4xf32> {nn.input = "x"}, %w: tensor<4xf32> {nn.param = "w"})
    -> (tensor<f32> {nn.loss = "loss"})
    attributes {nn.optimizer = {kind = "rmsprop", lr = 1.000000e-02 : f64}} {
  %0 = nn.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.sum %0 : (tensor<4xf32>) -> tensor<f32>
  return %1 : tensor<f32>
}
