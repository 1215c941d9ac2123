// Text corpora: the real tiny Shakespeare, names and words files, the UTF-8 decoder, the
// vocabulary (encode / decode / checkpoint string) and hostile corpora written by the test.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "data/corpus.h"
#include "data/utf8.h"
#include "tests/data_test_files.h"

namespace genlab::data {
namespace {

using genlab::testing::expect_error;
using genlab::testing::TempDir;
using genlab::testing::write_bytes;

const std::string kCorpora = GENLAB_SOURCE_DIR "/data/corpora";

Corpus load_file(const std::string& path, CorpusMode mode, bool bytes = false) {
    return load_corpus({.path = path, .mode = mode, .bytes = bytes});
}

size_t total(const Corpus& c) { return c.train.ids.size() + c.val.ids.size(); }

// --- real corpora ---------------------------------------------------------------------------

TEST(Corpus, TinyShakespeareHas65SymbolsAnd1115394Characters) {
    Corpus c = load_file("shakespeare", CorpusMode::Stream);  // the name of data/corpora/tinyshakespeare.txt
    EXPECT_EQ(c.name, kCorpora + "/tinyshakespeare.txt");
    EXPECT_EQ(c.vocab.size(), 65);
    EXPECT_FALSE(c.vocab.has_eos());
    EXPECT_EQ(c.symbols, 1115394u);
    EXPECT_EQ(total(c), 1115394u);
    // nanoGPT: train = data[:int(n * 0.9)].
    EXPECT_EQ(c.train.ids.size(), 1003854u);
    EXPECT_EQ(c.val.ids.size(), 111540u);
    // Sorted vocabulary: '\n' first, then ' ', as nanoGPT's chars = sorted(set(data)).
    EXPECT_EQ(c.vocab.symbols()[0], U'\n');
    EXPECT_EQ(c.vocab.symbols()[1], U' ');
    EXPECT_EQ(c.vocab.decode(c.train.ids.to_vector(0, 14)), "First Citizen:");
    EXPECT_FALSE(c.train.ids.is_wide());  // 65 symbols: one byte per id
}

TEST(Corpus, NamesHas32033LinesAnd27Tokens) {
    Corpus c = load_file(kCorpora + "/names.txt", CorpusMode::Lines);
    EXPECT_EQ(c.train.samples() + c.val.samples(), 32033u);
    EXPECT_EQ(c.train.samples(), 28829u);  // int(32033 * 0.9)
    EXPECT_EQ(c.vocab.size(), 27);         // a-z and the end token, as makemore
    EXPECT_EQ(c.vocab.eos_id(), 0);
    EXPECT_EQ(c.vocab.id(U'a'), 1);
    EXPECT_EQ(c.vocab.id(U'z'), 26);
    // Every sample ends with the end token, and only there.
    size_t next = 0;  // samples lie back to back
    for (size_t i = 0; i < c.train.samples(); ++i) {
        const auto [begin, end] = c.train.sample(i);
        ASSERT_EQ(begin, next) << i;
        ASSERT_EQ(c.train.ids[end - 1], 0);
        ASSERT_GT(end - 1, begin);  // non-empty
        for (size_t j = begin; j + 1 < end; ++j) ASSERT_NE(c.train.ids[j], 0);
        next = end;
    }
    EXPECT_EQ(next, c.train.ids.size());
}

TEST(Corpus, DefaultWordsCorpusIsUtf8Lines) {
    const std::string words = find_named_corpus("words")->path;
    if (!std::filesystem::exists(words)) GTEST_SKIP() << words << " missing: install wamerican";
    Corpus c = load_corpus({});
    EXPECT_EQ(c.name, find_named_corpus("words")->path);
    EXPECT_EQ(c.mode, CorpusMode::Lines);
    EXPECT_GT(c.train.samples() + c.val.samples(), 100000u);
    EXPECT_GE(c.vocab.id(U'\u00e9'), 0);  // "Asunción", "attaché": decoded as one code point
    EXPECT_GE(c.vocab.id(U'\''), 0);
    EXPECT_LT(c.vocab.id(0xC3), 0);  // not the UTF-8 lead byte
}

// --- splits -------------------------------------------------------------------------------

std::string numbered_lines(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += "line" + std::to_string(i) + "\n";
    return s;
}

std::set<std::string> sample_texts(const Corpus& c, const TextSplit& split) {
    std::set<std::string> out;
    for (size_t i = 0; i < split.samples(); ++i) {
        const auto [begin, end] = split.sample(i);
        out.insert(c.vocab.decode(split.ids.to_vector(begin, end)));
    }
    return out;
}

TEST(Corpus, LinesSplitIsASeededRandomTenth) {
    const std::string text = numbered_lines(100);
    Corpus a = build_corpus(text, {.mode = CorpusMode::Lines}, "mem");
    Corpus b = build_corpus(text, {.mode = CorpusMode::Lines}, "mem");
    Corpus c = build_corpus(text, {.mode = CorpusMode::Lines, .split_seed = 7}, "mem");
    EXPECT_EQ(a.train.samples(), 90u);
    EXPECT_EQ(a.val.samples(), 10u);
    EXPECT_EQ(a.train.ids, b.train.ids);
    EXPECT_EQ(a.val.ids, b.val.ids);
    EXPECT_NE(sample_texts(a, a.val), sample_texts(c, c.val));
    // A random tenth, not the last 10 lines.
    EXPECT_NE(sample_texts(a, a.val), (std::set<std::string>{"line90", "line91", "line92", "line93", "line94", "line95",
                                                             "line96", "line97", "line98", "line99"}));
    std::set<std::string> all = sample_texts(a, a.train);
    for (const std::string& s : sample_texts(a, a.val)) EXPECT_TRUE(all.insert(s).second) << s << " in both splits";
    EXPECT_EQ(all.size(), 100u);
}

TEST(Corpus, StreamSplitIsFirstNinetyPercent) {
    std::string text;
    for (int i = 0; i < 100; ++i) text += static_cast<char>('a' + i % 26);
    Corpus c = build_corpus(text, {.mode = CorpusMode::Stream}, "mem");
    ASSERT_EQ(c.train.ids.size(), 90u);
    ASSERT_EQ(c.val.ids.size(), 10u);
    EXPECT_EQ(c.vocab.decode(c.val.ids.to_vector()), "mnopqrstuv");
}

TEST(Corpus, LinesModeDropsEmptyLinesAndCarriageReturns) {
    Corpus c = build_corpus("ab\r\n\n\r\ncd\n\nef", {.mode = CorpusMode::Lines}, "mem");
    EXPECT_EQ(c.train.samples() + c.val.samples(), 3u);
    EXPECT_EQ(c.vocab.size(), 7);  // a-f + end token; no '\r', no '\n'
    EXPECT_LT(c.vocab.id(U'\r'), 0);
    std::set<std::string> all = sample_texts(c, c.train);
    for (const std::string& s : sample_texts(c, c.val)) all.insert(s);
    EXPECT_EQ(all, (std::set<std::string>{"ab", "cd", "ef"}));
}

TEST(Corpus, StreamModeKeepsEveryByte) {
    Corpus c = build_corpus("a\r\nb\n\n", {.mode = CorpusMode::Stream}, "mem");
    EXPECT_EQ(total(c), 6u);
    EXPECT_EQ(c.vocab.size(), 4);  // '\n' '\r' 'a' 'b'
}

TEST(Corpus, BytesModeReadsRawBytes) {
    Corpus c = build_corpus("h\xc3\xa9llo \xff\xfe", {.mode = CorpusMode::Stream, .bytes = true}, "mem");
    EXPECT_TRUE(c.vocab.bytes());
    EXPECT_EQ(total(c), 9u);
    EXPECT_GE(c.vocab.id(0xFF), 0);
    EXPECT_GE(c.vocab.id(0xC3), 0);
    std::vector<int> all = c.train.ids.to_vector();
    for (int id : c.val.ids.to_vector()) all.push_back(id);
    EXPECT_EQ(c.vocab.decode(all), "h\xc3\xa9llo \xff\xfe");
}

// More than 256 symbols: two-byte ids beside the file instead of one-byte ids in its place.
TEST(Corpus, AVocabularyOver256SymbolsUsesTwoByteIds) {
    std::string text;
    for (char32_t cp = 0x100; cp < 0x100 + 300; ++cp) {  // 300 two-byte UTF-8 symbols, one line each
        text += static_cast<char>(0xC0 | (cp >> 6));
        text += static_cast<char>(0x80 | (cp & 0x3F));
        text += "\n";
    }
    for (CorpusMode mode : {CorpusMode::Lines, CorpusMode::Stream}) {
        const Corpus c = build_corpus(text, {.mode = mode}, "mem");
        EXPECT_TRUE(c.train.ids.is_wide());
        std::set<std::string> all = sample_texts(c, c.train);
        for (const std::string& t : sample_texts(c, c.val)) all.insert(t);
        if (mode == CorpusMode::Lines) {
            EXPECT_EQ(c.vocab.size(), 301);
            EXPECT_EQ(all.size(), 300u);
            EXPECT_TRUE(all.count("\xc4\x80"));  // U+0100
        } else {
            EXPECT_EQ(total(c), 600u);  // each symbol and its newline
        }
    }
}

// In-place encoding: one-byte ids overwrite the bytes they come from; a last line without a
// newline, CRLF lines and empty lines all come out whole.
TEST(Corpus, InPlaceEncodingKeepsEveryLineWhole) {
    std::string text;
    for (int i = 0; i < 70; ++i) text += "w" + std::to_string(i) + (i % 3 ? "\n" : "\r\n\n");
    text += "last";
    const Corpus c = build_corpus(text, {.mode = CorpusMode::Lines}, "mem");
    EXPECT_FALSE(c.train.ids.is_wide());
    std::set<std::string> all = sample_texts(c, c.train);
    for (const std::string& t : sample_texts(c, c.val)) EXPECT_TRUE(all.insert(t).second) << t;
    EXPECT_EQ(all.size(), 71u);
    EXPECT_TRUE(all.count("last"));
    EXPECT_TRUE(all.count("w69"));
}

TEST(Corpus, SamplesInFindsWholeLinesOnly) {
    const Corpus c = build_corpus(numbered_lines(100), {.mode = CorpusMode::Lines}, "mem");
    const std::set<std::string> train = sample_texts(c, c.train), val = sample_texts(c, c.val);
    const std::string in_train = *train.begin(), in_val = *val.begin();
    const std::vector<std::vector<int>> seqs = {c.vocab.encode(in_train, "t"), c.vocab.encode(in_val, "t"),
                                                c.vocab.encode("line", "t"), c.vocab.encode(in_train + in_train, "t")};
    EXPECT_EQ(samples_in(c.train, seqs), (std::vector<bool>{true, false, false, false}));
    EXPECT_EQ(samples_in(c.val, seqs), (std::vector<bool>{false, true, false, false}));
}

TEST(Corpus, AFileLargerThanAvailableMemoryIsRefusedBeforeReading) {
    TempDir dir;
    const std::string path = dir.file("big.txt");
    std::ofstream(path) << std::string(5000, 'a');
    ::setenv("GENLAB_MEMORY_LIMIT", "2K", 1);
    expect_error([&] { load_file(path, CorpusMode::Stream); },
                 {"big.txt", "5000 bytes", "needs about 5 kB", "2 kB available"});
    ::unsetenv("GENLAB_MEMORY_LIMIT");
    EXPECT_EQ(load_file(path, CorpusMode::Stream).symbols, 5000u);
}

TEST(Corpus, ModeNames) {
    EXPECT_EQ(parse_corpus_mode("lines"), CorpusMode::Lines);
    EXPECT_EQ(parse_corpus_mode("stream"), CorpusMode::Stream);
    EXPECT_THROW(parse_corpus_mode("words"), UsageError);
}

// --- hostile corpora ----------------------------------------------------------------------

TEST(CorpusHostile, NonUtf8NamesTheByteOffsetAndTheBytesFlag) {
    TempDir dir;
    write_bytes(dir.file("latin1.txt"), "caf\xe9 au lait\n");
    expect_error([&] { load_file(dir.file("latin1.txt"), CorpusMode::Lines); },
                 {dir.file("latin1.txt"), "invalid UTF-8 at byte offset 3", "0xe9", "--bytes"});
    EXPECT_NO_THROW(load_file(dir.file("latin1.txt"), CorpusMode::Stream, true));
}

TEST(CorpusHostile, EmptyCorpus) {
    TempDir dir;
    write_bytes(dir.file("empty.txt"), "");
    expect_error([&] { load_file(dir.file("empty.txt"), CorpusMode::Stream); }, {dir.file("empty.txt"), "is empty"});
    write_bytes(dir.file("blank.txt"), "\n\r\n\n");
    expect_error([&] { load_file(dir.file("blank.txt"), CorpusMode::Lines); },
                 {dir.file("blank.txt"), "no non-empty lines"});
}

TEST(CorpusHostile, SingleLineHasNoValidationSplit) {
    expect_error([] { build_corpus("onlyone\n", {.mode = CorpusMode::Lines}, "one.txt"); },
                 {"one.txt", "only 1 non-empty line", "--mode stream"});
}

TEST(CorpusHostile, MissingFileAndDirectory) {
    TempDir dir;
    expect_error([&] { load_file(dir.file("nope.txt"), CorpusMode::Lines); },
                 {dir.file("nope.txt"), "does not exist", "--corpus"});
    expect_error([&] { load_file(dir.path().string(), CorpusMode::Lines); }, {dir.path().string(), "is a directory"});
}

// A name that is not a shipped corpus is a path; the message lists the names.
TEST(CorpusHostile, UnknownNameIsAMissingFileNamingTheCorpora) {
    expect_error([] { load_corpus({.path = "shakespear"}); }, {"shakespear", "does not exist", corpus_names()});
    EXPECT_EQ(corpus_names(), "words, names, shakespeare");
}

TEST(CorpusHostile, TooLargeIsRefusedBeforeReading) {
    TempDir dir;
    write_bytes(dir.file("big.txt"), std::string(1000, 'a'));
    expect_error([&] { load_corpus({.path = dir.file("big.txt"), .mode = CorpusMode::Stream, .max_bytes = 999}); },
                 {dir.file("big.txt"), "1000 bytes", "limit"});
}

// Files the kernel reports as 0 bytes long (/proc) are read to their end, and still bounded.
TEST(CorpusHostile, GeneratedFilesAreReadToTheirEnd) {
    if (!std::filesystem::exists("/proc/cpuinfo")) GTEST_SKIP() << "no /proc/cpuinfo on this system";
    const Corpus c = load_corpus({.path = "/proc/cpuinfo", .mode = CorpusMode::Stream});
    EXPECT_GT(c.symbols, 100u);
    expect_error([&] { load_corpus({.path = "/proc/cpuinfo", .mode = CorpusMode::Stream, .max_bytes = 10}); },
                 {"/proc/cpuinfo", "limit"});
}

// n distinct code points from U+0100 up, skipping surrogates, as UTF-8 (no newlines among them).
std::string distinct_symbols(size_t n, bool one_per_line) {
    std::string s;
    char32_t cp = 0x100;
    for (size_t i = 0; i < n; ++i, ++cp) {
        if (cp == 0xD800) cp = 0xE000;
        utf8_append(s, cp);
        if (one_per_line) s += '\n';
    }
    return s;
}

TEST(CorpusHostile, VocabularyOver65536) {
    // 65,536 symbols fit in stream mode; in lines mode the end token makes 65,537.
    Corpus ok = build_corpus(distinct_symbols(65536, false), {.mode = CorpusMode::Stream}, "wide.txt");
    EXPECT_EQ(ok.vocab.size(), 65536);
    std::string two_lines = distinct_symbols(65536, false);
    two_lines.insert(2, "\n");  // after U+0100 (2 bytes)
    expect_error([&] { build_corpus(two_lines, {.mode = CorpusMode::Lines}, "wide.txt"); },
                 {"wide.txt", "65537", "exceeds the limit of 65536"});
}

// --- UTF-8 --------------------------------------------------------------------------------

TEST(Utf8, DecodesOneToFourByteSequences) {
    std::vector<char32_t> cps = utf8_decode("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "t");
    EXPECT_EQ(cps, (std::vector<char32_t>{U'a', U'\u00e9', U'\u20ac', U'\U0001F600'}));
    std::string back;
    for (char32_t c : cps) utf8_append(back, c);
    EXPECT_EQ(back, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

TEST(Utf8, RejectsMalformedSequencesWithTheirOffset) {
    struct Case {
        std::string bytes;
        size_t offset;
    };
    const std::vector<Case> cases = {
        {"ab\x80", 2},              // lone continuation byte
        {"ab\xc0\xaf", 2},          // overlong '/'
        {"\xe0\x80\xaf", 0},        // overlong 3-byte
        {"x\xed\xa0\x80", 1},       // UTF-16 surrogate U+D800
        {"xy\xf4\x90\x80\x80", 2},  // U+110000
        {"abc\xe2\x82", 3},         // cut off at the end
        {"\xc3(", 0},               // bad continuation
        {"ok\xff", 2},              // never valid
    };
    for (const Case& c : cases) {
        EXPECT_EQ(utf8_first_invalid(c.bytes), c.offset) << ::testing::PrintToString(c.bytes);
        expect_error([&] { utf8_decode(c.bytes, "x.txt"); }, {"x.txt", "byte offset " + std::to_string(c.offset)});
    }
    EXPECT_EQ(utf8_first_invalid("plain \xe2\x82\xac"), std::string_view::npos);
}

// --- vocabulary ---------------------------------------------------------------------------

TEST(Vocab, EncodeDecodeRoundTrip) {
    Corpus c = build_corpus("h\xc3\xa9llo w\xc3\xb6rld\nzebra\n", {.mode = CorpusMode::Lines}, "mem");
    const std::string text = "w\xc3\xb6rld h\xc3\xa9";
    std::vector<int> ids = c.vocab.encode(text, "prompt");
    EXPECT_EQ(ids.size(), 8u);  // code points, not bytes
    EXPECT_EQ(c.vocab.decode(ids), text);
    ids.push_back(c.vocab.eos_id());
    EXPECT_EQ(c.vocab.decode(ids), text);  // the end token prints nothing
}

TEST(Vocab, ReportsCharactersUnseenAtTrainingTime) {
    Corpus c = build_corpus("abc\ncab\n", {.mode = CorpusMode::Lines}, "mem");
    EXPECT_EQ(c.vocab.unseen("abZcZ\xe2\x82\xac", "prompt"), (std::vector<char32_t>{U'Z', U'\u20ac'}));
    expect_error([&] { c.vocab.encode("abZ\xe2\x82\xac", "--prompt"); },
                 {"--prompt", "2 characters unseen", "'Z' (U+005A)", "U+20AC", "3 symbols"});
    expect_error([&] { c.vocab.encode("a\xff", "--prompt"); }, {"--prompt", "invalid UTF-8 at byte offset 1"});
}

TEST(Vocab, SerialisesForCheckpointMetadata) {
    Corpus c = build_corpus("A b\n\xe2\x82\xac\"\\\n", {.mode = CorpusMode::Lines}, "mem");
    const std::string s = c.vocab.to_string();
    Vocab back = Vocab::from_string(s, "ckpt");
    EXPECT_EQ(back, c.vocab);
    EXPECT_EQ(back.id(U'\u20ac'), c.vocab.id(U'\u20ac'));
    Corpus bytes = build_corpus("\xff\x01", {.mode = CorpusMode::Stream, .bytes = true}, "mem");
    EXPECT_EQ(Vocab::from_string(bytes.vocab.to_string(), "ckpt"), bytes.vocab);
}

TEST(Vocab, FromStringRejectsCorruptMetadata) {
    const std::string good = R"({"format":"genlab-vocab","version":1,"encoding":"utf-8","eos":true,"symbols":[97,98]})";
    EXPECT_EQ(Vocab::from_string(good, "c").size(), 3);
    // A value nested 100,000 deep, which quoting it in the message would recurse through.
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"not json", "not a JSON object"},
        {R"({"format":"genlab-vocab","version":)" + deep + "}", "not a JSON object"},
        {R"({"format":"x","version":1,"encoding":"utf-8","eos":true,"symbols":[]})", "format"},
        {R"({"format":"genlab-vocab","version":2,"encoding":"utf-8","eos":true,"symbols":[]})", "version 2"},
        {R"({"format":"genlab-vocab","version":1,"encoding":"latin1","eos":true,"symbols":[]})", "encoding"},
        {R"({"format":"genlab-vocab","version":1,"encoding":"utf-8","symbols":[]})", "'eos'"},
        {R"({"format":"genlab-vocab","version":1,"encoding":"utf-8","eos":true,"symbols":[98,97]})",
         "strictly increasing"},
        {R"({"format":"genlab-vocab","version":1,"encoding":"utf-8","eos":true,"symbols":[55296]})", "not a valid"},
        {R"({"format":"genlab-vocab","version":1,"encoding":"bytes","eos":false,"symbols":[256]})", "not a valid byte"},
        {R"({"format":"genlab-vocab","version":1,"encoding":"utf-8","eos":true,"symbols":[-1]})", "not a code point"},
        {R"({"format":"genlab-vocab","version":1,"encoding":"utf-8","eos":true,"symbols":"ab"})", "array"},
    };
    for (const auto& entry : bad)  // not a structured binding: clang 14 cannot capture one in a lambda
        expect_error([&] { Vocab::from_string(entry.first, "run.safetensors"); }, {"run.safetensors", entry.second});
}

TEST(Vocab, RejectsBadIds) {
    Corpus c = build_corpus("ab\nba\n", {.mode = CorpusMode::Lines}, "mem");
    expect_error([&] { c.vocab.decode(std::vector<int>{1, 3}); }, {"id 3", "out of range"});
    expect_error([&] { c.vocab.symbol(0); }, {"end-of-sample"});
}

}  // namespace
}  // namespace genlab::data
