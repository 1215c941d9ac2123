// The collect step of a sweep: the runs' own results gathered into the sweep's files by one
// process holding the sweep folder's lock, however and wherever the runs were trained (the
// local sweep's jobs, tasks on a cluster). Runs that have not finished are never dropped: the
// summary and the report list them.
//     results.csv   the finished runs' rows in plan order (each run's result.csv, run_status.h)
//     cost.csv      each arm timed alone (arm_cost.h), once every run has finished
//     summary.json  statistics per arm (sweep_data.h); "partial" when some runs have not finished
//     report.html   the report (report.h), saying at its top when the sweep is partial
// Collecting again gives the same files while no run changes.
//
//     const FolderLock lock(dir, "--out");
//     const SweepStatus s = collect_sweep(read_plan(dir));   // s.complete(): every run finished
#pragma once
#include "sweep/run_status.h"
#include "sweep/sweep_data.h"

namespace genlab::experiments {

// Writes the files above and returns the state of every run; on stderr, what it wrote (unless
// plan.opt.quiet) and the unfinished runs (always). The caller holds the sweep folder's lock.
SweepStatus collect_sweep(const SweepPlan& plan);

// The unfinished runs of `status` by name, as summary.json's "partial" and the report state them.
PartialSweep partial_of(const SweepPlan& plan, const SweepStatus& status);

}  // namespace genlab::experiments
