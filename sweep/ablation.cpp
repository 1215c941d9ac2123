// The activation ablation (see ablation.h): plan, schedule, record.
#include "sweep/ablation.h"

#include <filesystem>
#include <iostream>
#include <mutex>

#include "core/io/atomic_file.h"
#include "core/train/folder_lock.h"
#include "sweep/arm_cost.h"
#include "sweep/report.h"
#include "sweep/schedule.h"
#include "sweep/sweep_run.h"

namespace genlab::experiments {

namespace fs = std::filesystem;

namespace {

void print_start(const SweepPlan& plan, const Schedule& s) {
    std::cerr << "genlab-ablate: " << plan.def->name << ", " << plan.arms.size() << " arms x " << plan.opt.seeds
              << " seeds, " << plan.steps << " steps each; " << s.todo.size() << " runs to train (" << s.skipped
              << " done before), " << s.jobs << (s.jobs == 1 ? " job" : " jobs") << " of " << s.threads_per_job
              << (s.threads_per_job == 1 ? " thread" : " threads") << ", into " << plan.opt.out << "\n";
}

// Trains the scheduled runs, adding each one's row to results.csv as it ends. Returns how many.
int train_scheduled(const SweepPlan& plan, const Schedule& s, ResultsTable& results) {
    std::mutex mu;  // results and progress
    SweepProgress progress(s.todo.size(), s.jobs);
    int finished = 0;
    run_parallel(s.todo.size(), s.jobs, [&](size_t i) {
        const PlannedRun& run = *s.todo[i];
        const SweepRunOutcome r = train_sweep_run(plan, run, s.threads_per_job);
        const std::lock_guard<std::mutex> lock(mu);
        results.add(r.row);
        ++finished;
        if (!plan.opt.quiet)
            std::cerr << progress.finished(plan.arms[run.arm].label + " seed " + std::to_string(run.seed) + ":" +
                                               r.summary,
                                           r.row.wall_s)
                      << "\n";
    });
    return finished;
}

// Each arm's cost alone, then summary.json from the folder's results read back as the report
// reads them, then report.html.
// Returns the diverged runs of this sweep's arms and seeds.
int record(const SweepPlan& plan, const ResultsTable& results) {
    measure_arm_costs(plan);
    const SweepData sweep = assemble_sweep(plan.opt.out, nlohmann::json(plan.identity), plan.quality, plan.arm_seeds(),
                                           results);
    const nlohmann::ordered_json summary = sweep_summary(sweep);
    write_file_atomic((fs::path(plan.opt.out) / "summary.json").string(), summary.dump(2) + "\n");
    write_sweep_report(plan.opt.out);
    int diverged = 0;
    for (const SweepArm& a : sweep.arms)
        for (const SweepRun& r : a.runs) diverged += r.diverged ? 1 : 0;
    if (!plan.opt.quiet) {
        std::cerr << "genlab-ablate: wrote " << plan.opt.out << " (results.csv, summary.json, report.html)";
        if (summary.contains("ranking") && !plan.quality.empty()) {
            std::cerr << "; by " << plan.quality[0].name << " (" << better_name(plan.quality[0].better)
                      << " is better):";
            for (const auto& label : summary["ranking"]) std::cerr << " " << label.get<std::string>();
        }
        std::cerr << "\n";
    }
    return diverged;
}

}  // namespace

SweepResult run_ablation(const AblationOptions& opt, const ModelSettings& base) {
    const SweepPlan plan = plan_sweep(opt, base);
    // One sweep per folder: a second genlab-ablate on this --out would train the same runs into
    // the same run folders. Held until the sweep ends (each run also locks its own folder).
    const FolderLock lock(plan.opt.out, "--out");
    prepare_sweep_folder(plan);
    ResultsTable results = ResultsTable::open((fs::path(plan.opt.out) / "results.csv").string());
    const Schedule schedule = schedule_sweep(plan, results);
    if (!plan.opt.quiet) print_start(plan, schedule);
    SweepResult r{.out_dir = plan.opt.out, .trained = 0, .skipped = schedule.skipped, .diverged = 0};
    r.trained = train_scheduled(plan, schedule, results);
    r.diverged = record(plan, results);
    return r;
}

}  // namespace genlab::experiments
