// A steady-state training step allocates nothing: after two warm-up steps, tape.reset + forward +
// loss + backward + optimizer step perform zero heap allocations. Global operator new/delete are
// replaced in this file to count them (only between start() and stop(), so GoogleTest's own
// allocations do not count).
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <vector>

#include "core/nn/layers.h"
#include "core/optim/optimizer.h"

// GCC sees free() inside a replaced operator delete and, after inlining a `new` expression into
// the same caller, wrongly reports a new/free mismatch; here malloc/free *are* new/delete.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {

std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};

void* counted_alloc(std::size_t n, std::size_t align) {
    if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (n == 0) n = 1;
    void* p = align > alignof(std::max_align_t) ? std::aligned_alloc(align, (n + align - 1) / align * align)
                                                : std::malloc(n);
    return p;
}

}  // namespace

void* operator new(std::size_t n) {
    if (void* p = counted_alloc(n, 0)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    if (void* p = counted_alloc(n, 0)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t a) {
    if (void* p = counted_alloc(n, static_cast<std::size_t>(a))) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) {
    if (void* p = counted_alloc(n, static_cast<std::size_t>(a))) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n, 0); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n, 0); }
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

struct AllocationCounter {
    void start() {
        g_allocations = 0;
        g_counting = true;
    }
    long stop() {
        g_counting = false;
        return g_allocations.load();
    }
};

TEST(AllocationCounter, SeesAnAllocation) {
    // The counter must be able to fail: a vector growing inside the window is counted.
    AllocationCounter c;
    c.start();
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
    c.start();
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

}  // namespace
}  // namespace genlab
