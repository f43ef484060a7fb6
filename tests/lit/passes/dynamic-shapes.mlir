// A .mlir input may carry dynamic sizes (`?`); nn ops need static shapes, and the error
// says so instead of printing the size as INT64_MIN and calling it negative.
// RUN: not netc %s --emit=grad 2>&1 | FileCheck %s
// RUN: not netc %s --emit=stats 2>&1 | FileCheck %s
// CHECK: dynamic-shapes.mlir:[[@LINE+4]]:10: error: conv2d input [?, 1, 28, 28] has a dynamic dimension; nn ops need static shapes
// CHECK-NOT: -9223372036854775808
module {
  func.func @m(%x: tensor<?x1x28x28xf32> {nn.input = "image"}, %w: tensor<6x1x5x5xf32> {nn.param = "w"}) -> (tensor<?x6x24x24xf32> {nn.output = "y"}) {
    %0 = nn.conv2d %x, %w : (tensor<?x1x28x28xf32>, tensor<6x1x5x5xf32>) -> tensor<?x6x24x24xf32>
    return %0 : tensor<?x6x24x24xf32>
  }
}
