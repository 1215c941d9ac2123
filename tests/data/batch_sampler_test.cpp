// BatchSampler: epochs without replacement, determinism per seed, exact continuation after a
// save/load round trip, and no heap allocation per batch (operator new is counted in this file).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <set>

#include "data/batch_sampler.h"
#include "tests/data_test_files.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
    if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace genlab::data {
namespace {

using genlab::testing::expect_error;

std::vector<uint32_t> draw(BatchSampler& s, size_t b) {
    std::span<const uint32_t> idx = s.next_indices(b);
    return {idx.begin(), idx.end()};
}

TEST(BatchSampler, EpochVisitsEveryRowOnce) {
    BatchSampler s(12, 7);
    std::multiset<uint32_t> seen;
    for (int i = 0; i < 3; ++i)
        for (uint32_t r : draw(s, 4)) seen.insert(r);
    EXPECT_EQ(seen.size(), 12u);
    EXPECT_EQ(std::set<uint32_t>(seen.begin(), seen.end()).size(), 12u);  // no repeats
    EXPECT_EQ(s.epoch(), 0u);
    draw(s, 4);
    EXPECT_EQ(s.epoch(), 1u);
}

TEST(BatchSampler, DropsTheTailAndReshuffles) {
    // 10 rows, batches of 3: three batches per epoch (9 distinct rows), then a fresh permutation.
    BatchSampler s(10, 3);
    std::set<uint32_t> first;
    for (int i = 0; i < 3; ++i)
        for (uint32_t r : draw(s, 3)) first.insert(r);
    EXPECT_EQ(first.size(), 9u);
    EXPECT_EQ(s.position(), 9u);
    std::vector<uint32_t> next = draw(s, 3);
    EXPECT_EQ(s.epoch(), 1u);
    EXPECT_EQ(s.position(), 3u);
    for (uint32_t r : next) EXPECT_LT(r, 10u);
}

TEST(BatchSampler, EpochsUseDifferentOrders) {
    BatchSampler s(50, 1);
    std::vector<uint32_t> e0 = draw(s, 50), e1 = draw(s, 50);
    EXPECT_NE(e0, e1);
    std::sort(e1.begin(), e1.end());
    for (uint32_t i = 0; i < 50; ++i) EXPECT_EQ(e1[i], i);
}

TEST(BatchSampler, SameSeedSameSequenceOtherSeedOther) {
    BatchSampler a(100, 42), b(100, 42), c(100, 43);
    std::vector<uint32_t> sa, sb, sc;
    for (int i = 0; i < 10; ++i) {
        for (uint32_t r : draw(a, 16)) sa.push_back(r);
        for (uint32_t r : draw(b, 16)) sb.push_back(r);
        for (uint32_t r : draw(c, 16)) sc.push_back(r);
    }
    EXPECT_EQ(sa, sb);
    EXPECT_NE(sa, sc);
}

TEST(BatchSampler, ResumeContinuesTheSameSequence) {
    // Save mid-epoch, then compare the next batches (across two epoch boundaries) with a fresh
    // sampler of another seed that loaded the state.
    BatchSampler a(37, 5);
    for (int i = 0; i < 5; ++i) draw(a, 8);
    StateDict sd;
    a.save_state(sd, "data.");
    EXPECT_EQ(sd.metadata.at("data.rows"), "37");
    BatchSampler b(37, 999);
    b.load_state(sd, "data.");
    EXPECT_EQ(b.epoch(), a.epoch());
    EXPECT_EQ(b.position(), a.position());
    for (int i = 0; i < 12; ++i) EXPECT_EQ(draw(a, 8), draw(b, 8)) << "batch " << i;
}

TEST(BatchSampler, LoadRejectsAnotherDatasetSize) {
    BatchSampler a(37, 5);
    StateDict sd;
    a.save_state(sd, "data.");
    BatchSampler b(40, 5);
    expect_error([&] { b.load_state(sd, "data."); }, {"data.rows", "37", "40"});
    sd.metadata["data.position"] = "-1";
    BatchSampler c(37, 5);
    expect_error([&] { c.load_state(sd, "data."); }, {"data.position", "non-negative integer"});
    sd.metadata["data.position"] = "38";
    expect_error([&] { c.load_state(sd, "data."); }, {"data.position", "past the 37 rows"});
    sd.metadata.erase("data.rng");
    sd.metadata["data.position"] = "3";
    expect_error([&] { c.load_state(sd, "data."); }, {"data.rng"});
}

TEST(BatchSampler, GathersRowsAndLabels) {
    ImageDataset ds;  // 6 images of 1x3 pixels; pixel j of image r is the byte 40r + j, read as 0.5 * byte
    ds.rows = 1;
    ds.cols = 3;
    for (int b = 0; b < 256; ++b) ds.table[static_cast<size_t>(b)] = 0.5f * static_cast<float>(b);
    ds.labels = {10, 11, 12, 13, 14, 15};
    for (int r = 0; r < 6; ++r)
        for (int j = 0; j < 3; ++j) ds.pixel_bytes.push_back(static_cast<uint8_t>(40 * r + j));
    BatchSampler s(6, 11), twin(6, 11);
    Tensor images(Shape{4, 3}), labels(Shape{4});
    s.next(ds, images, labels);
    std::vector<uint32_t> idx = draw(twin, 4);
    for (int r = 0; r < 4; ++r) {
        EXPECT_EQ(labels[static_cast<size_t>(r)], 10.f + static_cast<float>(idx[static_cast<size_t>(r)]));
        for (int j = 0; j < 3; ++j)
            EXPECT_EQ(images[static_cast<size_t>(3 * r + j)],
                      20.f * static_cast<float>(idx[static_cast<size_t>(r)]) + 0.5f * static_cast<float>(j));
    }
}

TEST(BatchSampler, NoAllocationPerBatch) {
    Tensor src(Shape{1000, 784}, 0.5f), batch(Shape{64, 784});
    BatchSampler s(1000, 3);
    s.next(src, batch);
    g_counting = true;
    std::vector<int> control(10);  // the counter itself works
    g_counting = false;
    EXPECT_EQ(g_allocations.load(), 1);
    g_allocations = 0;
    g_counting = true;
    for (int i = 0; i < 100; ++i) s.next(src, batch);  // crosses six epoch boundaries
    g_counting = false;
    EXPECT_EQ(g_allocations.load(), 0);
    EXPECT_GE(s.epoch(), 6u);

    ImageDataset bytes;  // images kept as bytes are decoded into the batch, still without allocating
    bytes.rows = bytes.cols = 28;
    bytes.pixel_bytes.assign(1000u * 784u, 7);
    bytes.labels.assign(1000, 1);
    Tensor labels(Shape{64});
    g_counting = true;
    for (int i = 0; i < 100; ++i) s.next(bytes, batch, labels);
    g_counting = false;
    EXPECT_EQ(g_allocations.load(), 0);
}

TEST(BatchSampler, RejectsBadSizesAndShapes) {
    expect_error([] { BatchSampler(0, 1); }, {"empty"});
    BatchSampler s(10, 1);
    expect_error([&] { s.next_indices(11); }, {"batch size 11", "10 rows"});
    expect_error([&] { s.next_indices(0); }, {"positive"});
    Tensor src(Shape{10, 4}), wrong(Shape{2, 5});
    expect_error([&] { s.next(src, wrong); }, {"(10, 4)", "(2, 5)"});
}

}  // namespace
}  // namespace genlab::data
