// A read-only (N, D) float matrix read in blocks of rows: either a Tensor (viewed, never copied)
// or N rows of bytes decoded through a 256-entry table. Image datasets stay as bytes (a quarter
// of the memory of their float copy) and are converted one batch or evaluation chunk at a time.
//
//     RowSource src = dataset.images();          // or any (N, D) Tensor, implicitly
//     Tensor scratch;
//     for (size_t r0 = 0; r0 < src.rows(); r0 += 500) {
//         Tensor x = src.block(r0, std::min<size_t>(500, src.rows() - r0), scratch);  // (n, D)
//         ...
//     }
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/tensor.h"

namespace genlab {

using ByteTable = std::array<float, 256>;  // the float value of each byte

class RowSource {
public:
    RowSource(const Tensor& t);  // NOLINT(google-explicit-constructor): any (N, D) tensor is a source
    // `rows` rows of `cols` bytes at `bytes`; `bytes` and `table` must outlive the source.
    RowSource(const uint8_t* bytes, size_t rows, int cols, const ByteTable& table);

    size_t rows() const { return rows_; }
    int cols() const { return cols_; }

    // Rows [r0, r0 + n) as an (n, D) tensor: a view of a Tensor source, or bytes decoded into
    // `scratch` (resized only when its shape differs, so a loop over equal blocks allocates once).
    Tensor block(size_t r0, size_t n, Tensor& scratch) const;
    // Rows [r0, r0 + n) written as floats to dst (n * D floats).
    void copy_rows(size_t r0, size_t n, float* dst) const;
    // Rows idx[0], idx[1], ... written as floats to dst (idx.size() * D floats).
    void gather(std::span<const uint32_t> idx, float* dst) const;
    // The whole matrix as a float tensor (N, D): a copy, for small sets only.
    Tensor to_tensor() const;

private:
    void check_range(size_t r0, size_t n) const;
    void decode_row(size_t r, float* dst) const;

    const float* floats_ = nullptr;   // Tensor source
    const uint8_t* bytes_ = nullptr;  // byte source
    const ByteTable* table_ = nullptr;
    size_t rows_ = 0;
    int cols_ = 0;
};

}  // namespace genlab
