// End to end: a small MLP trained with Adam drives XOR and a two-class spiral to near-zero loss,
// for each of relu, gelu and tanh hidden activations (Module + ops + tape + optimizer together).
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "core/nn/layers.h"
#include "core/optim/optimizer.h"
#include "core/parallel.h"

namespace genlab {
namespace {

class Learns : public ::testing::TestWithParam<std::string> {
protected:
    // Matrices this small gain nothing from threads, and on a busy machine OpenMP wake-ups
    // inside Eigen's GEMM cost 10-100x the work; one thread also fixes the reduction order.
    void SetUp() override { set_num_threads(1); }
};

TEST_P(Learns, Xor) {
    Rng rng(1);
    MLP mlp({2, 16, 1}, parse_activation(GetParam()), parse_activation("identity"), rng);
    Adam opt(mlp.named_parameters(), {.lr = 0.05f});
    const Tensor x(Shape{4, 2}, {0.f, 0.f, 0.f, 1.f, 1.f, 0.f, 1.f, 1.f});  // (N, 2)
    const Tensor y(Shape{4, 1}, {0.f, 1.f, 1.f, 0.f});                      // (N, 1)
    Tape t;
    float loss = 0.f;
    for (int step = 0; step < 600; ++step) {
        t.reset();
        opt.zero_grad();
        Var l = bce_with_logits(t, mlp(t, t.constant(x)), t.constant(y));
        loss = t.item(l);
        t.backward(l);
        opt.step();
    }
    EXPECT_LT(loss, 0.01f) << GetParam();
    NoGradGuard no_grad(t);
    t.reset();
    Var logits = mlp(t, t.constant(x));  // (N, 1)
    for (size_t i = 0; i < 4; ++i) EXPECT_EQ(t.value(logits)[i] > 0.f, y[i] > 0.5f) << "point " << i;
}

// Two interleaved spirals of 64 points each (1.5 turns), labels 0 and 1.
void make_spiral(Tensor& x, Tensor& y) {
    const int n = 64;
    x = Tensor(Shape{2 * n, 2});  // (N, 2)
    y = Tensor(Shape{2 * n});     // (N) class ids
    for (int c = 0; c < 2; ++c)
        for (int i = 0; i < n; ++i) {
            const double r = 0.1 + 0.9 * i / (n - 1);
            const double a = 3.0 * std::numbers::pi * i / (n - 1) + c * std::numbers::pi;
            const size_t k = static_cast<size_t>(c * n + i);
            x[2 * k] = static_cast<float>(r * std::cos(a));
            x[2 * k + 1] = static_cast<float>(r * std::sin(a));
            y[k] = static_cast<float>(c);
        }
}

TEST_P(Learns, Spiral) {
    Tensor x, y;
    make_spiral(x, y);
    Rng rng(2);
    MLP mlp({2, 64, 64, 2}, parse_activation(GetParam()), parse_activation("identity"), rng);
    Adam opt(mlp.named_parameters(), {.lr = 0.01f});
    Tape t;
    float loss = 0.f;
    for (int step = 0; step < 800; ++step) {
        t.reset();
        opt.zero_grad();
        Var l = cross_entropy(t, mlp(t, t.constant(x)), t.constant(y));
        loss = t.item(l);
        t.backward(l);
        opt.step();
    }
    EXPECT_LT(loss, 0.05f) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(HiddenActivations, Learns, ::testing::Values("relu", "gelu", "tanh"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                             std::string s = info.param;
                             s[0] = static_cast<char>(std::toupper(s[0]));
                             return s;
                         });

}  // namespace
}  // namespace genlab
