// safetensors I/O and StateDict: bit-exact round trips, interoperability with a file laid out by
// Python (tests/fixtures/make_reference_safetensors.py), one clear Error per kind of bad file, and
// atomic saves that never damage the previous file.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/safetensors.h"
#include "core/rng.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

namespace fs = std::filesystem;

using testing::read_file;

void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string le64(uint64_t n) {
    std::string s(8, '\0');
    for (int i = 0; i < 8; ++i) s[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
    return s;
}

// A file with this header text and `data_bytes` zero bytes of data.
std::string raw_file(const std::string& header, size_t data_bytes) {
    return le64(header.size()) + header + std::string(data_bytes, '\0');
}

float from_bits(uint32_t b) {
    float f;
    std::memcpy(&f, &b, sizeof f);
    return f;
}

uint32_t bits(float f) {
    uint32_t b;
    std::memcpy(&b, &f, sizeof b);
    return b;
}

class SafeTensorsTest : public ::testing::Test {
protected:
    std::string path(const std::string& name) const { return dir_ + "/" + name; }

    // Loading `bytes` must throw one Error whose message names the file and every fragment.
    void expect_rejected(const std::string& bytes, const std::vector<std::string>& fragments) {
        const std::string p = path("bad.safetensors");
        write_bytes(p, bytes);
        try {
            load_safetensors(p);
            ADD_FAILURE() << "loaded a bad file; expected an Error mentioning " << fragments[0];
        } catch (const Error& e) {
            std::string msg = e.what();
            EXPECT_NE(msg.find(p), std::string::npos) << msg;
            for (const std::string& f : fragments)
                EXPECT_NE(msg.find(f), std::string::npos) << "missing '" << f << "' in: " << msg;
            EXPECT_EQ(msg.find('\n'), std::string::npos) << "messages are one line: " << msg;
        }
    }

    testing::TempDir tmp_;
    const std::string dir_ = tmp_.path().string();
};

StateDict sample_dict() {
    StateDict sd;
    Rng rng(3);
    Tensor w(Shape{3, 5});
    rng.fill_normal(w);
    sd.put("layer.weight", w);
    // Bit patterns a lossy writer would damage: -0, subnormal, inf, a NaN payload, extremes.
    sd.put("special", Tensor(Shape{7}, {-0.f, from_bits(0x00000001u), std::numeric_limits<float>::infinity(),
                                        -std::numeric_limits<float>::infinity(), from_bits(0x7fc12345u),
                                        std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest()}));
    sd.put("scalar", Tensor(Shape{}, {2.5f}));
    sd.put("empty", Tensor(Shape{0, 4}));
    Tensor r4(Shape{2, 1, 3, 2});
    rng.fill_uniform(r4, -1.f, 1.f);
    sd.put("a.rank4", r4);
    sd.metadata["kind"] = "gan";
    sd.metadata["config"] = "{\"z_dim\": 64, \"act\": \"leaky_relu:0.2\"}";
    sd.metadata["vocab"] = "\n !\"é—😀";  // quotes, a newline and multi-byte UTF-8
    sd.metadata["empty"] = "";
    return sd;
}

void expect_same(const StateDict& a, const StateDict& b) {
    ASSERT_EQ(a.tensors.size(), b.tensors.size());
    for (size_t i = 0; i < a.tensors.size(); ++i) {
        EXPECT_EQ(a.tensors[i].first, b.tensors[i].first);
        ASSERT_EQ(a.tensors[i].second.shape(), b.tensors[i].second.shape()) << a.tensors[i].first;
        if (a.tensors[i].second.numel() == 0) continue;  // an empty tensor may have no data pointer
        EXPECT_EQ(0, std::memcmp(a.tensors[i].second.data(), b.tensors[i].second.data(),
                                 a.tensors[i].second.numel() * sizeof(float)))
            << a.tensors[i].first << " differs bitwise";
    }
    EXPECT_EQ(a.metadata, b.metadata);
}

// --- StateDict

TEST(StateDict, PutRejectsADuplicateName) {
    StateDict sd;
    sd.put("w", Tensor(Shape{2}));
    EXPECT_THROW(sd.put("w", Tensor(Shape{3})), Error);
    EXPECT_EQ(sd.tensors.size(), 1u);
}

TEST(StateDict, PutCopiesAView) {
    float data[3] = {1.f, 2.f, 3.f};
    StateDict sd;
    sd.put("v", Tensor::view(data, Shape{3}));
    data[0] = 9.f;
    EXPECT_FALSE(sd.tensors[0].second.is_view());
    EXPECT_EQ(sd.tensors[0].second[0], 1.f);
}

TEST(StateDict, ExpectNamesKeyAndShapes) {
    StateDict sd;
    sd.put("fc.weight", Tensor(Shape{2, 3}));
    EXPECT_EQ(sd.expect("fc.weight", Shape{2, 3}, "ckpt").shape(), (Shape{2, 3}));
    try {
        sd.expect("fc.weight", Shape{3, 2}, "ckpt");
        ADD_FAILURE();
    } catch (const Error& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("fc.weight"), std::string::npos) << m;
        EXPECT_NE(m.find("(2, 3)"), std::string::npos) << m;
        EXPECT_NE(m.find("(3, 2)"), std::string::npos) << m;
    }
    EXPECT_THROW(sd.expect("fc.bias", Shape{2}, "ckpt"), Error);
    EXPECT_THROW(sd.meta("step", "ckpt"), Error);
    sd.metadata["step"] = "7";
    EXPECT_EQ(sd.meta("step", "ckpt"), "7");
}

