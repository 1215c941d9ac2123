// The autoencoder's training step (what genlab-ae's StepFn and the `ae` benchmark run: gather a
// batch, forward, loss, backward, Adam) performs no heap allocation once warm, plain and VAE.
// Global operator new is replaced in this file and counts only inside the measured window.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>

#include "core/optim/optimizer.h"
#include "data/batch_sampler.h"
#include "models/autoencoder.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // malloc/free *are* new/delete here
#endif

namespace {

std::atomic<bool> g_count{false};
std::atomic<long> g_news{0};

void* allocate(std::size_t n, std::size_t align) {
    if (g_count.load(std::memory_order_relaxed)) g_news.fetch_add(1, std::memory_order_relaxed);
    if (n == 0) n = 1;
    void* p = align > alignof(std::max_align_t) ? std::aligned_alloc(align, (n + align - 1) / align * align) : std::malloc(n);
    if (!p) throw std::bad_alloc();
    return p;
}

}  // namespace

void* operator new(std::size_t n) { return allocate(n, 0); }
void* operator new[](std::size_t n) { return allocate(n, 0); }
void* operator new(std::size_t n, std::align_val_t a) { return allocate(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return allocate(n, static_cast<std::size_t>(a)); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

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
    g_news = 0;
    g_count = true;
    for (int i = 0; i < 5; ++i) step();
    g_count = false;
    EXPECT_TRUE(std::isfinite(loss));
    return g_news.load();
}

TEST(AutoencoderStep, CounterSeesAnAllocation) {
    g_news = 0;
    g_count = true;
    float* p = new float[8];
    g_count = false;
    delete[] p;
    EXPECT_EQ(g_news.load(), 1);
}

TEST(AutoencoderStep, PlainStepAllocatesNothingOnceWarm) { EXPECT_EQ(allocations_in_warm_steps(false), 0); }

TEST(AutoencoderStep, VariationalStepAllocatesNothingOnceWarm) { EXPECT_EQ(allocations_in_warm_steps(true), 0); }

}  // namespace
}  // namespace genlab
