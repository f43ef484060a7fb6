// A hand-written train step of loss = mean(relu(w) * t), w = 0 (every
// element at relu's corner, where the slope jumps from 0 to t / 6), whose
// gradient of w is -t / 6: outside both one-sided slopes, so --gradcheck
// must fail it rather than skip it as a kink.
func.func @wrongkink_train_step(%t: tensor<2x3xf64> {nn.input = "t"},
                                %w: tensor<2x3xf64> {nn.param = "w", nn.init = {dist = "constant", value = 0.0 : f64}},
                                %seed: i64 {nn.seed})
    -> (tensor<f64> {nn.loss = "loss"}, tensor<2x3xf64> {nn.grad = "w"})
    attributes {nn.train_step_of = "wrongkink"} {
  %r = nn.relu %w : (tensor<2x3xf64>) -> tensor<2x3xf64>
  %rt = nn.mul %r, %t : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %loss = nn.mean %rt : (tensor<2x3xf64>) -> tensor<f64>
  %c = arith.constant dense<-0.16666666666666666> : tensor<f64>
  %gw = nn.mul %t, %c : (tensor<2x3xf64>, tensor<f64>) -> tensor<2x3xf64>
  return %loss, %gw : tensor<f64>, tensor<2x3xf64>
}