// --- round trip and layout

TEST_F(SafeTensorsTest, RoundTripIsBitIdentical) {
    StateDict sd = sample_dict();
    save_safetensors(path("a.safetensors"), sd);
    StateDict back = load_safetensors(path("a.safetensors"));
    expect_same(sd, back);
    // Saving what was loaded reproduces the file byte for byte.
    save_safetensors(path("b.safetensors"), back);
    EXPECT_EQ(read_file(path("a.safetensors")), read_file(path("b.safetensors")));
}

TEST_F(SafeTensorsTest, LayoutFollowsTheFormat) {
    StateDict sd = sample_dict();
    save_safetensors(path("a.safetensors"), sd);
    const std::string bytes = read_file(path("a.safetensors"));
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i)
        n |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[static_cast<size_t>(i)])) << (8 * i);
    EXPECT_EQ(n % 8, 0u) << "header padded to a multiple of 8";
    size_t data_bytes = 0;
    for (const auto& [name, t] : sd.tensors) data_bytes += t.numel() * sizeof(float);
    EXPECT_EQ(bytes.size(), 8 + n + data_bytes) << "data packed with no gaps";
    const std::string header = bytes.substr(8, n);
    EXPECT_EQ(header.rfind("{\"__metadata__\":{", 0), 0u) << header;
    EXPECT_NE(header.find("\"layer.weight\":{\"dtype\":\"F32\",\"shape\":[3,5],\"data_offsets\":[0,60]}"),
              std::string::npos)
        << header;
    EXPECT_NE(header.find("\"special\":{\"dtype\":\"F32\",\"shape\":[7],\"data_offsets\":[60,88]}"), std::string::npos);
    EXPECT_EQ(header.find_last_not_of(' ') + 1, header.find_last_of('}') + 1) << "only spaces after the JSON";
    // First tensor's data sits right after the header.
    float first;
    std::memcpy(&first, bytes.data() + 8 + n, sizeof first);
    EXPECT_EQ(bits(first), bits(sd.tensors[0].second[0]));
}

TEST_F(SafeTensorsTest, ReadsFileWrittenByPython) {
    StateDict sd = load_safetensors(std::string(GENLAB_SOURCE_DIR) + "/tests/fixtures/reference.safetensors");
    ASSERT_EQ(sd.tensors.size(), 5u);
    // File order (sorted by name by the reference writer).
    const char* names[] = {"cube", "empty", "encoder.bias", "encoder.weight", "scale"};
    for (size_t i = 0; i < 5; ++i) EXPECT_EQ(sd.tensors[i].first, names[i]);
    EXPECT_EQ(sd.metadata.at("format"), "pt");
    EXPECT_EQ(sd.metadata.at("note"), "made by python");

    const Tensor& w = sd.expect("encoder.weight", Shape{2, 3}, "ref");
    for (int i = 0; i < 6; ++i) EXPECT_EQ(bits(w[static_cast<size_t>(i)]), bits(static_cast<float>(i) / 3.f)) << i;
    const Tensor& b = sd.expect("encoder.bias", Shape{4}, "ref");
    EXPECT_EQ(bits(b[0]), bits(0.1f));
    EXPECT_EQ(bits(b[1]), 0x80000000u) << "-0.0 keeps its sign";
    EXPECT_EQ(bits(b[2]), bits(1e-38f)) << "subnormal";
    EXPECT_EQ(b[3], -2.5f);
    EXPECT_EQ(sd.expect("scale", Shape{}, "ref")[0], 0.75f);
    EXPECT_EQ(sd.expect("empty", Shape{0, 3}, "ref").numel(), 0u);
    // torch.linspace(-1, 1, 24) as stored by PyTorch.
    const uint32_t cube[24] = {0xbf800000, 0xbf69bd38, 0xbf537a6f, 0xbf3d37a7, 0xbf26f4de, 0xbf10b216,
                               0xbef4de9c, 0xbec8590a, 0xbe9bd37a, 0xbe5e9bd2, 0xbe0590b1, 0xbd321640,
                               0x3d321648, 0x3e0590b4, 0x3e5e9bd4, 0x3e9bd37c, 0x3ec8590b, 0x3ef4de9c,
                               0x3f10b216, 0x3f26f4de, 0x3f3d37a7, 0x3f537a6f, 0x3f69bd38, 0x3f800000};
    const Tensor& c = sd.expect("cube", Shape{2, 3, 2, 2}, "ref");
    for (size_t i = 0; i < 24; ++i) EXPECT_EQ(bits(c[i]), cube[i]) << i;
}

