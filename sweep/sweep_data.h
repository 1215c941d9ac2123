// A finished (or partly finished) sweep folder read back: what genlab-ablate wrote (ablation.json,
// summary.json, results.csv, runs/<arm>/seed<k>/), as arms with their runs and per-metric
// statistics over seeds. The report, its claims, the demo page and summary.json itself read
// sweeps through this: statistics and ranks are computed here and nowhere else.
//
//     SweepData s = load_sweep("outputs/ablate/ring8");
//     for (const SweepArm& a : s.arms) {
//         Stats q = a.stats(s.quality[0].name);   // mean, std (n - 1), min, max over finished seeds
//     }
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/train/metrics_csv.h"
#include "experiments/experiment.h"
#include "sweep/arm_cost.h"
#include "sweep/results_table.h"

namespace genlab::experiments {

struct Stats {
    std::vector<double> values;                  // in seed order
    double mean = 0, std = 0, min = 0, max = 0;  // std: sample standard deviation (n - 1); 0 for one value
    size_t n() const { return values.size(); }
};
Stats stats_of(std::vector<double> values);
// A metric's value as pages print it: 4 significant digits ("0.2769", "8", "1.3e-05"; "n/a" if not finite).
std::string metric_text(double v);
// The per-seed values, "8, 8, 4".
std::string values_text(const Stats& s);

struct SweepRun {
    int seed = 0;
    bool diverged = false;
    int diverged_step = 0;
    std::map<std::string, double> final;  // its results.csv row's numbers: wall_s, ms_per_step, metrics
    std::string dir{};                    // runs/<arm>/seed<k> inside the sweep folder
};

struct SweepArm {
    std::string label, act, init, lr;  // as in results.csv
    std::string depth, out, where;     // the crossed axes' values; "" when not crossed
    int rank = 0;                      // by the mean of the primary quality metric, 1 = best; 0: no finished run
    std::vector<SweepRun> runs;        // every run with a row, in seed order
    std::optional<ArmCost> cost;       // measured alone after the runs (cost.csv); none before

    std::vector<const SweepRun*> done() const;  // the runs that did not diverge
    // `metric` over the finished runs that have it (n() < done().size() when some lack it).
    Stats stats(const std::string& metric) const;
};

// A sweep collected before all of its runs finished (summary.json's "partial"): how many did, and
// the others by name ("relu seed 2"), each failed one with its error.
struct PartialSweep {
    size_t done = 0, runs = 0;  // finished (done or diverged) of all planned
    std::vector<std::string> running, pending;
    std::vector<std::pair<std::string, std::string>> failed;  // run, error

    // "partial: 3 of 8 runs done; running: relu seed 2; pending: ...; failed: tanh seed 1 (why)"
    std::string text() const;
    nlohmann::ordered_json json() const;
    // From summary.json's "partial", read as untrusted (what is not of its shape is left out).
    static PartialSweep from_json(const nlohmann::json& j);
};

struct SweepData {
    std::string dir;
    std::string model;                    // the experiment's name (ExperimentDef::name)
    nlohmann::json sweep;                 // ablation.json's "sweep": model, steps, config ...
    std::vector<QualityMetric> quality;   // the first ranks the arms
    std::vector<SweepArm> arms;           // in the order the sweep lists them
    std::vector<std::string> numbers;     // the names in the runs' final, in results.csv's column order
    std::optional<PartialSweep> partial;  // when collected before every run finished
    // The sweep's model config as a run's config.json holds it ("config" of the identity).
    const nlohmann::json& config() const { return sweep["config"]; }
    const ExperimentDef& def() const { return find_experiment(model); }
    const SweepFacts& facts() const { return def().sweep; }
    // Its networks that have a hidden layer with `metric` in some run ("dead_fraction"), in the
    // model's order.
    std::vector<Network> networks_with(const std::string& metric) const;
};

// An arm of a sweep and the seeds it was run with (summary.json's "seeds" and "diverged_seeds").
struct ArmSeeds {
    std::string label, act, init, lr, depth{}, out{}, where{};
    std::vector<int> seeds;
};

// The sweep from its parts: ablation.json's "sweep" and "quality", its arms and their seeds, and
// the results; the rows of other arms and seeds (an earlier sweep into the folder) are left out.
// Ranks the arms.
SweepData assemble_sweep(const std::string& dir, const nlohmann::json& sweep, std::vector<QualityMetric> quality,
                         const std::vector<ArmSeeds>& arms, const ResultsTable& results);

// Error naming the file when a part is missing or not genlab-ablate's.
SweepData load_sweep(const std::string& dir);

// summary.json: per arm (in the sweep's order), over its finished seeds, every number of the runs'
// rows that each finished seed has: mean, standard deviation (n - 1), min, max and per-seed
// values; the arms ranked by the mean of the first quality metric; per arm its steps to target
// and diverged fraction, and the target (convergence.h).
nlohmann::ordered_json sweep_summary(const SweepData& sweep);

// Metrics over training of one run: its metrics.csv and diagnostics.csv (empty tables when absent).
MetricsTable run_metrics(const SweepRun& run);
MetricsTable run_diagnostics(const SweepRun& run);

}  // namespace genlab::experiments
