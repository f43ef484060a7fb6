//===- Winograd.cpp - 3x3 stride-1 convolution by Winograd's minimal filtering ===//
//
// F(m x m, 3 x 3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural
// Networks", 2016): each m x m output tile is A^T [(G g G^T) * (B^T d B)] A,
// with d the (m + 2) x (m + 2) input tile and g the 3x3 kernel. Summed over
// the input channels, the elementwise products become (m + 2)^2 independent
// matrix products M[xi, nu] = U[xi, nu] V[xi, nu] of the transformed weights
// and input tiles: 16 multiply-adds per 4 outputs (m = 2) or 36 per 16
// (m = 4) where the direct convolution does 9 per output.
//
// The Funcs:
//   Ug(c, k, b, xi)          = sum_a G[xi][a] g[k, c, a, b]
//   U(c, k, nu, xi)          = sum_b G[nu][b] Ug(c, k, b, xi)
//   Vt(tx, ty, c, b, xi, B, n) = sum_a BT[xi][a] d(n, c, (B R + ty) m + a - pt, tx m + b - pl)
//   V(tx, ty, c, nu, xi, B, n) = sum_b BT[nu][b] Vt(tx, ty, c, b, xi, B, n)
//   M(t, k, nu, xi, B, n)     += U(r, k, nu, xi) V(t % tilesX, t / tilesX, r, nu, xi, B, n)
//   f(x, y, k, n)              = bias[k] + sum_{xi, nu} AT[y % m][xi] AT[x % m][nu]
//                                M(((y / m) % R) tilesX + x / m, k, nu, xi, (y / m) / R, n)
// The tiles come in blocks B of R rows of tiles, which the schedule runs one
// at a time on a core (the transformed inputs, products and outputs of a
// block stay in its cache). Within a block the product runs over the tiles
// flattened (t = ty tilesX + tx), so that its vectors are full however few
// tiles a row has; V is stored with tx innermost and tilesX per row, its rows
// counted from the block's first, so that reading it at flattened t is a
// dense load. Coefficients are selects over the tile positions, which schedules
// unroll into constants. Ragged edges read zeros past the input and compute
// outputs past the result that nothing stores.
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen {

namespace {

/// The transforms of F(m x m, 3 x 3) for m = 2 and m = 4, as Lavin and Gray
/// give them (interpolation points 0, +-1 and 0, +-1, +-2, infinity).
struct WinogradMatrices {
  std::vector<std::vector<double>> bt, g, at;
};

const WinogradMatrices &matrices(int m) {
  static const WinogradMatrices f2{
      {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}},
      {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}},
      {{1, 1, 1, 0}, {0, 1, -1, -1}}};
  static const WinogradMatrices f4{
      {{4, 0, -5, 0, 1, 0},
       {0, -4, -4, 1, 1, 0},
       {0, 4, -4, -1, 1, 0},
       {0, -2, -1, 2, 1, 0},
       {0, 2, -1, -2, 1, 0},
       {0, 4, 0, -5, 0, 1}},
      {{1.0 / 4, 0, 0},
       {-1.0 / 6, -1.0 / 6, -1.0 / 6},
       {-1.0 / 6, 1.0 / 6, -1.0 / 6},
       {1.0 / 24, 1.0 / 12, 1.0 / 6},
       {1.0 / 24, -1.0 / 12, 1.0 / 6},
       {0, 0, 1}},
      {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}}};
  return m == 2 ? f2 : f4;
}

/// table[row][col] for a row chosen at run time: a select over the rows,
/// which folds to the constant once `row` is unrolled.
Expr coefficient(const std::vector<std::vector<double>> &table, Expr row, int col,
                 Halide::Type type) {
  int rows = static_cast<int>(table.size());
  Expr e = make_const(type, table[rows - 1][col]);
  for (int r = rows - 2; r >= 0; --r)
    e = select(row == r, make_const(type, table[r][col]), e);
  return e;
}

/// sum_j table[row][j] * term(j) over the columns whose coefficient is not
/// zero for some row (a zero column contributes nothing anywhere).
Expr combination(const std::vector<std::vector<double>> &table, Expr row,
                 const std::function<Expr(int)> &term, Halide::Type type) {
  Expr sum;
  for (size_t j = 0; j < table[0].size(); ++j) {
    bool used = false;
    for (const std::vector<double> &r : table)
      used |= r[j] != 0;
    if (!used)
      continue;
    Expr product = coefficient(table, row, static_cast<int>(j), type) * term(static_cast<int>(j));
    sum = sum.defined() ? sum + product : product;
  }
  return sum;
}

/// `args` with the batch Var appended when there is one.
std::vector<Expr> withBatch(std::vector<Expr> args, const std::optional<Var> &n) {
  if (n)
    args.push_back(*n);
  return args;
}

/// The most bytes of transformed input tiles and products a block works on:
/// half of a megabyte, so that they stay in a core's own cache from one stage
/// to the next.
constexpr int64_t kBlockBytes = 1 << 19;