TEST_F(SafeTensorsTest, AcceptsAMinimalHeaderWithoutMetadata) {
    StateDict sd = [&] {
        write_bytes(path("m.safetensors"),
                    raw_file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8));
        return load_safetensors(path("m.safetensors"));
    }();
    ASSERT_EQ(sd.tensors.size(), 1u);
    EXPECT_TRUE(sd.metadata.empty());
    write_bytes(path("e.safetensors"), raw_file("{}", 0));
    EXPECT_TRUE(load_safetensors(path("e.safetensors")).tensors.empty());
}

// --- bad files

TEST_F(SafeTensorsTest, RejectsTruncatedFiles) {
    save_safetensors(path("good.safetensors"), sample_dict());
    const std::string good = read_file(path("good.safetensors"));
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i)
        n |= static_cast<uint64_t>(static_cast<unsigned char>(good[static_cast<size_t>(i)])) << (8 * i);
    expect_rejected("", {"too short"});
    expect_rejected(good.substr(0, 7), {"too short"});
    expect_rejected(good.substr(0, 8), {"past the end"});
    expect_rejected(good.substr(0, 8 + n / 2), {"past the end"});
    expect_rejected(good.substr(0, 8 + n + 10), {"past the data section"});
    expect_rejected(good.substr(0, good.size() - 1), {"past the data section"});
}

TEST_F(SafeTensorsTest, RejectsHeaderLengthPastTheEnd) { expect_rejected(le64(1000) + "{}", {"1000", "past the end"}); }

// Deep nesting anywhere in the header is refused before parsing: nothing recurses over it (an
// error message quoting the value used to overflow the stack).
TEST_F(SafeTensorsTest, RejectsDeeplyNestedHeaders) {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    expect_rejected(raw_file("{\"__metadata__\": {\"kind\": " + deep + "}}", 0), {"nests deeper than 8"});
    expect_rejected(raw_file("{\"w\": {\"dtype\": \"F32\", \"shape\": " + deep + ", \"data_offsets\": [0, 0]}}", 0),
                    {"nests deeper than 8"});
    expect_rejected(raw_file("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [" + deep + ", 4]}}", 4),
                    {"nests deeper than 8"});
    // Brackets inside strings are text, not nesting.
    const std::string text = std::string(1000, '[');
    expect_rejected(raw_file("{\"w\": {\"dtype\": \"F32\", \"shape\": [\"" + text + "\"], \"data_offsets\": [0, 4]}}",
                             4),
                    {"holds a non-integer", "..."});
}

// Entry counts: loading is n log n (a header of 16,000 entries loads at once), and more entries
// than any model holds are refused.
TEST_F(SafeTensorsTest, ManyEntriesLoadFastAndTooManyAreRefused) {
    auto header = [](size_t n) {
        std::string h = "{";
        for (size_t i = 0; i < n; ++i)
            h += (i ? "," : "") + std::string("\"t") + std::to_string(i) +
                 "\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}";
        return h + "}";
    };
    const std::string p = path("many.safetensors");
    write_bytes(p, raw_file(header(16000), 0));
    const StateDict sd = load_safetensors(p);
    ASSERT_EQ(sd.tensors.size(), 16000u);
    EXPECT_EQ(sd.tensors[0].first, "t0") << "the header's order";
    EXPECT_EQ(sd.tensors[15999].first, "t15999");
    expect_rejected(raw_file(header(17000), 0), {"17000 entries", "limit of 16384"});
}

