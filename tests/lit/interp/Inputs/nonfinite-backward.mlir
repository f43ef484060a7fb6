// Backward ops on NaN and infinities (tests/lit/interp/nonfinite.test); the
// values are in nonfinite-backward.json.
func.func @backward(%x: tensor<1x2x4xf32> {nn.input = "x"}, %g: tensor<1x1x2xf32> {nn.input = "g"},
                    %a: tensor<6xf32> {nn.input = "a"}, %ga: tensor<6xf32> {nn.input = "ga"},
                    %p: tensor<4xf32> {nn.input = "p"}, %y: tensor<4xf32> {nn.input = "y"},
                    %one: tensor<f32> {nn.input = "one"}, %z: tensor<2x3xf32> {nn.input = "z"},
                    %t: tensor<2xi64> {nn.input = "t"})
    -> (tensor<1x2x4xf32> {nn.output = "maxpool"}, tensor<6xf32> {nn.output = "relu"},
        tensor<6xf32> {nn.output = "leaky"}, tensor<4xf32> {nn.output = "bce"},
        tensor<2x3xf32> {nn.output = "xent"}) {
  %gx = nn.maxpool2d_backward %g, %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>}
      : (tensor<1x1x2xf32>, tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %relu = nn.leaky_relu_backward %ga, %a {slope = 0.0 : f64} : (tensor<6xf32>, tensor<6xf32>) -> tensor<6xf32>
  %leaky = nn.leaky_relu_backward %ga, %a {slope = 0.2 : f64} : (tensor<6xf32>, tensor<6xf32>) -> tensor<6xf32>
  %gp = nn.bce_backward %one, %p, %y : (tensor<f32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %gz = nn.cross_entropy_backward %one, %z, %t : (tensor<f32>, tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %gx, %relu, %leaky, %gp, %gz : tensor<1x2x4xf32>, tensor<6xf32>, tensor<6xf32>, tensor<4xf32>, tensor<2x3xf32>
}
