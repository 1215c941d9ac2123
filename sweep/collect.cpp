// Collecting a sweep's runs into its files (see collect.h).
#include "sweep/collect.h"

#include <filesystem>
#include <iostream>

#include "core/io/atomic_file.h"
#include "core/io/json_text.h"
#include "sweep/arm_cost.h"
#include "sweep/report.h"

namespace genlab::experiments {

namespace fs = std::filesystem;

namespace {

// "genlab-ablate: wrote DIR (...); by modes_covered (higher is better): relu tanh".
void print_collected(const SweepPlan& plan, const SweepStatus& status, const nlohmann::ordered_json& summary) {
    std::cerr << "genlab-ablate: wrote " << plan.opt.out << " (results.csv, summary.json, report.html)";
    if (summary.contains("ranking") && !plan.quality.empty()) {
        std::cerr << "; by " << plan.quality[0].name << " (" << better_name(plan.quality[0].better) << " is better):";
        for (const auto& label : summary["ranking"]) std::cerr << " " << label.get<std::string>();
    }
    std::cerr << "\n";
}

}  // namespace

PartialSweep partial_of(const SweepPlan& plan, const SweepStatus& status) {
    PartialSweep p{.done = status.finished(), .runs = status.runs.size(), .running = {}, .pending = {}, .failed = {}};
    for (size_t k = 0; k < plan.runs.size(); ++k) {
        const RunStatus& r = status.runs[k];
        const std::string name = run_name(plan, plan.runs[k]);
        if (r.state == RunState::Running) p.running.push_back(name);
        if (r.state == RunState::Pending) p.pending.push_back(name);
        if (r.state == RunState::Failed) p.failed.emplace_back(name, r.detail);
    }
    return p;
}

SweepStatus collect_sweep(const SweepPlan& plan) {
    const SweepStatus status = sweep_status(plan);
    const ResultsTable results = ResultsTable::write((fs::path(plan.opt.out) / "results.csv").string(), status.rows());
    if (status.complete()) measure_arm_costs(plan);
    // summary.json from the results as the report reads them back, then report.html from the folder.
    const SweepData sweep = assemble_sweep(plan.opt.out, nlohmann::json(plan.identity), plan.quality, plan.arm_seeds(),
                                           results);
    nlohmann::ordered_json summary = sweep_summary(sweep);
    if (!status.complete()) summary["partial"] = partial_of(plan, status).json();
    write_file_atomic((fs::path(plan.opt.out) / "summary.json").string(), json_text(summary, 2) + "\n");
    write_sweep_report(plan.opt.out);
    if (!plan.opt.quiet) print_collected(plan, status, summary);
    if (!status.complete())  // quiet or not: unfinished runs are never left unsaid
        std::cerr << "genlab-ablate: " << partial_of(plan, status).text()
                  << "; each arm's cost (cost.csv) is measured once every run has finished\n";
    return status;
}

}  // namespace genlab::experiments
