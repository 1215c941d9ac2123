// conv2d and conv_transpose2d: forwards against direct loops, gradients of input, weight and bias
// against central differences on odd sizes, strides and paddings, adjointness, flat batches, the
// modules' shapes and inits, and shape errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/nn/layers.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "tests/gradcheck.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

using testing::gradients_match;
using testing::normal;

// One case: x (n, c, h, w), a k×k kernel to `out` channels.
struct ConvCase {
    int n, c, out, h, w, k, stride, pad;
    bool bias = true;
    std::string str() const {
        return "x (" + std::to_string(n) + ", " + std::to_string(c) + ", " + std::to_string(h) + ", " +
               std::to_string(w) + ") to " + std::to_string(out) + " channels, k " + std::to_string(k) + " s " +
               std::to_string(stride) + " p " + std::to_string(pad) + (bias ? "" : ", no bias");
    }
};

const std::vector<ConvCase>& conv_cases() {
    static const std::vector<ConvCase> all{
        {2, 1, 2, 5, 7, 3, 1, 0},        {3, 2, 3, 5, 7, 3, 2, 1}, {2, 3, 2, 7, 5, 4, 2, 1},
        {2, 2, 1, 5, 7, 4, 1, 2},        {3, 3, 3, 5, 7, 3, 2, 2}, {2, 2, 3, 5, 7, 4, 2, 0, false},
        {3, 1, 1, 5, 7, 3, 1, 1, false},
    };
    return all;
}

// x[n][c][y][x] of an NCHW tensor of shape s.
float pixel(const Tensor& t, int n, int c, int y, int x) {
    const Shape& s = t.shape();
    return t[((static_cast<size_t>(n) * s[1] + c) * s[2] + y) * s[3] + x];
}

// y[n][o][oy][ox] = b[o] + Σ_{c,i,j} W[o][c][i][j] · x[n][c][oy·s − p + i][ox·s − p + j], as written.
Tensor conv2d_loops(const Tensor& x, const Tensor& w, const Tensor* b, int s, int p) {
    const Shape& xs = x.shape();
    const int cout = w.shape()[0], k = w.shape()[2];
    const int oh = (xs[2] + 2 * p - k) / s + 1, ow = (xs[3] + 2 * p - k) / s + 1;
    Tensor y(Shape{xs[0], cout, oh, ow});
    size_t e = 0;
    for (int n = 0; n < xs[0]; ++n)
        for (int o = 0; o < cout; ++o)
            for (int oy = 0; oy < oh; ++oy)
                for (int ox = 0; ox < ow; ++ox) {
                    double acc = b ? (*b)[static_cast<size_t>(o)] : 0.f;
                    for (int c = 0; c < xs[1]; ++c)
                        for (int i = 0; i < k; ++i)
                            for (int j = 0; j < k; ++j) {
                                const int iy = oy * s - p + i, ix = ox * s - p + j;
                                if (iy >= 0 && iy < xs[2] && ix >= 0 && ix < xs[3])
                                    acc += static_cast<double>(pixel(w, o, c, i, j)) * pixel(x, n, c, iy, ix);
                            }
                    y[e++] = static_cast<float>(acc);
                }
    return y;
}

// Every input pixel scatters W[c][o] times itself onto y[n][o][iy·s − p + i][ox·s − p + j]; y starts at b.
Tensor conv_transpose2d_loops(const Tensor& x, const Tensor& w, const Tensor* b, int s, int p) {
    const Shape& xs = x.shape();
    const int cout = w.shape()[1], k = w.shape()[2];
    const int oh = (xs[2] - 1) * s - 2 * p + k, ow = (xs[3] - 1) * s - 2 * p + k;
    std::vector<double> acc(static_cast<size_t>(xs[0]) * cout * oh * ow, 0.0);
    auto out = [&](int n, int o, int y, int xx) -> double& {
        return acc[((static_cast<size_t>(n) * cout + o) * oh + y) * ow + xx];
    };
    for (int n = 0; n < xs[0]; ++n)
        for (int o = 0; o < cout; ++o)
            for (int y = 0; y < oh; ++y)
                for (int xx = 0; xx < ow; ++xx) out(n, o, y, xx) = b ? (*b)[static_cast<size_t>(o)] : 0.f;
    for (int n = 0; n < xs[0]; ++n)
        for (int c = 0; c < xs[1]; ++c)
            for (int iy = 0; iy < xs[2]; ++iy)
                for (int ix = 0; ix < xs[3]; ++ix)
                    for (int o = 0; o < cout; ++o)
                        for (int i = 0; i < k; ++i)
                            for (int j = 0; j < k; ++j) {
                                const int y = iy * s - p + i, xx = ix * s - p + j;
                                if (y >= 0 && y < oh && xx >= 0 && xx < ow)
                                    out(n, o, y, xx) += static_cast<double>(pixel(w, c, o, i, j)) *
                                                        pixel(x, n, c, iy, ix);
                            }
    Tensor y(Shape{xs[0], cout, oh, ow});
    for (size_t e = 0; e < acc.size(); ++e) y[e] = static_cast<float>(acc[e]);
    return y;
}