TEST_F(SafeTensorsTest, RejectsHugeHeaderLength) {
    expect_rejected(le64(uint64_t{1} << 60) + "{}", {"1152921504606846976"});
    // Inside the file but over the 100 MB limit is refused before reading it: checked via a sparse
    // file so the test stays small on disk.
    const std::string p = path("big.safetensors");
    {
        std::ofstream out(p, std::ios::binary);
        out << le64(200'000'000);
    }
    fs::resize_file(p, 200'000'100);
    try {
        load_safetensors(p);
        ADD_FAILURE();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("100 MB"), std::string::npos) << e.what();
    }
}

TEST_F(SafeTensorsTest, RejectsInvalidJson) {
    expect_rejected(raw_file("{\"x\": {\"dtype\": \"F32\",", 0), {"not valid JSON"});
    expect_rejected(raw_file("[1, 2, 3]", 0), {"JSON object"});
    expect_rejected(raw_file("{\"x\": 5}", 0), {"'x'", "expected an object"});
}

TEST_F(SafeTensorsTest, RejectsOffsetsOutOfRange) {
    expect_rejected(raw_file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", 16),
                    {"'w'", "past the data section"});
    expect_rejected(raw_file("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", 16),
                    {"'w'", "end before begin"});
    expect_rejected(raw_file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 16),
                    {"'w'", "non-negative"});
    expect_rejected(raw_file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 16),
                    {"'w'", "data_offsets"});
}

TEST_F(SafeTensorsTest, RejectsOverlappingRanges) {
    expect_rejected(raw_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                             "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
                             16),
                    {"'a'", "'b'", "overlaps"});
}

// The data section holds the tensors and nothing else: bytes in a hole or after the last tensor
// are a damaged (or doctored) file, not padding to skip.
TEST_F(SafeTensorsTest, RejectsBytesThatBelongToNoTensor) {
    expect_rejected(raw_file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12),
                    {"4 bytes after the last tensor"});
    expect_rejected(raw_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                             "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
                             12),
                    {"4 bytes before tensor 'b'", "no tensor"});
}

TEST_F(SafeTensorsTest, RejectsOtherDtypes) {
    expect_rejected(raw_file("{\"w\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 16), {"'w'", "F64"});
    expect_rejected(raw_file("{\"w\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), {"'w'", "I32"});
    expect_rejected(raw_file("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8), {"'w'", "dtype"});
}

TEST_F(SafeTensorsTest, RejectsShapeThatDisagreesWithBytes) {
    expect_rejected(raw_file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,16]}}", 16),
                    {"'w'", "(3, 2)", "24 bytes", "hold 16"});
    // A product that overflows 64 bits must not wrap around to a plausible size.
    expect_rejected(raw_file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647,4],"
                             "\"data_offsets\":[0,16]}}",
                             16),
                    {"'w'", "hold 16"});
}

TEST_F(SafeTensorsTest, RejectsNegativeDimsAndHighRank) {
    expect_rejected(raw_file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2,-2],\"data_offsets\":[0,16]}}", 16),
                    {"'w'", "negative"});
    expect_rejected(raw_file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,4],\"data_offsets\":[0,16]}}", 16),
                    {"'w'", "rank 5"});
    expect_rejected(raw_file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4),
                    {"'w'", "non-integer"});
}

TEST_F(SafeTensorsTest, RejectsBadMetadataAndDuplicateKeys) {
    expect_rejected(raw_file("{\"__metadata__\":{\"step\":12}}", 0), {"'step'", "must be a string"});
    expect_rejected(raw_file("{\"__metadata__\":[1]}", 0), {"__metadata__"});
    expect_rejected(raw_file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                             "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                             8),
                    {"'w'", "twice"});
}

TEST_F(SafeTensorsTest, RejectsAFolderAndAMissingFile) {
    try {
        load_safetensors(dir_);
        ADD_FAILURE();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("is a folder"), std::string::npos) << e.what();
    }
    try {
        load_safetensors(path("nope.safetensors"));
        ADD_FAILURE();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("no such"), std::string::npos) << e.what();
    }
}

