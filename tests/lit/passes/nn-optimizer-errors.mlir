// Adam keeps one step count for all parameters, so they must share an element type.
// RUN: netc-opt %s --nn-autodiff --nn-optimizer --verify-diagnostics

// expected-error @+1 {{adam keeps one step count, so it expects parameters of one element type, got 'f32' for 'a' and 'f64' for 'b'}}
func.func @mixed(%a: tensor<2xf32> {nn.param = "a"}, %b: tensor<2xf64> {nn.param = "b"})
    -> (tensor<f32> {nn.loss = "loss"})
    attributes {nn.optimizer = {kind = "adam", lr = 1.000000e-03 : f64, beta1 = 9.000000e-01 : f64,
                                beta2 = 9.990000e-01 : f64, eps = 1.000000e-08 : f64,
                                weight_decay = 0.000000e+00 : f64}} {
  %0 = nn.sqnorm %a : (tensor<2xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
