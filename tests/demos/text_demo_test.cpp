// End-to-end tests of genlab-text on tiny settings: a transformer learns a repeating text to
// near-zero loss and samples it back from the checkpoint alone; resume is bit-identical; lines
// mode writes samples and novelty; bad input gives one clear line and the right exit status.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "core/io/safetensors.h"
#include "core/train/metrics_csv.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

namespace fs = std::filesystem;

class TextDemoTest : public testing::ProgramTest {
protected:
    TextDemoTest() : ProgramTest("genlab-text") {}
    void write(const std::string& name, const std::string& text) const {
        std::ofstream f(path(name), std::ios::binary);
        f << text;
    }
    nlohmann::json metrics(const std::string& run) const { return testing::json_of(read(run + "/metrics.json")); }
};

constexpr const char* kTinyGpt =
    "--mode stream --arch transformer --n-layer 1 --n-head 2 --n-embd 32 --block-size 16 --batch 8 --threads 1 --quiet";

TEST_F(TextDemoTest, TransformerLearnsRepeatingTextAndSamplesWithoutTheCorpus) {
    std::string text;
    for (int i = 0; i < 100; ++i) text += "abcdefgh";
    write("rep.txt", text);
    ASSERT_EQ(run(std::string("train --corpus ") + path("rep.txt") + " " + kTinyGpt +
                  " --steps 150 --lr 3e-3 --warmup 10 --eval-batches 4 --out " + path("run")),
              0)
        << read("stderr.txt");
    const nlohmann::json m = metrics("run");
    EXPECT_LT(m["val_loss"].get<double>(), 0.05);
    EXPECT_LT(m["train_loss"].get<double>(), 0.05);
    EXPECT_NEAR(m["val_bpc"].get<double>(), m["val_loss"].get<double>() / std::log(2.0), 1e-9);
    for (const char* f :
         {"config.json", "metrics.csv", "samples.txt", "checkpoint.safetensors", "loss.png", "loss.svg"})
        EXPECT_TRUE(fs::exists(path(std::string("run/") + f))) << f;
    EXPECT_NE(read("run/metrics.csv").find("tokens_per_s"), std::string::npos);

    fs::remove(path("rep.txt"));  // sampling needs only the checkpoint
    ASSERT_EQ(run("sample --checkpoint " + path("run/checkpoint.safetensors") +
                  " --prompt cde --temperature 0 --max-chars 13"),
              0)
        << read("stderr.txt");
    EXPECT_EQ(read("stdout.txt"), "cdefghabcdefghab\n\n");
}

TEST_F(TextDemoTest, ResumeIsBitIdentical) {
    std::string text;
    for (int i = 0; i < 300; ++i) text += "the quick brown fox. ";
    write("c.txt", text);
    const std::string base = std::string("train --corpus ") + path("c.txt") + " " + kTinyGpt +
                             " --dropout 0.1 --eval-every 10 --eval-batches 2 --log-every 5 ";
    ASSERT_EQ(run(base + "--steps 20 --out " + path("full")), 0) << read("stderr.txt");
    ASSERT_EQ(run(base + "--steps 10 --out " + path("half")), 0) << read("stderr.txt");
    ASSERT_EQ(run(base + "--steps 20 --resume " + path("half/checkpoint.safetensors") + " --out " + path("half")), 0)
        << read("stderr.txt");
    const StateDict a = load_safetensors(path("full/checkpoint.safetensors"));
    const StateDict b = load_safetensors(path("half/checkpoint.safetensors"));
    ASSERT_EQ(a.tensors.size(), b.tensors.size());
    for (const auto& [name, t] : a.tensors) {
        const Tensor* u = b.find(name);
        ASSERT_NE(u, nullptr) << name;
        ASSERT_EQ(t.numel(), u->numel()) << name;
        for (size_t i = 0; i < t.numel(); ++i) ASSERT_EQ(t[i], (*u)[i]) << name << "[" << i << "]";
    }
    EXPECT_EQ(metrics("full")["val_loss"], metrics("half")["val_loss"]);
    // The resumed run keeps the step-10 section of samples.txt and appends the same final one.
    const std::string fs_ = read("full/samples.txt"), hs = read("half/samples.txt");
    ASSERT_NE(hs.find("# step 10"), std::string::npos);
    EXPECT_EQ(fs_.substr(fs_.find("# step 20")), hs.substr(hs.find("# step 20")));
}

