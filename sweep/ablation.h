// The activation ablation: one model, its hidden activation swapped through a list of arms, each
// trained over seeds 1..N, every run measured the same way (quality, final losses, speed, and the
// per-layer diagnostics of diagnostics.h over training).
//
//     AblationOptions opt{.model = model, .acts = "relu,leaky_relu:0.2", .seeds = 3, .steps = 5000,
//                         .out = "outputs/ablate/ring8"};
//     ModelSettings base = model_settings(model, {{"data", "ring8"}});  // the model's own flags
//     SweepResult r = run_ablation(opt, base);
//
// A sweep is three steps, each its own file: plan (sweep_plan.h: the arms' configs, the runs),
// schedule (schedule.h: the runs still to train, on jobs; sweep_run.h trains one) and record
// (here: results.csv as runs end, then summary.json and report.html from the folder read back).
//
// The output folder:
//     ablation.json        what the sweep is (model, config, steps): a rerun must match it
//     results.csv          one row per finished run, rewritten atomically as each run ends
//     summary.json         per arm: mean, std, min, max and per-seed values of every metric; rank
//     report.html          the report (report.h)
//     runs/<arm>/seed<k>/  each run's own outputs (run.out of train()) and diagnostics.csv
// Rerun with the same folder, a sweep skips the runs that have a row, resumes the ones with a
// checkpoint and restarts the others; a run that diverges is recorded as such.
#pragma once
#include <string>

#include "sweep/ablation_options.h"

namespace genlab::experiments {

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
