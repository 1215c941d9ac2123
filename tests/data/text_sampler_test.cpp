// TextSampler: nanoGPT-style stream windows, makemore-style line examples for the transformer
// (blocks) and the MLP (contexts), full deterministic passes, resume, and too-short corpora.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "data/text_sampler.h"
#include "tests/data_test_files.h"

namespace genlab::data {
namespace {

using genlab::testing::expect_error;

// Stream text where every symbol determines its successor ("abc...z" repeated).
Corpus alphabet_stream(int n) {
    std::string text;
    for (int i = 0; i < n; ++i) text += static_cast<char>('a' + i % 26);
    return build_corpus(text, {.mode = CorpusMode::Stream}, "alphabet");
}

// Ten identical lines: the training split is nine copies of `line` whatever the shuffle.
Corpus same_lines(const std::string& line) {
    std::string text;
    for (int i = 0; i < 10; ++i) text += line + "\n";
    return build_corpus(text, {.mode = CorpusMode::Lines}, "same");
}

std::string row_text(const Corpus& c, const Tensor& t, int row, int width) {
    std::string s;
    for (int j = 0; j < width; ++j) {
        const int id = static_cast<int>(t[static_cast<size_t>(row * width + j)]);
        s += id < 0 ? '#' : id == c.vocab.eos_id() ? '.' : static_cast<char>(c.vocab.symbol(id));
    }
    return s;
}

TEST(TextSampler, StreamBlocksAreWindowsWithTargetsShiftedByOne) {
    Corpus c = alphabet_stream(1000);
    TextSampler s(c, CorpusSplit::Train, 8, 1);
    Tensor x(Shape{16, 8}), y(Shape{16, 8});
    s.next_blocks(x, y);
    std::set<char> starts;
    for (int r = 0; r < 16; ++r) {
        const std::string xs = row_text(c, x, r, 8), ys = row_text(c, y, r, 8);
        for (int t = 0; t < 8; ++t) {
            EXPECT_EQ(ys[static_cast<size_t>(t)], 'a' + (xs[static_cast<size_t>(t)] - 'a' + 1) % 26) << xs << " " << ys;
            if (t + 1 < 8) {
                EXPECT_EQ(xs[static_cast<size_t>(t + 1)], ys[static_cast<size_t>(t)]);
            }
        }
        starts.insert(xs[0]);
    }
    EXPECT_GT(starts.size(), 5u);  // random starts, not one fixed window
}

TEST(TextSampler, StreamContextsPredictTheNextSymbol) {
    Corpus c = alphabet_stream(500);
    TextSampler s(c, CorpusSplit::Val, 3, 2);
    Tensor x(Shape{32, 3}), y(Shape{32});
    s.next_contexts(x, y);
    for (int r = 0; r < 32; ++r) {
        const std::string xs = row_text(c, x, r, 3), ys = row_text(c, y, r, 1);
        EXPECT_EQ(xs[1], 'a' + (xs[0] - 'a' + 1) % 26);
        EXPECT_EQ(ys[0], 'a' + (xs[2] - 'a' + 1) % 26);
    }
}

TEST(TextSampler, LinesBlocksFollowMakemore) {
    // makemore: x = [., e, m, m, a, pad...], y = [e, m, m, a, ., -1...].
    Corpus c = same_lines("emma");
    TextSampler s(c, CorpusSplit::Train, 8, 3);
    Tensor x(Shape{4, 8}), y(Shape{4, 8});
    s.next_blocks(x, y);
    for (int r = 0; r < 4; ++r) {
        EXPECT_EQ(row_text(c, x, r, 8), ".emma...");
        EXPECT_EQ(row_text(c, y, r, 8), "emma.###");
    }
}

TEST(TextSampler, LinesBlocksWindowLongSamples) {
    // "abcdefghij" + end = 11 targets; T = 4 gives windows at offsets 0..7.
    Corpus c = same_lines("abcdefghij");
    TextSampler s(c, CorpusSplit::Train, 4, 4);
    Tensor x(Shape{64, 4}), y(Shape{64, 4});
    s.next_blocks(x, y);
    const std::string full_x = ".abcdefghij", full_y = "abcdefghij.";
    std::set<size_t> offsets;
    for (int r = 0; r < 64; ++r) {
        const std::string xs = row_text(c, x, r, 4), ys = row_text(c, y, r, 4);
        const size_t o = full_y.find(ys);
        ASSERT_NE(o, std::string::npos) << ys;
        EXPECT_EQ(xs, full_x.substr(o, 4));
        offsets.insert(o);
    }
    EXPECT_EQ(offsets.size(), 8u);
    EXPECT_TRUE(offsets.count(0) && offsets.count(7));
}

TEST(TextSampler, LinesContextsPadWithTheEndToken) {
    // makemore's build_dataset for "emma" with block 3: ... -> e, ..e -> m, .em -> m, emm -> a, mma -> .
    Corpus c = same_lines("emma");
    TextSampler s(c, CorpusSplit::Train, 3, 5);
    ASSERT_EQ(s.num_contexts(), 45u);  // 9 lines x 5 targets
    Tensor x(Shape{5, 3}), y(Shape{5});
    s.contexts_at(5, x, y);  // the second line: contexts never reach into the first
    const char* want_x[] = {"...", "..e", ".em", "emm", "mma"};
    for (int r = 0; r < 5; ++r) {
        EXPECT_EQ(row_text(c, x, r, 3), want_x[r]);
        EXPECT_EQ(row_text(c, y, r, 1), std::string(1, "emma."[r]));
    }
    // Random draws come from the same set of examples.
    Tensor xb(Shape{50, 3}), yb(Shape{50});
    s.next_contexts(xb, yb);
    for (int r = 0; r < 50; ++r) {
        const std::string xs = row_text(c, xb, r, 3);
        const auto* it = std::find(std::begin(want_x), std::end(want_x), xs);
        ASSERT_NE(it, std::end(want_x)) << xs;
        EXPECT_EQ(row_text(c, yb, r, 1), std::string(1, "emma."[it - std::begin(want_x)]));
    }
}

TEST(TextSampler, FullPassesCoverEveryExampleAndPadTheLastBatch) {
    Corpus c = alphabet_stream(100);  // val: 10 symbols
    TextSampler s(c, CorpusSplit::Val, 4, 1);
    EXPECT_EQ(s.num_blocks(), 3u);  // 9 targets in windows of 4
    Tensor x(Shape{4, 4}), y(Shape{4, 4});
    s.blocks_at(0, x, y);
    EXPECT_EQ(row_text(c, x, 0, 4), "mnop");
    EXPECT_EQ(row_text(c, y, 0, 4), "nopq");
    EXPECT_EQ(row_text(c, y, 1, 4), "rstu");
    EXPECT_EQ(row_text(c, y, 2, 4), "v###");
    EXPECT_EQ(row_text(c, y, 3, 4), "####");  // past the end: ignored by cross_entropy
    EXPECT_EQ(s.num_contexts(), 6u);
    Tensor xc(Shape{8, 4}), yc(Shape{8});
    s.contexts_at(0, xc, yc);
    EXPECT_EQ(row_text(c, xc, 0, 4), "mnop");
    EXPECT_EQ(row_text(c, yc, 0, 1), "q");
    EXPECT_EQ(row_text(c, yc, 5, 1), "v");
    EXPECT_EQ(yc[6], -1.f);
}

TEST(TextSampler, ResumeContinuesTheSameBatches) {
    Corpus c = alphabet_stream(300);
    TextSampler a(c, CorpusSplit::Train, 5, 9);
    Tensor xa(Shape{3, 5}), ya(Shape{3, 5}), xb(Shape{3, 5}), yb(Shape{3, 5});
    a.next_blocks(xa, ya);
    StateDict sd;
    a.save_state(sd, "train_data.");
    TextSampler b(c, CorpusSplit::Train, 5, 12345);
    b.load_state(sd, "train_data.");
    for (int i = 0; i < 4; ++i) {
        a.next_blocks(xa, ya);
        b.next_blocks(xb, yb);
        EXPECT_TRUE((xa.flat() == xb.flat()).all() && (ya.flat() == yb.flat()).all()) << "batch " << i;
    }
}

TEST(TextSampler, CorpusShorterThanContextPlusOne) {
    Corpus c = alphabet_stream(100);  // train 90, val 10 symbols
    EXPECT_NO_THROW(TextSampler(c, CorpusSplit::Val, 9, 1));
    expect_error([&] { TextSampler(c, CorpusSplit::Val, 10, 1); },
                 {"alphabet", "validation split", "10 symbols", "context length 10 + 1"});
    expect_error([&] { TextSampler(c, CorpusSplit::Train, 90, 1); }, {"training split", "90 symbols"});
}

TEST(TextSampler, RejectsMismatchedTensors) {
    Corpus c = alphabet_stream(100);
    TextSampler s(c, CorpusSplit::Train, 4, 1);
    Tensor x(Shape{2, 5}), y(Shape{2, 5});
    expect_error([&] { s.next_blocks(x, y); }, {"(B, 4)", "(2, 5)"});
    Tensor xc(Shape{2, 4}), yc(Shape{3});
    expect_error([&] { s.next_contexts(xc, yc); }, {"(B)", "(3)"});
}

TEST(TextSampler, TinyShakespeareBatchesAreWindowsOfTheText) {
    const std::string path = GENLAB_SOURCE_DIR "/data/corpora/tinyshakespeare.txt";
    Corpus c = load_corpus({.path = path, .mode = CorpusMode::Stream});
    TextSampler s(c, CorpusSplit::Train, 64, 1337);  // the gpt benchmark's block size
    Tensor x(Shape{12, 64}), y(Shape{12, 64});
    s.next_blocks(x, y);
    for (size_t i = 0; i + 1 < 64; ++i) EXPECT_EQ(x[i + 1], y[i]);
    for (size_t i = 0; i < x.numel(); ++i) {
        ASSERT_GE(x[i], 0.f);
        ASSERT_LT(x[i], 65.f);
    }
}

}  // namespace
}  // namespace genlab::data
