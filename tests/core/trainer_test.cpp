// The shared training loop on a tiny regression (Linear + Adam, data drawn from a tracked Rng):
// resume is bit-identical to an uninterrupted run, the NaN/Inf guard names metric and step,
// metrics.csv/metrics.json have the promised shape, checkpoints land at save_every, and a failed
// save or a mismatched resume never damages what is on disk.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "core/error.h"
#include "core/io/safetensors.h"
#include "core/nn/layers.h"
#include "core/ops.h"
#include "core/optim/optimizer.h"
#include "core/train/run_dir.h"
#include "core/train/stop_request.h"
#include "core/train/trainer.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

namespace fs = std::filesystem;

using testing::read_file;

std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
}

// y = x · w_true + noise, fitted by a Linear(4 -> 1) with Adam. Every batch is drawn from
// data_rng, so a resume that forgot the RNG state would see other batches and other losses.
struct Regression {
    static constexpr int kBatch = 8;
    Rng init_rng, data_rng;
    Linear model;
    Adam opt;
    Tape tape;
    Tensor x{Shape{kBatch, 4}}, y{Shape{kBatch, 1}};  // (B, 4), (B, 1)
    Tensor val_x{Shape{16, 4}}, val_y{Shape{16, 1}};

    explicit Regression(uint64_t seed)
        : init_rng(seed), data_rng(seed + 1000), model(4, 1, init_rng), opt(model.named_parameters(), {.lr = 0.05f}) {
        Rng val_rng(77);  // the same validation set whatever the seed
        make_batch(val_rng, val_x, val_y);
    }

    static void make_batch(Rng& rng, Tensor& bx, Tensor& by) {
        rng.fill_normal(bx);
        for (size_t i = 0; i < by.numel(); ++i) {
            const float* r = bx.data() + 4 * i;
            by[i] = 0.5f * r[0] - 1.f * r[1] + 2.f * r[2] + 0.1f * rng.normal();
        }
    }

    Metrics step(int) {
        make_batch(data_rng, x, y);
        tape.reset();
        Var loss = mse(tape, model(tape, tape.constant(x)), tape.constant(y));
        opt.zero_grad();
        tape.backward(loss);
        opt.step();
        return {{"loss", tape.item(loss)}, {"w0", model.weight.value[0]}};
    }

    Metrics eval(int) {
        tape.reset();
        NoGradGuard ng(tape);
        Var loss = mse(tape, model(tape, tape.constant(val_x)), tape.constant(val_y));
        return {{"val_loss", tape.item(loss)}};
    }

    void track(Trainer& t) {
        t.track("model.", model);
        t.track("opt.", opt);
        t.track_rng("data", data_rng);
    }
};

class TrainerTest : public ::testing::Test {
protected:
    std::string path(const std::string& name) const { return dir_ + "/" + name; }

    TrainerOptions options(const std::string& out) const {
        TrainerOptions o;
        o.steps = 12;
        o.log_every = 1;
        o.eval_every = 4;
        o.save_every = 6;
        o.out_dir = path(out);
        o.config_json = "{\"lr\": 0.05}";
        o.kind = "regression";
        o.quiet = true;
        return o;
    }

    testing::TempDir tmp_;
    const std::string dir_ = tmp_.path().string();
};

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST_F(TrainerTest, ResumeIsBitIdenticalToAnUninterruptedRun) {
    Regression a(1);
    Trainer ta(options("a"));
    a.track(ta);
    Metrics final_a = ta.run([&](int s) { return a.step(s); }, [&](int s) { return a.eval(s); });

    // The same run, failing during step index 9: the checkpoint is at step 6; rows 7..9 were
    // logged, and the failure cuts metrics.csv back to the checkpoint's rows.
    {
        Regression b(1);
        Trainer tb(options("b"));
        b.track(tb);
        EXPECT_THROW(tb.run(
                         [&](int s) {
                             if (s == 9) throw std::runtime_error("killed");
                             return b.step(s);
                         },
                         [&](int s) { return b.eval(s); }),
                     std::runtime_error);
    }
    EXPECT_EQ(load_safetensors(path("b/checkpoint.safetensors")).meta("step", "b"), "6");
    EXPECT_EQ(read_lines(path("b/metrics.csv")).size(), 1u + 6u);

    // Fresh objects with another seed: everything they compute comes from the checkpoint.
    Regression c(999);
    TrainerOptions oc = options("b");
    oc.resume = path("b/checkpoint.safetensors");
    Trainer tc(oc);
    c.track(tc);
    Metrics final_c = tc.run([&](int s) { return c.step(s); }, [&](int s) { return c.eval(s); });

    EXPECT_EQ(tc.start_step(), 6);
    EXPECT_EQ(final_a, final_c);
    EXPECT_EQ(read_file(path("a/metrics.csv")), read_file(path("b/metrics.csv")));
    EXPECT_EQ(read_file(path("a/checkpoint.safetensors")), read_file(path("b/checkpoint.safetensors")));
    EXPECT_EQ(0, std::memcmp(a.model.weight.value.data(), c.model.weight.value.data(), 4 * sizeof(float)));
    // The loop really trained: the loss fell.
    std::vector<std::string> lines = read_lines(path("a/metrics.csv"));
    EXPECT_LT(std::stod(lines.back().substr(lines.back().find(',') + 1)),
              std::stod(lines[1].substr(lines[1].find(',') + 1)));
}

