// Tiny, fast configurations of every experiment on real data (Fashion-MNIST subsets, the ring of
// 8 Gaussians, names.txt), shared by the experiment tests.
#pragma once
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "experiments/experiment.h"

namespace genlab::testing {

struct ExperimentCase {
    std::string label;                                          // test-name suffix, CamelCase
    std::string experiment;                                     // registry name
    std::vector<std::pair<std::string, std::string>> settings;  // config key -> text, as flags
};

// GoogleTest prints a parameter with this: the label, not the struct's bytes.
inline void PrintTo(const ExperimentCase& c, std::ostream* os) { *os << c.label; }

inline const std::string kNames = GENLAB_SOURCE_DIR "/data/corpora/names.txt";

// The GAN-on-images case trains a tiny feature classifier once per build tree and caches it here
// (each test runs in its own process; concurrent writers replace the file atomically).
inline const std::string kTinyClassifier = GENLAB_BINARY_DIR "/tests/classifier-tiny.safetensors";

inline std::vector<ExperimentCase> experiment_cases(const std::string& classifier = kTinyClassifier) {
    return {
        {"GanRing8", "gan", {{"data", "ring8"}, {"g_hidden", "16,16"}, {"d_hidden", "16,16"}, {"batch", "32"}}},
        {"GanImages",
         "gan",
         {{"class", "7"},
          {"limit", "256"},
          {"g_hidden", "32"},
          {"d_hidden", "32"},
          {"batch", "16"},
          {"fd_samples", "100"},
          {"classifier", classifier},
          {"classifier_steps", "20"}}},
        {"Dcgan",
         "gan",
         {{"arch", "conv"},
          {"class", "7"},
          {"limit", "256"},
          {"g_channels", "8,4"},
          {"d_channels", "4,8"},
          {"batch", "16"},
          {"fd_samples", "100"},
          {"classifier", classifier},
          {"classifier_steps", "20"}}},
        {"Ae",
         "ae",
         {{"train_limit", "512"}, {"test_limit", "300"}, {"hidden", "32"}, {"latent", "4"}, {"batch", "16"}}},
        {"Vae",
         "ae",
         {{"train_limit", "512"},
          {"test_limit", "300"},
          {"hidden", "32"},
          {"latent", "2"},
          {"batch", "16"},
          {"variational", "true"},
          {"act", "prelu"}}},
        {"ConvVae",
         "ae",
         {{"arch", "conv"},
          {"train_limit", "512"},
          {"test_limit", "300"},
          {"channels", "4,8"},
          {"latent", "2"},
          {"batch", "16"},
          {"variational", "true"}}},
        {"TextMlp",
         "text",
         {{"corpus", kNames}, {"hidden", "32"}, {"n_embd", "8"}, {"eval_batches", "2"}, {"num_samples", "3"}}},
        {"TextTransformer",
         "text",
         {{"corpus", kNames},
          {"arch", "transformer"},
          {"n_layer", "2"},
          {"n_head", "2"},
          {"n_embd", "16"},
          {"block_size", "16"},
          {"batch", "4"},
          {"eval_batches", "2"},
          {"num_samples", "3"}}},
    };
}

// The case's config, resolved as the command line would: settings count as given flags.
inline std::unique_ptr<experiments::ConfigBox> case_config(const ExperimentCase& c) {
    std::unique_ptr<experiments::ConfigBox> box = experiments::find_experiment(c.experiment).new_config();
    std::set<std::string> given;
    for (const auto& [key, value] : c.settings) {
        box->set(key, value);
        given.insert(key);
    }
    box->resolve([&](const std::string& key) { return given.count(key) > 0; });
    return box;
}

}  // namespace genlab::testing
