// A model name the name rule allows but C does not: the C API is named after the model,
// so it must be an identifier (exe-hostile-names.test).
module {
  func.func @"mlp.v1-b"(%arg0: tensor<2xf32> {nn.input = "x"},
                        %arg1: tensor<2xf32> {nn.init = {dist = "uniform", high = 5.000000e-01 : f64, low = -5.000000e-01 : f64}, nn.param = "w"})
      -> (tensor<2xf32> {nn.output = "y"}) {
    %0 = nn.mul %arg0, %arg1 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    return %0 : tensor<2xf32>
  }
}
