// The backward ops (and dropout with a seed) on the interpreter against
// PyTorch's autograd. Each function is one --model; its arguments are seeded
// inputs (U(-1, 1), or U(0, 1) for bce operands; indices below the table or
// class count).
// RUN: netc %s --model=conv --run --dump=%t.1.json
// RUN: netc %s --model=maxpool --run --dump=%t.2.json
// RUN: netc %s --model=avgpool --run --dump=%t.3.json
// RUN: netc %s --model=embedding --run --dump=%t.4.json
// RUN: netc %s --model=elementwise --run --dump=%t.5.json
// RUN: netc %s --model=losses --run --dump=%t.6.json
// RUN: netc %s --model=plumbing --run --dump=%t.7.json
// RUN: netc %s --model=dropout --run --seed=5 --dump=%t.8.json
// RUN: %torch_python %S/Inputs/compare.py --from %s \
// RUN:   conv=%t.1.json maxpool=%t.2.json avgpool=%t.3.json \
// RUN:   embedding=%t.4.json elementwise=%t.5.json losses=%t.6.json \
// RUN:   plumbing=%t.7.json dropout=%t.8.json

// Grouped, strided, dilated, asymmetrically padded; stride 2 leaves the last
// input row unread, so its gradient is zero.
// TORCH conv: xx = x.clone().requires_grad_(); ww = w.clone().requires_grad_()
// TORCH conv: y = F.conv2d(pad4(xx, [1, 0, 2, 1]), ww, stride=(2, 1), dilation=(1, 2), groups=2)
// TORCH conv: gx, gw = torch.autograd.grad(y, (xx, ww), g)
func.func @conv(%x: tensor<2x4x7x6xf32> {nn.input = "x"}, %w: tensor<6x2x3x2xf32> {nn.input = "w"},
                %g: tensor<2x6x3x7xf32> {nn.input = "g"})
    -> (tensor<2x4x7x6xf32> {nn.output = "gx"}, tensor<6x2x3x2xf32> {nn.output = "gw"}) {
  %gx = nn.conv2d_backward_input %g, %w {input_shape = array<i64: 2, 4, 7, 6>,
      stride = array<i64: 2, 1>, padding = array<i64: 1, 0, 2, 1>, dilation = array<i64: 1, 2>,
      groups = 2 : i64} : (tensor<2x6x3x7xf32>, tensor<6x2x3x2xf32>) -> tensor<2x4x7x6xf32>
  %gw = nn.conv2d_backward_filter %x, %g {kernel = array<i64: 3, 2>,
      stride = array<i64: 2, 1>, padding = array<i64: 1, 0, 2, 1>, dilation = array<i64: 1, 2>,
      groups = 2 : i64} : (tensor<2x4x7x6xf32>, tensor<2x6x3x7xf32>) -> tensor<6x2x3x2xf32>
  return %gx, %gw : tensor<2x4x7x6xf32>, tensor<6x2x3x2xf32>
}

// Overlapping padded windows (gradients add up), and ceil mode.
// TORCH maxpool: xx = x.clone().requires_grad_()
// TORCH maxpool: gx, = torch.autograd.grad(F.max_pool2d(xx, 3, 2, 1), xx, g)
// TORCH maxpool: vv = v.clone().requires_grad_()
// TORCH maxpool: gv, = torch.autograd.grad(F.max_pool2d(vv, (2, 3), 2, ceil_mode=True), vv, h)
func.func @maxpool(%x: tensor<2x3x7x7xf64> {nn.input = "x"}, %g: tensor<2x3x4x4xf64> {nn.input = "g"},
                   %v: tensor<1x2x5x8xf32> {nn.input = "v"}, %h: tensor<1x2x3x4xf32> {nn.input = "h"})
    -> (tensor<2x3x7x7xf64> {nn.output = "gx"}, tensor<1x2x5x8xf32> {nn.output = "gv"}) {
  %gx = nn.maxpool2d_backward %g, %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>,
      padding = array<i64: 1, 1, 1, 1>} : (tensor<2x3x4x4xf64>, tensor<2x3x7x7xf64>) -> tensor<2x3x7x7xf64>
  %gv = nn.maxpool2d_backward %h, %v {kernel = array<i64: 2, 3>, stride = array<i64: 2, 2>,
      ceil_mode = true} : (tensor<1x2x3x4xf32>, tensor<1x2x5x8xf32>) -> tensor<1x2x5x8xf32>
  return %gx, %gv : tensor<2x3x7x7xf64>, tensor<1x2x5x8xf32>
}

