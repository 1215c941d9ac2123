// A planned sweep submitted to SLURM: its runs as one job array (task K trains run K of
// tasks.txt with `genlab-ablate task`), then a collect job that runs once the array has ended.
// Both batch scripts are written into the sweep folder first, readable, so a user can edit and
// submit them by hand (`sbatch DIR/slurm/tasks.sbatch`).
//
//     SlurmOptions o{.time = 30, .cpus_per_task = 2, .array_parallelism = 8};
//     const SlurmSubmission s = submit_to_slurm(plan, o);   // plan.json written already
//     s.array_job, s.collect_job;                            // "4711", "4712"
//
// Time limits: each task asks for SIGUSR1 `signal_before` seconds before its limit (sbatch
// --signal=B:USR1@S). The batch script passes it on to the task, which saves its run's
// checkpoint at the next step and exits with kTaskInterrupted; the script then requeues its array
// task (scontrol requeue), which resumes from that checkpoint. A task killed outright loses at
// most the steps since its last checkpoint (the sweep saves at every diagnostics step).
// A scancel is no warning: the task stops with a checkpoint and is not requeued.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sweep/sweep_plan.h"

namespace genlab::experiments {

struct SlurmOptions {
    std::string partition{};    // "": the cluster's default partition
    int time = 60;              // minutes per task (sbatch --time)
    int cpus_per_task = 1;      // each run trains on this many threads
    double mem_gb = 0;          // memory per task; 0: genlab's estimate (slurm_memory_mb)
    int array_parallelism = 0;  // tasks running at once (--array=0-N%M); 0: as SLURM allows
    int signal_before = 0;      // seconds before the limit to stop and requeue; 0: 120, at most half the limit
    std::vector<std::string> sbatch_args{};  // more sbatch options, as #SBATCH lines of both scripts
    bool dry_run = false;                    // write the scripts and print the sbatch lines only
};

// What the submission made: the job ids, and the commands it ran (or would run, with
// --dry-run, the array's id as <tasks job>).
struct SlurmSubmission {
    std::string array_job, collect_job;  // empty with --dry-run
    std::string tasks_script, collect_script;
    std::vector<std::string> commands;  // the sbatch lines, shell-quoted
};

// Memory a task asks for, in MB: the largest arm's training estimate (ExperimentDef::memory)
// plus kSlurmProcessAllowance for the data set and the program, rounded up to 100 MB.
inline constexpr uint64_t kSlurmProcessAllowance = 1'000'000'000;  // bytes
uint64_t slurm_memory_mb(const SweepPlan& plan);

// The two batch scripts, as written into <out>/slurm/ (tests read them; submit_to_slurm writes).
std::string tasks_script(const SweepPlan& plan, const SlurmOptions& o, const std::string& ablate_path);
std::string collect_script(const SweepPlan& plan, const SlurmOptions& o, const std::string& ablate_path);

// Writes <out>/slurm/tasks.sbatch and collect.sbatch, then (unless dry_run) submits the array
// and the collect job after it (--dependency=afterany). UsageError (exit 2) with one line for
// options SLURM cannot take, a missing sbatch ("not on a SLURM cluster?"), or a refused
// submission with sbatch's own words; when the array was submitted and the collect job was not,
// the message names the array's job id and the command that collects by hand.
SlurmSubmission submit_to_slurm(const SweepPlan& plan, const SlurmOptions& o);

}  // namespace genlab::experiments
