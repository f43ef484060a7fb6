// hostile-names.mlir with a model name that is no C identifier: refused with a located
// error (exe-hostile-names.test), since the C API is named after the model.
module {
  func.func @"not an*/identifier"(%arg0: tensor<2xf32> {nn.input = "in*/\n#error injected\n/*\"q\"\\??/"},
                     %arg1: tensor<2xf32> {nn.init = {dist = "uniform", high = 5.000000e-01 : f64, low = -5.000000e-01 : f64}, nn.param = "w\FF\FE"})
      -> (tensor<2xf32> {nn.output = "out\t*/??="}) {
    %0 = nn.mul %arg0, %arg1 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    return %0 : tensor<2xf32>
  }
}
