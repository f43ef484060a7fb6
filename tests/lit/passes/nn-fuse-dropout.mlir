// nn-fuse-dropout: a chain of dropouts whose links have no other use becomes one dropout with
// q = 1 - (1 - p1)(1 - p2)...; p = 0 dropouts vanish; the fused op keeps every location.
// RUN: netc-opt %s --nn-fuse-dropout --split-input-file --mlir-print-debuginfo \
// RUN:   --mlir-print-local-scope | FileCheck %s

// Two: 1 - (1 - 0.1)(1 - 0.2) = 1 - 0.9 * 0.8 = 1 - 0.72 = 0.28.
// CHECK-LABEL: func.func @chain2
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<8xf32>
// CHECK-NEXT: %[[D:.+]] = nn.dropout %[[X]] {p = 2.800000e-01 : f64}
// CHECK-SAME: loc(fused["h"("m.net":5:7), "y"("m.net":6:14)])
// CHECK-NEXT: return %[[D]]
func.func @chain2(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = nn.dropout %x {p = 0.1 : f64} : (tensor<8xf32>) -> tensor<8xf32> loc("h"("m.net":5:7))
  %1 = nn.dropout %0 {p = 0.2 : f64} : (tensor<8xf32>) -> tensor<8xf32> loc("y"("m.net":6:14))
  return %1 : tensor<8xf32>
}

// -----

// Three: 1 - (1 - 0.1)(1 - 0.2)(1 - 0.5) = 1 - 0.72 * 0.5 = 1 - 0.36 = 0.64, one FusedLoc of all
// three locations (not a fused location nested in another).
// CHECK-LABEL: func.func @chain3
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x4xf32>
// CHECK-NEXT: %[[D:.+]] = nn.dropout %[[X]] {p = 6.400000e-01 : f64}
// CHECK-SAME: loc(fused["a"("m.net":1:1), "b"("m.net":2:1), "c"("m.net":3:1)])
// CHECK-NEXT: return %[[D]]
func.func @chain3(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = nn.dropout %x {p = 0.1 : f64} : (tensor<2x4xf32>) -> tensor<2x4xf32> loc("a"("m.net":1:1))
  %1 = nn.dropout %0 {p = 0.2 : f64} : (tensor<2x4xf32>) -> tensor<2x4xf32> loc("b"("m.net":2:1))
  %2 = nn.dropout %1 {p = 0.5 : f64} : (tensor<2x4xf32>) -> tensor<2x4xf32> loc("c"("m.net":3:1))
  return %2 : tensor<2x4xf32>
}

// -----

