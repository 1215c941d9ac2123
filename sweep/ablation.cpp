// The activation ablation on this machine (see ablation.h): plan, the tasks on jobs, collect.
#include "sweep/ablation.h"

#include <exception>
#include <filesystem>
#include <iostream>
#include <mutex>

#include "core/train/folder_lock.h"
#include "sweep/collect.h"
#include "sweep/plan_file.h"
#include "sweep/schedule.h"
#include "sweep/sweep_task.h"

namespace genlab::experiments {

namespace fs = std::filesystem;

namespace {

void print_start(const SweepPlan& plan, const Schedule& s) {
    std::cerr << "genlab-ablate: " << plan.def->name << ", " << plan.arms.size() << " arms x " << plan.opt.seeds
              << " seeds, " << plan.steps << " steps each; " << s.todo.size() << " runs to train (" << s.skipped
              << " done before), " << s.jobs << (s.jobs == 1 ? " job" : " jobs") << " of " << s.threads_per_job
              << (s.threads_per_job == 1 ? " thread" : " threads") << ", into " << plan.opt.out << "\n";
}

// What the progress line says of a task that ended: "relu seed 2: modes_covered 8".
std::string task_line(const SweepPlan& plan, size_t k, const TaskOutcome& t) {
    const std::string name = run_name(plan, plan.runs[k]);
    switch (t.result) {
        case TaskResult::Trained: return name + ":" + t.detail;
        case TaskResult::Skipped: return name + ": finished meanwhile by another process";
        case TaskResult::Claimed: return name + ": claimed by " + t.detail + "; left to it";
        case TaskResult::Failed: return name + ": failed: " + t.detail;
        case TaskResult::Interrupted: return name + ": " + t.detail;
    }
    return name;
}

struct Tally {
    int trained = 0, claimed = 0;
};

// The scheduled runs as tasks on the jobs, results.csv rebuilt from the finished runs as each
// ends. The first failure stops the sweep: no task starts after it, and it is rethrown once the
// running ones end.
Tally run_scheduled(const SweepPlan& plan, const Schedule& s, SweepStatus& status) {
    std::mutex mu;  // status, tally, results.csv and progress
    SweepProgress progress(s.todo.size(), s.jobs);
    Tally tally;
    const std::string results = (fs::path(plan.opt.out) / "results.csv").string();
    run_parallel(s.todo.size(), s.jobs, [&](size_t i) {
        const size_t k = s.todo[i];
        const TaskOutcome t = run_task(plan, k, s.threads_per_job);
        const std::lock_guard<std::mutex> lock(mu);
        if (t.row) {
            status.runs[k] = {
                .state = t.row->diverged ? RunState::Diverged : RunState::Done, .row = t.row, .detail = {}};
            ResultsTable::write(results, status.rows());
        }
        tally.trained += t.result == TaskResult::Trained ? 1 : 0;
        tally.claimed += t.result == TaskResult::Claimed ? 1 : 0;
        if (!plan.opt.quiet)
            std::cerr << progress.finished(task_line(plan, k, t), t.result == TaskResult::Trained ? t.row->wall_s : 0.0)
                      << "\n";
        if (t.result == TaskResult::Failed || t.result == TaskResult::Interrupted) std::rethrow_exception(t.error);
    });
    return tally;
}

}  // namespace

SweepResult run_ablation(const AblationOptions& opt, const ModelSettings& base) {
    const SweepPlan plan = plan_sweep(opt, base);
    // One sweep per folder: a second genlab-ablate on this --out would train the same runs into
    // the same run folders. Held until the sweep ends (each task also claims its run's folder).
    const FolderLock lock(plan.opt.out, "--out");
    write_plan(plan);
    SweepStatus status = sweep_status(plan);
    const Schedule schedule = schedule_sweep(plan, status);
    if (!plan.opt.quiet) print_start(plan, schedule);
    SweepResult r{.out_dir = plan.opt.out, .trained = 0, .skipped = schedule.skipped, .claimed = 0, .diverged = 0};
    try {
        const Tally tally = run_scheduled(plan, schedule, status);
        r.trained = tally.trained;
        r.claimed = tally.claimed;
    } catch (...) {
        // The failed run's folder keeps its error.txt; the sweep's files say which runs finished.
        try {
            collect_sweep(plan);
        } catch (const std::exception&) {  // the run's failure is the one to report
        }
        throw;
    }
    r.diverged = static_cast<int>(collect_sweep(plan).count(RunState::Diverged));
    return r;
}

}  // namespace genlab::experiments
