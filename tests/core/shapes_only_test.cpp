// ShapesOnly: tensors with a shape and no storage, modules built from them, and a dry step whose
// tape holds exactly the slots of a real one, so a memory estimate allocates nothing of its size.
#include <gtest/gtest.h>

#include <cmath>

#include "core/nn/layers.h"
#include "core/ops.h"
#include "core/rng.h"

namespace genlab {
namespace {

TEST(ShapesOnly, ATensorHasItsShapeAndNoStorage) {
    const ShapesOnly dry;
    // 2^60 floats: the out-of-memory error of tensor_memory_test, were anything allocated.
    Tensor huge(Shape{1 << 30, 1 << 30});
    EXPECT_EQ(huge.data(), nullptr);
    EXPECT_EQ(huge.numel(), size_t{1} << 60);
    EXPECT_EQ(huge.capacity(), size_t{1} << 60) << "the floats it would own";
    Tensor grown(Shape{2});
    grown.resize(Shape{3, 4});
    EXPECT_EQ(grown.data(), nullptr);
    EXPECT_EQ(grown.capacity(), 12u);
    grown.resize(Shape{2});
    EXPECT_EQ(grown.capacity(), 12u) << "a resize keeps what the tensor would own, as a real one";
    const Tensor copy = huge;
    EXPECT_EQ(copy.data(), nullptr);
    EXPECT_EQ(copy.capacity(), huge.capacity());
    huge.fill(1.f);  // nothing to fill, and no crash
    Rng rng(1);
    rng.fill_normal(huge);
}

TEST(ShapesOnly, TheGuardNestsAndRestores) {
    EXPECT_FALSE(shapes_only());
    {
        const ShapesOnly outer;
        {
            const ShapesOnly inner;
            EXPECT_TRUE(shapes_only());
        }
        EXPECT_TRUE(shapes_only()) << "the outer guard still lives";
    }
    EXPECT_FALSE(shapes_only());
    const Tensor real(Shape{3}, 2.f);
    ASSERT_NE(real.data(), nullptr);
    EXPECT_EQ(real[2], 2.f);
    EXPECT_EQ(real.capacity(), 3u);
}

TEST(ShapesOnly, AModuleHasItsParameterShapesWithoutTheirStorage) {
    Rng real_rng(1), dry_rng(1);
    const MLP real({5, 7, 3}, parse_activation("prelu"), parse_activation("identity"), real_rng);
    const ShapesOnly dry;
    // 2^32 + 2^16 weights: 17 GB to allocate, nothing here.
    const MLP wide({1 << 16, 1 << 16, 1}, parse_activation("prelu"), parse_activation("identity"), dry_rng);
    EXPECT_EQ(wide.num_parameters(), (size_t{1} << 32) + (1 << 16) + 1 + (1 << 16) + 1);
    const MLP small({5, 7, 3}, parse_activation("prelu"), parse_activation("identity"), dry_rng);
    EXPECT_EQ(small.num_parameters(), real.num_parameters());
    const NamedParameters want = real.named_parameters(), got = small.named_parameters();
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].first, want[i].first);
        EXPECT_EQ(got[i].second->value.shape(), want[i].second->value.shape()) << got[i].first;
        EXPECT_EQ(got[i].second->value.data(), nullptr) << got[i].first;
        EXPECT_EQ(got[i].second->grad.data(), nullptr) << got[i].first;
    }
}

// Parameters for a graph through every op of core/ops.h and activate(): random values when real.
struct EveryOp {
    static constexpr int kB = 2, kT = 3, kC = 6, kIn = 4, kV = 5;  // kC = kV + 1 classes for cross_entropy
    explicit EveryOp(Rng& rng) {
        for (Parameter* p : {&w, &b, &table, &qkv_w, &conv_w, &conv_b, &up_w}) rng.fill_normal(p->value, 0.f, 0.5f);
    }
    Parameter w{"w", Tensor(Shape{kC, kIn})};          // (C, in)
    Parameter b{"b", Tensor(Shape{kC})};               // (C)
    Parameter alpha{"alpha", Tensor(Shape{1}, .25f)};  // prelu's
    Parameter table{"table", Tensor(Shape{kV, kC})};   // (V, C)
    Parameter gamma{"gamma", Tensor(Shape{kC}, 1.f)}, beta{"beta", Tensor(Shape{kC}, 0.f)};
    Parameter qkv_w{"qkv_w", Tensor(Shape{3 * kC, kC})};    // (3C, C)
    Parameter conv_w{"conv_w", Tensor(Shape{2, 1, 3, 3})};  // (Cout, C, k, k)
    Parameter conv_b{"conv_b", Tensor(Shape{2})};
    Parameter bn_gamma{"bn_gamma", Tensor(Shape{2}, 1.f)}, bn_beta{"bn_beta", Tensor(Shape{2}, 0.f)};
    Tensor running_mean{Shape{2}, 0.f}, running_var{Shape{2}, 1.f};
    Parameter up_w{"up_w", Tensor(Shape{2, 1, 4, 4})};  // (C, Cout, k, k)
};

