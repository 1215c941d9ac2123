// Running an experiment: the one train() every executable and sweep calls, and load_run() for
// everything that reads a run back (sample, resume, the conformance test).
//
//     TrainResult r = train(gan_experiment(), cfg, {.steps = 3000, .seed = 1});
//     // r.out_dir holds config.json, metrics.csv, metrics.json, loss.png, checkpoint.safetensors
//     //   and the experiment's pictures; r.metrics the final step's and eval's figures.
//     LoadedRun run = load_run(r.out_dir + "/checkpoint.safetensors", "gan");
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "experiments/experiment.h"

namespace genlab {
class FolderLock;
}

namespace genlab::experiments {

struct TrainHooks {
    // Called after every evaluation (at eval_every steps and at the end) with the step count;
    // a sweep reads the diagnostics here (exp.probe()).
    std::function<void(int step, Experiment& exp)> after_eval{};
    // Called after every optimisation step with the number of steps done (1-based); a sweep
    // probes the diagnostics here at its own interval.
    std::function<void(int step, Experiment& exp)> after_step{};
};

struct TrainResult {
    std::string out_dir;
    Metrics metrics;         // the last step's and the last evaluation's
    std::string highlights;  // Experiment::highlights() (text samples), for the terminal
};

// Validates the run options, builds the experiment (loading its data), checks a --resume
// checkpoint against this config, then trains through the shared Trainer into the output folder
// and writes the experiment's pictures and loss.png. Nothing is written before everything has
// been validated and loaded. The output folder is locked for the run (folder_lock.h); `claimed`
// is that lock when the caller already holds it (a sweep's task claims its run's folder before
// it looks inside), and then run.out must be its folder.
TrainResult train(const ExperimentDef& def, const ConfigBox& cfg, RunOptions run, const TrainHooks& hooks = {},
                  const FolderLock* claimed = nullptr);

// Reads a run's checkpoint. UsageError naming `flag` when `path` is not a regular file; Error
// (one line naming the file) when it is not a genlab checkpoint, holds another kind of run
// (naming the program that reads it) or its stored config is unreadable.
LoadedRun load_run(const std::string& path, const std::string& kind, const std::string& flag = "--checkpoint");

// A checkpoint's "config" metadata (config.json's content) read for `def`: the experiment's config
// object through its spec, and the run options object. Error naming `what` when it is not JSON,
// lacks either object, or the config does not pass the spec.
struct StoredConfig {
    nlohmann::json config, run;
    std::unique_ptr<ConfigBox> box;  // the config, parsed and validated
};
StoredConfig parse_stored_config(const std::string& text, const ExperimentDef& def, const std::string& what);

// What an --out folder already holds: nullopt when it does not exist or is empty; otherwise its
// config.json as read back (null when there is none, discarded when it is not JSON), for the
// caller to judge whose folder it is (every program that writes into an --out folder does).
// UsageError when --out is not a folder.
std::optional<nlohmann::json> out_folder_config(const std::string& out);

// loss.png and loss.svg in `dir` from its metrics.csv: one panel per PlotPanel.
void write_loss_plot(const std::string& dir, const std::string& title, const std::vector<PlotPanel>& panels);

}  // namespace genlab::experiments
