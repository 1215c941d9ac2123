// The task step of a sweep: one run of a planned sweep, trained by whichever process is given
// its index, the local sweep's jobs or a task on a cluster node that has nothing but the sweep
// folder. A task first claims its run by taking the lock of the run's folder (folder_lock.h: a
// file created exclusively, naming host and pid, safe on NFS), so that two tasks given one
// index never train it at once; it writes nothing outside that folder (run_status.h lists its
// files): its result.csv at the end, or its error.txt when it fails.
//
//     const SweepPlan plan = read_plan("outputs/ablate/ring8");   // plan_file.h
//     const TaskOutcome t = run_task(plan, k, /*threads=*/1);
//     if (t.result == TaskResult::Failed) std::rethrow_exception(t.error);
#pragma once
#include <exception>
#include <optional>
#include <string>

#include "sweep/results_table.h"
#include "sweep/sweep_plan.h"

namespace genlab::experiments {

enum class TaskResult {
    Trained,  // its result.csv written (a diverged run too: it finished)
    Skipped,  // it had finished before
    Claimed,  // another live process holds the run's folder: left to it
    Failed,   // an exception: error.txt written in the run's folder
    // Stopped by a request (stop_request.h: a scheduler's signal before its time limit), its
    // checkpoint saved at the step reached: the same task again resumes it.
    Interrupted,
};

// genlab-ablate task's exit status for an interrupted run (EX_TEMPFAIL, sysexits.h): run the
// same task again and it resumes. A cluster's batch script requeues on it.
inline constexpr int kTaskInterrupted = 75;

struct TaskOutcome {
    TaskResult result = TaskResult::Trained;
    std::optional<ResultRow> row{};  // Trained and Skipped: the run's row
    // Trained: " fd_features 77.1" or " diverged at step 120 (loss)"; Claimed: "host H pid P";
    // Failed: the error; Interrupted: "interrupted at step 700 of 3000; ...".
    std::string detail{};
    std::exception_ptr error{};  // Failed, Interrupted: the exception itself
};

// Trains plan.runs[index] on `threads` threads (0: the OpenMP default) unless it has finished
// or another process has claimed it, resuming from its checkpoint. Only what happens before the
// claim (a folder that cannot be created) throws; a failure of the run is an outcome.
TaskOutcome run_task(const SweepPlan& plan, size_t index, int threads);

// The threads of a task run on its own (genlab-ablate task): a job's share of --threads, as the
// local sweep divides them over --jobs, so that a run trains on as many threads either way; 0 (the
// OpenMP default) when --threads is.
int task_threads(const AblationOptions& opt);

}  // namespace genlab::experiments
