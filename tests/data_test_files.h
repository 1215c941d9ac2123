// Test helpers for the data readers: files written raw or gzip-compressed (zlib) and IDX headers.
#pragma once
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/error.h"
#include "tests/test_util.h"

namespace genlab::testing {

inline void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f) throw std::runtime_error("cannot write " + path);
}

// A complete gzip member of `bytes` (deflate level 6, as the gzip tool).
inline std::string gzip_bytes(const std::string& bytes) {
    z_stream zs{};
    if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2");
    std::string out(deflateBound(&zs, bytes.size()) + 64, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    zs.avail_in = static_cast<uInt>(bytes.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

inline void put_be32(std::string& s, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((v >> shift) & 0xFF);
}

// IDX header: magic 0x000008NN then the dims, big-endian.
inline std::string idx_header(std::initializer_list<uint32_t> dims, uint8_t type = 0x08) {
    std::string s;
    put_be32(s, (uint32_t{type} << 8) | static_cast<uint32_t>(dims.size()));
    for (uint32_t d : dims) put_be32(s, d);
    return s;
}

// Pixel / label bytes 0, 1, 2, ... (mod 256): easy to check after a round trip.
inline std::string ramp(size_t n, unsigned start = 0) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((start + i) & 0xFF);
    return s;
}

}  // namespace genlab::testing