// A convolution is linear in each of its inputs, so central differences have no truncation error
// at any step: a step of 0.1 keeps float32 rounding of the summed output far below the tolerance.
testing::GradCheckOptions linear_in_each_input() {
    testing::GradCheckOptions opt;
    opt.h = 0.1;
    return opt;
}

void expect_near_all(const Tensor& got, const Tensor& want, float tol) {
    ASSERT_EQ(got.shape(), want.shape());
    for (size_t i = 0; i < got.numel(); ++i) ASSERT_NEAR(got[i], want[i], tol) << "element " << i;
}

TEST(Conv2d, MatchesDirectLoops) {
    for (const ConvCase& c : conv_cases()) {
        SCOPED_TRACE(c.str());
        const Tensor x = normal(Shape{c.n, c.c, c.h, c.w}, 1), w = normal(Shape{c.out, c.c, c.k, c.k}, 2),
                     b = normal(Shape{c.out}, 3);
        Tape t;
        Var y = conv2d(t, t.constant(x), t.constant(w), c.bias ? t.constant(b) : Var{}, c.stride, c.pad);
        expect_near_all(t.value(y), conv2d_loops(x, w, c.bias ? &b : nullptr, c.stride, c.pad), 1e-4f);
    }
}

TEST(Conv2d, MatchesDirectLoopsOnRandomGeometries) {
    // Strides past the kernel, paddings up to and past it, kernels up to the padded image.
    Rng rng(31);
    auto pick = [&](int lo, int hi) {
        return std::min(hi, lo + static_cast<int>(rng.uniform() * static_cast<float>(hi - lo + 1)));
    };
    for (int trial = 0; trial < 60; ++trial) {
        const int n = pick(1, 3), c = pick(1, 3), out = pick(1, 3), h = pick(1, 9), w = pick(1, 9);
        const int k = pick(1, 5), stride = pick(1, 4), pad = pick(0, 3);
        if (h + 2 * pad < k || w + 2 * pad < k) continue;
        const ConvCase cc{n, c, out, h, w, k, stride, pad};
        SCOPED_TRACE(cc.str());
        const Tensor x = normal(Shape{n, c, h, w}, 100 + trial), wc = normal(Shape{out, c, k, k}, 200 + trial),
                     wt = normal(Shape{c, out, k, k}, 300 + trial), b = normal(Shape{out}, 400 + trial);
        Tape t;
        Var y = conv2d(t, t.constant(x), t.constant(wc), t.constant(b), stride, pad);
        expect_near_all(t.value(y), conv2d_loops(x, wc, &b, stride, pad), 1e-4f);
        if ((h - 1) * stride - 2 * pad + k < 1 || (w - 1) * stride - 2 * pad + k < 1) continue;
        Var up = conv_transpose2d(t, t.constant(x), t.constant(wt), t.constant(b), stride, pad);
        expect_near_all(t.value(up), conv_transpose2d_loops(x, wt, &b, stride, pad), 1e-4f);
    }
}

TEST(Conv2d, MatchesDirectLoopsOnABatchLargeEnoughForThreads) {
    // The column transforms run over (image, channel) planes in parallel above kParallelGrain.
    const Tensor x = normal(Shape{8, 3, 28, 28}, 19), w = normal(Shape{4, 3, 4, 4}, 20), b = normal(Shape{4}, 21);
    const Tensor wt = normal(Shape{3, 4, 4, 4}, 22);
    Tape t;
    Var y = conv2d(t, t.constant(x), t.constant(w), t.constant(b), 2, 1);
    expect_near_all(t.value(y), conv2d_loops(x, w, &b, 2, 1), 1e-4f);
    Var up = conv_transpose2d(t, t.constant(x), t.constant(wt), t.constant(b), 2, 1);
    expect_near_all(t.value(up), conv_transpose2d_loops(x, wt, &b, 2, 1), 1e-4f);
}

