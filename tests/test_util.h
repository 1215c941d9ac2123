// Small helpers shared by the test files: seeded random tensors, "the message this throws", a
// temporary folder removed on destruction, whole-file and JSON reads and running a demo binary.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>

#include "core/error.h"
#include "core/io/json_text.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "core/tensor.h"

namespace genlab::testing {

inline Tensor normal(Shape s, uint64_t seed) {
    Tensor x(s);
    Rng rng(seed);
    rng.fill_normal(x);
    return x;
}

inline Tensor uniform(Shape s, float lo, float hi, uint64_t seed) {
    Tensor x(s);
    Rng rng(seed);
    rng.fill_uniform(x, lo, hi);
    return x;
}

// The what() of the genlab::Error that f throws, or "(no error)".
template <class F>
std::string error_of(F f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

// Runs f, expects a genlab::Error whose one-line message contains every one of `parts`.
inline void expect_error(const std::function<void()>& f, std::initializer_list<std::string> parts) {
    try {
        f();
        ADD_FAILURE() << "expected genlab::Error, nothing thrown";
    } catch (const Error& e) {
        const std::string msg = e.what();
        for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
        EXPECT_EQ(msg.find('\n'), std::string::npos) << "message must be one line: " << msg;
    }
}

// How often `what` occurs in `text` (overlapping occurrences too).
inline size_t occurrences(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
    return n;
}

// Puts the OpenMP thread count back as it was when the scope ends, also when an ASSERT returns
// early: tests that compare 1 and 2 threads set it themselves.
class ThreadCountRestorer {
public:
    ThreadCountRestorer() : before_(num_threads()) {}
    ~ThreadCountRestorer() { set_num_threads(before_); }
    ThreadCountRestorer(const ThreadCountRestorer&) = delete;
    ThreadCountRestorer& operator=(const ThreadCountRestorer&) = delete;

private:
    int before_;
};

// A fresh folder under the system temp dir (mkdtemp), removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "genlab-test-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// The whole file as bytes ("" when it cannot be read).
inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// text as JSON (parse_json, core/io/json_text.h); text that does not parse throws, naming what.
inline nlohmann::json json_of(const std::string& text, const std::string& what = "text") {
    nlohmann::json j = parse_json(text);
    if (j.is_discarded()) throw std::runtime_error(what + " is not valid JSON: " + text.substr(0, 200));
    return j;
}

// A JSON file the code under test wrote (metrics.json, summary.json), parsed.
inline nlohmann::json read_json(const std::string& path) { return json_of(read_file(path), path); }

// Writes `text` as the whole file.
inline void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

// Runs `binary args` through the shell with stdout and stderr sent to files; its exit status, or
// -1 when it did not exit normally.
inline int run_program(const std::string& binary, const std::string& args, const std::string& stdout_path,
                       const std::string& stderr_path) {
    const std::string cmd = "'" + binary + "' " + args + " > '" + stdout_path + "' 2> '" + stderr_path + "'";
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The base fixture of one executable's end-to-end tests: a fresh folder per test (removed with
// everything in it afterwards), run(args) with the program's stdout and stderr captured there,
// path() and read() of files in it. `program` is the name under build/bin ("genlab-gan").
class ProgramTest : public ::testing::Test {
protected:
    explicit ProgramTest(const std::string& program) : binary_(std::string(GENLAB_BINARY_DIR) + "/bin/" + program) {}
    void SetUp() override {
        ASSERT_TRUE(std::filesystem::exists(binary_)) << binary_ << " is missing: build that target first";
        dir_ = std::make_unique<TempDir>();
    }
    void TearDown() override { dir_.reset(); }

    // Exit status of the program with `args`; stdout.txt and stderr.txt land in the folder.
    int run(const std::string& args) { return run_program(binary_, args, path("stdout.txt"), path("stderr.txt")); }
    std::string path(const std::string& name) const { return dir_->file(name); }
    std::string read(const std::string& name) const { return read_file(path(name)); }

    std::string binary_;
    std::unique_ptr<TempDir> dir_;
};

}  // namespace genlab::testing
