// nll_loss, kl_div, the composite losses and the metrics round-trip: print,
// parse the printed form, print again, same text.
// RUN: netc-opt %s | netc-opt | FileCheck %s
// RUN: netc-opt %s --mlir-print-op-generic | netc-opt | FileCheck %s

// CHECK-LABEL: func.func @losses
func.func @losses(%lp: tensor<8x5xf32>, %t: tensor<8xi64>, %g: tensor<f32>,
                  %y: tensor<4x3xf32>, %q: tensor<3xf32>, %m: tensor<2x1x4x4xf32>)
    -> (tensor<f32>, tensor<8x5xf32>, tensor<4x3xf32>, tensor<f32>, tensor<f32>, tensor<f32>,
        tensor<f32>, tensor<f32>, tensor<f32>) {
  // CHECK: nn.nll_loss %{{.+}}, %{{.+}} {ignore_index = 2 : i64, label_smoothing = 1.000000e-01 : f64} : (tensor<8x5xf32>, tensor<8xi64>) -> tensor<f32>
  %0 = nn.nll_loss %lp, %t {ignore_index = 2 : i64, label_smoothing = 0.1 : f64} : (tensor<8x5xf32>, tensor<8xi64>) -> tensor<f32>
  // CHECK: nn.nll_loss_backward %{{.+}}, %{{.+}}, %{{.+}} {ignore_index = 2 : i64} : (tensor<f32>, tensor<8x5xf32>, tensor<8xi64>) -> tensor<8x5xf32>
  %1 = nn.nll_loss_backward %g, %lp, %t {ignore_index = 2 : i64} : (tensor<f32>, tensor<8x5xf32>, tensor<8xi64>) -> tensor<8x5xf32>
  // CHECK: nn.kl_div %{{.+}}, %{{.+}} {log_target = true} : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %2 = nn.kl_div %y, %q {log_target = true} : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  // CHECK: nn.l1_loss %{{.+}}, %{{.+}} : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<f32>
  %3 = nn.l1_loss %y, %q : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<f32>
  // CHECK: nn.smooth_l1_loss %{{.+}}, %{{.+}} {beta = 5.000000e-01 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<f32>
  %4 = nn.smooth_l1_loss %y, %y {beta = 0.5 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<f32>
  // CHECK: nn.dice_loss %{{.+}}, %{{.+}} : (tensor<2x1x4x4xf32>, tensor<2x1x4x4xf32>) -> tensor<f32>
  %5 = nn.dice_loss %m, %m : (tensor<2x1x4x4xf32>, tensor<2x1x4x4xf32>) -> tensor<f32>
  // CHECK: nn.iou %{{.+}}, %{{.+}} : (tensor<2x1x4x4xf32>, tensor<2x1x4x4xf32>) -> tensor<f32>
  %6 = nn.iou %m, %m : (tensor<2x1x4x4xf32>, tensor<2x1x4x4xf32>) -> tensor<f32>
  // CHECK: nn.dice %{{.+}}, %{{.+}} : (tensor<2x1x4x4xf32>, tensor<2x1x4x4xf32>) -> tensor<f32>
  %7 = nn.dice %m, %m : (tensor<2x1x4x4xf32>, tensor<2x1x4x4xf32>) -> tensor<f32>
  // CHECK: nn.accuracy %{{.+}}, %{{.+}} : (tensor<8x5xf32>, tensor<8xi64>) -> tensor<f32>
  %8 = nn.accuracy %lp, %t : (tensor<8x5xf32>, tensor<8xi64>) -> tensor<f32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<f32>, tensor<8x5xf32>, tensor<4x3xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>
}
