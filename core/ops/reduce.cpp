// Full reductions to one value: sum and mean over every element -> (1). The sum is taken in
// fixed chunks added in order (ops_detail::chunked_sum), so it is the same for any thread count.
#include "core/ops.h"
#include "core/ops/common.h"

namespace genlab {

using namespace ops_detail;

namespace {

double total(const Tensor& x) {
    const float* p = x.data();
    return chunked_sum(x.numel(), [p](size_t lo, size_t hi) {
        return ConstFlatMap(p + lo, static_cast<Eigen::Index>(hi - lo)).sum();
    });
}

// dx += g for every element (the gradient of a sum is a broadcast).
void accumulate_constant(Tensor& dx, float g) {
    float* p = dx.data();
    for_blocks(dx.numel(), [&](size_t lo, size_t hi) {
        for (size_t i = lo; i < hi; ++i) p[i] += g;
    });
}

}  // namespace

static void sum_backward(Tape& t, const Node& n) { accumulate_constant(t.grad(n.in[0]), t.grad(n.out)[0]); }

Var sum(Tape& t, Var x) {
    Var out = t.emit(Shape{1}, {x}, sum_backward);
    if (shapes_only()) return out;
    t.value(out)[0] = static_cast<float>(total(t.value(x)));
    return out;
}

static void mean_backward(Tape& t, const Node& n) {
    const size_t count = t.value(n.in[0]).numel();
    accumulate_constant(t.grad(n.in[0]), t.grad(n.out)[0] / static_cast<float>(count));
}

// The mean of an empty tensor is NaN, as torch.mean.
Var mean(Tape& t, Var x) {
    Var out = t.emit(Shape{1}, {x}, mean_backward);
    if (shapes_only()) return out;
    const size_t count = t.value(x).numel();
    t.value(out)[0] = static_cast<float>(total(t.value(x)) / static_cast<double>(count));
    return out;
}

}  // namespace genlab
