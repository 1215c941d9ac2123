// Every experiment's memory estimate against its real training step: the parameters equal those
// the experiment checkpoints under "model.", and step_floats the floats its own tapes hold after
// real steps (Tape::live_floats, seen from outside the experiment), exactly, for every model
// family over widths, depths, activations (prelu's learnable one), losses and batches.
#include <gtest/gtest.h>

#include "core/io/safetensors.h"
#include "core/parallel.h"
#include "core/tape.h"
#include "tests/experiments/experiment_cases.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

using testing::ExperimentCase;

std::vector<ExperimentCase> cases() {
    const std::pair<std::string, std::string> no_fd{"fd_samples", "0"};
    return {
        {"GanRing8", "gan", {{"data", "ring8"}, {"g_hidden", "16,16"}, {"d_hidden", "16,16"}, {"batch", "32"}}},
        {"GanRing8MinimaxPreluTwoDSteps",
         "gan",
         {{"data", "ring8"},
          {"g_hidden", "24"},
          {"d_hidden", "12,8,4"},
          {"d_act", "prelu"},
          {"loss", "minimax"},
          {"d_steps", "2"},
          {"batch", "7"}}},
        {"GanRing8LsganSwishLearned",
         "gan",
         {{"data", "ring8"}, {"g_act", "swish_learned"}, {"g_out", "tanh"}, {"loss", "lsgan"}, {"batch", "5"}}},
        {"GanImages",
         "gan",
         {{"class", "7"}, {"limit", "64"}, {"g_hidden", "32"}, {"d_hidden", "48,16"}, {"batch", "8"}, no_fd}},
        {"Ae", "ae", {{"train_limit", "64"}, {"test_limit", "64"}, {"hidden", "32"}, {"latent", "4"}, {"batch", "16"}}},
        {"AeDeepPrelu",
         "ae",
         {{"train_limit", "64"}, {"test_limit", "64"}, {"hidden", "40,20,10"}, {"act", "prelu"}, {"batch", "9"}}},
        {"AeNoHiddenMse",
         "ae",
         {{"train_limit", "64"},
          {"test_limit", "64"},
          {"hidden", "none"},
          {"out_act", "identity"},
          {"loss", "mse"},
          {"batch", "32"}}},
        {"Vae",
         "ae",
         {{"train_limit", "64"},
          {"test_limit", "64"},
          {"hidden", "32"},
          {"latent", "2"},
          {"batch", "16"},
          {"variational", "true"},
          {"act", "prelu"}}},
        {"VaeTanh",
         "ae",
         {{"train_limit", "64"}, {"test_limit", "64"}, {"variational", "true"}, {"out_act", "tanh"}, {"batch", "3"}}},
        {"TextMlp", "text", {{"corpus", testing::kNames}, {"hidden", "32"}, {"n_embd", "8"}}},
        {"TextMlpDeepPrelu",
         "text",
         {{"corpus", testing::kNames}, {"hidden", "24,16,8"}, {"context", "5"}, {"act", "prelu"}, {"batch", "11"}}},
        {"TextTransformer",
         "text",
         {{"corpus", testing::kNames},
          {"arch", "transformer"},
          {"n_layer", "2"},
          {"n_head", "2"},
          {"n_embd", "16"},
          {"block_size", "16"},
          {"batch", "4"}}},
        {"TextTransformerDropoutRelu",
         "text",
         {{"corpus", testing::kNames},
          {"arch", "transformer"},
          {"n_layer", "1"},
          {"n_head", "4"},
          {"n_embd", "8"},
          {"block_size", "8"},
          {"act", "relu"},
          {"dropout", "0.1"},
          {"batch", "3"}}},
    };
}

class StepMemory : public ::testing::TestWithParam<ExperimentCase> {};

TEST_P(StepMemory, TheEstimateIsWhatARealStepHolds) {
    const testing::ThreadCountRestorer restore;
    set_num_threads(1);  // one tape per step: more threads split a text batch over shards
    const ExperimentDef& def = find_experiment(GetParam().experiment);
    const std::unique_ptr<ConfigBox> cfg = testing::case_config(GetParam());
    RunOptions run;
    run.steps = 100;
    const uint64_t before = Tape::live_floats();
    const std::unique_ptr<Experiment> exp = def.create(*cfg, run);
    exp->step(0);
    exp->step(1);
    const uint64_t held = Tape::live_floats() - before;

    // The estimate from the config as built: the data's sizes (pixels, vocabulary) filled in.
    const std::unique_ptr<ConfigBox> built = def.new_config();
    built->from_json(exp->config(), "the built config");
    const MemoryEstimate m = def.memory(*built);
    EXPECT_EQ(m.step_floats, held);
    EXPECT_GT(held, 0u);

    testing::TempDir dir;
    Trainer trainer({.quiet = true});
    exp->track(trainer);
    trainer.save_checkpoint(dir.file("c.safetensors"), 2);
    uint64_t parameters = 0;
    for (const auto& [name, t] : load_safetensors(dir.file("c.safetensors")).tensors)
        if (name.rfind("model.", 0) == 0) parameters += t.numel();
    EXPECT_EQ(m.parameters, parameters);
}

INSTANTIATE_TEST_SUITE_P(EveryFamily, StepMemory, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<ExperimentCase>& i) { return i.param.label; });

}  // namespace
}  // namespace genlab::experiments
