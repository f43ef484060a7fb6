// The tensor ops round-trip: print, parse the printed form, print again, same text.
// RUN: netc-opt %s | netc-opt | FileCheck %s
// RUN: netc-opt %s --mlir-print-op-generic | netc-opt | FileCheck %s

// CHECK-LABEL: func.func @tensor_ops
func.func @tensor_ops(%x: tensor<2x3x4xf32>, %g: tensor<2x1x4xf32>, %h: tensor<2x3x2xf32>)
    -> tensor<2x3x4xf32> {
  // CHECK: nn.permute %{{.+}} {dims = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %p = nn.permute %x {dims = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  // CHECK: nn.max %{{.+}} {dim = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  %m = nn.max %x {dim = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  // CHECK: nn.min %{{.+}} {dim = -1 : i64, keepdim = true} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
  %n = nn.min %x {dim = -1 : i64, keepdim = true} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
  // CHECK: nn.argmax %{{.+}} {dim = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x4xi64>
  %i = nn.argmax %x {dim = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x4xi64>
  // CHECK: nn.argmin %{{.+}} {dim = 0 : i64, keepdim = true} : (tensor<2x3x4xf32>) -> tensor<1x3x4xi64>
  %j = nn.argmin %x {dim = 0 : i64, keepdim = true} : (tensor<2x3x4xf32>) -> tensor<1x3x4xi64>
  // CHECK: nn.logsumexp %{{.+}} {dim = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
  %l = nn.logsumexp %x {dim = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
  // CHECK: nn.triu %{{.+}} {diagonal = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %u = nn.triu %x {diagonal = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: nn.tril %{{.+}} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %d = nn.tril %u : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: nn.extremum_backward %{{.+}}, %{{.+}} {dim = 1 : i64, is_min = true} : (tensor<2x3x4xf32>, tensor<2x1x4xf32>) -> tensor<2x3x4xf32>
  %e = nn.extremum_backward %x, %g {dim = 1 : i64, is_min = true}
      : (tensor<2x3x4xf32>, tensor<2x1x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: nn.slice %{{.+}} {dim = 2 : i64, size = 2 : i64, start = 1 : i64, step = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x2xf32>
  %s = nn.slice %x {dim = 2 : i64, start = 1 : i64, size = 2 : i64, step = 2 : i64}
      : (tensor<2x3x4xf32>) -> tensor<2x3x2xf32>
  // CHECK: nn.slice_backward %{{.+}} {dim = 2 : i64, length = 4 : i64, start = 1 : i64, step = 2 : i64} : (tensor<2x3x2xf32>) -> tensor<2x3x4xf32>
  %b = nn.slice_backward %h {dim = 2 : i64, start = 1 : i64, step = 2 : i64, length = 4 : i64}
      : (tensor<2x3x2xf32>) -> tensor<2x3x4xf32>
  return %d : tensor<2x3x4xf32>
}
