// A steady-state training step allocates nothing: after two warm-up steps, tape.reset + forward +
// loss + backward + optimizer step perform zero heap allocations (counted by tests/alloc_counter.h).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/nn/layers.h"
#include "core/optim/optimizer.h"
#include "tests/alloc_counter.h"

namespace genlab {
namespace {

using testing::AllocationCounter;

TEST(AllocationCounter, SeesAnAllocation) {
    // The counter must be able to fail: a vector growing inside the window is counted.
    AllocationCounter c;
    std::vector<float>* v = new std::vector<float>(100);
    long n = c.stop();
    delete v;
    EXPECT_GE(n, 2);
}

// Runs `step` twice to warm up, then three more times while counting.
template <class Step>
long allocations_after_warmup(Step&& step) {
    step();
    step();
    AllocationCounter c;
    for (int i = 0; i < 3; ++i) step();
    return c.stop();
}

TEST(SteadyState, MlpCrossEntropyAdamStepAllocatesNothing) {
    Rng rng(1);
    MLP mlp({8, 32, 32, 4}, parse_activation("gelu"), parse_activation("identity"), rng);
    Adam opt(mlp.named_parameters(), {.lr = 1e-3f});
    Tensor x(Shape{16, 8});  // (B, 8)
    rng.fill_normal(x);
    Tensor y(Shape{16});  // (B) class ids
    for (size_t i = 0; i < 16; ++i) y[i] = static_cast<float>(i % 4);
    Tape t;
    float loss = 0.f;
    long n = allocations_after_warmup([&] {
        t.reset();
        opt.zero_grad();
        Var l = cross_entropy(t, mlp(t, t.constant(x)), t.constant(y));
        loss = t.item(l);
        t.backward(l);
        opt.step();
    });
    EXPECT_EQ(n, 0) << "heap allocations in 3 steady-state steps";
    EXPECT_TRUE(std::isfinite(loss));
}

TEST(SteadyState, LearnableActivationRecordClipAdamWStepAllocatesNothing) {
    Rng rng(2);
    MLP mlp({8, 32, 8}, parse_activation("prelu"), parse_activation("sigmoid"), rng);
    AdamW opt(mlp.named_parameters(), {.lr = 1e-3f, .weight_decay = 0.1f, .decay_matrices_only = true});
    Tensor x(Shape{16, 8});  // (B, 8)
    rng.fill_uniform(x, 0.f, 1.f);
    LayerRecord record;
    Tape t;
    long n = allocations_after_warmup([&] {
        t.reset();
        record.clear();
        opt.zero_grad();
        Var xv = t.constant(x);
        Var l = mse(t, mlp(t, xv, &record), xv);  // an autoencoder-shaped loss
        t.backward(l);
        clip_grad_norm(opt.params(), 1.f);
        opt.step();
    });
    EXPECT_EQ(n, 0) << "heap allocations in 3 steady-state steps";
}

TEST(SteadyState, SgdMomentumStepAllocatesNothing) {
    Rng rng(3);
    MLP mlp({4, 16, 1}, parse_activation("tanh"), parse_activation("identity"), rng);
    Sgd opt(mlp.named_parameters(), {.lr = 1e-2f, .momentum = 0.9f});
    Tensor x(Shape{8, 4}), y(Shape{8, 1});
    rng.fill_normal(x);
    Tape t;
    long n = allocations_after_warmup([&] {
        t.reset();
        mlp.zero_grad();  // the module's zero_grad, as a model's train step may call it
        Var l = bce_with_logits(t, mlp(t, t.constant(x)), t.constant(y));
        t.backward(l);
        opt.step();
    });
    EXPECT_EQ(n, 0) << "heap allocations in 3 steady-state steps";
}

TEST(SteadyState, ConvNetBatchNormAdamStepAllocatesNothing) {
    // A DCGAN-shaped pair: conv k4 s2 p1 8→4, batch norm, Leaky ReLU, transposed conv back to 8, tanh.
    Rng rng(4);
    Conv2d down(2, 6, 4, rng, {.stride = 2, .padding = 1});
    BatchNorm bn(6);
    ConvTranspose2d up(6, 2, 4, rng, {.stride = 2, .padding = 1});
    NamedParameters params = down.named_parameters("down.");
    for (const NamedParameters& more : {bn.named_parameters("bn."), up.named_parameters("up.")})
        params.insert(params.end(), more.begin(), more.end());
    Adam opt(params, {.lr = 1e-3f});
    Tensor x(Shape{4, 2 * 8 * 8});  // (B, C·H·W): a flat batch, viewed as images
    rng.fill_uniform(x, -1.f, 1.f);
    const Activation leaky = parse_activation("leaky_relu:0.2"), tanh_act = parse_activation("tanh");
    Tape t;
    long n = allocations_after_warmup([&] {
        t.reset();
        opt.zero_grad();
        Var xv = t.constant(x);
        Var h = activate(t, bn(t, down(t, reshape(t, xv, Shape{4, 2, 8, 8}))), leaky);  // (B, 6, 4, 4)
        Var y = activate(t, up(t, h), tanh_act);                                        // (B, 2, 8, 8)
        Var l = mse(t, reshape(t, y, Shape{4, 2 * 8 * 8}), xv);
        t.backward(l);
        opt.step();
    });
    EXPECT_EQ(n, 0) << "heap allocations in 3 steady-state steps";
}

}  // namespace
}  // namespace genlab