// A stop request (a signal's, in genlab-ablate task) between save points: the trainer saves a
// checkpoint at the step just done and throws Interrupted; the resumed run is the uninterrupted one.
TEST_F(TrainerTest, AStopRequestSavesTheStepAndResumesAsIfNeverStopped) {
    Regression a(1);
    Trainer ta(options("a"));
    a.track(ta);
    const Metrics final_a = ta.run([&](int s) { return a.step(s); }, [&](int s) { return a.eval(s); });

    {
        Regression b(1);
        Trainer tb(options("b"));
        b.track(tb);
        int stopped_at = 0;
        try {
            tb.run(
                [&](int s) {
                    if (s == 8) request_stop();  // during step 9, between the saves at 6 and 12
                    return b.step(s);
                },
                [&](int s) { return b.eval(s); });
        } catch (const Interrupted& e) {
            stopped_at = e.step;
            EXPECT_NE(std::string(e.what()).find("interrupted at step 9 of 12"), std::string::npos) << e.what();
        }
        clear_stop_request();
        EXPECT_EQ(stopped_at, 9);
    }
    EXPECT_EQ(load_safetensors(path("b/checkpoint.safetensors")).meta("step", "b"), "9");
    EXPECT_EQ(read_lines(path("b/metrics.csv")).size(), 1u + 9u);

    Regression c(999);
    TrainerOptions oc = options("b");
    oc.resume = path("b/checkpoint.safetensors");
    Trainer tc(oc);
    c.track(tc);
    const Metrics final_c = tc.run([&](int s) { return c.step(s); }, [&](int s) { return c.eval(s); });
    EXPECT_EQ(tc.start_step(), 9);
    EXPECT_EQ(final_a, final_c);
    EXPECT_EQ(read_file(path("a/metrics.csv")), read_file(path("b/metrics.csv")));
    EXPECT_EQ(read_file(path("a/checkpoint.safetensors")), read_file(path("b/checkpoint.safetensors")));

    // A request during the last step changes nothing: the run is complete.
    Regression d(1);
    Trainer td(options("d"));
    d.track(td);
    EXPECT_EQ(td.run(
                  [&](int s) {
                      if (s == 11) request_stop();
                      return d.step(s);
                  },
                  [&](int s) { return d.eval(s); }),
              final_a);
    clear_stop_request();
}

