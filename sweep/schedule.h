// The local sweep's share-out of its tasks: which runs still need training, on how many jobs, and
// the progress line as each ends. Each job trains one run at a time with its share of the threads.
//
//     Schedule s = schedule_sweep(plan, sweep_status(plan));  // the unfinished runs, jobs, threads
//     run_parallel(s.todo.size(), s.jobs, [&](size_t i) { ... run_task(plan, s.todo[i], ...) ... });
#pragma once
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "sweep/run_status.h"

namespace genlab::experiments {

struct Schedule {
    std::vector<size_t> todo;  // indices into plan.runs of the runs not finished, in the plan's order
    int skipped = 0;           // runs finished before
    int jobs = 1;              // runs trained at once (at most one per run to do)
    int threads_per_job = 1;   // the threads given (or the OpenMP default) divided between the jobs
};
Schedule schedule_sweep(const SweepPlan& plan, const SweepStatus& status);

// job(0) .. job(count - 1) on `jobs` threads (the calling one when 1). After the first exception
// no new job starts; it is rethrown once the running ones end.
void run_parallel(size_t count, int jobs, const std::function<void(size_t)>& job);

// "[3/20] relu seed 2: fd_features 77.1 (41 s) | elapsed 2 min, ETA 14 min", one line per run that
// ends, the ETA from the mean time of the runs so far. Not thread-safe: call under a lock.
class SweepProgress {
public:
    SweepProgress(size_t total, int jobs) : total_(total), jobs_(jobs) {}
    std::string finished(const std::string& what, double run_seconds);

private:
    size_t total_;
    int jobs_;
    size_t done_ = 0;
    double busy_s_ = 0;  // run time summed over finished runs
    std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

}  // namespace genlab::experiments