// Ceil mode with and without counting the padding.
// TORCH avgpool: xx = x.clone().requires_grad_()
// TORCH avgpool: ga, = torch.autograd.grad(F.avg_pool2d(xx, 3, 2, 1, ceil_mode=True), xx, g)
// TORCH avgpool: gb, = torch.autograd.grad(F.avg_pool2d(xx, 3, 2, 1, ceil_mode=True, count_include_pad=False), xx, g)
func.func @avgpool(%x: tensor<1x2x6x5xf32> {nn.input = "x"}, %g: tensor<1x2x4x3xf32> {nn.input = "g"})
    -> (tensor<1x2x6x5xf32> {nn.output = "ga"}, tensor<1x2x6x5xf32> {nn.output = "gb"}) {
  %ga = nn.avgpool2d_backward %g, %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>,
      padding = array<i64: 1, 1, 1, 1>, ceil_mode = true}
      : (tensor<1x2x4x3xf32>, tensor<1x2x6x5xf32>) -> tensor<1x2x6x5xf32>
  %gb = nn.avgpool2d_backward %g, %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>,
      padding = array<i64: 1, 1, 1, 1>, ceil_mode = true, count_include_pad = false}
      : (tensor<1x2x4x3xf32>, tensor<1x2x6x5xf32>) -> tensor<1x2x6x5xf32>
  return %ga, %gb : tensor<1x2x6x5xf32>, tensor<1x2x6x5xf32>
}

// Twelve indices below 6 repeat, so rows accumulate.
// TORCH embedding: gw = torch.zeros(6, 5).index_add_(0, idx.flatten(), g.reshape(-1, 5))
// TORCH embedding: assert len(set(idx.flatten().tolist())) < 12
func.func @embedding(%idx: tensor<3x4xi64> {nn.input = "idx"}, %g: tensor<3x4x5xf32> {nn.input = "g"})
    -> (tensor<6x5xf32> {nn.output = "gw"}) {
  %gw = nn.embedding_backward %g, %idx {num = 6 : i64} : (tensor<3x4x5xf32>, tensor<3x4xi64>) -> tensor<6x5xf32>
  return %gw : tensor<6x5xf32>
}

// TORCH elementwise: relu = torch.where(x > 0, g, torch.zeros_like(g))
// TORCH elementwise: leaky = torch.where(x > 0, g, 0.2 * g)
func.func @elementwise(%x: tensor<4x5xf32> {nn.input = "x"}, %g: tensor<4x5xf32> {nn.input = "g"})
    -> (tensor<4x5xf32> {nn.output = "relu"}, tensor<4x5xf32> {nn.output = "leaky"}) {
  %relu = nn.leaky_relu_backward %g, %x {slope = 0.0 : f64} : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  %leaky = nn.leaky_relu_backward %g, %x {slope = 0.2 : f64} : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  return %relu, %leaky : tensor<4x5xf32>, tensor<4x5xf32>
}

