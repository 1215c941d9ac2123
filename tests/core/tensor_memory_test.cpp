// A tensor too large for the memory there is: an Error naming its shape and size, instead of
// "unexpected error: std::bad_alloc" with nothing named.
#include <gtest/gtest.h>

#include "core/tensor.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

TEST(TensorMemory, AnAllocationThatFailsNamesTheShapeAndTheSize) {
    // 2^60 floats: 4.6 exabytes, which no allocator hands out.
    testing::expect_error(
        [] {
            Tensor t(Shape{1 << 30, 1 << 30});
        },
        {"out of memory", "(1073741824, 1073741824)", "needs 4611686018.4 GB"});
    Tensor small(Shape{2, 2});
    testing::expect_error(
        [&] {
            small.resize(Shape{1 << 30, 1 << 30});
        },
        {"out of memory", "(1073741824, 1073741824)"});
    EXPECT_EQ(small.numel(), 4u) << "a failed resize leaves the tensor as it was";
}

}  // namespace
}  // namespace genlab
