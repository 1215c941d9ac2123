// Batch norm: gradients in training and evaluation mode against central differences, the forward
// and the running statistics against their formulas, the module's modes, buffers and checkpoint
// round trip, and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/nn/layers.h"
#include "core/ops.h"
#include "tests/gradcheck.h"

namespace genlab {
namespace {

using testing::gradients_match;

Tensor bn_input(Shape s, uint64_t seed, float mean = 0.f, float std = 1.f) {
    Tensor x(s);
    Rng rng(seed);
    rng.fill_normal(x, mean, std);
    return x;
}

// Per channel of x (N, C, P...): the mean and the biased variance over its N·P values, in double.
struct ChannelStats {
    std::vector<double> mean, var;
    size_t m = 0;
};
ChannelStats channel_stats(const Tensor& x) {
    const Shape& s = x.shape();
    const size_t n = static_cast<size_t>(s[0]), c = static_cast<size_t>(s[1]), p = x.numel() / (n * c);
    ChannelStats st{std::vector<double>(c, 0.0), std::vector<double>(c, 0.0), n * p};
    for (size_t b = 0; b < n; ++b)
        for (size_t ch = 0; ch < c; ++ch)
            for (size_t e = 0; e < p; ++e) st.mean[ch] += x[(b * c + ch) * p + e] / static_cast<double>(st.m);
    for (size_t b = 0; b < n; ++b)
        for (size_t ch = 0; ch < c; ++ch)
            for (size_t e = 0; e < p; ++e)
                st.var[ch] += std::pow(x[(b * c + ch) * p + e] - st.mean[ch], 2) / static_cast<double>(st.m);
    return st;
}

// y = (x − mean)/sqrt(var + eps)·gamma + beta per channel, written out.
void expect_normalised(const Tensor& y, const Tensor& x, const std::vector<double>& mean,
                       const std::vector<double>& var, const Tensor& g, const Tensor& b) {
    const Shape& s = x.shape();
    const size_t n = static_cast<size_t>(s[0]), c = static_cast<size_t>(s[1]), p = x.numel() / (n * c);
    for (size_t i = 0; i < x.numel(); ++i) {
        const size_t ch = (i / p) % c;
        const double want = (x[i] - mean[ch]) / std::sqrt(var[ch] + 1e-5) * g[ch] + b[ch];
        ASSERT_NEAR(y[i], want, 1e-4) << "element " << i;
    }
}

// Float32 noise of an output summed over a whole batch, relative to tiny gradients (a normalised
// output's input gradient sums to zero over each channel, so many entries are small).
testing::GradCheckOptions summed_batch() {
    testing::GradCheckOptions opt;
    opt.floor = 5e-2;
    return opt;
}

TEST(BatchNorm, TrainingMatchesCentralDifferencesOnImages) {
    Tensor rm(Shape{2}, 0.f), rv(Shape{2}, 1.f);
    EXPECT_TRUE(gradients_match(
        [&](Tape& t, const std::vector<Var>& v) { return batch_norm(t, v[0], v[1], v[2], rm, rv, true); },
        {bn_input(Shape{3, 2, 5, 7}, 1, 1.f, 2.f), bn_input(Shape{2}, 2, 1.f, 0.5f), bn_input(Shape{2}, 3)},
        summed_batch()));
}

TEST(BatchNorm, TrainingMatchesCentralDifferencesOnFeaturesThroughAResidual) {
    // x also feeds the sum, whose backward runs first: batch norm's then adds to x's gradient.
    Tensor rm(Shape{5}, 0.f), rv(Shape{5}, 1.f);
    EXPECT_TRUE(gradients_match(
        [&](Tape& t, const std::vector<Var>& v) { return add(t, batch_norm(t, v[0], v[1], v[2], rm, rv, true), v[0]); },
        {bn_input(Shape{4, 5}, 4, -1.f, 3.f), bn_input(Shape{5}, 5, 1.f, 0.5f), bn_input(Shape{5}, 6)},
        summed_batch()));
}

TEST(BatchNorm, EvaluationMatchesCentralDifferences) {
    Tensor rm = bn_input(Shape{3}, 7), rv(Shape{3}, 0.7f);
    EXPECT_TRUE(gradients_match(
        [&](Tape& t, const std::vector<Var>& v) { return batch_norm(t, v[0], v[1], v[2], rm, rv, false); },
        {bn_input(Shape{2, 3, 3, 5}, 8), bn_input(Shape{3}, 9, 1.f, 0.5f), bn_input(Shape{3}, 10)}, summed_batch()));
}

TEST(BatchNorm, TrainingNormalisesByTheBatchAndMovesTheRunningStatistics) {
    const Tensor x = bn_input(Shape{3, 2, 5, 7}, 11, 2.f, 3.f), g = bn_input(Shape{2}, 12), b = bn_input(Shape{2}, 13);
    const Tensor rm0 = bn_input(Shape{2}, 14), rv0(Shape{2}, 1.5f);
    Tensor rm = rm0, rv = rv0;
    Tape t;
    Var y = batch_norm(t, t.constant(x), t.constant(g), t.constant(b), rm, rv, true, 0.1f);
    const ChannelStats st = channel_stats(x);
    expect_normalised(t.value(y), x, st.mean, st.var, g, b);
    for (size_t ch = 0; ch < 2; ++ch) {
        // PyTorch: running_var moves towards the unbiased variance, var·M/(M − 1).
        const double m = static_cast<double>(st.m);
        EXPECT_NEAR(rm[ch], 0.9 * rm0[ch] + 0.1 * st.mean[ch], 1e-5);
        EXPECT_NEAR(rv[ch], 0.9 * rv0[ch] + 0.1 * st.var[ch] * m / (m - 1), 1e-5);
    }
}

TEST(BatchNorm, EvaluationUsesTheRunningStatisticsAndKeepsThem) {
    const Tensor x = bn_input(Shape{4, 3}, 15), g = bn_input(Shape{3}, 16), b = bn_input(Shape{3}, 17);
    Tensor rm(Shape{3}, {0.5f, -1.f, 2.f}), rv(Shape{3}, {0.25f, 4.f, 1.f});
    const Tensor rm0 = rm, rv0 = rv;
    Tape t;
    Var y = batch_norm(t, t.constant(x), t.constant(g), t.constant(b), rm, rv, false);
    expect_normalised(t.value(y), x, {0.5, -1.0, 2.0}, {0.25, 4.0, 1.0}, g, b);
    for (size_t ch = 0; ch < 3; ++ch) {
        EXPECT_EQ(rm[ch], rm0[ch]);
        EXPECT_EQ(rv[ch], rv0[ch]);
    }
}

TEST(BatchNorm, ModuleFollowsTrainAndEvalModes) {
    BatchNorm bn(2);
    EXPECT_TRUE(bn.training());
    const Tensor x = bn_input(Shape{4, 2, 3, 3}, 18, 3.f, 2.f);
    Tape t;
    bn(t, t.constant(x));
    const float moved = bn.running_mean[0];
    EXPECT_NE(moved, 0.f) << "training updates the running mean";
    {
        const EvalGuard eval(bn);
        EXPECT_FALSE(bn.training());
        t.reset();
        Var y = bn(t, t.constant(x));
        EXPECT_EQ(bn.running_mean[0], moved) << "evaluation leaves it";
        // With gamma 1 and beta 0: (x − running_mean)/sqrt(running_var + eps).
        EXPECT_NEAR(t.value(y)[0], (x[0] - moved) / std::sqrt(bn.running_var[0] + 1e-5f), 1e-5f);
    }
    EXPECT_TRUE(bn.training()) << "the guard restores training mode";
}

// A small generator-shaped module: its batch norm is a child, so its buffers get dotted keys.
class NormBlock : public Module {
public:
    explicit NormBlock(Rng& rng)
        : fc(register_module("fc", std::make_unique<Linear>(3, 4, rng))),
          bn(register_module("bn", std::make_unique<BatchNorm>(4))) {}
    Linear& fc;
    BatchNorm& bn;
};

TEST(BatchNorm, RunningStatisticsAreBuffersSavedAndLoadedButNotParameters) {
    Rng rng(19);
    NormBlock a(rng);
    const NamedParameters params = a.named_parameters();
    ASSERT_EQ(params.size(), 4u);  // fc.weight, fc.bias, bn.weight, bn.bias: optimizers see no buffer
    EXPECT_EQ(params[3].first, "bn.bias");
    const NamedBuffers buffers = a.named_buffers("g.");
    ASSERT_EQ(buffers.size(), 2u);
    EXPECT_EQ(buffers[0].first, "g.bn.running_mean");
    EXPECT_EQ(buffers[1].first, "g.bn.running_var");

    Tape t;
    a.bn(t, a.fc(t, t.constant(bn_input(Shape{6, 3}, 20))));  // moves the running statistics
    StateDict sd;
    a.save_state(sd, "g.");
    std::vector<std::string> keys;
    for (const auto& [name, v] : sd.tensors) keys.push_back(name);
    EXPECT_EQ(keys, (std::vector<std::string>{"g.fc.weight", "g.fc.bias", "g.bn.weight", "g.bn.bias",
                                              "g.bn.running_mean", "g.bn.running_var"}))
        << "PyTorch's state_dict order: a module's parameters, its buffers, then its children";

    Rng other(21);
    NormBlock b(other);
    b.load_state(sd, "g.");
    for (size_t ch = 0; ch < 4; ++ch) {
        EXPECT_EQ(b.bn.running_mean[ch], a.bn.running_mean[ch]);
        EXPECT_EQ(b.bn.running_var[ch], a.bn.running_var[ch]);
        EXPECT_NE(a.bn.running_var[ch], 1.f);
    }
    StateDict missing;
    a.fc.save_state(missing, "g.fc.");
    a.bn.gamma.value.fill(1.f);
    missing.put("g.bn.weight", a.bn.gamma.value);
    missing.put("g.bn.bias", a.bn.beta.value);
    try {
        b.load_state(missing, "g.");
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("g.bn.running_mean"), std::string::npos) << e.what();
    }
}

TEST(BatchNorm, RejectsOneValuePerChannelInTrainingAndMismatchedShapes) {
    Tensor rm(Shape{3}, 0.f), rv(Shape{3}, 1.f), g(Shape{3}, 1.f), b(Shape{3}, 0.f), g2(Shape{2}, 1.f);
    const Tensor one(Shape{1, 3}), x(Shape{4, 3});
    Tape t;
    EXPECT_THROW(batch_norm(t, t.constant(one), t.constant(g), t.constant(b), rm, rv, true), Error);
    EXPECT_NO_THROW(batch_norm(t, t.constant(one), t.constant(g), t.constant(b), rm, rv, false));
    {
        // A memory estimate's dry step at batch 1 (core/memory.h) computes nothing, so it may train.
        const ShapesOnly dry;
        Tape d;
        EXPECT_NO_THROW(batch_norm(d, d.input(Shape{1, 3}), d.constant(g), d.constant(b), rm, rv, true));
    }
    try {
        batch_norm(t, t.constant(x), t.constant(g2), t.constant(b), rm, rv, true);
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("(4, 3)"), std::string::npos) << msg;
        EXPECT_NE(msg.find("(2)"), std::string::npos) << msg;
    }
    EXPECT_THROW(batch_norm(t, t.constant(x), t.constant(g), t.constant(b), rm, rv, true, 1.5f), Error);
}

}  // namespace
}  // namespace genlab
