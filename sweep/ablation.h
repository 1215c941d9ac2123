// The activation ablation: one model, its hidden activation swapped through a list of arms, each
// trained over seeds 1..N, every run measured the same way (quality, final losses, speed, and the
// per-layer diagnostics of diagnostics.h over training).
//
//     AblationOptions opt{.model = "gan", .acts = "relu,leaky_relu:0.2", .seeds = 3, .steps = 5000,
//                         .out = "outputs/ablate/ring8"};
//     ModelSettings base = model_settings("gan", {{"data", "ring8"}});
//     SweepResult r = run_ablation(opt, base);
//
// The output folder:
//     ablation.json        what the sweep is (model, config, steps): a rerun must match it
//     results.csv          one row per finished run, rewritten atomically as each run ends
//     summary.json         per arm: mean, std, min, max and per-seed values of every metric; rank
//     runs/<arm>/seed<k>/  each run's own outputs (run.out of train()) and diagnostics.csv
// Rerun with the same folder, a sweep skips the runs that have a row, resumes the ones with a
// checkpoint and restarts the others; a run that diverges is recorded as such.
#pragma once
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "experiments/experiment.h"

namespace genlab::experiments {

struct AblationOptions {
    std::string model = "gan";   // gan | ae | text
    std::string acts{};          // hidden activations, one arm each; "": every elementwise entry
    std::string inits{};         // "": the model's own default; "torch,gain": every act with each
    std::string lrs{};           // "": the model's --lr; "1e-3,1e-4": every arm at each learning rate
    std::string preset{};        // "", quick or paper: a whole sweep's settings (apply_preset)
    std::string where = "both";  // GAN: the networks whose hidden activation is swept (both, g, d)
    int seeds = 2;               // seeds 1..N per arm
    int steps = 0;               // 0: the model's default
    int eval_every = 0;          // 0: the model's default
    int diag_every = 0;          // diagnostics every N steps (and at the end); 0: steps / 10
    int jobs = 1;                // runs trained at once
    int threads = 0;             // threads in all, divided between the jobs; 0: the OpenMP default
    std::string out{};           // "": outputs/ablate/<YYYYmmdd-HHMMSS>
    bool quiet = false;          // no line per finished run
};
const ConfigSpec<AblationOptions>& ablation_options_spec();

// A named sweep (--preset): genlab-ablate settings and model flags that apply where the user gave
// none of their own.
struct AblationPreset {
    std::string name;
    std::vector<std::pair<std::string, std::string>> sweep;  // AblationOptions keys -> values
    std::vector<std::pair<std::string, std::string>> model;  // the model's config keys -> values
};
// quick: ten activations (relu, leaky_relu:0.2, prelu, elu, selu, gelu, swish, mish, sigmoid,
// tanh) x 2 seeds, 2 jobs, of one model: the ring8 GAN by default (3,000 steps), or with --model
// the autoencoder (1,000 steps) or the character MLP on the word list (2,000 steps); minutes on
// 2 cores.
// paper: Hendrycks & Gimpel (2016), section 3.3: the 784-1000-500-250-30 autoencoder (mirrored
// decoder, sigmoid output), MSE, Adam, batch 64; gelu, elu and relu at lr 1e-3 and 1e-4, 3 seeds.
// `model`: the --model the user gave ("" for none). UsageError for an unknown name, or a model
// the preset is not for.
AblationPreset find_preset(const std::string& name, const std::string& model);
// Applies preset opt.preset (if any) to the options not in `given` (AblationOptions keys) and
// returns its model settings.
std::vector<std::pair<std::string, std::string>> apply_preset(AblationOptions& opt, const std::set<std::string>& given);

// The model's own flags given with the sweep (--data ring8, --loss mse ...): a fresh config with
// them applied, unresolved, and which keys they set.
struct ModelSettings {
    std::function<std::unique_ptr<ConfigBox>()> make;
    std::set<std::string> given;
};
// From key -> text pairs, as the flags would set them (tests, code).
ModelSettings model_settings(const std::string& model,
                             const std::vector<std::pair<std::string, std::string>>& settings);

// One arm: a hidden activation (and an init, a learning rate when the sweep crosses them).
struct Arm {
    std::string label;  // folder name under runs/ and the row's "arm": "relu", "gelu-torch", "elu-lr0.0001"
    Activation act;
    std::string init;  // "" when the sweep keeps the model's default
    std::string lr;    // "" when the sweep keeps the model's --lr
};
std::vector<Arm> ablation_arms(const AblationOptions& opt);

struct SweepResult {
    std::string out_dir;
    int trained = 0;   // runs trained (or finished from a checkpoint) by this call
    int skipped = 0;   // runs that already had a row
    int diverged = 0;  // of all rows of this sweep's arms and seeds
};

// Runs the sweep (see the top of this file). UsageError before anything runs for bad options, an
// activation the model cannot take, or an --out folder that holds something else (another
// sweep's settings, or files that are not a sweep's).
SweepResult run_ablation(const AblationOptions& opt, const ModelSettings& base);

}  // namespace genlab::experiments
