// What a tool's main() prints and returns for each kind of failure: a usage error exits 2, a bad
// file 1, and an allocation that fails outside a tensor says it ran out of memory instead of
// "unexpected error: std::bad_alloc"; a path a flag names is "no such file" only when there is none.
#include <gtest/gtest.h>

#include <filesystem>
#include <new>
#include <string>

#include "config/config.h"
#include "core/error.h"
#include "experiments/cli.h"
#include "experiments/experiment.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

struct NoOptions {
    int n = 1;
};

// Runs a tool with no flags whose body is `run`; returns its exit status and what it printed.
std::pair<int, std::string> main_of(const std::function<int()>& run) {
    static const ConfigSpec<NoOptions> spec = ConfigSpec<NoOptions>().field("n", &NoOptions::n, "A number");
    NoOptions options;
    char name[] = "genlab-tool";
    char* argv[] = {name, nullptr};
    ::testing::internal::CaptureStderr();
    const int rc = options_main("genlab-tool", "A tool", spec, options, 1, argv, run);
    return {rc, ::testing::internal::GetCapturedStderr()};
}

TEST(CliErrors, EachKindOfFailureHasItsExitStatusAndOneLine) {
    const auto [usage, usage_text] = main_of([]() -> int { usage_fail("--n 0: expected 1..9"); });
    EXPECT_EQ(usage, 2);
    EXPECT_EQ(usage_text, "genlab-tool: --n 0: expected 1..9\n");
    const auto [bad, bad_text] = main_of([]() -> int { fail("data.idx: truncated"); });
    EXPECT_EQ(bad, 1);
    EXPECT_EQ(bad_text, "genlab-tool: data.idx: truncated\n");
}

TEST(CliErrors, AFailedAllocationIsSaidAsOutOfMemory) {
    const auto [rc, text] = main_of([]() -> int { throw std::bad_alloc(); });
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(text.rfind("genlab-tool: out of memory: an allocation failed with ", 0), 0u) << text;
    EXPECT_NE(text.find("available"), std::string::npos) << text;
    EXPECT_EQ(text.find("bad_alloc"), std::string::npos) << text;
}

TEST(CliErrors, APathThatCannotBeReachedIsNotCalledMissing) {
    testing::TempDir dir;
    testing::expect_error([&] { require_file("--corpus", dir.file("none.txt"), "a text file"); },
                          {"--corpus", "no such file"});
    std::filesystem::create_symlink("loop", dir.file("loop"));  // a link to itself
    testing::expect_error([&] { require_file("--corpus", dir.file("loop"), "a text file"); },
                          {"--corpus", "cannot be accessed", "symbolic links"});
    try {
        require_file("--corpus", dir.file("loop"), "a text file");
    } catch (const UsageError& e) {
        EXPECT_EQ(std::string(e.what()).find("no such file"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace genlab::experiments
