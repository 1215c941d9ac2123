// Every differentiable op of genlab: `Var op(Tape&, inputs..., attributes...)`.
// Each is implemented in core/ops/<concept>.cpp with its backward right beside the forward.
// Shapes use the vocabulary of core/tensor.h. "Row broadcasting": the second operand may have the
// shape of one row (the last dim, or (1, last dim)) and is then applied to every row; more
// generally any trailing dims of the first ((T, C) onto (B, T, C)) repeat over the leading ones.
// Under ShapesOnly (core/tensor.h) an op checks shapes and emits its slots, and computes nothing.
#pragma once
#include <vector>

#include "core/tape.h"

namespace genlab {

class Rng;

// --- linear algebra (core/ops/linear.cpp, core/ops/matmul.cpp)
Var linear(Tape& t, Var x, Var w, Var b = {});  // x (N.., in), w (out, in), b (out) or none -> (N.., out)
Var matmul(Tape& t, Var a, Var b);              // (M, K)x(K, N) -> (M, N); (B, M, K)x(B, K, N) -> (B, M, N)

// --- convolutions (core/ops/conv2d.cpp, core/ops/conv_transpose2d.cpp, columns in core/ops/im2col.h)
// Images are NCHW, as PyTorch: a batch is (N, C, H, W), row-major, so a flat batch (N, C·H·W) (a
// Fashion-MNIST batch (N, 784)) is the same storage and reshape() turns one into the other without
// a copy. Weights as PyTorch's: conv2d (Cout, C, kh, kw), conv_transpose2d (C, Cout, kh, kw); the
// same stride and zero padding on both axes; b (Cout) or none.
Var conv2d(Tape& t, Var x, Var w, Var b, int stride, int padding);  // -> (N, Cout, (H + 2p − kh)/s + 1, ..)
// The adjoint of conv2d (no output padding) -> (N, Cout, (H − 1)·s − 2p + kh, (W − 1)·s − 2p + kw).
Var conv_transpose2d(Tape& t, Var x, Var w, Var b, int stride, int padding);

// --- elementwise (core/ops/elementwise.cpp)
Var add(Tape& t, Var a, Var b);  // b: same shape as a, or one row / trailing dims of a (row broadcasting)
Var sub(Tape& t, Var a, Var b);
Var mul(Tape& t, Var a, Var b);
Var div(Tape& t, Var a, Var b);
Var scale(Tape& t, Var x, float s);       // s * x
Var add_scalar(Tape& t, Var x, float s);  // x + s
Var exp(Tape& t, Var x);
Var log(Tape& t, Var x);  // x must be > 0

// --- reductions (core/ops/reduce.cpp)
Var sum(Tape& t, Var x);   // all elements -> (1)
Var mean(Tape& t, Var x);  // all elements -> (1)

// --- shape (core/ops/shape.cpp)
Var reshape(Tape& t, Var x, Shape shape);                   // a view: no copy, shares the gradient buffer
Var transpose(Tape& t, Var x);                              // swap the last two dims (rank 2 or 3)
Var slice(Tape& t, Var x, int dim, int start, int length);  // x[..., start:start+length, ...] along dim
Var concat(Tape& t, Var a, Var b, int dim);                 // join along dim; all other dims equal

// --- embedding (core/ops/embedding.cpp)
// table (V, C); ids: a Var holding integer ids stored as floats, any shape S -> (S..., C).
Var embedding(Tape& t, Var table, Var ids);

// --- normalisation and regularisation (core/ops/layer_norm.cpp, batch_norm.cpp, dropout.cpp)
Var layer_norm(Tape& t, Var x, Var gamma, Var beta, float eps = 1e-5f);  // over the last dim
// Per channel (dim 1) over the batch and any trailing dims: x (N, C) or (N, C, H, W); gamma, beta,
// running_mean and running_var (C). train: batch statistics, and the running ones move towards
// them by `momentum`; otherwise the running ones (core/ops/batch_norm.cpp).
Var batch_norm(Tape& t, Var x, Var gamma, Var beta, Tensor& running_mean, Tensor& running_var, bool train,
               float momentum = 0.1f, float eps = 1e-5f);
// Inverted dropout (scale kept units by 1/(1-p)) when train; identity otherwise.
Var dropout(Tape& t, Var x, float p, Rng& rng, bool train);

// --- distributions over the last dim (core/ops/softmax.cpp)
Var softmax(Tape& t, Var x);
Var log_softmax(Tape& t, Var x);

// --- attention (core/ops/attention.cpp)
// qkv (B, T, 3C) holding [q | k | v] along the last dim, C = H * D; causal softmax(q kᵀ/√D) v
// per head, heads concatenated -> (B, T, C).
Var causal_self_attention(Tape& t, Var qkv, int n_head);

// --- losses (core/ops/losses.cpp); each returns the mean over elements (or rows) as (1)
Var mse(Tape& t, Var pred, Var target);                // mean((pred - target)^2)
Var bce(Tape& t, Var prob, Var target);                // log clamped at -100 as PyTorch
Var bce_with_logits(Tape& t, Var logits, Var target);  // stable: max(x,0) - x*y + log1p(exp(-|x|))
// logits (N, V); targets (N) integer class ids stored as floats; ids < 0 are ignored (padding).
// Mean over the counted rows of -log softmax(logits)[target].
Var cross_entropy(Tape& t, Var logits, Var targets);
// KL( N(mu, exp(logvar)) || N(0, I) ) summed over the last dim, averaged over rows.
Var kl_normal(Tape& t, Var mu, Var logvar);

}  // namespace genlab
