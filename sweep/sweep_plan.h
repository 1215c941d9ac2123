// The first step of a sweep: what it will train. From the options and the model's flags, every
// arm's config is built and checked, the sweep's identity fixed (what a rerun into the same
// folder must match), and its runs listed: arms x seeds, each with its folder. Nothing is
// trained here; prepare_sweep_folder() is the only step that writes.
//
//     SweepPlan plan = plan_sweep(opt, base);   // UsageError for anything wrong, before any file
//     prepare_sweep_folder(plan);               // ablation.json, or a check against the one there
//     for (const PlannedRun& r : plan.runs) ... // train them (sweep_run.h), in any order
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "experiments/experiment.h"
#include "sweep/ablation_options.h"
#include "sweep/sweep_data.h"

namespace genlab::experiments {

struct PlannedRun {
    size_t arm = 0;   // index into SweepPlan::arms
    int seed = 0;     // 1..seeds
    std::string dir;  // <out>/runs/<arm label>/seed<k>
};

struct SweepPlan {
    const ExperimentDef* def = nullptr;
    AblationOptions opt;                              // as given, with the model and the folder filled in
    ModelSettings settings;                           // the model's flags as given
    std::vector<Arm> arms;                            // in the order given
    std::unique_ptr<ConfigBox> base;                  // the model's config without an arm (resolved)
    std::vector<std::unique_ptr<ConfigBox>> configs;  // per arm, resolved
    int steps = 0, eval_every = 0, diag_every = 0;    // the defaults filled in
    std::vector<QualityMetric> quality;               // the first ranks the arms
    nlohmann::ordered_json identity;                  // ablation.json's "sweep"
    std::vector<PlannedRun> runs;                     // every arm x seed, arm by arm

    // The arms with their seeds, as summary.json lists them.
    std::vector<ArmSeeds> arm_seeds() const;
};

// UsageError before anything runs for bad options, an activation the model cannot take, or a
// --where that names no network of the model.
SweepPlan plan_sweep(const AblationOptions& opt, const ModelSettings& base);

// The sweep's folder made ready: for a new sweep, the first arm's experiment is built once (the
// model flags only the data can judge), then ablation.json written; for an existing one, its
// ablation.json must hold this sweep. UsageError when --out holds something else (another sweep's
// settings, or files that are not a sweep's). The caller holds the folder's lock.
void prepare_sweep_folder(const SweepPlan& plan);

// UsageError unless the plan's folder holds ablation.json of this very sweep (written by
// prepare_sweep_folder): a step that only reads or adds to a sweep starts with this.
void check_sweep_folder(const SweepPlan& plan);

}  // namespace genlab::experiments
