// RowSource: a Tensor is viewed without copying; bytes are decoded through the table; blocks
// reuse their scratch; ranges outside the rows are errors.
#include "core/row_source.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/test_util.h"

namespace genlab {
namespace {

using testing::expect_error;

struct ByteRows {  // 5 rows of 3 bytes: row r holds 10r, 10r+1, 10r+2; the table maps b to b / 2
    std::vector<uint8_t> bytes;
    ByteTable table{};
    ByteRows() {
        for (int r = 0; r < 5; ++r)
            for (int j = 0; j < 3; ++j) bytes.push_back(static_cast<uint8_t>(10 * r + j));
        for (int b = 0; b < 256; ++b) table[static_cast<size_t>(b)] = 0.5f * static_cast<float>(b);
    }
    RowSource source() const { return RowSource(bytes.data(), 5, 3, table); }
};

TEST(RowSource, TensorBlocksAreViews) {
    Tensor t(Shape{4, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
    RowSource src(t);
    EXPECT_EQ(src.rows(), 4u);
    EXPECT_EQ(src.cols(), 2);
    Tensor scratch;
    Tensor b = src.block(1, 2, scratch);
    EXPECT_EQ(b.shape(), (Shape{2, 2}));
    EXPECT_EQ(b.data(), t.data() + 2);   // no copy
    EXPECT_EQ(scratch.data(), nullptr);  // the scratch was never used
}

TEST(RowSource, BytesAreDecodedThroughTheTable) {
    const ByteRows rows;
    const RowSource src = rows.source();
    Tensor scratch;
    Tensor b = src.block(2, 2, scratch);  // rows 2 and 3
    EXPECT_EQ(b.shape(), (Shape{2, 3}));
    EXPECT_EQ(b[0], 10.f);
    EXPECT_EQ(b[5], 16.f);  // row 3, byte 32
    const float* first = scratch.data();
    src.block(0, 2, scratch);  // same shape: the scratch is reused, not reallocated
    EXPECT_EQ(scratch.data(), first);
    EXPECT_EQ(scratch[4], 5.5f);

    const std::vector<uint32_t> idx{4, 0};
    std::vector<float> out(6);
    src.gather(idx, out.data());
    EXPECT_EQ(out, (std::vector<float>{20.f, 20.5f, 21.f, 0.f, 0.5f, 1.f}));
    EXPECT_EQ(src.to_tensor()[14], 21.f);
}

TEST(RowSource, RowsOutsideTheRangeAreErrors) {
    const ByteRows rows;
    const RowSource src = rows.source();
    Tensor scratch;
    expect_error([&] { src.block(4, 2, scratch); }, {"rows [4, 6)", "5 rows"});
    std::vector<float> out(3);
    const std::vector<uint32_t> idx{5};
    expect_error([&] { src.gather(idx, out.data()); }, {"row 5", "5 rows"});
    expect_error([] { RowSource(Tensor(Shape{8})); }, {"(N, D)"});
}

}  // namespace
}  // namespace genlab
