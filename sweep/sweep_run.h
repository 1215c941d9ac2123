// One run of a sweep, trained: its arm's config at its seed into its own folder, with the
// diagnostics hook writing diagnostics.csv, and its row of results.csv as the outcome. The
// caller has claimed the run: it holds the lock of the run's folder (sweep_task.h does).
//
//     const FolderLock claim(plan.runs[k].dir, "--index");
//     SweepRunOutcome r = train_sweep_run(plan, plan.runs[k], /*threads=*/1, claim);  // r.row
//
// A run with a checkpoint in its folder resumes from it; a damaged checkpoint is trained again
// from the start. Any other failure to load it (too little memory, no permission, a config that
// no longer matches) stops the run with the reason and keeps the folder for a rerun. A run
// that diverges is a row with status "diverged".
#pragma once
#include "sweep/results_table.h"
#include "sweep/sweep_plan.h"

namespace genlab {
class FolderLock;
}

namespace genlab::experiments {

struct SweepRunOutcome {
    ResultRow row;
    // For a progress line: " fd_features 77.1 class_histogram_kl 0.08", or " diverged at step 120 (loss)".
    std::string summary;
};
SweepRunOutcome train_sweep_run(const SweepPlan& plan, const PlannedRun& run, int threads, const FolderLock& claim);

}  // namespace genlab::experiments