// A training step's graph through every op, at batch rows kB * kT, with valid data when real:
// ids and classes in range, probabilities in (0, 1), logarithms of positive values.
Var every_op_step(Tape& t, EveryOp& m, Rng& rng) {
    constexpr int b = EveryOp::kB, tt = EveryOp::kT, c = EveryOp::kC, n = b * tt;
    Var x = t.input(Shape{n, EveryOp::kIn});  // (N, in)
    rng.fill_normal(t.value(x));
    Var ids = t.input(Shape{b, tt});  // (B, T)
    Var classes = t.input(Shape{n});  // (N)
    Var half = t.constant_fill(Shape{c, c}, 0.5f);
    if (!shapes_only())
        for (int i = 0; i < n; ++i) {
            t.value(ids)[static_cast<size_t>(i)] = static_cast<float>(i % EveryOp::kV);
            t.value(classes)[static_cast<size_t>(i)] = static_cast<float>((i * 2) % c);
        }
    Var h = linear(t, x, t.param(m.w), t.param(m.b));                      // (N, C)
    h = activate(t, h, parse_activation("prelu"), t.param(m.alpha));       // learnable
    h = activate(t, h, parse_activation("gelu"));                          // saves for backward
    Var e = reshape(t, embedding(t, t.param(m.table), ids), Shape{n, c});  // (N, C)
    h = sub(t, div(t, mul(t, h, e), add_scalar(t, exp(t, e), 1.f)), scale(t, h, 0.5f));
    h = dropout(t, layer_norm(t, h, t.param(m.gamma), t.param(m.beta)), 0.2f, rng, true);
    Var qkv = linear(t, reshape(t, h, Shape{b, tt, c}), t.param(m.qkv_w));  // (B, T, 3C)
    Var a = reshape(t, causal_self_attention(t, qkv, 2), Shape{n, c});      // (N, C)
    Var sq = matmul(t, transpose(t, a), a);                                 // (C, C)
    Var cat = concat(t, slice(t, a, 1, 0, 2), slice(t, a, 1, 2, 4), 1);     // (N, C)
    Var probs = activate(t, sq, parse_activation("sigmoid"));               // (C, C) in (0, 1)
    Var loss = mean(t, mul(t, softmax(t, cat), log_softmax(t, cat)));
    loss = add(t, loss, sum(t, log(t, add_scalar(t, exp(t, sq), 1.f))));
    loss = add(t, loss, mse(t, cat, t.detach(a)));
    loss = add(t, loss, bce(t, probs, half));
    loss = add(t, loss, bce_with_logits(t, sq, half));
    loss = add(t, loss, cross_entropy(t, a, classes));
    loss = add(t, loss, kl_normal(t, slice(t, a, 1, 0, 3), slice(t, a, 1, 3, 3)));
    Var img = conv2d(t, reshape(t, a, Shape{1, 1, n, c}), t.param(m.conv_w), t.param(m.conv_b), 1, 1);  // (1, 2, N, C)
    img = batch_norm(t, img, t.param(m.bn_gamma), t.param(m.bn_beta), m.running_mean, m.running_var, true);
    loss = add(t, loss, mean(t, conv_transpose2d(t, img, t.param(m.up_w), {}, 2, 1)));  // (1, 1, 2N, 2C)
    t.backward(loss);
    return loss;
}

TEST(ShapesOnly, EveryOpEmitsTheSlotsOfARealStepAndComputesNothing) {
    Rng real_rng(3);
    EveryOp real_model(real_rng);
    Tape real;
    ASSERT_TRUE(std::isfinite(real.item(every_op_step(real, real_model, real_rng))));

    const ShapesOnly dry;
    Rng dry_rng(3);
    EveryOp dry_model(dry_rng);
    Tape t;
    every_op_step(t, dry_model, dry_rng);
    EXPECT_EQ(t.num_slots(), real.num_slots());
    EXPECT_EQ(t.num_nodes(), real.num_nodes());
    EXPECT_EQ(t.held_floats(), real.held_floats());
    for (size_t i = 0; i < t.num_slots(); ++i) {
        const Var v{static_cast<int>(i)};
        EXPECT_EQ(t.shape(v), real.shape(v)) << "slot " << i;
        EXPECT_EQ(t.value(v).data(), nullptr) << "slot " << i << ": values of parameters and outputs alike";
    }
}

}  // namespace
}  // namespace genlab
