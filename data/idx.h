// IDX reader (the MNIST file format): big-endian magic 0x000008NN (unsigned-byte data, NN dims),
// NN big-endian uint32 dims, then the bytes row-major. gzip or raw, decided by content. Every
// header field and the data size are validated before the payload is allocated.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/byte_stream.h"

namespace genlab::data {

// Limits a header must respect; anything beyond is a hostile or foreign file, not a dataset.
inline constexpr uint32_t kIdxMaxCount = 10'000'000;         // images or labels per file
inline constexpr uint32_t kIdxMaxSide = 4096;                // image rows and columns
inline constexpr uint64_t kIdxMaxBytes = uint64_t{1} << 31;  // whole payload (2 GiB)

struct IdxArray {
    std::vector<uint32_t> dims;  // (N) for labels, (N, rows, cols) for images, as the header says
    std::vector<uint8_t> data;   // the first `items` items, row-major: items * product(dims[1:]) bytes
    uint64_t items = 0;          // N, or fewer when the reader was asked for fewer
};

// Reads an IDX file of `rank` dims: 3 for images (magic 0x00000803), 1 for labels (0x00000801).
// Errors (one line naming the file): missing / directory, not IDX, wrong kind, zero or oversized
// dims, truncated or oversized data, corrupt gzip. With max_items > 0 only the first max_items
// items are read and held: a gzip stream is inflated no further than they reach (a small file
// that inflates to gigabytes costs only what is asked for), so what follows them is not checked.
IdxArray read_idx(const std::string& path, int rank, uint64_t max_items = 0);
// The same from an open stream (memory input for fuzzing); messages use in.name().
IdxArray read_idx(ByteStream& in, int rank, uint64_t max_items = 0);

}  // namespace genlab::data
