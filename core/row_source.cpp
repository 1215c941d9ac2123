#include "core/row_source.h"

#include <cstring>

#include "core/error.h"

namespace genlab {

RowSource::RowSource(const Tensor& t) : floats_(t.data()) {
    if (t.shape().rank != 2) fail("RowSource: expected an (N, D) tensor, got ", t.shape().str());
    rows_ = static_cast<size_t>(t.shape()[0]);
    cols_ = t.shape()[1];
}

RowSource::RowSource(const uint8_t* bytes, size_t rows, int cols, const ByteTable& table)
    : bytes_(bytes), table_(&table), rows_(rows), cols_(cols) {
    if (cols <= 0) fail("RowSource: row width must be positive, got ", cols);
}

void RowSource::check_range(size_t r0, size_t n) const {
    if (r0 > rows_ || n > rows_ - r0) fail("RowSource: rows [", r0, ", ", r0 + n, ") are outside the ", rows_, " rows");
}

void RowSource::decode_row(size_t r, float* dst) const {
    const size_t d = static_cast<size_t>(cols_);
    const uint8_t* src = bytes_ + r * d;
    const ByteTable& lut = *table_;
    for (size_t j = 0; j < d; ++j) dst[j] = lut[src[j]];
}

void RowSource::copy_rows(size_t r0, size_t n, float* dst) const {
    check_range(r0, n);
    const size_t d = static_cast<size_t>(cols_);
    if (floats_) {
        if (n) std::memcpy(dst, floats_ + r0 * d, n * d * sizeof(float));
        return;
    }
    for (size_t r = 0; r < n; ++r) decode_row(r0 + r, dst + r * d);
}

void RowSource::gather(std::span<const uint32_t> idx, float* dst) const {
    const size_t d = static_cast<size_t>(cols_);
    for (size_t r = 0; r < idx.size(); ++r) {
        if (idx[r] >= rows_) fail("RowSource: row ", idx[r], " is outside the ", rows_, " rows");
        if (floats_)
            std::memcpy(dst + r * d, floats_ + static_cast<size_t>(idx[r]) * d, d * sizeof(float));
        else
            decode_row(idx[r], dst + r * d);
    }
}

Tensor RowSource::block(size_t r0, size_t n, Tensor& scratch) const {
    check_range(r0, n);
    const Shape shape{static_cast<int>(n), cols_};
    if (floats_) return Tensor::view(const_cast<float*>(floats_) + r0 * static_cast<size_t>(cols_), shape);
    if (scratch.shape() != shape || scratch.is_view()) scratch = Tensor(shape);
    copy_rows(r0, n, scratch.data());
    return Tensor::view(scratch.data(), shape);
}

Tensor RowSource::to_tensor() const {
    Tensor out(Shape{static_cast<int>(rows_), cols_});
    copy_rows(0, rows_, out.data());
    return out;
}

}  // namespace genlab
