// Measuring each arm's cost alone (see arm_cost.h).
#include "sweep/arm_cost.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "bench/activation_properties.h"
#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/number_text.h"
#include "core/parallel.h"
#include "core/train/metrics_csv.h"
#include "sweep/sweep_plan.h"

namespace genlab::experiments {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kCostColumns{"arm", "step_ms", "steps", "ns_per_element"};

std::string cost_path(const std::string& dir) { return (fs::path(dir) / "cost.csv").string(); }

// The median of `steps` timed training steps of the arm's experiment, after the warm-up.
double time_steps(const SweepPlan& plan, size_t arm, int steps) {
    const RunOptions run{.steps = kCostWarmup + steps, .seed = 1, .threads = 1, .quiet = true};
    std::unique_ptr<Experiment> exp = plan.def->create(*plan.configs[arm], run);
    std::vector<double> ms;
    for (int i = 0; i < kCostWarmup + steps; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        exp->step(i);
        if (i >= kCostWarmup)
            ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    const size_t m = ms.size();
    return m % 2 ? ms[m / 2] : 0.5 * (ms[m / 2 - 1] + ms[m / 2]);
}

void write_costs(const std::string& dir, const std::map<std::string, ArmCost>& costs, const std::vector<Arm>& order) {
    std::string text = csv_line(kCostColumns);
    auto row = [&](const std::string& label, const ArmCost& c) {
        text += csv_line({label, shortest_text(c.step_ms), std::to_string(c.steps), shortest_text(c.ns_per_element)});
    };
    for (const Arm& a : order)  // this sweep's arms in its order, then any of an earlier sweep
        if (auto it = costs.find(a.label); it != costs.end()) row(a.label, it->second);
    for (const auto& entry : costs)
        if (std::none_of(order.begin(), order.end(), [&](const Arm& a) { return a.label == entry.first; }))
            row(entry.first, entry.second);
    write_file_atomic(cost_path(dir), text);
}

}  // namespace

void measure_arm_costs(const SweepPlan& plan) {
    if (plan.opt.cost_steps == 0) return;
    std::map<std::string, ArmCost> costs = read_arm_costs(plan.opt.out);
    set_num_threads(1);
    for (size_t a = 0; a < plan.arms.size(); ++a) {
        if (costs.count(plan.arms[a].label)) continue;
        costs[plan.arms[a].label] = {.step_ms = time_steps(plan, a, plan.opt.cost_steps),
                                     .steps = plan.opt.cost_steps,
                                     .ns_per_element = kernel_ns_per_element(plan.arms[a].act, 1)};
        write_costs(plan.opt.out, costs, plan.arms);  // each arm kept as it is measured
    }
}

std::map<std::string, ArmCost> read_arm_costs(const std::string& dir) {
    const std::string path = cost_path(dir);
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(path, ec))) return {};
    const CsvTable t = read_csv(path);
    if (t.columns != kCostColumns) fail(path, ": not a genlab-ablate cost.csv (expected the columns arm,step_ms,...)");
    std::map<std::string, ArmCost> costs;
    for (size_t i = 0; i < t.rows.size(); ++i) {
        const std::vector<std::string>& r = t.rows[i];
        ArmCost c;
        if (!parse_number(r[1], c.step_ms) || !parse_number(r[2], c.steps) || !parse_number(r[3], c.ns_per_element))
            fail(path, ": line ", i + 2, " is not an arm's cost (", r[0].substr(0, 40), ")");
        costs[r[0]] = c;
    }
    return costs;
}

}  // namespace genlab::experiments
