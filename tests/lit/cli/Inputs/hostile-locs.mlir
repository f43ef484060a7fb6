// A valid model whose op location names hold what would break JSON, SVG and dot: a
// quote, a backslash, a newline, markup, and a byte that is not UTF-8. The verifier
// does not look at locations; every text writer escapes them.
func.func @m(%arg0: tensor<1x1x8x8xf32> {nn.input = "x"}, %arg1: tensor<1x1x3x3xf32> {nn.param = "c.weight"}, %arg2: tensor<1xf32> {nn.param = "c.bias"}) -> (tensor<1x1x6x6xf32> {nn.output = "y"}) {
  %0 = nn.conv2d %arg0, %arg1, %arg2 : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>, tensor<1xf32>) -> tensor<1x1x6x6xf32> loc("q\22];\5C\0A<script>&'\FF"("m.net":3:7))
  %1 = nn.relu %0 : (tensor<1x1x6x6xf32>) -> tensor<1x1x6x6xf32> loc("y"("m.net":4:14))
  return %1 : tensor<1x1x6x6xf32>
}