TEST(Conv2d, RerunsAreBitIdenticalAndThreadCountsAgree) {
    // D's second convolution into G's first transposed one, at a batch where every loop is parallel.
    // One thread count gives the same bits every run; another rounds the GEMMs differently (design.md).
    const testing::ThreadCountRestorer restore;
    Parameter x("x", normal(Shape{16, 8, 14, 14}, 23)), w("w", normal(Shape{16, 8, 4, 4}, 24)),
        up("up", normal(Shape{16, 8, 4, 4}, 25)), b("b", normal(Shape{8}, 26));
    auto run = [&](int threads) {
        set_num_threads(threads);
        for (Parameter* p : {&x, &w, &up, &b}) p->zero_grad();
        Tape t;
        Var y = conv_transpose2d(t, conv2d(t, t.param(x), t.param(w), {}, 2, 1), t.param(up), t.param(b), 2, 1);
        t.backward(y, normal(t.shape(y), 27));
        std::vector<Tensor> out{t.value(y)};
        for (Parameter* p : {&x, &w, &up, &b}) out.push_back(p->grad);
        return out;
    };
    const std::vector<Tensor> two = run(2), again = run(2), one = run(1);
    for (size_t k = 0; k < two.size(); ++k) {
        // A sum over hundreds of terms rounds at the scale of its largest results, not of each one:
        // an element that cancels to near zero keeps the absolute error of its neighbours.
        float scale = 1.f;
        for (size_t i = 0; i < two[k].numel(); ++i) scale = std::max(scale, std::abs(two[k][i]));
        for (size_t i = 0; i < two[k].numel(); ++i) {
            ASSERT_EQ(two[k][i], again[k][i]) << "tensor " << k << " element " << i;
            ASSERT_NEAR(one[k][i], two[k][i], 1e-5f * scale) << "tensor " << k << " element " << i;
        }
    }
}

TEST(Conv2d, MatchesCentralDifferences) {
    for (const ConvCase& c : conv_cases()) {
        SCOPED_TRACE(c.str());
        std::vector<Tensor> in{normal(Shape{c.n, c.c, c.h, c.w}, 4), normal(Shape{c.out, c.c, c.k, c.k}, 5)};
        if (c.bias) in.push_back(normal(Shape{c.out}, 6));
        EXPECT_TRUE(gradients_match(
            [&](Tape& t, const std::vector<Var>& v) {
                return conv2d(t, v[0], v[1], c.bias ? v[2] : Var{}, c.stride, c.pad);
            },
            in, linear_in_each_input()));
    }
}

TEST(ConvTranspose2d, MatchesDirectLoops) {
    for (const ConvCase& c : conv_cases()) {
        SCOPED_TRACE(c.str());
        const Tensor x = normal(Shape{c.n, c.c, c.h, c.w}, 7), w = normal(Shape{c.c, c.out, c.k, c.k}, 8),
                     b = normal(Shape{c.out}, 9);
        Tape t;
        Var y = conv_transpose2d(t, t.constant(x), t.constant(w), c.bias ? t.constant(b) : Var{}, c.stride, c.pad);
        expect_near_all(t.value(y), conv_transpose2d_loops(x, w, c.bias ? &b : nullptr, c.stride, c.pad), 1e-4f);
    }
}

TEST(ConvTranspose2d, MatchesCentralDifferences) {
    for (const ConvCase& c : conv_cases()) {
        SCOPED_TRACE(c.str());
        std::vector<Tensor> in{normal(Shape{c.n, c.c, c.h, c.w}, 10), normal(Shape{c.c, c.out, c.k, c.k}, 11)};
        if (c.bias) in.push_back(normal(Shape{c.out}, 12));
        EXPECT_TRUE(gradients_match(
            [&](Tape& t, const std::vector<Var>& v) {
                return conv_transpose2d(t, v[0], v[1], c.bias ? v[2] : Var{}, c.stride, c.pad);
            },
            in, linear_in_each_input()));
    }
}

TEST(Conv2d, InputGradientsAddUpWhenAnImageFeedsSeveralConvolutions) {
    // The later op's backward stores into x's fresh gradient, the earlier one's adds to it.
    EXPECT_TRUE(gradients_match(
        [](Tape& t, const std::vector<Var>& v) {
            Var a = conv2d(t, v[0], v[1], {}, 1, 1);            // (2, 3, 5, 7): k 3, p 1 keep the size
            Var b = conv_transpose2d(t, v[0], v[2], {}, 1, 1);  // (2, 3, 5, 7)
            return add(t, add(t, a, b), conv2d(t, v[0], v[1], {}, 1, 1));
        },
        {normal(Shape{2, 2, 5, 7}, 28), normal(Shape{3, 2, 3, 3}, 29), normal(Shape{2, 3, 3, 3}, 30)},
        linear_in_each_input()));
}

