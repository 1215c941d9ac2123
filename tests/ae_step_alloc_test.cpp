// The autoencoder's training step (what genlab-ae's StepFn and the `ae` benchmark run: gather a
// batch, forward, loss, backward, Adam) performs no heap allocation once warm, plain and VAE.
#include <gtest/gtest.h>

#include <cmath>

#include "core/optim/optimizer.h"
#include "data/batch_sampler.h"
#include "models/autoencoder.h"
#include "tests/alloc_counter.h"

namespace genlab {
namespace {

long allocations_in_warm_steps(bool variational) {
    models::AutoencoderConfig cfg;
    cfg.input = 64;
    cfg.hidden = {32, 16};
    cfg.latent = 4;
    cfg.variational = variational;
    Rng rng(1);
    models::Autoencoder model(cfg, rng);
    Adam opt(model.named_parameters(), {.lr = 1e-3f});
    Tensor data(Shape{200, 64});  // (N, P)
    rng.fill_uniform(data, 0.f, 1.f);
    data::BatchSampler sampler(200, 2);
    Rng noise(3);
    Tape tape;
    Tensor batch(Shape{16, 64});  // (B, P)
    float loss = 0.f;
    auto step = [&] {
        sampler.next(data, batch);
        tape.reset();
        opt.zero_grad();
        const models::AeLosses l = model.loss(tape, tape.constant(batch), &noise);
        tape.backward(l.objective);
        opt.step();
        loss = tape.item(l.recon);
    };
    step();
    step();
    testing::AllocationCounter count;
    for (int i = 0; i < 5; ++i) step();
    const long n = count.stop();
    EXPECT_TRUE(std::isfinite(loss));
    return n;
}

TEST(AutoencoderStep, CounterSeesAnAllocation) {
    testing::AllocationCounter count;
    float* volatile p = new float[8];  // volatile: the compiler may not elide the allocation
    const long n = count.stop();
    delete[] p;
    EXPECT_EQ(n, 1);
}

TEST(AutoencoderStep, PlainStepAllocatesNothingOnceWarm) { EXPECT_EQ(allocations_in_warm_steps(false), 0); }

TEST(AutoencoderStep, VariationalStepAllocatesNothingOnceWarm) { EXPECT_EQ(allocations_in_warm_steps(true), 0); }

}  // namespace
}  // namespace genlab
