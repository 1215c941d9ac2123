// What sweeps need to know about the GAN (experiments/sweep_facts.h): two networks, the ring8
// quick sweep, and the modes a 2-D run covers.
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "data/toy2d.h"
#include "experiments/sweep_facts_of.h"

namespace genlab::experiments {

namespace {

// "MLP GAN on ring8 (hidden activation relu)", "... (hidden activation relu / leaky_relu:0.2)" for G / D,
// "DCGAN on Fashion-MNIST (...)" for --arch conv.
std::string gan_title(const nlohmann::json& cfg) {
    const nlohmann::json model = cfg.contains("model") ? cfg["model"] : nlohmann::json::object();
    const std::string data = config_text(cfg, "data"), g = config_text(model, "g_act"), d = config_text(model, "d_act");
    return std::string(config_text(model, "arch") == "conv" ? "DCGAN" : "MLP GAN") + " on " +
           (data == "fashion-mnist" ? std::string("Fashion-MNIST") : data) + " (hidden activation " + g +
           (g == d ? "" : " / " + d) + ")";
}

std::string gan_data_name(const nlohmann::json& cfg) {
    const std::string data = config_text(cfg, "data");
    return data == "mnist" ? "MNIST (" + config_text(cfg, "data_dir") + ")" : data;
}

// On 2-D data: ", k of n seeds cover >= m of M modes", m being 3/4 of the toy's modes.
std::string modes_note(const nlohmann::json& cfg, const std::vector<const std::map<std::string, double>*>& runs) {
    const std::string data = config_text(cfg, "data");
    const std::vector<std::string>& toys = data::toy2d_names();
    if (std::find(toys.begin(), toys.end(), data) == toys.end()) return {};
    const size_t modes = data::make_toy2d(data).centres.size();
    if (modes == 0) return {};
    const int need = static_cast<int>(std::ceil(0.75 * static_cast<double>(modes)));
    int k = 0, n = 0;
    for (const std::map<std::string, double>* r : runs)
        if (auto it = r->find("modes_covered"); it != r->end()) {
            ++n;
            k += it->second >= need ? 1 : 0;
        }
    if (n == 0) return {};
    return ", " + std::to_string(k) + " of " + std::to_string(n) + " seeds cover \u2265 " + std::to_string(need) +
           " of " + std::to_string(modes) + " modes";
}

}  // namespace

SweepFacts gan_sweep_facts() {
    return {
        .act_key = "act",
        .networks = {{"g", "G", "g_", "g_act"}, {"d", "D", "d_", "d_act"}},
        .depth_settings =
            [](const nlohmann::json& cfg, int depth) {
                if (depth == 0) usage_fail("--depths 0: the GAN's networks need at least one hidden layer");
                const nlohmann::json& m = cfg.contains("model") ? cfg["model"] : cfg;
                // --arch conv: a stage per layer (the image's size decides which depths it takes).
                const bool conv = config_text(m, "arch") == "conv";
                const char* g = conv ? "g_channels" : "g_hidden";
                const char* d = conv ? "d_channels" : "d_hidden";
                return std::vector<std::pair<std::string, std::string>>{{g, repeated_width(m, g, depth)},
                                                                        {d, repeated_width(m, d, depth)}};
            },
        .out_key = "g_out",
        .presets =
            {{.name = "quick",
              .about = "the ring8 GAN, 3,000 steps",
              .sweep = {{"steps", "3000"}},
              .model = {{"data", "ring8"}}},
             // The claims about dead and dying units, learned slopes and GAN training.
             {.name = "claims",
              .about = "nine activations on ring8",
              .part = "acts",
              .sweep = {{"acts", "relu,leaky_relu:0.01,leaky_relu:0.2,prelu,elu,gelu,swish,sigmoid,tanh"},
                        {"steps", "3000"},
                        {"eval_every", "300"}},
              .model = {{"data", "ring8"}},
              .claims = {"relu-dies", "saturate", "leaky-gan", "leaky-prevents-dead", "prelu-slope", "elu-converges"}},
             // Leaky ReLU in both networks against only G's or only D's, the other relu.
             {.name = "claims",
              .about = "leaky_relu:0.2 in G, D or both of a relu GAN on ring8",
              .part = "where",
              .sweep = {{"acts", "leaky_relu:0.2"}, {"where", "both,g,d"}, {"steps", "3000"}, {"eval_every", "300"}},
              .model = {{"data", "ring8"}, {"act", "relu"}},
              .claims = {"both-networks"}},
             // A bounded output for an image generator.
             {.name = "claims",
              .about = "G's output tanh, sigmoid or identity on Fashion-MNIST",
              .part = "outs",
              .sweep = {{"acts", "leaky_relu:0.2"},
                        {"outs", "tanh,sigmoid,identity"},
                        {"steps", "2000"},
                        {"eval_every", "500"}},
              .model = {},
              .claims = {"bounded-output"}}},
        .title = gan_title,
        .data_name = gan_data_name,
        .traits = [](const nlohmann::json&) { return std::vector<Trait>{Trait::Adversarial}; },
        .trait_flags = {{Trait::Adversarial, ""}},
        .runs_note = modes_note};
}

}  // namespace genlab::experiments
