// Counts heap allocations: replaces the global operator new/delete for the test executable that
// includes this header (include it in exactly one .cpp), counting only inside a window, so
// GoogleTest's own allocations do not count.
//
//     genlab::testing::AllocationCounter count;   // starts counting
//     step();
//     EXPECT_EQ(count.stop(), 0);
#pragma once
#include <atomic>
#include <cstdlib>
#include <new>

// GCC sees free() inside a replaced operator delete and, after inlining a `new` expression into
// the same caller, wrongly reports a new/free mismatch; here malloc/free *are* new/delete.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace genlab::testing {

inline std::atomic<bool> g_counting{false};
inline std::atomic<long> g_allocations{0};

inline void* counted_alloc(std::size_t n, std::size_t align) {
    if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (n == 0) n = 1;
    void* p = align > alignof(std::max_align_t) ? std::aligned_alloc(align, (n + align - 1) / align * align)
                                                : std::malloc(n);
    return p;
}

class AllocationCounter {
public:
    AllocationCounter() {
        g_allocations = 0;
        g_counting = true;
    }
    ~AllocationCounter() { g_counting = false; }
    AllocationCounter(const AllocationCounter&) = delete;
    AllocationCounter& operator=(const AllocationCounter&) = delete;
    // Stops counting; the number of allocations since construction.
    long stop() {
        g_counting = false;
        return g_allocations.load();
    }
};

}  // namespace genlab::testing

void* operator new(std::size_t n) {
    if (void* p = genlab::testing::counted_alloc(n, 0)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    if (void* p = genlab::testing::counted_alloc(n, 0)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t a) {
    if (void* p = genlab::testing::counted_alloc(n, static_cast<std::size_t>(a))) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) {
    if (void* p = genlab::testing::counted_alloc(n, static_cast<std::size_t>(a))) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return genlab::testing::counted_alloc(n, 0); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return genlab::testing::counted_alloc(n, 0); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