// A disk that fills up during a resumed run, emulated by a file-size limit that the checkpoint
// exceeds and the logs do not: the run fails at its first save, and the folder still agrees with
// the checkpoint that survived (metrics.csv, samples.txt and config.json describe step 10, no
// temp file is left). A later --resume then ends exactly as an uninterrupted run.
TEST_F(TextDemoTest, AFailedSaveLeavesTheFolderAgreeingWithItsCheckpoint) {
    std::string text;
    for (int i = 0; i < 300; ++i) text += "the quick brown fox. ";
    write("c.txt", text);
    const std::string base = std::string("train --corpus ") + path("c.txt") + " " + kTinyGpt +
                             " --eval-every 5 --eval-batches 2 --log-every 5 --save-every 10 --sample-every 5 ";
    ASSERT_EQ(run(base + "--steps 30 --out " + path("full")), 0) << read("stderr.txt");
    ASSERT_EQ(run(base + "--steps 10 --out " + path("r")), 0) << read("stderr.txt");
    const std::string config_before = read("r/config.json");
    ASSERT_GT(fs::file_size(path("r/checkpoint.safetensors")), 150'000u);  // over the limit below

    // dash counts ulimit -f in 512-byte blocks: files stop growing at 100 KB. SIGXFSZ is ignored,
    // so an oversized write fails with EFBIG, as a full disk fails one with ENOSPC.
    const std::string resume = base + "--steps 30 --resume " + path("r/checkpoint.safetensors") + " --out " + path("r");
    const std::string cmd = "ulimit -f 200; trap '' XFSZ; exec '" + binary_ + "' " + resume;
    EXPECT_EQ(testing::run_program("/bin/sh", "-c \"" + cmd + "\"", path("stdout.txt"), path("stderr.txt")), 1);
    const std::string err = read("stderr.txt");
    EXPECT_NE(err.find("checkpoint.safetensors"), std::string::npos) << err;
    EXPECT_NE(err.find("File too large"), std::string::npos) << err;

    EXPECT_EQ(load_safetensors(path("r/checkpoint.safetensors")).meta("step", "r"), "10");
    const std::string csv = read("r/metrics.csv");
    EXPECT_NE(csv.find("\n10,"), std::string::npos) << csv;
    EXPECT_EQ(csv.find("\n15,"), std::string::npos) << csv;  // logged by the failed run, then cut
    const std::string samples = read("r/samples.txt");
    EXPECT_NE(samples.find("# step 10 "), std::string::npos) << samples;
    EXPECT_EQ(samples.find("# step 15 "), std::string::npos) << samples;
    EXPECT_EQ(read("r/config.json"), config_before);  // the checkpoint's flags (--steps 10), not the failed run's
    for (const auto& e : fs::directory_iterator(path("r")))
        EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();

    ASSERT_EQ(run(resume), 0) << read("stderr.txt");
    EXPECT_EQ(metrics("full")["val_loss"], metrics("r")["val_loss"]);
    const MetricsTable full = read_metrics_csv(path("full/metrics.csv")), r = read_metrics_csv(path("r/metrics.csv"));
    EXPECT_EQ(full.steps(), r.steps());
    EXPECT_EQ(full.column("val_loss"), r.column("val_loss"));
    const std::string fs_ = read("full/samples.txt"), rs = read("r/samples.txt");
    EXPECT_EQ(fs_, rs);
}

TEST_F(TextDemoTest, LinesModeMlpWritesSamplesAndNovelty) {
    write("names.txt", "emma\nolivia\nava\nisabella\nsophia\nmia\ncharlotte\namelia\nharper\nevelyn\nabigail\nemily\n");
    ASSERT_EQ(run("train --corpus " + path("names.txt") +
                  " --steps 60 --batch 16 --hidden 32 --n-embd 8 --num-samples 5 --threads 1 --quiet --out " +
                  path("r")),
              0)
        << read("stderr.txt");
    const nlohmann::json m = metrics("r");
    EXPECT_GE(m["novelty"].get<double>(), 0.0);
    EXPECT_LE(m["novelty"].get<double>(), 1.0);
    const std::string s = read("r/samples.txt");
    EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 6);  // header + 5 samples
    ASSERT_EQ(run("sample --checkpoint " + path("r/checkpoint.safetensors") + " --num-samples 4 --prompt em --corpus " +
                  path("names.txt")),
              0)
        << read("stderr.txt");
    const std::string out = read("stdout.txt");
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 4);
    EXPECT_EQ(out.rfind("em", 0), 0u);
    EXPECT_NE(read("stderr.txt").find("novelty"), std::string::npos);
}

