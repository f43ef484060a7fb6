// The recurrence ops' verifiers reject bad IR with a message naming the shapes.
// RUN: netc-opt %s -split-input-file -verify-diagnostics

func.func @lstm_projection(%xg: tensor<8x2x30xf32>, %h0: tensor<2x16xf32>, %wt: tensor<16x64xf32>) {
  // expected-error @+1 {{lstm_scan expects a projection [T, B, 4 * H], got [8, 2, 30]}}
  %0 = nn.lstm_scan %xg, %h0, %h0, %wt
      : (tensor<8x2x30xf32>, tensor<2x16xf32>, tensor<2x16xf32>, tensor<16x64xf32>) -> tensor<8x2x96xf32>
  return
}

// -----

func.func @lstm_state(%xg: tensor<8x2x64xf32>, %h0: tensor<2x16xf32>, %c0: tensor<3x16xf32>,
                      %wt: tensor<16x64xf32>) {
  // expected-error @+1 {{lstm_scan expects a state of shape [2, 16], got [3, 16]}}
  %0 = nn.lstm_scan %xg, %h0, %c0, %wt
      : (tensor<8x2x64xf32>, tensor<2x16xf32>, tensor<3x16xf32>, tensor<16x64xf32>) -> tensor<8x2x96xf32>
  return
}

// -----

func.func @lstm_weight(%xg: tensor<8x2x64xf32>, %h0: tensor<2x16xf32>, %w: tensor<64x16xf32>) {
  // expected-error @+1 {{lstm_scan expects weight_t of shape [16, 64], got [64, 16]}}
  %0 = nn.lstm_scan %xg, %h0, %h0, %w
      : (tensor<8x2x64xf32>, tensor<2x16xf32>, tensor<2x16xf32>, tensor<64x16xf32>) -> tensor<8x2x96xf32>
  return
}

// -----

func.func @lstm_backward(%g: tensor<8x2x96xf32>, %s: tensor<8x2x90xf32>, %h0: tensor<2x16xf32>,
                         %w: tensor<64x16xf32>) {
  // expected-error @+1 {{lstm_scan_backward expects state of shape [8, 2, 96], got [8, 2, 90]}}
  %0 = nn.lstm_scan_backward %g, %s, %h0, %h0, %w
      : (tensor<8x2x96xf32>, tensor<8x2x90xf32>, tensor<2x16xf32>, tensor<2x16xf32>,
         tensor<64x16xf32>) -> tensor<8x2x96xf32>
  return
}

// -----

func.func @gru_bias(%xg: tensor<8x2x48xf32>, %h0: tensor<2x16xf32>, %wt: tensor<16x48xf32>,
                    %b: tensor<16xf32>) {
  // expected-error @+1 {{gru_scan expects bias_hh of shape [48], got [16]}}
  %0 = nn.gru_scan %xg, %h0, %wt, %b
      : (tensor<8x2x48xf32>, tensor<2x16xf32>, tensor<16x48xf32>, tensor<16xf32>) -> tensor<8x2x64xf32>
  return
}

// -----

func.func @gru_types(%xg: tensor<8x2x48xf32>, %h0: tensor<2x16xf64>, %wt: tensor<16x48xf32>,
                     %b: tensor<48xf32>) {
  // expected-error @+1 {{gru_scan}}
  %0 = nn.gru_scan %xg, %h0, %wt, %b
      : (tensor<8x2x48xf32>, tensor<2x16xf64>, tensor<16x48xf32>, tensor<48xf32>) -> tensor<8x2x64xf32>
  return
}

// -----

func.func @gru_backward(%g: tensor<8x2x64xf32>, %xg: tensor<8x2x40xf32>, %h0: tensor<2x16xf32>,
                        %w: tensor<48x16xf32>) {
  // expected-error @+1 {{gru_scan_backward expects xg of shape [8, 2, 48], got [8, 2, 40]}}
  %0 = nn.gru_scan_backward %g, %g, %xg, %h0, %w
      : (tensor<8x2x64xf32>, tensor<8x2x64xf32>, tensor<8x2x40xf32>, tensor<2x16xf32>,
         tensor<48x16xf32>) -> tensor<8x2x112xf32>
  return
}
