// Every input under tests/fuzz/regressions/<target>/ once crashed that fuzz target (or is a case
// an issue reported: deep nesting, huge counts); each is replayed through the target's body here,
// in every build, so the fix stays. A crash or a trap fails the whole test executable.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/fuzz/fuzz_target.h"
#include "tests/test_util.h"

int genlab_fuzz_idx(const uint8_t* data, size_t size);
int genlab_fuzz_corpus(const uint8_t* data, size_t size);
int genlab_fuzz_safetensors(const uint8_t* data, size_t size);
int genlab_fuzz_activation_spec(const uint8_t* data, size_t size);
int genlab_fuzz_run_config(const uint8_t* data, size_t size);
int genlab_fuzz_csv(const uint8_t* data, size_t size);

namespace genlab {
namespace {

namespace fs = std::filesystem;

using Target = int (*)(const uint8_t*, size_t);

size_t replay(const std::string& name, Target target) {
    const fs::path dir = fs::path(GENLAB_SOURCE_DIR) / "tests/fuzz/regressions" / name;
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        const std::string bytes = testing::read_file(e.path().string());
        SCOPED_TRACE(e.path().string());
        EXPECT_EQ(target(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), 0);
        ++n;
    }
    return n;
}

TEST(FuzzRegressions, EveryStoredInputRunsCleanThroughItsTarget) {
    const std::pair<const char*, Target> targets[] = {{"idx", genlab_fuzz_idx},
                                                      {"corpus", genlab_fuzz_corpus},
                                                      {"safetensors", genlab_fuzz_safetensors},
                                                      {"activation_spec", genlab_fuzz_activation_spec},
                                                      {"run_config", genlab_fuzz_run_config},
                                                      {"csv", genlab_fuzz_csv}};
    size_t total = 0;
    for (const auto& [name, fn] : targets) total += replay(name, fn);
    EXPECT_GE(total, 5u);  // the folders are found (a wrong path would pass vacuously)
}

}  // namespace
}  // namespace genlab