TEST(ConvTranspose2d, IsTheAdjointOfConv2d) {
    // <conv2d(x), y> = <x, conv_transpose2d(y)> with one weight, when the strides tile the input.
    const Tensor x = normal(Shape{2, 3, 7, 9}, 13), w = normal(Shape{2, 3, 3, 3}, 14);
    Tape t;
    Var cx = conv2d(t, t.constant(x), t.constant(w), {}, 2, 1);  // (2, 2, 4, 5)
    const Tensor y = normal(t.shape(cx), 15);
    Var ty = conv_transpose2d(t, t.constant(y), t.constant(w), {}, 2, 1);  // (2, 3, 7, 9)
    ASSERT_EQ(t.shape(ty), x.shape());
    double lhs = 0, rhs = 0;
    for (size_t i = 0; i < y.numel(); ++i) lhs += static_cast<double>(t.value(cx)[i]) * y[i];
    for (size_t i = 0; i < x.numel(); ++i) rhs += static_cast<double>(t.value(ty)[i]) * x[i];
    EXPECT_NEAR(lhs, rhs, 1e-3 * std::abs(lhs));
}

TEST(Conv2d, TakesAFlatBatchAsAReshapedViewAndPassesItsGradient) {
    // A flat batch (N, C·H·W) is NCHW storage: reshape is a view, and the gradient reaches the flat leaf.
    EXPECT_TRUE(gradients_match(
        [](Tape& t, const std::vector<Var>& v) {
            Var img = reshape(t, v[0], Shape{2, 1, 5, 7});
            return reshape(t, conv2d(t, img, v[1], v[2], 2, 1), Shape{2, 2 * 3 * 4});
        },
        {normal(Shape{2, 35}, 16), normal(Shape{2, 1, 3, 3}, 17), normal(Shape{2}, 18)}, linear_in_each_input()));
}

TEST(Conv2d, ModulesHavePyTorchShapesNamesAndInitBounds) {
    Rng rng(1);
    const Conv2d conv(3, 8, 4, rng, {.stride = 2, .padding = 1});
    EXPECT_EQ(conv.weight.value.shape(), (Shape{8, 3, 4, 4}));
    ASSERT_NE(conv.bias, nullptr);
    const NamedParameters np = conv.named_parameters();
    ASSERT_EQ(np.size(), 2u);
    EXPECT_EQ(np[0].first, "weight");
    EXPECT_EQ(np[1].first, "bias");
    const ConvTranspose2d up(8, 3, 4, rng, {.stride = 2, .padding = 1, .weights = {.bias = false}});
    EXPECT_EQ(up.weight.value.shape(), (Shape{8, 3, 4, 4}));
    EXPECT_EQ(up.bias, nullptr);
    // kaiming_uniform(a = sqrt(5)): bound 1/sqrt(fan_in), fan_in = 3·16 for the conv, 3·16 for the
    // transposed one too (its second dim), and the biases' bound the same.
    const float bound = 1.f / std::sqrt(48.f);
    for (const Tensor* p : {&conv.weight.value, &up.weight.value}) {
        const float m = p->flat().abs().maxCoeff();
        EXPECT_LE(m, bound);
        EXPECT_GT(m, 0.95f * bound) << "384 uniform draws reach near the bound";
    }
    EXPECT_LE(conv.bias->value.flat().abs().maxCoeff(), bound);
    Tape t;
    Var x = t.input(Shape{2, 3, 28, 28});
    t.value(x).fill(0.5f);
    Var h = conv(t, x);
    EXPECT_EQ(t.shape(h), (Shape{2, 8, 14, 14}));
    EXPECT_EQ(t.shape(up(t, h)), (Shape{2, 3, 28, 28}));
}

TEST(Conv2d, RejectsMismatchedShapesNamingThem) {
    Tape t;
    Var x = t.input(Shape{2, 3, 5, 5});
    Var w = t.input(Shape{4, 2, 3, 3});
    try {
        conv2d(t, x, w, {}, 1, 0);
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("(4, 2, 3, 3)"), std::string::npos) << msg;
        EXPECT_NE(msg.find("(2, 3, 5, 5)"), std::string::npos) << msg;
    }
    Var w3 = t.input(Shape{4, 3, 3, 3});
    EXPECT_THROW(conv2d(t, x, w3, t.input(Shape{3}), 1, 0), Error);                     // bias of the wrong size
    EXPECT_THROW(conv2d(t, x, w3, {}, 0, 0), Error);                                    // stride 0
    EXPECT_THROW(conv2d(t, t.input(Shape{2, 3, 2, 2}), w3, {}, 1, 0), Error);           // kernel larger than the input
    EXPECT_THROW(conv2d(t, t.input(Shape{2, 75}), w3, {}, 1, 0), Error);                // flat: reshape first
    EXPECT_THROW(conv_transpose2d(t, x, t.input(Shape{4, 3, 3, 3}), {}, 1, 0), Error);  // expects (3, Cout, k, k)
    EXPECT_THROW(conv_transpose2d(t, t.input(Shape{1, 3, 1, 1}), t.input(Shape{3, 4, 3, 3}), {}, 1, 2),
                 Error);  // no output left
}

}  // namespace
}  // namespace genlab