// Values that are not round. Keep probabilities 0.85, 0.65 and 0.95:
// 0.85 * 0.65 = 0.5525; 0.5525 * 0.95 = 0.524875; q = 1 - 0.524875 = 0.475125.
// CHECK-LABEL: func.func @uneven3
// CHECK-NEXT: nn.dropout %{{.+}} {p = 4.751250e-01 : f64}
// CHECK-NEXT: return
func.func @uneven3(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = nn.dropout %x {p = 0.15 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  %1 = nn.dropout %0 {p = 0.35 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  %2 = nn.dropout %1 {p = 0.05 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  return %2 : tensor<8xf32>
}

// -----

// Keep probabilities 0.88 and 0.66: 0.88 * 0.66 = 0.5808; q = 1 - 0.5808 = 0.4192.
// CHECK-LABEL: func.func @uneven2
// CHECK-NEXT: nn.dropout %{{.+}} {p = 4.192000e-01 : f64}
// CHECK-NEXT: return
func.func @uneven2(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = nn.dropout %x {p = 0.12 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  %1 = nn.dropout %0 {p = 0.34 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  return %1 : tensor<8xf32>
}

// -----

// The first dropout's value is also returned: it must keep its own mask, so nothing fuses.
// CHECK-LABEL: func.func @branch_returned
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<8xf32>
// CHECK-NEXT: %[[A:.+]] = nn.dropout %[[X]] {p = 1.000000e-01 : f64}
// CHECK-NEXT: %[[B:.+]] = nn.dropout %[[A]] {p = 2.000000e-01 : f64}
// CHECK-NEXT: return %[[A]], %[[B]]
func.func @branch_returned(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %0 = nn.dropout %x {p = 0.1 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  %1 = nn.dropout %0 {p = 0.2 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  return %0, %1 : tensor<8xf32>, tensor<8xf32>
}

// -----

// One dropout feeding two dropouts: no chain.
// CHECK-LABEL: func.func @fork
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<8xf32>
// CHECK-NEXT: %[[A:.+]] = nn.dropout %[[X]] {p = 1.000000e-01 : f64}
// CHECK-NEXT: nn.dropout %[[A]] {p = 2.000000e-01 : f64}
// CHECK-NEXT: nn.dropout %[[A]] {p = 3.000000e-01 : f64}
func.func @fork(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %0 = nn.dropout %x {p = 0.1 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  %1 = nn.dropout %0 {p = 0.2 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  %2 = nn.dropout %0 {p = 0.3 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  return %1, %2 : tensor<8xf32>, tensor<8xf32>
}

// -----

// A branch in the middle of a chain of three: the first two fuse (0.28), the third reads a value
// that is also returned and stays alone.
// CHECK-LABEL: func.func @branch_middle
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<8xf32>
// CHECK-NEXT: %[[A:.+]] = nn.dropout %[[X]] {p = 2.800000e-01 : f64}
// CHECK-NEXT: %[[B:.+]] = nn.dropout %[[A]] {p = 5.000000e-01 : f64}
// CHECK-NEXT: return %[[A]], %[[B]]
func.func @branch_middle(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %0 = nn.dropout %x {p = 0.1 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  %1 = nn.dropout %0 {p = 0.2 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  %2 = nn.dropout %1 {p = 0.5 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  return %1, %2 : tensor<8xf32>, tensor<8xf32>
}

// -----

// An op between two dropouts breaks the chain.
// CHECK-LABEL: func.func @separated
// CHECK: nn.dropout %{{.+}} {p = 1.000000e-01 : f64}
// CHECK: nn.relu
// CHECK: nn.dropout %{{.+}} {p = 2.000000e-01 : f64}
func.func @separated(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = nn.dropout %x {p = 0.1 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  %1 = nn.relu %0 : (tensor<8xf32>) -> tensor<8xf32>
  %2 = nn.dropout %1 {p = 0.2 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  return %2 : tensor<8xf32>
}

// -----

// p = 0 vanishes, alone or inside a chain, whose other links then fuse (0.28).
// CHECK-LABEL: func.func @zero
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<8xf32>
// CHECK-NEXT: %[[D:.+]] = nn.dropout %[[X]] {p = 2.800000e-01 : f64}
// CHECK-NEXT: return %[[X]], %[[D]]
func.func @zero(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %0 = nn.dropout %x {p = 0.0 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  %1 = nn.dropout %x {p = 0.1 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  %2 = nn.dropout %1 {p = 0.0 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  %3 = nn.dropout %2 {p = 0.2 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  return %0, %3 : tensor<8xf32>, tensor<8xf32>
}

// -----

// Training form with one seed for both: they fuse and keep that seed.
// CHECK-LABEL: func.func @same_seed
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<8xf32> {{.+}}, %[[S:[a-z0-9]+]]: i64
// CHECK-NEXT: %[[D:.+]] = nn.dropout %[[X]], %[[S]] {p = 2.800000e-01 : f64}
// CHECK-NEXT: return %[[D]]
func.func @same_seed(%x: tensor<8xf32>, %seed: i64) -> tensor<8xf32> {
  %0 = nn.dropout %x, %seed {p = 0.1 : f64} : (tensor<8xf32>, i64) -> tensor<8xf32>
  %1 = nn.dropout %0, %seed {p = 0.2 : f64} : (tensor<8xf32>, i64) -> tensor<8xf32>
  return %1 : tensor<8xf32>
}

// -----

// Different seeds, or a seed on one side only: no fusion.
// CHECK-LABEL: func.func @other_seeds
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<8xf32> {{.+}}, %[[S:[a-z0-9]+]]: i64 {{.+}},
// CHECK-SAME: %[[T:[a-z0-9]+]]: i64
// CHECK-NEXT: %[[A:.+]] = nn.dropout %[[X]], %[[S]] {p = 1.000000e-01 : f64}
// CHECK-NEXT: %[[B:.+]] = nn.dropout %[[A]], %[[T]] {p = 2.000000e-01 : f64}
// CHECK-NEXT: %[[C:.+]] = nn.dropout %[[B]] {p = 3.000000e-01 : f64}
// CHECK-NEXT: return %[[C]]
func.func @other_seeds(%x: tensor<8xf32>, %s: i64, %t: i64) -> tensor<8xf32> {
  %0 = nn.dropout %x, %s {p = 0.1 : f64} : (tensor<8xf32>, i64) -> tensor<8xf32>
  %1 = nn.dropout %0, %t {p = 0.2 : f64} : (tensor<8xf32>, i64) -> tensor<8xf32>
  %2 = nn.dropout %1 {p = 0.3 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  return %2 : tensor<8xf32>
}

// -----

// Near 1. Keep probabilities 1e-8 and 1e-8 give q = 1 - 1e-16, whose nearest double is
// 1 - 2^-53 = 0.99999999999999989 (1.1e-17 away, 1.0 is 1e-16 away): they fuse. Keep
// probabilities 1e-10 and 1e-10 give 1 - 1e-20, which rounds to 1, no dropout: they stay.
// CHECK-LABEL: func.func @near_one
// CHECK-NEXT: nn.dropout %{{.+}} {p = 0.99999999999999988{{[0-9]*}} : f64}
// CHECK-NEXT: nn.dropout %{{.+}} {p = 0.9999999998{{[0-9]*}} : f64}
// CHECK-NEXT: nn.dropout %{{.+}} {p = 0.9999999998{{[0-9]*}} : f64}
// CHECK-NEXT: return
func.func @near_one(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %0 = nn.dropout %x {p = 0.99999999 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  %1 = nn.dropout %0 {p = 0.99999999 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  %2 = nn.dropout %x {p = 0.9999999999 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  %3 = nn.dropout %2 {p = 0.9999999999 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  return %1, %3 : tensor<8xf32>, tensor<8xf32>
}
