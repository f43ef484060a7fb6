// The ops of train steps and buffers round-trip, and their verifier rules reject bad IR.
// RUN: netc-opt %s --split-input-file | netc-opt --split-input-file | FileCheck %s
// RUN: netc-opt %S/Inputs/stateful-invalid.mlir --split-input-file --verify-diagnostics


// CHECK-LABEL: func.func @stateful
func.func @stateful(%x: tensor<4x3x5x5xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>,
                    %w: tensor<3xf32>, %b: tensor<3xf32>, %n: tensor<i64>, %s: tensor<2x3x7xf64>,
                    %sm: tensor<3xf64>, %sv: tensor<3xf64>)
    -> (tensor<4x3x5x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<i64>, tensor<2x3x7xf64>) {
  // CHECK: %[[Y:[^,]+]], %{{.+}}, %{{.+}} = nn.batch_norm %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {eps = 1.000000e-03 : f64} : (tensor<4x3x5x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3x5x5xf32>, tensor<3xf32>, tensor<3xf32>)
  %y:3 = nn.batch_norm %x, %m, %v, %w, %b {eps = 1.0e-03 : f64, momentum = 1.0e-01 : f64}
      : (tensor<4x3x5x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
      -> (tensor<4x3x5x5xf32>, tensor<3xf32>, tensor<3xf32>)
  // CHECK: nn.train_select %[[Y]], %{{.+}} : (tensor<4x3x5x5xf32>, tensor<4x3x5x5xf32>) -> tensor<4x3x5x5xf32>
  %t = nn.train_select %y#0, %x : (tensor<4x3x5x5xf32>, tensor<4x3x5x5xf32>) -> tensor<4x3x5x5xf32>
  // CHECK: nn.increment %{{.+}} {amount = 2 : i64} : (tensor<i64>) -> tensor<i64>
  %n1 = nn.increment %n {amount = 2 : i64} : (tensor<i64>) -> tensor<i64>
  // CHECK: nn.batch_norm %{{.+}}, %{{.+}}, %{{.+}} {momentum = 2.000000e-01 : f64} : (tensor<2x3x7xf64>, tensor<3xf64>, tensor<3xf64>) -> (tensor<2x3x7xf64>, tensor<3xf64>, tensor<3xf64>)
  %z:3 = nn.batch_norm %s, %sm, %sv {momentum = 2.0e-01 : f64}
      : (tensor<2x3x7xf64>, tensor<3xf64>, tensor<3xf64>) -> (tensor<2x3x7xf64>, tensor<3xf64>, tensor<3xf64>)
  return %t, %y#1, %y#2, %n1, %z#0 : tensor<4x3x5x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<i64>, tensor<2x3x7xf64>
}

// CHECK-LABEL: func.func @collective
func.func @collective(%x: tensor<4x3x5x5xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>)
    -> (tensor<4x3x5x5xf32>, tensor<1x3x1x1xf64>, tensor<f32>) {
  // CHECK: nn.batch_norm %{{.+}}, %{{.+}}, %{{.+}} {sync = true} : (tensor<4x3x5x5xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3x5x5xf32>, tensor<3xf32>, tensor<3xf32>)
  %y:3 = nn.batch_norm %x, %m, %v {sync = true}
      : (tensor<4x3x5x5xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3x5x5xf32>, tensor<3xf32>, tensor<3xf32>)
  %s = arith.constant dense<1.0> : tensor<1x3x1x1xf64>
  // CHECK: nn.replica_mean %{{.+}} : (tensor<1x3x1x1xf64>) -> tensor<1x3x1x1xf64>
  %r = nn.replica_mean %s : (tensor<1x3x1x1xf64>) -> tensor<1x3x1x1xf64>
  // CHECK: nn.replica_count {{.*}}element_type = f32} : () -> tensor<f32>
  %n = nn.replica_count {element_type = f32} : () -> tensor<f32>
  return %y#0, %r, %n : tensor<4x3x5x5xf32>, tensor<1x3x1x1xf64>, tensor<f32>
}
