// End-to-end tests of genlab-ablate's command line on the tiny ring8 GAN: model flags pass through,
// a finished sweep is skipped when run again, and bad flags or folders exit with status 2 and one
// clear line.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/test_util.h"

namespace genlab {
namespace {

namespace fs = std::filesystem;

class AblateDemoTest : public testing::ProgramTest {
protected:
    AblateDemoTest() : ProgramTest("genlab-ablate") {}
    std::string err() const { return read("stderr.txt"); }
};

const std::string kTiny =
    " --model gan --data ring8 --g-hidden 16,16 --d-hidden 16,16 --batch 32 --steps 20 --threads 1";

TEST_F(AblateDemoTest, SweepsWithTheModelsFlagsAndSkipsFinishedRuns) {
    ASSERT_EQ(run("--acts relu,tanh --seeds 1 --out " + path("s") + kTiny), 0) << err();
    EXPECT_NE(err().find("[2/2]"), std::string::npos) << err();
    EXPECT_NE(err().find("modes_covered"), std::string::npos) << err();
    const std::string csv = testing::read_file(path("s/results.csv"));
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3) << csv;
    EXPECT_TRUE(fs::exists(path("s/runs/tanh/seed1/scatter.png")));
    // The model flags reached the model: its stored config has the tiny networks.
    EXPECT_NE(testing::read_file(path("s/runs/relu/seed1/config.json")).find("\"ring8\""), std::string::npos);

    ASSERT_EQ(run("--acts relu,tanh --seeds 1 --out " + path("s") + kTiny), 0) << err();
    EXPECT_NE(testing::read_file(path("stdout.txt")).find("0 runs trained, 2 already done"), std::string::npos);
}

TEST_F(AblateDemoTest, BadFlagsAndFoldersAreUsageErrors) {
    EXPECT_EQ(run("--acts relu --seeds 1 --out " + path("a") + kTiny + " --no-such-flag 3"), 2);
    EXPECT_NE(err().find("--no-such-flag"), std::string::npos) << err();
    EXPECT_NE(err().find("genlab-gan"), std::string::npos) << err();
    EXPECT_EQ(run("--acts relu,nope --seeds 1 --out " + path("a") + kTiny), 2);
    EXPECT_NE(err().find("nope"), std::string::npos) << err();
    EXPECT_EQ(run("--model vae --out " + path("a")), 2);
    EXPECT_FALSE(fs::exists(path("a")));

    fs::create_directories(path("mine"));
    std::ofstream(path("mine/data.txt")) << "x";
    EXPECT_EQ(run("--acts relu --seeds 1 --out " + path("mine") + kTiny), 2);
    EXPECT_NE(err().find("ablation.json"), std::string::npos) << err();
    EXPECT_EQ(testing::read_file(path("mine/data.txt")), "x");
}

}  // namespace
}  // namespace genlab