/// Rows of tiles per block, for `tilesX` x `tilesY` tiles of m x m outputs,
/// `channels` input and output channels in all, values of `bytes` and
/// vectors of `lanes`: the fewest rows whose tiles fill two vectors, as long
/// as a block's transformed inputs and products (alpha^2 values a tile and
/// channel, in and out) stay within kBlockBytes and an image keeps two
/// blocks.
int blockRows(int64_t tilesX, int64_t tilesY, int m, int64_t channels, int bytes, int lanes) {
  // f64 layers (only ever forced: auto times f32 ones) keep one block an
  // image: blocks of a small f64 F(4x4, 3x3) train step crashed on an aligned
  // vector load from a misaligned stack slot (CodegenParityWinograd), a cause
  // not yet found.
  if (bytes > 4)
    return static_cast<int>(tilesY);
  int64_t alpha = m + 2;
  int64_t rowBytes = tilesX * alpha * alpha * channels * bytes;
  int64_t rows = 1;
  while (rows * tilesX < 2 * lanes && (rows + 1) * rowBytes <= kBlockBytes &&
         2 * (rows + 1) <= tilesY)
    ++rows;
  return static_cast<int>(rows);
}

} // namespace

LogicalResult defineWinogradConv(FunctionLowering &fl, Operation *op, const WinogradConv &conv) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  int rank = type.getRank();
  int m = conv.tile;
  const WinogradMatrices &w = matrices(m);
  int64_t height = type.getShape()[rank - 2], width = type.getShape()[rank - 1];
  int tilesX = static_cast<int>((width + m - 1) / m);
  Var tx("tx"), ty("ty"), t("t"), c("c"), k("k"), b("b"), nu("nu"), xi("xi"), blk("blk");
  std::optional<Var> n;
  if (rank == 4)
    n = Var("n");

  // The weights: U = G g G^T, one (alpha x alpha) tile per (k, c).
  Func ug = fl.newFunc(op, "_wino_Ug"), u = fl.newFunc(op, "_wino_U");
  ug(c, k, b, xi) = combination(
      w.g, xi, [&](int a) { return conv.weight(k, c, a, b); }, ht);
  u(c, k, nu, xi) = combination(
      w.g, nu, [&](int j) { return ug(c, k, j, xi); }, ht);

  // Blocks of `rows` rows of tiles (see blockRows): the input
  // tiles, the products and the output tiles of a block are indexed within
  // it, so that a block's tile tb lies at tb in its transformed inputs.
  int64_t tilesY = (height + m - 1) / m;
  int64_t outChannels = type.getShape()[rank - 3];
  int rows = blockRows(tilesX, tilesY, m, conv.channels + outChannels, ht.bytes(),
                       fl.target().natural_vector_size(ht));

  // The input tiles: V = B^T d B.
  Func vt = fl.newFunc(op, "_wino_Vt"), v = fl.newFunc(op, "_wino_V");
  Func in = conv.input;
  vt(withBatch({tx, ty, c, b, xi, blk}, n)) = combination(
      w.bt, xi,
      [&](int a) {
        return in(withBatch(
            {tx * m + b - conv.padLeft, (blk * rows + ty) * m + a - conv.padTop, c}, n));
      },
      ht);
  v(withBatch({tx, ty, c, nu, xi, blk}, n)) = combination(
      w.bt, nu, [&](int j) { return vt(withBatch({tx, ty, c, j, xi, blk}, n)); }, ht);

  // The products, a matrix product per (xi, nu) over the channels.
  Func prod = fl.newFunc(op, "_wino_M");
  RDom r(0, static_cast<int>(conv.channels), "r");
  prod(withBatch({t, k, nu, xi, blk}, n)) = make_const(ht, 0);
  prod(withBatch({t, k, nu, xi, blk}, n)) +=
      u(r, k, nu, xi) * v(withBatch({t % tilesX, t / tilesX, r, nu, xi, blk}, n));

  // The output tiles: Y = A^T M A, read at each output's tile position.
  std::vector<Var> ov = fl.vars(rank);
  Var ok = ov[rank - 3], oy = ov[rank - 2], ox = ov[rank - 1];
  Expr tileRow = oy / m;
  Expr tile = (tileRow % rows) * tilesX + ox / m, block = tileRow / rows;
  Expr value = combination(
      w.at, oy % m,
      [&](int a) {
        return combination(
            w.at, ox % m,
            [&](int j) {
              return prod(withBatch({tile, ok, j, a, block}, rank == 4
                                                                 ? std::optional<Var>(ov[0])
                                                                 : std::nullopt));
            },
            ht);
      },
      ht);
  if (conv.bias)
    value = conv.bias->at({Expr(ok)}) + value;
  Func f = fl.newFunc(op);
  defineAt(f, ov, value);

  AlgorithmHandles h;
  h.paddedInput = in;
  h.winograd = WinogradHandles{ug, u, vt, v, prod, m, tilesX, static_cast<int>(tilesY), rows};
  return fl.define(op, f, OpFamily::Window, h);
}

} // namespace netc::codegen
