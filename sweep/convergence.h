// How a sweep's runs behaved over training, read from each run's metrics.csv: how fast the
// primary quality metric got near the sweep's best, how it went on average, how often a training
// loss spiked, and how many runs diverged. Per run, loss_spikes and curve_auc are final metrics of
// its results.csv row; steps to target needs every run's final value, so it is computed from the
// folder when the sweep is recorded (summary.json, report.html).
//
//     Metrics m = curve_metrics(read_metrics_csv(dir + "/metrics.csv"), plan.quality);
//                                            // {"loss_spikes", 1}, {"curve_auc", 6.25}
//     Convergence c = convergence_of(load_sweep("outputs/ablate/ring8"));
//     c.target->bound();                     // 7.6: modes_covered >= 7.6 (best final 8, minus 5%)
//     c.arms[0].reached;                     // 2 of c.arms[0].runs.size() runs got there
//     c.arms[0].median_steps;                // at step 1500 (median over those two)
//
// Definitions (docs/ablation.md states them for users):
//   training loss   a metrics.csv column that is no quality metric, whose name ends in "loss" and
//                   that has a value at every logged step (the step's own loss: the GAN's d_loss
//                   and g_loss, the autoencoder's train_loss, the text model's loss; not an
//                   evaluation figure such as the text model's train_loss, logged at eval steps);
//   loss spike      a logged step at which some training loss is more than 3 x the median of its
//                   previous (up to) 10 logged values, checked from the 6th logged value on and
//                   only while that median is > 0; a step counts once however many losses spike;
//   curve_auc       the trapezoid area under the primary quality metric over its evaluation
//                   steps, divided by the span from the first to the last: the curve's mean
//                   value, better in the metric's direction; none with fewer than two evaluations;
//   target          the best final value v* of the primary quality metric over the sweep's
//                   finished runs, within 5% of |v*|: value <= v* + 0.05|v*| (lower is better) or
//                   value >= v* - 0.05|v*| (higher is better);
//   steps to target the first evaluation step at which a finished run's primary quality metric
//                   meets the target; "not reached" for a run that never does and for a
//                   diverged run.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/train/metrics_csv.h"
#include "experiments/experiment.h"
#include "sweep/sweep_data.h"

namespace genlab::experiments {

constexpr double kSpikeFactor = 3.0;       // a loss above 3 x its running median is a spike
constexpr size_t kSpikeWindow = 10;        // the running median's logged values
constexpr size_t kSpikeWarmup = 5;         // logged values before the first one checked
constexpr double kTargetTolerance = 0.05;  // "within 5% of the best final value"

// ------------------------------------------------------------------ one run's curves

// The columns of `m` that are training losses (above), in file order.
std::vector<std::string> training_loss_columns(const MetricsTable& m, const std::vector<QualityMetric>& quality);
// Logged steps at which some training loss spiked (above).
int loss_spikes(const MetricsTable& m, const std::vector<QualityMetric>& quality);
// The mean of `metric` over training as a trapezoid area over its logged steps / their span; none
// when it was logged at fewer than two steps.
std::optional<double> curve_auc(const MetricsTable& m, const std::string& metric);
// A run's final metrics from its metrics.csv: loss_spikes (when it has a training loss), then
// curve_auc of the first quality metric (when it was evaluated twice or more).
Metrics curve_metrics(const MetricsTable& m, const std::vector<QualityMetric>& quality);

// ------------------------------------------------------------------ steps to target

struct Target {
    std::string metric;  // the sweep's first quality metric
    Better better = Better::Lower;
    double best = 0;  // its best final value over the sweep's finished runs

    // The value a run must reach: best + 5% of |best| (lower is better), best - 5% of |best| (higher).
    double bound() const;
    bool reached(double value) const;  // false for NaN
};
// The first step at which `metric` meets the target; none when it never does.
std::optional<int> steps_to_target(const MetricsTable& m, const Target& target);

struct RunConvergence {
    int seed = 0;
    bool diverged = false;
    std::optional<int> steps_to_target;  // none: not reached (or diverged)
};

struct ArmConvergence {
    std::vector<RunConvergence> runs;    // every run of the arm with a row, in seed order
    int reached = 0;                     // runs with a steps_to_target
    std::optional<double> median_steps;  // median steps_to_target of those runs; none when no run reached it
    double diverged_fraction = 0;        // diverged runs / runs; 0 for an arm without runs
};

struct Convergence {
    std::optional<Target> target;      // none: the model reports no quality metric, or no run finished with it
    std::vector<ArmConvergence> arms;  // as SweepData::arms
};

// Every run's metrics.csv read (run_metrics) against the sweep's target. Error naming the file when
// a run's metrics.csv is there but cannot be read.
Convergence convergence_of(const SweepData& sweep);

// summary.json's additions: per arm "steps_to_target" ({median, reached, runs, seeds, values}, a
// value null when not reached) and "diverged_fraction"; at the top "target" ({metric, better,
// best, tolerance, bound}) when there is one. `summary` holds the arms in the sweep's order.
void add_convergence(nlohmann::ordered_json& summary, const Convergence& c);

}  // namespace genlab::experiments
