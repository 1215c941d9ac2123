// What a user asks genlab-ablate for: the sweep's settings (AblationOptions, one flag each), the
// named presets that fill them, the model's own flags given alongside, and the arms these make.
//
//     const std::string model = experiments().front()->name;    // a registered model
//     AblationOptions opt{.model = model, .acts = "relu,leaky_relu:0.2", .seeds = 3};
//     std::vector<Arm> arms = ablation_arms(opt);                // relu, leaky_relu:0.2
//     ModelSettings base = model_settings(model, {{"batch", "64"}});  // its own flags
#pragma once
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "core/activations.h"
#include "experiments/experiment.h"

namespace genlab::experiments {

struct AblationOptions {
    std::string model{};         // a registered experiment; "": the first registered (experiments())
    std::string acts{};          // hidden activations, one arm each; "": every elementwise entry
    std::string inits{};         // "": the model's own default; "torch,gain": every act with each
    std::string lrs{};           // "": the model's --lr; "1e-3,1e-4": every arm at each learning rate
    std::string depths{};        // "": the model's own; "2,8": every arm at each number of hidden layers
    std::string outs{};          // "": the model's own; "tanh,sigmoid": every arm with each output activation
    std::string where = "both";  // the networks whose hidden activation is swept: both, or one by name; a
                                 // list ("both,g,d") crosses them
    std::string preset{};        // "" or a preset a model offers (SweepFacts::presets)
    int seeds = 2;               // seeds 1..N per arm
    int steps = 0;               // 0: the model's default
    int eval_every = 0;          // 0: the model's default
    int diag_every = 0;          // diagnostics every N steps (and at the end); 0: steps / 10
    int jobs = 1;                // runs trained at once
    int cost_steps = 20;         // steps timed per arm alone after the runs (arm_cost.h); 0: none
    int threads = 0;             // threads in all, divided between the jobs; 0: the OpenMP default
    std::string out{};           // "": outputs/ablate/<YYYYmmdd-HHMMSS>
    bool quiet = false;          // no line per finished run
};
const ConfigSpec<AblationOptions>& ablation_options_spec();

// The model a sweep trains: opt.model, or the first registered experiment when it is "".
const ExperimentDef& swept_model(const AblationOptions& opt);

// A named sweep (--preset): genlab-ablate settings and model flags that apply where the user gave
// none of their own: the model's own preset of that name, plus what every model's "quick" shares
// (ten activations x 2 seeds, 2 jobs).
struct AblationPreset {
    std::string name;
    std::vector<std::pair<std::string, std::string>> sweep;  // AblationOptions keys -> values, "model" among them
    std::vector<std::pair<std::string, std::string>> model;  // the model's config keys -> values
};
// `model`: the --model the user gave ("" for none: the first registered model offering the
// preset). UsageError for an unknown name, or a model that does not offer it.
AblationPreset find_preset(const std::string& name, const std::string& model);
// One model's preset with what every preset of its name shares.
AblationPreset preset_of(const ExperimentDef& def, const SweepPreset& preset);
// What every preset of a name shares: quick's ten activations x 2 seeds, claims' 3 seeds.
std::vector<std::pair<std::string, std::string>> shared_preset_settings(const std::string& name);
// Whether --preset `name` is a study: several sweeps (study.h), not one.
bool is_study(const std::string& preset);
// Applies preset opt.preset (if any) to the options not in `given` (AblationOptions keys) and
// returns its model settings.
std::vector<std::pair<std::string, std::string>> apply_preset(AblationOptions& opt, const std::set<std::string>& given);

// The model's own flags given with the sweep (--data ring8, --loss mse ...), as config key -> text
// pairs in the order given, each text as its flag takes it: what a sweep's plan file stores.
struct ModelSettings {
    std::string model;  // the registered experiment the keys belong to
    std::vector<std::pair<std::string, std::string>> values;

    // A fresh config with the values applied, unresolved; UsageError for a key the model lacks or
    // a text its field cannot take.
    std::unique_ptr<ConfigBox> make() const;
    std::set<std::string> given() const;  // the keys the values set
};
// From key -> text pairs, as the flags would set them (tests, code, a plan file).
ModelSettings model_settings(const std::string& model,
                             const std::vector<std::pair<std::string, std::string>>& settings);

// One arm: a hidden activation, and a value of each axis the sweep crosses it with.
struct Arm {
    // Folder name under runs/ and the row's "arm": "relu", "gelu-torch", "elu-lr0.0001",
    // "sigmoid-depth8", "relu-out-tanh", "leaky_relu:0.2-in-d".
    std::string label;
    Activation act;
    std::string init{};   // "" when the sweep keeps the model's default
    std::string lr{};     // "" when the sweep keeps the model's --lr
    std::string depth{};  // hidden layers of every MLP network; "" when the sweep keeps the model's
    std::string out{};    // output activation; "" when the sweep keeps the model's
    std::string where{};  // the networks the activation goes to, when --where lists more than one; else ""
};
std::vector<Arm> ablation_arms(const AblationOptions& opt);

// The config of one arm (nullptr: the sweep's base config): the user's settings, the arm's
// activation in the networks its --where names, and its init, rate, depth and output activation,
// resolved. UsageError naming the flag when the model has no such thing to cross (--where g on a
// model with one network, --outs on a model without an output activation to swap).
std::unique_ptr<ConfigBox> arm_config(const AblationOptions& opt, const ModelSettings& base, const Arm* arm);

}  // namespace genlab::experiments
