// Where each run of a planned sweep stands, read from the run's own folder alone, so that any
// process can tell: a task deciding whether to train it, collect and status tallying the sweep.
// A run's folder (runs/<arm>/seed<k>/) says it with these files:
//     result.csv    its one-row results table (results_table.h), written atomically as the run's
//                   last act: done, or diverged
//     error.txt     why its last attempt failed (one line): failed, until a task tries it again
//     .genlab.lock  held by a live process (folder_lock.h): running
//     none of them  pending: never started, or stopped (a checkpoint there lets it resume)
//
//     SweepStatus s = sweep_status(plan);
//     if (s.runs[k].state == RunState::Pending) ...        // train plan.runs[k]
//     write_run_result(plan.runs[k], row);                  // the run's result.csv
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "sweep/results_table.h"
#include "sweep/sweep_plan.h"

namespace genlab::experiments {

inline constexpr const char* kRunResultName = "result.csv";
inline constexpr const char* kRunErrorName = "error.txt";

enum class RunState { Done, Diverged, Failed, Running, Pending };
const char* state_name(RunState s);  // "done", "diverged", "failed", "running", "pending"

struct RunStatus {
    RunState state = RunState::Pending;
    std::optional<ResultRow> row{};  // its result.csv's row: Done and Diverged
    std::string detail{};            // Failed: the error; Running: "host H pid P"
};
// Error-free: a result.csv that cannot be read, or holds another run's row, is a failed run
// saying why (a task trains it again).
RunStatus run_status(const SweepPlan& plan, const PlannedRun& run);

// "relu seed 2": a run as messages and reports name it.
std::string run_name(const SweepPlan& plan, const PlannedRun& run);

// The run's result.csv, atomically; the row must be the run's.
void write_run_result(const PlannedRun& run, const ResultRow& row);
// The run's error.txt: the message on one line. clear_run_error removes it (a new attempt).
void write_run_error(const PlannedRun& run, const std::string& message);
void clear_run_error(const PlannedRun& run);

struct SweepStatus {
    std::vector<RunStatus> runs;  // one per plan.runs, in its order

    size_t count(RunState s) const;
    size_t finished() const { return count(RunState::Done) + count(RunState::Diverged); }
    bool complete() const { return finished() == runs.size(); }
    // The finished runs' rows in plan order: a sweep's results.csv.
    std::vector<ResultRow> rows() const;
};
SweepStatus sweep_status(const SweepPlan& plan);

// A sweep folder written before runs had their own result.csv holds only results.csv: each of its
// rows whose run folder lacks result.csv is written there, so the run counts as done. Call it
// holding the sweep folder's lock, before anything reads the runs' states.
void adopt_results_rows(const SweepPlan& plan);

}  // namespace genlab::experiments