// SIGUSR1 and SIGTERM, once they request stops, leave the process running with the request made.
TEST(StopRequest, SignalsRequestAStopInsteadOfEndingTheProcess) {
    stop_on_signals({SIGUSR1, SIGTERM});
    EXPECT_FALSE(stop_requested());
    ASSERT_EQ(raise(SIGUSR1), 0);
    EXPECT_TRUE(stop_requested());
    clear_stop_request();
    ASSERT_EQ(raise(SIGTERM), 0);
    EXPECT_TRUE(stop_requested());
    clear_stop_request();
    signal(SIGUSR1, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
}

TEST_F(TrainerTest, MetricsCsvHasHeaderAndOneRowPerLoggedStep) {
    Regression r(2);
    TrainerOptions o = options("m");
    o.steps = 10;
    o.log_every = 3;
    o.eval_every = 0;  // eval only at the end: its column appears late and earlier rows get empty cells
    Trainer t(o);
    r.track(t);
    t.run([&](int s) { return r.step(s); }, [&](int s) { return r.eval(s); });

    std::vector<std::string> lines = read_lines(path("m/metrics.csv"));
    ASSERT_EQ(lines.size(), 5u);  // header + steps 3, 6, 9, 10
    EXPECT_EQ(lines[0], "step,loss,w0,val_loss");
    EXPECT_EQ(lines[1].substr(0, 2), "3,");
    EXPECT_EQ(lines[3].substr(0, 2), "9,");
    EXPECT_EQ(lines[1].back(), ',') << "no eval at step 3: empty cell";
    EXPECT_EQ(lines[4].substr(0, 3), "10,");
    EXPECT_NE(lines[4].back(), ',') << "eval at the last step";

    nlohmann::json j = testing::read_json(path("m/metrics.json"));
    EXPECT_EQ(j["steps"], 10);
    EXPECT_TRUE(j["elapsed_s"].is_number());
    EXPECT_GT(j["steps_per_s"].get<double>(), 0.0);
    EXPECT_TRUE(j["loss"].is_number());
    EXPECT_TRUE(j["val_loss"].is_number());
    EXPECT_TRUE(fs::exists(path("m/checkpoint.safetensors")));
}

TEST_F(TrainerTest, NanGuardNamesMetricAndStepAndKeepsTheCheckpoint) {
    Regression r(3);
    TrainerOptions o = options("n");
    o.save_every = 2;
    o.log_every = 5;
    Trainer t(o);
    r.track(t);
    std::string msg = message_of([&] {
        t.run([&](int s) {
            Metrics m = r.step(s);
            if (s == 4) m.emplace_back("grad_norm", std::numeric_limits<double>::quiet_NaN());
            return m;
        });
    });
    EXPECT_NE(msg.find("step 5: grad_norm is nan"), std::string::npos) << msg;
    EXPECT_NE(msg.find("diverged"), std::string::npos) << msg;
    EXPECT_NE(msg.find("--lr"), std::string::npos) << msg;
    // The last good checkpoint (step 4) is kept; the diverged step is the last CSV row.
    EXPECT_EQ(load_safetensors(path("n/checkpoint.safetensors")).meta("step", "n"), "4");
    std::vector<std::string> lines = read_lines(path("n/metrics.csv"));
    ASSERT_GE(lines.size(), 2u);
    EXPECT_EQ(lines.back().substr(0, 2), "5,");
    EXPECT_NE(lines.back().find("nan"), std::string::npos) << lines.back();
    EXPECT_FALSE(fs::exists(path("n/metrics.json")));
}

TEST_F(TrainerTest, DivergenceIsADivergedErrorCarryingStepAndMetric) {
    Regression r(3);
    Trainer t(options("d"));
    r.track(t);
    try {
        t.run([&](int s) {
            Metrics m = r.step(s);
            if (s == 6) m.emplace_back("loss2", std::numeric_limits<double>::infinity());
            return m;
        });
        ADD_FAILURE() << "no Diverged thrown";
    } catch (const Diverged& e) {
        EXPECT_EQ(e.step, 7);
        EXPECT_EQ(e.metric, "loss2");
    }
}

TEST_F(TrainerTest, NonFiniteWeightsAreNeverSavedWhileTheLossLooksFine) {
    Regression r(3);
    TrainerOptions o = options("w");
    o.save_every = 2;
    Trainer t(o);
    r.track(t);
    try {
        t.run([&](int s) {
            Metrics m = r.step(s);                                                         // a finite loss...
            if (s == 5) r.model.weight.value[1] = std::numeric_limits<float>::infinity();  // ...but a weight overflowed
            return m;
        });
        ADD_FAILURE() << "no Diverged thrown";
    } catch (const Diverged& e) {
        EXPECT_EQ(e.step, 6) << "found at the save right after the overflow";
        EXPECT_EQ(e.metric, "model.weight");
        EXPECT_NE(std::string(e.what()).find("model.weight holds nan or inf"), std::string::npos) << e.what();
    }
    // The checkpoint on disk is the last finite one (step 4).
    const StateDict sd = load_safetensors(path("w/checkpoint.safetensors"));
    EXPECT_EQ(sd.meta("step", "w"), "4");
    EXPECT_EQ(sd.first_non_finite(), nullptr);
}

TEST_F(TrainerTest, InfGuardAlsoCoversEvalMetrics) {
    Regression r(4);
    TrainerOptions o = options("i");
    o.out_dir = "";  // in memory: no files
    Trainer t(o);
    r.track(t);
    std::string msg = message_of([&] {
        t.run([&](int s) { return r.step(s); },
              [&](int n) {
                  return Metrics{{"val_loss", n == 8 ? std::numeric_limits<double>::infinity() : 1.0}};
              });
    });
    EXPECT_NE(msg.find("step 8: val_loss is inf"), std::string::npos) << msg;
}

// An evaluation never changes training, so the checkpoint due at a step is saved before the
// evaluation runs: one that fails (a broken metric) cannot cost the run its final state.
TEST_F(TrainerTest, TheFinalCheckpointIsSavedBeforeTheEvaluationCanFail) {
    Regression r(4);
    TrainerOptions o = options("f");
    o.eval_every = 0;
    o.save_every = 0;  // only the final checkpoint
    Trainer t(o);
    r.track(t);
    EXPECT_THROW(t.run([&](int s) { return r.step(s); },
                       [&](int n) {
                           return Metrics{{"fd", n == 12 ? std::numeric_limits<double>::quiet_NaN() : 1.0}};
                       }),
                 Diverged);
    const StateDict sd = load_safetensors(path("f/checkpoint.safetensors"));
    EXPECT_EQ(sd.meta("step", "f"), "12");
    EXPECT_EQ(sd.first_non_finite(), nullptr);
    EXPECT_TRUE(fs::exists(path("f/config.json")));
}

TEST_F(TrainerTest, StepWithoutMetricsStillLogsSteps) {
    TrainerOptions o = options("e");
    o.steps = 3;
    Trainer t(o);
    t.run([](int) { return Metrics{}; });
    std::vector<std::string> want = {"step", "1", "2", "3"};
    EXPECT_EQ(read_lines(path("e/metrics.csv")), want);
}

TEST_F(TrainerTest, ResumeIntoAnotherFolderStartsItsCsvAtTheCheckpoint) {
    Regression r(10);
    TrainerOptions o = options("first");
    o.steps = 6;
    Trainer t(o);
    r.track(t);
    t.run([&](int s) { return r.step(s); });

    Regression r2(11);
    TrainerOptions o2 = options("second");
    o2.resume = path("first/checkpoint.safetensors");
    Trainer t2(o2);
    r2.track(t2);
    t2.run([&](int s) { return r2.step(s); });
    std::vector<std::string> lines = read_lines(path("second/metrics.csv"));
    ASSERT_EQ(lines.size(), 1u + 6u);  // steps 7..12
    EXPECT_EQ(lines[1].substr(0, 2), "7,");
    EXPECT_EQ(read_lines(path("first/metrics.csv")).size(), 1u + 6u) << "the first run's files are untouched";
}

TEST_F(TrainerTest, CheckpointsAtSaveEveryAndAtTheEnd) {
    Regression r(5);
    TrainerOptions o = options("c");
    o.steps = 10;
    o.save_every = 4;
    Trainer t(o);
    r.track(t);
    std::vector<std::string> seen;  // checkpoint step visible before each step index
    t.run([&](int s) {
        std::error_code ec;
        seen.push_back(fs::exists(path("c/checkpoint.safetensors"), ec)
                           ? load_safetensors(path("c/checkpoint.safetensors")).meta("step", "c")
                           : "-");
        return r.step(s);
    });
    std::vector<std::string> want = {"-", "-", "-", "-", "4", "4", "4", "4", "8", "8"};
    EXPECT_EQ(seen, want);
    StateDict sd = load_safetensors(path("c/checkpoint.safetensors"));
    EXPECT_EQ(sd.meta("step", "c"), "10");
    EXPECT_EQ(sd.meta("kind", "c"), "regression");
    EXPECT_EQ(sd.meta("config", "c"), "{\"lr\": 0.05}");
    EXPECT_EQ(sd.meta("rng.data", "c"), r.data_rng.state());
    EXPECT_NE(sd.find("model.weight"), nullptr);
    EXPECT_NE(sd.find("opt.weight.exp_avg"), nullptr);
}

TEST_F(TrainerTest, ResumeRejectsAnotherKindAndTooFewSteps) {
    Regression r(6);
    Trainer t(options("k"));
    r.track(t);
    t.run([&](int s) { return r.step(s); });
    const std::string ckpt = path("k/checkpoint.safetensors");

    Regression other(7);
    TrainerOptions o = options("k2");
    o.kind = "gan";
    o.resume = ckpt;
    Trainer wrong_kind(o);
    other.track(wrong_kind);
    std::string msg = message_of([&] { wrong_kind.run([&](int s) { return other.step(s); }); });
    EXPECT_NE(msg.find("'regression'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'gan'"), std::string::npos) << msg;

    o = options("k2");
    o.resume = ckpt;
    o.steps = 5;  // the checkpoint is at 12
    Trainer too_few(o);
    other.track(too_few);
    EXPECT_THROW(too_few.run([&](int s) { return other.step(s); }), UsageError);
}

// A Stateful with one tensor of its own.
struct Extra : Stateful {
    void save_state(StateDict& sd, const std::string& prefix) const override {
        sd.put(prefix + "bias", Tensor(Shape{1}));
    }
    void load_state(const StateDict&, const std::string&) override {}
};

// A checkpoint holding state this run does not have (another optimizer's moments) is another
// run's: refused, naming the tensor, instead of loaded with that state ignored.
TEST_F(TrainerTest, ResumeRejectsACheckpointWithTensorsThisRunDoesNotHave) {
    Regression r(6);
    Extra extra;
    Trainer t(options("x"));
    r.track(t);
    t.track("opt.extra.", extra);
    t.run([&](int s) { return r.step(s); });

    Regression other(6);
    TrainerOptions o = options("x2");
    o.resume = path("x/checkpoint.safetensors");
    Trainer resumed(o);
    other.track(resumed);
    const std::string msg = message_of([&] { resumed.run([&](int s) { return other.step(s); }); });
    EXPECT_NE(msg.find("'opt.extra.bias'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("does not have"), std::string::npos) << msg;
}

// A Stateful whose tensor name repeats one the model already saved.
struct Clashing : Stateful {
    void save_state(StateDict& sd, const std::string&) const override { sd.put("model.weight", Tensor(Shape{1})); }
    void load_state(const StateDict&, const std::string&) override {}
};

TEST_F(TrainerTest, FailedSaveKeepsThePreviousCheckpoint) {
    Regression r(8);
    Trainer t(options("f"));
    r.track(t);
    t.run([&](int s) { return r.step(s); });
    const std::string ckpt = path("f/checkpoint.safetensors");
    const std::string before = read_file(ckpt);

    Clashing clash;
    t.track("", clash);
    EXPECT_THROW(t.save_checkpoint(ckpt, 99), Error);
    EXPECT_EQ(read_file(ckpt), before);
    for (const fs::directory_entry& e : fs::directory_iterator(path("f")))
        EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
}

TEST_F(TrainerTest, RejectsBadOptionsAndReservedMetadata) {
    TrainerOptions o = options("x");
    o.steps = -1;
    Trainer t(o);
    EXPECT_THROW(t.run([](int) { return Metrics{}; }), UsageError);
    EXPECT_THROW(t.set_metadata("step", "3"), Error);
    EXPECT_THROW(t.set_metadata("rng.data", "3"), Error);
    Regression r(9);
    t.track("model.", r.model);
    EXPECT_THROW(t.track("model.", r.model), Error);
}

TEST_F(TrainerTest, DefaultOutDirIsTimestampedAndUnique) {
    const std::string d = default_out_dir("gan", path("outputs"));
    EXPECT_TRUE(std::regex_match(d, std::regex(".*/outputs/gan/[0-9]{8}-[0-9]{6}"))) << d;
    make_out_dir(d);
    const std::string d2 = default_out_dir("gan", path("outputs"));
    EXPECT_NE(d, d2);
    write_config_json(d, "{\"lr\":0.001,\"act\":\"gelu\"}");
    nlohmann::json j = testing::read_json(d + "/config.json");
    EXPECT_EQ(j["act"], "gelu");
    EXPECT_THROW(write_config_json(d, "{oops"), Error);
}

}  // namespace
}  // namespace genlab
