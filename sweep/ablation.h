// The activation ablation: one model, its hidden activation swapped through a list of arms, each
// trained over seeds 1..N, every run measured the same way (quality, final losses, speed, and the
// per-layer diagnostics of diagnostics.h over training).
//
//     AblationOptions opt{.model = model, .acts = "relu,leaky_relu:0.2", .seeds = 3, .steps = 5000,
//                         .out = "outputs/ablate/ring8"};
//     ModelSettings base = model_settings(model, {{"data", "ring8"}});  // the model's own flags
//     SweepResult r = run_ablation(opt, base);
//
// A sweep is three steps, each its own file, that any process can drive from the sweep folder:
// plan (sweep_plan.h builds it, plan_file.h writes plan.json and tasks.txt), the tasks (sweep_task.h
// trains one run into its own folder; run_status.h reads where each stands) and collect
// (collect.h: results.csv, summary.json and report.html from the runs' own results).
// run_ablation() is the three in one process, its tasks on --jobs threads (schedule.h);
// genlab-ablate plan, task, collect and status run them one at a time, e.g. on a cluster.
//
// The output folder:
//     ablation.json        what the sweep is (model, config, steps): a rerun must match it
//     plan.json            the genlab-ablate settings and model flags a task rebuilds the plan from
//     tasks.txt            one line per run: index, arm, seed, the command that trains it
//     results.csv          one row per finished run, in plan order, rewritten as each run ends
//     summary.json         per arm: mean, std, min, max and per-seed values of every metric; rank
//     report.html          the report (report.h)
//     runs/<arm>/seed<k>/  each run's own outputs (run.out of train()), diagnostics.csv, and its
//                          result.csv (or error.txt)
// Rerun with the same folder, a sweep skips the runs that have finished, resumes the ones with a
// checkpoint and restarts the others; a run that diverges is recorded as such.
#pragma once
#include <string>

#include "sweep/ablation_options.h"

namespace genlab::experiments {

struct SweepResult {
    std::string out_dir;
    int trained = 0;   // runs trained (or finished from a checkpoint) by this call
    int skipped = 0;   // runs that had finished before
    int claimed = 0;   // runs another process was training: left to it
    int diverged = 0;  // of all rows of this sweep's arms and seeds
};

// Runs the sweep (see the top of this file). UsageError before anything runs for bad options, an
// activation the model cannot take, or an --out folder that holds something else (another
// sweep's settings, or files that are not a sweep's). A run that fails stops the sweep: the
// sweep's files are collected (the run listed as failed) and its exception rethrown.
SweepResult run_ablation(const AblationOptions& opt, const ModelSettings& base);

}  // namespace genlab::experiments
