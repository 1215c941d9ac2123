// Training one run of a sweep (see sweep_run.h).
#include "sweep/sweep_run.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "core/error.h"
#include "core/train/folder_lock.h"
#include "core/train/metrics_csv.h"
#include "experiments/runner.h"
#include "sweep/convergence.h"
#include "sweep/diagnostics.h"

namespace genlab::experiments {

namespace fs = std::filesystem;

namespace {

// Everything in the run's folder but its lock, which the caller holds.
void clear_run_folder(const std::string& dir) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().filename() != kFolderLockName) fs::remove_all(it->path(), ec);
}

// The step the run's checkpoint holds, with `run.resume` set to it; 0 (and the folder cleared)
// for a fresh start. Only a checkpoint whose bytes prove it damaged is given up.
int resume_point(const SweepPlan& plan, const PlannedRun& planned, RunOptions& run) {
    const std::string ckpt = (fs::path(planned.dir) / "checkpoint.safetensors").string();
    int from = 0;
    std::error_code ec;
    if (fs::exists(ckpt, ec)) {
        const auto stop = [&](const Error& e, bool usage) {
            const std::string msg = str(e.what(), " - the run stops here and keeps ", planned.dir,
                                        " as it is; fix the cause and run it again to resume it");
            if (usage) throw UsageError(msg);
            throw Error(msg);
        };
        try {
            from = load_run(ckpt, plan.def->name).step;
            run.resume = ckpt;
        } catch (const DamagedFile&) {
            from = 0;  // start this run again
        } catch (const UsageError& e) {
            stop(e, true);
        } catch (const Error& e) {
            stop(e, false);
        }
    }
    if (run.resume.empty()) clear_run_folder(planned.dir);  // our own partial run: nothing finished in it
    return from;
}

// The diagnostics at every diag_every steps and at the end, into diagnostics.csv; `last` keeps
// the latest.
TrainHooks diagnostics_hook(const SweepPlan& plan, MetricsCsvWriter& csv, Metrics& last) {
    TrainHooks hooks;
    hooks.after_step = [&plan, &csv, &last](int n, Experiment& exp) {
        if (n % plan.diag_every != 0 && n != plan.steps) return;
        last = diagnostics_metrics(exp.probe());
        csv.write(n, last);
    };
    return hooks;
}

// The run's final metrics in the row's order: quality first, then the rest, then its curves'
// (convergence.h, from its metrics.csv), then the diagnostics (read back from diagnostics.csv
// when the run resumed at its last step and logged none).
Metrics final_metrics(const SweepPlan& plan, const TrainResult& r, Metrics diag, const std::string& dir) {
    Metrics m;
    for (const QualityMetric& q : plan.quality)
        for (const auto& kv : r.metrics)
            if (kv.first == q.name) m.push_back(kv);
    for (const auto& kv : r.metrics)
        if (std::none_of(m.begin(), m.end(), [&](const auto& x) { return x.first == kv.first; })) m.push_back(kv);
    const Metrics curves = curve_metrics(read_metrics_csv((fs::path(dir) / "metrics.csv").string()), plan.quality);
    m.insert(m.end(), curves.begin(), curves.end());
    if (diag.empty()) {
        const MetricsTable t = read_metrics_csv((fs::path(dir) / "diagnostics.csv").string());
        for (size_t c = 1; c < t.columns.size() && !t.rows.empty(); ++c)
            diag.emplace_back(t.columns[c], t.column(t.columns[c]).back());
    }
    m.insert(m.end(), diag.begin(), diag.end());
    return m;
}

// A sweep logs a run's training loss kLoggedRows times over its steps: loss spikes
// (convergence.h) are found among logged rows only, so a run logged every 100 steps of 1,000
// hides all but ten.
constexpr int kLoggedRows = 100;
int logging_interval(int steps) { return std::max(1, steps / kLoggedRows); }

}  // namespace

SweepRunOutcome train_sweep_run(const SweepPlan& plan, const PlannedRun& planned, int threads,
                                const FolderLock& claim) {
    const Arm& arm = plan.arms[planned.arm];
    RunOptions run{.steps = plan.steps,
                   .seed = static_cast<uint64_t>(planned.seed),
                   .threads = threads,
                   .out = planned.dir,
                   .save_every = plan.diag_every,
                   .log_every = logging_interval(plan.steps),
                   .eval_every = plan.eval_every,
                   .quiet = true};
    SweepRunOutcome out;
    ResultRow& row = out.row;
    row = {.arm = arm.label,
           .activation = arm.act.spec,
           .init = arm.init,
           .lr = arm.lr,
           .depth = arm.depth,
           .out = arm.out,
           .where = arm.where,
           .seed = planned.seed};
    row.steps = plan.steps;
    row.resumed_from = resume_point(plan, planned, run);

    MetricsCsvWriter diag_csv((fs::path(planned.dir) / "diagnostics.csv").string());
    if (row.resumed_from > 0) diag_csv.resume(row.resumed_from);
    Metrics last_diag;
    const TrainHooks hooks = diagnostics_hook(plan, diag_csv, last_diag);
    const auto start = std::chrono::steady_clock::now();
    try {
        const TrainResult r = train(*plan.def, *plan.configs[planned.arm], run, hooks, &claim);
        row.metrics = final_metrics(plan, r, last_diag, planned.dir);
        for (const QualityMetric& q : plan.quality)
            for (const auto& [name, v] : row.metrics)
                if (name == q.name) out.summary += " " + name + " " + metric_text(v);
    } catch (const Diverged& e) {
        row.diverged = true;
        row.diverged_step = e.step;
        out.summary = " diverged at step " + std::to_string(e.step) + " (" + e.metric + ")";
    }
    row.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!row.diverged && plan.steps > row.resumed_from)
        row.ms_per_step = 1000 * row.wall_s / (plan.steps - row.resumed_from);
    return out;
}

}  // namespace genlab::experiments