// bce and cross_entropy gradients for a loss gradient g != 1, and the
// unbatched cross_entropy ([C] logits, 0-d target) forward and backward.
// TORCH losses: pp = p.clone().requires_grad_()
// TORCH losses: gp, = torch.autograd.grad(F.binary_cross_entropy(pp, y), pp, g)
// TORCH losses: zz = z.clone().requires_grad_()
// TORCH losses: gz, = torch.autograd.grad(F.cross_entropy(zz, t), zz, g)
// TORCH losses: uu = u.clone().requires_grad_(); ce1 = F.cross_entropy(uu, c)
// TORCH losses: gu, = torch.autograd.grad(ce1, uu, g)
func.func @losses(%g: tensor<f64> {nn.input = "g"}, %p: tensor<3x4xf64> {nn.input = "p"},
                  %y: tensor<3x4xf64> {nn.input = "y"}, %z: tensor<4x5x2xf64> {nn.input = "z"},
                  %t: tensor<4x2xi64> {nn.input = "t"}, %u: tensor<7xf64> {nn.input = "u"},
                  %c: tensor<i64> {nn.input = "c"})
    -> (tensor<3x4xf64> {nn.output = "gp"}, tensor<4x5x2xf64> {nn.output = "gz"},
        tensor<f64> {nn.output = "ce1"}, tensor<7xf64> {nn.output = "gu"}) {
  %gp = nn.bce_backward %g, %p, %y : (tensor<f64>, tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %gz = nn.cross_entropy_backward %g, %z, %t : (tensor<f64>, tensor<4x5x2xf64>, tensor<4x2xi64>) -> tensor<4x5x2xf64>
  %ce1 = nn.cross_entropy %u, %c : (tensor<7xf64>, tensor<i64>) -> tensor<f64>
  %gu = nn.cross_entropy_backward %g, %u, %c : (tensor<f64>, tensor<7xf64>, tensor<i64>) -> tensor<7xf64>
  return %gp, %gz, %ce1, %gu : tensor<3x4xf64>, tensor<4x5x2xf64>, tensor<f64>, tensor<7xf64>
}

// TORCH plumbing: s = x.sum((0, 2)).reshape(3, 1); b = v.expand(2, 3, 4); sl = w[:, 1:4]
func.func @plumbing(%x: tensor<2x3x4xf32> {nn.input = "x"}, %v: tensor<3x1xf32> {nn.input = "v"},
                    %w: tensor<2x5x3xf32> {nn.input = "w"})
    -> (tensor<3x1xf32> {nn.output = "s"}, tensor<2x3x4xf32> {nn.output = "b"},
        tensor<2x3x3xf32> {nn.output = "sl"}) {
  %s = nn.sum_to %x {shape = array<i64: 3, 1>} : (tensor<2x3x4xf32>) -> tensor<3x1xf32>
  %b = nn.broadcast_to %v {shape = array<i64: 2, 3, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %sl = nn.slice %w {dim = 1 : i64, start = 1 : i64, size = 3 : i64} : (tensor<2x5x3xf32>) -> tensor<2x3x3xf32>
  return %s, %b, %sl : tensor<3x1xf32>, tensor<2x3x4xf32>, tensor<2x3x3xf32>
}

// The mask rule of runtime/DropoutMask.h, re-implemented in compare.py: the
// same seed gives the same mask, a seed from arith.addi another one; the
// share of kept elements is close to 1 - p.
// TORCH dropout: y = dropout(x, seed, 0.3); y2 = dropout(x, seed + 12345, 0.3)
// TORCH dropout: z = dropout(x * 2, seed, 0.3); assert (y == 0).eq(z == 0).all()
// TORCH dropout: assert abs((y != 0).double().mean().item() - 0.7) < 0.05
// TORCH dropout: assert not torch.equal(y, y2)
func.func @dropout(%x: tensor<20x30xf32> {nn.input = "x"}, %seed: i64 {nn.seed})
    -> (tensor<20x30xf32> {nn.output = "y"}, tensor<20x30xf32> {nn.output = "y2"},
        tensor<20x30xf32> {nn.output = "z"}) {
  %c = arith.constant 12345 : i64
  %s2 = arith.addi %seed, %c : i64
  %y = nn.dropout %x, %seed {p = 3.000000e-01 : f64} : (tensor<20x30xf32>, i64) -> tensor<20x30xf32>
  %y2 = nn.dropout %x, %s2 {p = 3.000000e-01 : f64} : (tensor<20x30xf32>, i64) -> tensor<20x30xf32>
  %cst = arith.constant dense<2.0> : tensor<f32>
  %x2 = nn.mul %x, %cst : (tensor<20x30xf32>, tensor<f32>) -> tensor<20x30xf32>
  %z = nn.dropout %x2, %seed {p = 3.000000e-01 : f64} : (tensor<20x30xf32>, i64) -> tensor<20x30xf32>
  return %y, %y2, %z : tensor<20x30xf32>, tensor<20x30xf32>, tensor<20x30xf32>
}