// Text sampled to the terminal shows a corpus's control characters (ESC opening an escape
// sequence) as \xNN, never obeyed; samples.txt keeps them as sampled.
TEST_F(TextDemoTest, SampleEscapesControlCharactersOnTheTerminal) {
    write("esc.txt", "\x1b[31m\n\x1b[1m\n\x1b[0m\n\x1b[2m\n");
    ASSERT_EQ(run("train --corpus " + path("esc.txt") + " --steps 3 --hidden 8 --quiet --out " + path("r")), 0)
        << read("stderr.txt");
    ASSERT_EQ(run("sample --checkpoint " + path("r/checkpoint.safetensors") +
                  " --num-samples 2 --prompt \"$(printf '\\033[')\""),
              0)
        << read("stderr.txt");
    const std::string out = read("stdout.txt");
    EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
    EXPECT_EQ(out.rfind("\\x1b[", 0), 0u) << out;
}

TEST_F(TextDemoTest, BadInputGivesOneClearLine) {
    write("empty.txt", "");
    EXPECT_EQ(run("train --corpus " + path("empty.txt") + " --out " + path("o1")), 1);
    EXPECT_NE(read("stderr.txt").find("empty"), std::string::npos) << read("stderr.txt");
    EXPECT_FALSE(fs::exists(path("o1")));

    // A corpus too short for the model is a bad file in either mode (exit 1), with the way out.
    write("short.txt", "hello world");
    EXPECT_EQ(run("train --corpus " + path("short.txt") + " --mode stream --block-size 16 --out " + path("o2")), 1);
    EXPECT_NE(read("stderr.txt").find("block-size"), std::string::npos) << read("stderr.txt");
    EXPECT_FALSE(fs::exists(path("o2")));
    EXPECT_EQ(run("train --corpus " + path("short.txt") + " --out " + path("o2")), 1);
    EXPECT_NE(read("stderr.txt").find("--mode stream"), std::string::npos) << read("stderr.txt");
    EXPECT_FALSE(fs::exists(path("o2")));

    write("bad.txt", std::string("abc\xff\xfe def\n", 9));
    EXPECT_EQ(run("train --corpus " + path("bad.txt") + " --out " + path("o3")), 1);
    EXPECT_NE(read("stderr.txt").find("UTF-8"), std::string::npos) << read("stderr.txt");
    EXPECT_FALSE(fs::exists(path("o3")));

    EXPECT_EQ(run("train --temperature -1 --out " + path("o4")), 2);
    EXPECT_NE(read("stderr.txt").find("--temperature"), std::string::npos);
    EXPECT_FALSE(fs::exists(path("o4")));
    EXPECT_EQ(run("train --n-head 3 --arch transformer --out " + path("o5")), 2);
    EXPECT_EQ(run("train --act nosuch --out " + path("o6")), 2);
    EXPECT_FALSE(fs::exists(path("o6")));

    // A real checkpoint, then an unknown prompt character and a corrupted copy.
    write("n.txt", "ab\nba\naab\nbba\n");
    ASSERT_EQ(run("train --corpus " + path("n.txt") + " --steps 3 --hidden 8 --quiet --out " + path("ok")), 0)
        << read("stderr.txt");
    EXPECT_EQ(run("sample --checkpoint " + path("ok/checkpoint.safetensors") + " --prompt abz"), 2);
    EXPECT_NE(read("stderr.txt").find("'z'"), std::string::npos) << read("stderr.txt");
    EXPECT_EQ(run("sample --checkpoint " + path("ok/checkpoint.safetensors") + " --top-p 0"), 2);
    std::string ck = read("ok/checkpoint.safetensors");
    ck.resize(ck.size() / 2);
    write("cut.safetensors", ck);
    EXPECT_EQ(run("sample --checkpoint " + path("cut.safetensors")), 1);
    const std::string err = read("stderr.txt");
    EXPECT_NE(err.find("cut.safetensors"), std::string::npos) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    EXPECT_EQ(run("sample --checkpoint " + path("nope.safetensors")), 2);
}

}  // namespace
}  // namespace genlab
