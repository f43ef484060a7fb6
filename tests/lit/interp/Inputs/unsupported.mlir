// An op the interpreter does not know, for errors.test.
func.func @m(%x: tensor<3xf32> {nn.input = "x"}) -> (tensor<3xf32> {nn.output = "y"}) {
  %y = arith.maximumf %x, %x : tensor<3xf32>
  return %y : tensor<3xf32>
}
