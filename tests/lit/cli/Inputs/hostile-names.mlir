// Tensor names that would inject code into generated C and C++ if copied
// unescaped: a comment terminator with a directive on its own line, quotes,
// a backslash, trigraphs, a tab, and a parameter name that is not UTF-8.
module {
  func.func @hostile(%arg0: tensor<2xf32> {nn.input = "in*/\n#error injected\n/*\"q\"\\??/"},
                     %arg1: tensor<2xf32> {nn.init = {dist = "uniform", high = 5.000000e-01 : f64, low = -5.000000e-01 : f64}, nn.param = "w\FF\FE"})
      -> (tensor<2xf32> {nn.output = "out\t*/??="}) {
    %0 = nn.mul %arg0, %arg1 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    return %0 : tensor<2xf32>
  }
}