TEST_F(SafeTensorsTest, CorruptedBytesNeverCrash) {
    // Random damage to the header and the length: every outcome is a load or an Error.
    save_safetensors(path("good.safetensors"), sample_dict());
    const std::string good = read_file(path("good.safetensors"));
    Rng rng(11);
    const std::string p = path("fuzz.safetensors");
    for (int trial = 0; trial < 300; ++trial) {
        std::string bytes = good;
        const int flips = 1 + static_cast<int>(rng.below(4));
        for (int k = 0; k < flips; ++k) {
            size_t at = static_cast<size_t>(rng.below(std::min<uint64_t>(bytes.size(), 300)));
            bytes[at] = static_cast<char>(rng.below(256));
        }
        if (rng.below(4) == 0) bytes.resize(static_cast<size_t>(rng.below(bytes.size())));
        write_bytes(p, bytes);
        try {
            StateDict sd = load_safetensors(p);
            for (const auto& [name, t] : sd.tensors) EXPECT_LE(t.numel() * 4, bytes.size());
        } catch (const Error&) {
        }
    }
}

// --- atomic saves

bool only_file_is(const std::string& dir, const std::string& name) {
    int n = 0;
    bool found = false;
    for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
        ++n;
        found |= e.path().filename() == name;
    }
    return n == 1 && found;
}

TEST_F(SafeTensorsTest, SaveIntoMissingFolderFailsClearly) {
    try {
        save_safetensors(path("no/such/dir/x.safetensors"), sample_dict());
        ADD_FAILURE();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
    }
}

TEST_F(SafeTensorsTest, FailedSaveKeepsThePreviousFile) {
    const std::string p = path("ckpt.safetensors");
    save_safetensors(p, sample_dict());
    const std::string before = read_file(p);

    StateDict dup = sample_dict();
    dup.tensors.push_back(dup.tensors[0]);  // bypasses put(): the writer must check on its own
    EXPECT_THROW(save_safetensors(p, dup), Error);
    EXPECT_EQ(read_file(p), before);

    StateDict reserved;
    reserved.tensors.emplace_back("__metadata__", Tensor(Shape{1}));
    EXPECT_THROW(save_safetensors(p, reserved), Error);
    EXPECT_EQ(read_file(p), before);
    EXPECT_TRUE(only_file_is(dir_, "ckpt.safetensors")) << "no temp file left behind";
}

TEST_F(SafeTensorsTest, SaveOverAFolderFailsAndCleansUp) {
    fs::create_directories(path("taken/inner"));
    EXPECT_THROW(save_safetensors(path("taken"), sample_dict()), Error);
    EXPECT_TRUE(fs::is_directory(path("taken/inner")));
    EXPECT_TRUE(only_file_is(dir_, "taken")) << "no temp file left behind";
}

TEST_F(SafeTensorsTest, SaveNeverReplacesALinkAPipeOrADevice) {
    std::ofstream(path("mine.txt")) << "keep me";
    fs::create_symlink(path("mine.txt"), path("link.safetensors"));
    testing::expect_error([&] { save_safetensors(path("link.safetensors"), sample_dict()); },
                          {"link.safetensors", "not a regular file", "symbolic link"});
    EXPECT_TRUE(fs::is_symlink(path("link.safetensors")));
    EXPECT_EQ(read_file(path("mine.txt")), "keep me");
    ASSERT_EQ(::mkfifo(path("pipe").c_str(), 0600), 0);
    testing::expect_error([&] { write_file_atomic(path("pipe"), "x"); }, {"pipe", "not a regular file"});
    EXPECT_TRUE(fs::is_fifo(path("pipe")));
    testing::expect_error([&] { write_file_atomic("/dev/null", "x"); }, {"/dev/null", "a device"});
    EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST_F(SafeTensorsTest, SaveRemovesTempFilesOfKilledSavesOnly) {
    const std::string p = path("ckpt.safetensors");
    std::ofstream(p + ".tmp-2147483646") << "left by a killed run";      // beyond any pid_max: not running
    const std::string live = p + ".tmp-" + std::to_string(::getppid());  // a running process's save
    std::ofstream(live) << "in progress";
    std::ofstream(path("other.safetensors.tmp-2147483646")) << "another file's";
    save_safetensors(p, sample_dict());
    EXPECT_FALSE(fs::exists(p + ".tmp-2147483646"));
    EXPECT_TRUE(fs::exists(live));
    EXPECT_TRUE(fs::exists(path("other.safetensors.tmp-2147483646")));
}

TEST_F(SafeTensorsTest, SaveReplacesAnExistingFile) {
    const std::string p = path("ckpt.safetensors");
    save_safetensors(p, sample_dict());
    StateDict small;
    small.put("x", Tensor(Shape{1}, {4.f}));
    save_safetensors(p, small);
    StateDict back = load_safetensors(p);
    expect_same(small, back);
    EXPECT_TRUE(only_file_is(dir_, "ckpt.safetensors"));
}

}  // namespace
}  // namespace genlab
