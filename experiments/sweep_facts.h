// What a sweep needs to know about a model beyond its config and metrics: which networks have
// hidden layers, which named sweeps it offers, how a run is described in words, and which claims
// about activations it can test. Each model family states these once, beside its experiment
// (experiments/<family>/<family>_sweep_facts.cpp); the sweep folder reads them and never names
// a model, so a new model is swept and reported by adding its own files and a registry line.
//
//     const SweepFacts& f = find_experiment("gan").sweep;
//     f.networks[1].label;                // "D"
//     f.title(run_config);                // "GAN on ring8 (hidden activation relu)"
//     f.has(Trait::Adversarial, config);  // the claims that need two competing networks apply
#pragma once
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace genlab::experiments {

// A network whose hidden layers the diagnostics probe reports (the GAN has two: G and D).
struct Network {
    std::string name;     // --where NAME sweeps only this one: "g"; "" for a model's only network
    std::string label;    // as pages and claims name it: "G"; "the network" for a model's only one
    std::string prefix;   // its probe layers' names start with it: "g_" ("g_l0", "g_dead_fraction_l1")
    std::string act_key;  // the config key of its hidden activation: "g_act"
};

// A named sweep of one model: `genlab-ablate --preset NAME [--model M]`. The settings apply where
// the user gave none of their own. Presets with a `part` make a study: `--preset claims` runs
// every registered model's "claims" parts, each a sweep of its own, and ends in one scoreboard.
struct SweepPreset {
    std::string name;                                        // "quick"
    std::string about;                                       // one clause for --help
    std::string part{};                                      // a study's sweep: "depth" -> <out>/ae-depth
    std::vector<std::pair<std::string, std::string>> sweep;  // genlab-ablate settings -> values
    std::vector<std::pair<std::string, std::string>> model;  // the model's config keys -> values
    std::vector<std::string> claims{};                       // a study part: the claims it tests (Claim::id)
};

// Kinds of model that some claims are about.
enum class Trait {
    Adversarial,  // networks trained against each other (a GAN)
    Transformer,  // attention blocks with an MLP inside
};
const char* trait_text(Trait t);  // "a GAN", "a transformer": what a claim's evidence calls it

// A string setting of a stored config ("" when absent or not a string): what `title` and the
// other describers read.
std::string config_text(const nlohmann::json& config, const char* key);
// `depth` copies of the first width of the list config[key] ("64,64,64"); "none" for 0. UsageError
// naming --depths when the list is absent or empty.
std::string repeated_width(const nlohmann::json& config, const char* key, int depth);

struct SweepFacts {
    // The config key that sets every network's hidden activation: what an arm changes.
    std::string act_key = "act";
    // Its networks with hidden layers, in the order pages show them.
    std::vector<Network> networks{{"", "the network", "", "act"}};
    // --depths: the config settings that give every MLP network of the model `depth` hidden layers,
    // each as wide as its first in `config` (the resolved config as JSON): {"hidden", "64,64,64"}.
    // UsageError naming --depths for a depth the model cannot take. Empty: the model has no
    // such networks.
    std::function<std::vector<std::pair<std::string, std::string>>(const nlohmann::json& config, int depth)>
        depth_settings{};
    // --outs: the config key of the output activation a sweep may swap ("g_out"); "": none.
    std::string out_key{};
    // The named sweeps this model offers; --preset without --model takes the first registered
    // model that offers the name.
    std::vector<SweepPreset> presets;
    // A run's config (config.json's "config") in words, for pages: "GAN on ring8 (hidden
    // activation relu)". Empty: the model's name.
    std::function<std::string(const nlohmann::json& config)> title;
    // The data that config trains on, for a sweep's one-line title: "ring8", "Fashion-MNIST".
    std::function<std::string(const nlohmann::json& config)> data_name;
    // The traits of a model built from that config.
    std::function<std::vector<Trait>(const nlohmann::json& config)> traits{};
    // The model flags that give a trait, for a claim's "sweep ... to test it": {Transformer,
    // "--arch transformer"}. A trait listed here with "" is the model's own.
    std::vector<std::pair<Trait, std::string>> trait_flags{};
    // A clause on how a set of runs of that config did beyond the quality metric, from their final
    // metrics: ", 2 of 3 seeds cover >= 6 of 8 modes". Empty: nothing to add.
    std::function<std::string(const nlohmann::json& config,
                              const std::vector<const std::map<std::string, double>*>& runs)>
        runs_note{};

    bool has(Trait t, const nlohmann::json& config) const;
    const SweepPreset* preset(const std::string& name) const;  // nullptr when it offers none of that name
};

}  // namespace genlab::experiments
