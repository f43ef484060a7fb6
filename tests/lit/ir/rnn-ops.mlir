// The recurrence ops round-trip: print, parse the printed form, print again, same text.
// RUN: netc-opt %s | netc-opt | FileCheck %s
// RUN: netc-opt %s --mlir-print-op-generic | netc-opt | FileCheck %s

// CHECK-LABEL: func.func @lstm
func.func @lstm(%xg: tensor<8x2x64xf32>, %h0: tensor<2x16xf32>, %c0: tensor<2x16xf32>,
                %wt: tensor<16x64xf32>, %w: tensor<64x16xf32>) -> tensor<8x2x96xf32> {
  // CHECK: %[[S:.+]] = nn.lstm_scan %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : (tensor<8x2x64xf32>, tensor<2x16xf32>, tensor<2x16xf32>, tensor<16x64xf32>) -> tensor<8x2x96xf32>
  %s = nn.lstm_scan %xg, %h0, %c0, %wt
      : (tensor<8x2x64xf32>, tensor<2x16xf32>, tensor<2x16xf32>, tensor<16x64xf32>)
      -> tensor<8x2x96xf32>
  // CHECK: nn.lstm_scan_backward %[[S]], %[[S]], %{{.+}}, %{{.+}}, %{{.+}} : (tensor<8x2x96xf32>, tensor<8x2x96xf32>, tensor<2x16xf32>, tensor<2x16xf32>, tensor<64x16xf32>) -> tensor<8x2x96xf32>
  %d = nn.lstm_scan_backward %s, %s, %h0, %c0, %w
      : (tensor<8x2x96xf32>, tensor<8x2x96xf32>, tensor<2x16xf32>, tensor<2x16xf32>,
         tensor<64x16xf32>) -> tensor<8x2x96xf32>
  return %d : tensor<8x2x96xf32>
}

// CHECK-LABEL: func.func @gru
func.func @gru(%xg: tensor<8x2x48xf64>, %h0: tensor<2x16xf64>, %wt: tensor<16x48xf64>,
               %b: tensor<48xf64>, %w: tensor<48x16xf64>) -> tensor<8x2x112xf64> {
  // CHECK: %[[S:.+]] = nn.gru_scan %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : (tensor<8x2x48xf64>, tensor<2x16xf64>, tensor<16x48xf64>, tensor<48xf64>) -> tensor<8x2x64xf64>
  %s = nn.gru_scan %xg, %h0, %wt, %b
      : (tensor<8x2x48xf64>, tensor<2x16xf64>, tensor<16x48xf64>, tensor<48xf64>)
      -> tensor<8x2x64xf64>
  // CHECK: nn.gru_scan_backward %[[S]], %[[S]], %{{.+}}, %{{.+}}, %{{.+}} : (tensor<8x2x64xf64>, tensor<8x2x64xf64>, tensor<8x2x48xf64>, tensor<2x16xf64>, tensor<48x16xf64>) -> tensor<8x2x112xf64>
  %d = nn.gru_scan_backward %s, %s, %xg, %h0, %w
      : (tensor<8x2x64xf64>, tensor<8x2x64xf64>, tensor<8x2x48xf64>, tensor<2x16xf64>,
         tensor<48x16xf64>) -> tensor<8x2x112xf64>
  return %d : tensor<8x2x112xf64>
}
