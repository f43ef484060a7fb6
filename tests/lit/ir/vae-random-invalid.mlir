// rand and randn draw floats of their operand's type from an i64 seed.
// RUN: netc-opt %s --split-input-file --verify-diagnostics

func.func @int_operand(%x: tensor<4xi32>, %seed: i64) {
  // expected-error @+1 {{operand #0 must be}}
  %0 = nn.randn %x, %seed : (tensor<4xi32>, i64) -> tensor<4xi32>
  return
}

// -----

func.func @i32_seed(%x: tensor<4xf32>, %seed: i32) {
  // expected-error @+1 {{operand #1 must be 64-bit signless integer}}
  %0 = nn.rand %x, %seed : (tensor<4xf32>, i32) -> tensor<4xf32>
  return
}
