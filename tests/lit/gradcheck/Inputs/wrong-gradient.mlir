// A hand-written train step of loss = mean(w * t) + mean(v * v) whose
// gradient of w is 2 * t / 6 instead of t / 6: --gradcheck must fail w and
// pass v.
func.func @wrong_train_step(%t: tensor<2x3xf64> {nn.input = "t"},
                            %w: tensor<2x3xf64> {nn.param = "w", nn.init = {dist = "uniform", low = -1.0 : f64, high = 1.0 : f64}},
                            %v: tensor<3xf64> {nn.param = "v", nn.init = {dist = "normal", mean = 0.0 : f64, std = 1.0 : f64}},
                            %seed: i64 {nn.seed})
    -> (tensor<f64> {nn.loss = "loss"}, tensor<2x3xf64> {nn.grad = "w"}, tensor<3xf64> {nn.grad = "v"})
    attributes {nn.train_step_of = "wrong"} {
  %wt = nn.mul %w, %t : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %a = nn.mean %wt : (tensor<2x3xf64>) -> tensor<f64>
  %vv = nn.mul %v, %v : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
  %b = nn.mean %vv : (tensor<3xf64>) -> tensor<f64>
  %loss = nn.add %a, %b : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %c = arith.constant dense<0.33333333333333331> : tensor<f64>
  %gw = nn.mul %t, %c : (tensor<2x3xf64>, tensor<f64>) -> tensor<2x3xf64>
  %c2 = arith.constant dense<0.66666666666666663> : tensor<f64>
  %gv = nn.mul %v, %c2 : (tensor<3xf64>, tensor<f64>) -> tensor<3xf64>
  return %loss, %gw, %gv : tensor<f64>, tensor<2x3xf64>, tensor<3xf64>
}
