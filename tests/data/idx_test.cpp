// IDX reader: small files written by the test (raw and gzip, chosen by content), then hostile
// inputs, each of which must be one clear Error naming the file, never a crash or a huge allocation.
#include <gtest/gtest.h>

#include <cstdlib>

#include "data/idx.h"
#include "tests/data_test_files.h"

namespace genlab::data {
namespace {

using genlab::testing::expect_error;
using genlab::testing::gzip_bytes;
using genlab::testing::idx_header;
using genlab::testing::ramp;
using genlab::testing::TempDir;
using genlab::testing::write_bytes;

const std::string kImages = idx_header({3, 2, 4}) + ramp(24);  // 3 images of 2x4

TEST(Idx, ReadsRawImages) {
    TempDir dir;
    write_bytes(dir.file("img"), kImages);
    IdxArray a = read_idx(dir.file("img"), 3);
    EXPECT_EQ(a.dims, (std::vector<uint32_t>{3, 2, 4}));
    ASSERT_EQ(a.data.size(), 24u);
    for (size_t i = 0; i < 24; ++i) EXPECT_EQ(a.data[i], i);
}

TEST(Idx, ReadsLabels) {
    TempDir dir;
    write_bytes(dir.file("lab"), idx_header({5}) + std::string("\x09\x00\x00\x03\x07", 5));
    IdxArray a = read_idx(dir.file("lab"), 1);
    EXPECT_EQ(a.dims, (std::vector<uint32_t>{5}));
    EXPECT_EQ(a.data, (std::vector<uint8_t>{9, 0, 0, 3, 7}));
}

TEST(Idx, ChoosesGzipByContentNotByName) {
    TempDir dir;
    write_bytes(dir.file("compressed-without-suffix"), gzip_bytes(kImages));
    write_bytes(dir.file("raw-with-suffix.gz"), kImages);
    IdxArray a = read_idx(dir.file("compressed-without-suffix"), 3);
    IdxArray b = read_idx(dir.file("raw-with-suffix.gz"), 3);
    EXPECT_EQ(a.data, b.data);
    EXPECT_EQ(a.dims, b.dims);
    EXPECT_EQ(a.data[23], 23);
}

TEST(Idx, ReadsGzipLargerThanOneChunk) {
    // 3 MB of pixels: several staging-buffer refills and payload growth steps.
    TempDir dir;
    const std::string big = idx_header({1000, 60, 50}) + ramp(3'000'000, 7);
    write_bytes(dir.file("big.gz"), gzip_bytes(big));
    IdxArray a = read_idx(dir.file("big.gz"), 3);
    ASSERT_EQ(a.data.size(), 3'000'000u);
    EXPECT_EQ(a.data[0], 7);
    EXPECT_EQ(a.data[2'999'999], (2'999'999 + 7) % 256);
}

TEST(Idx, ReadsConcatenatedGzipMembers) {
    TempDir dir;
    write_bytes(dir.file("two.gz"), gzip_bytes(kImages.substr(0, 20)) + gzip_bytes(kImages.substr(20)));
    EXPECT_EQ(read_idx(dir.file("two.gz"), 3).data[23], 23);
}

TEST(Idx, ReadsFromMemory) {
    const std::string gz = gzip_bytes(kImages);
    ByteStream in = ByteStream::from_memory(reinterpret_cast<const uint8_t*>(gz.data()), gz.size(), "mem");
    EXPECT_TRUE(in.compressed());
    EXPECT_EQ(read_idx(in, 3).dims, (std::vector<uint32_t>{3, 2, 4}));
}

// --- hostile inputs -------------------------------------------------------------------------

TEST(IdxHostile, MissingFile) {
    TempDir dir;
    expect_error([&] { read_idx(dir.file("nope"), 3); }, {dir.file("nope"), "does not exist"});
}

TEST(IdxHostile, DirectoryPassedAsFile) {
    TempDir dir;
    expect_error([&] { read_idx(dir.path().string(), 3); }, {dir.path().string(), "is a directory"});
}

TEST(IdxHostile, EmptyFile) {
    TempDir dir;
    write_bytes(dir.file("empty"), "");
    expect_error([&] { read_idx(dir.file("empty"), 3); }, {dir.file("empty"), "magic"});
}

TEST(IdxHostile, TruncatedRawFile) {
    TempDir dir;
    write_bytes(dir.file("cut"), kImages.substr(0, kImages.size() - 5));
    expect_error([&] { read_idx(dir.file("cut"), 3); }, {dir.file("cut"), "truncated", "3x2x4", "holds only 19"});
}

TEST(IdxHostile, TruncatedHeader) {
    TempDir dir;
    write_bytes(dir.file("cut"), kImages.substr(0, 9));
    expect_error([&] { read_idx(dir.file("cut"), 3); }, {dir.file("cut"), "dimensions"});
}

TEST(IdxHostile, TruncatedGzipFile) {
    TempDir dir;
    const std::string gz = gzip_bytes(idx_header({100, 28, 28}) + ramp(78400));
    write_bytes(dir.file("cut.gz"), gz.substr(0, gz.size() / 2));
    expect_error([&] { read_idx(dir.file("cut.gz"), 3); }, {dir.file("cut.gz"), "ends early"});
}

TEST(IdxHostile, GzipWithoutItsTrailer) {
    TempDir dir;
    const std::string gz = gzip_bytes(kImages);
    write_bytes(dir.file("notrailer.gz"), gz.substr(0, gz.size() - 8));  // CRC-32 and length missing
    expect_error([&] { read_idx(dir.file("notrailer.gz"), 3); }, {dir.file("notrailer.gz"), "ends early"});
}

TEST(IdxHostile, GzipCorruptedMidway) {
    TempDir dir;
    std::string gz = gzip_bytes(idx_header({100, 28, 28}) + ramp(78400));
    // Depending on the bytes hit, inflate rejects the codes (offsets 12 and size/3) or decodes
    // garbage of the wrong length (size/2); every outcome must say "corrupt".
    for (size_t at : {gz.size() / 2, gz.size() / 3, size_t{12}}) {
        std::string bad = gz;
        for (size_t i = at; i < at + 16; ++i) bad[i] = static_cast<char>(bad[i] ^ 0x5A);
        write_bytes(dir.file("bad.gz"), bad);
        expect_error([&] { read_idx(dir.file("bad.gz"), 3); }, {dir.file("bad.gz"), "corrupt"});
    }
}

TEST(IdxHostile, GzipCrcMismatch) {
    TempDir dir;
    std::string gz = gzip_bytes(kImages);
    gz[gz.size() - 8] = static_cast<char>(gz[gz.size() - 8] ^ 1);  // first byte of the CRC-32
    write_bytes(dir.file("crc.gz"), gz);
    expect_error([&] { read_idx(dir.file("crc.gz"), 3); }, {dir.file("crc.gz"), "incorrect data check"});
}

TEST(IdxHostile, GarbageAfterGzipStream) {
    TempDir dir;
    write_bytes(dir.file("tail.gz"), gzip_bytes(kImages) + "GARBAGE");
    expect_error([&] { read_idx(dir.file("tail.gz"), 3); }, {dir.file("tail.gz"), "non-gzip data"});
}

TEST(IdxHostile, WrongMagic) {
    TempDir dir;
    write_bytes(dir.file("png"), std::string("\x89PNG\r\n\x1a\n", 8) + ramp(40));
    expect_error([&] { read_idx(dir.file("png"), 3); },
                 {dir.file("png"), "expected IDX magic 0x00000803", "0x89504e47"});
}

TEST(IdxHostile, LabelsFilePassedAsImages) {
    TempDir dir;
    write_bytes(dir.file("lab"), idx_header({5}) + ramp(5));
    expect_error([&] { read_idx(dir.file("lab"), 3); }, {dir.file("lab"), "labels file"});
    write_bytes(dir.file("img"), kImages);
    expect_error([&] { read_idx(dir.file("img"), 1); }, {dir.file("img"), "images file"});
}

TEST(IdxHostile, UnsupportedDataType) {
    TempDir dir;
    write_bytes(dir.file("float"), idx_header({3, 2, 4}, 0x0D) + std::string(96, '\0'));
    expect_error([&] { read_idx(dir.file("float"), 3); }, {dir.file("float"), "data type 0x0d"});
}

TEST(IdxHostile, HeaderClaiming2To31Images) {
    // A 16-byte header that would ask for 2^31 * 784 bytes: rejected before any allocation.
    TempDir dir;
    write_bytes(dir.file("huge"), idx_header({0x80000000u, 28, 28}) + ramp(100));
    expect_error([&] { read_idx(dir.file("huge"), 3); }, {dir.file("huge"), "2147483648", "limit"});
    write_bytes(dir.file("huge.gz"), gzip_bytes(idx_header({0x80000000u, 28, 28}) + ramp(100)));
    expect_error([&] { read_idx(dir.file("huge.gz"), 3); }, {dir.file("huge.gz"), "limit"});
}

TEST(IdxHostile, ImagesLargerThan4096) {
    TempDir dir;
    write_bytes(dir.file("wide"), idx_header({1, 28, 5000}) + ramp(100));
    expect_error([&] { read_idx(dir.file("wide"), 3); }, {dir.file("wide"), "28x5000", "4096x4096"});
}

TEST(IdxHostile, TotalSizeOverLimit) {
    // Each dim within its own limit, the product (9.9 GB) over the payload limit.
    TempDir dir;
    write_bytes(dir.file("big"), idx_header({600000, 4096, 4}) + ramp(100));
    expect_error([&] { read_idx(dir.file("big"), 3); }, {dir.file("big"), "bytes, more than the limit"});
}

TEST(IdxHostile, GzipClaimingMoreThanItHolds) {
    // The header is valid (800 MB) but the stream is tiny: the payload only grows with real data.
    TempDir dir;
    write_bytes(dir.file("liar.gz"), gzip_bytes(idx_header({1'000'000, 28, 28}) + ramp(1000)));
    expect_error([&] { read_idx(dir.file("liar.gz"), 3); }, {dir.file("liar.gz"), "truncated", "holds only 1000"});
}

TEST(IdxHostile, DataLargerThanAvailableMemory) {
    // A valid header for 100 MB of images, checked against the memory there is before reading.
    TempDir dir;
    write_bytes(dir.file("big.gz"), gzip_bytes(idx_header({127'552, 28, 28}) + ramp(1000)));
    ::setenv("GENLAB_MEMORY_LIMIT", "10M", 1);
    expect_error([&] { read_idx(dir.file("big.gz"), 3); },
                 {dir.file("big.gz"), "127552x28x28 images", "needs about 100 MB", "10 MB available"});
    ::unsetenv("GENLAB_MEMORY_LIMIT");
}

TEST(IdxHostile, ZeroDimensions) {
    TempDir dir;
    write_bytes(dir.file("zero"), idx_header({0, 28, 28}));
    expect_error([&] { read_idx(dir.file("zero"), 3); }, {dir.file("zero"), "zero dimension", "0x28x28"});
    write_bytes(dir.file("zero-rows"), idx_header({10, 0, 28}));
    expect_error([&] { read_idx(dir.file("zero-rows"), 3); }, {dir.file("zero-rows"), "zero dimension"});
}

TEST(IdxHostile, ExtraBytesAfterData) {
    TempDir dir;
    write_bytes(dir.file("long"), kImages + "xyz");
    expect_error([&] { read_idx(dir.file("long"), 3); }, {dir.file("long"), "3 bytes after"});
    write_bytes(dir.file("long.gz"), gzip_bytes(kImages + "xyz"));
    expect_error([&] { read_idx(dir.file("long.gz"), 3); }, {dir.file("long.gz"), "more than the 24 bytes"});
}

}  // namespace
}  // namespace genlab::data
