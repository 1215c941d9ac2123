// The GAN training step in steady state: after two warm-up steps, GanStep::run (D update on the
// concatenated real+fake batch, G update through the frozen D, both Adams, the grad norms and the
// per-layer records) allocates nothing but the one vector of the Metrics it returns. Global
// operator new/delete are replaced in this file to count allocations (as in allocation_test.cpp).
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <vector>

#include "data/toy2d.h"
#include "models/gan.h"

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

namespace genlab::models {
namespace {

long allocations(GanConfig c, bool grad_norms) {
    Rng rng(1), noise(2), data_rng(3);
    Gan gan(c, rng);
    GanStep step(gan, c);
    const data::Toy2d toy = data::make_toy2d("ring8");
    auto one = [&] { return step.run([&](Tensor& b) { toy.sample(data_rng, b); }, noise, grad_norms); };
    one();
    one();
    g_allocations = 0;
    g_counting = true;
    size_t reported = 0;
    for (int i = 0; i < 3; ++i) reported += one().size();
    g_counting = false;
    EXPECT_EQ(reported, 18u);
    return g_allocations.load();
}

GanConfig toy_config() {
    GanConfig c;
    c.data_dim = 2;
    c.latent = 8;
    c.g_hidden = {32, 32};
    c.d_hidden = {32, 32};
    c.batch = 16;
    c.g_out = "identity";
    return c;
}

TEST(GanSteadyState, StepAllocatesOnlyItsMetricsVector) {
    // 3 steps, one std::vector of 6 (name, value) pairs each; the names fit in std::string's
    // small buffer, so nothing else may allocate.
    EXPECT_EQ(allocations(toy_config(), true), 3);
}

TEST(GanSteadyState, EveryLossAndLearnableActivationStaysAllocationFree) {
    for (const char* loss : {"ns", "minimax", "lsgan"}) {
        GanConfig c = toy_config();
        c.loss = loss;
        c.d_act = "prelu";
        c.d_steps = 2;
        EXPECT_EQ(allocations(c, false), 3) << loss;
    }
}

}  // namespace
}  // namespace genlab::models
