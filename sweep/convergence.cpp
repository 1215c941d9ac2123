// A sweep's runs over training: loss spikes, the quality curve's area, steps to target (see
// convergence.h).
#include "sweep/convergence.h"

#include <algorithm>
#include <cmath>

namespace genlab::experiments {

namespace {

// The median of a non-empty set: the mean of the two middle values for an even count.
double middle_of(std::vector<double> v) {
    const size_t mid = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
    const double upper = v[mid];
    if (v.size() % 2 == 1) return upper;
    return (*std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid)) + upper) / 2;
}

bool is_quality(const std::string& name, const std::vector<QualityMetric>& quality) {
    return std::any_of(quality.begin(), quality.end(), [&](const QualityMetric& q) { return q.name == name; });
}

// Marks the logged values of one loss that are above kSpikeFactor x the median of the previous
// kSpikeWindow. A window over recent values, not all earlier ones: a loss's level moves over
// training, and a median that lagged a falling loss would miss late spikes.
void mark_spikes(const std::vector<double>& loss, std::vector<bool>& spiked) {
    for (size_t i = kSpikeWarmup; i < loss.size(); ++i) {
        const size_t from = i > kSpikeWindow ? i - kSpikeWindow : 0;
        const double median = middle_of(std::vector<double>(loss.begin() + static_cast<std::ptrdiff_t>(from),
                                                            loss.begin() + static_cast<std::ptrdiff_t>(i)));
        // A median <= 0 (a loss that can go negative) gives no scale to be a multiple of.
        if (median > 0 && loss[i] > kSpikeFactor * median) spiked[i] = true;
    }
}

}  // namespace

std::vector<std::string> training_loss_columns(const MetricsTable& m, const std::vector<QualityMetric>& quality) {
    std::vector<std::string> cols;
    if (m.rows.empty()) return cols;
    for (const std::string& c : m.columns) {
        if (!c.ends_with("loss") || is_quality(c, quality)) continue;
        const std::vector<double> v = m.column(c);
        if (std::none_of(v.begin(), v.end(), [](double x) { return std::isnan(x); })) cols.push_back(c);
    }
    return cols;
}

int loss_spikes(const MetricsTable& m, const std::vector<QualityMetric>& quality) {
    std::vector<bool> spiked(m.rows.size(), false);
    for (const std::string& c : training_loss_columns(m, quality)) mark_spikes(m.column(c), spiked);
    return static_cast<int>(std::count(spiked.begin(), spiked.end(), true));
}

std::optional<double> curve_auc(const MetricsTable& m, const std::string& metric) {
    const std::vector<double> steps = m.steps(), v = m.column(metric);
    std::vector<std::pair<double, double>> curve;  // (step, value) where it was logged
    for (size_t i = 0; i < steps.size(); ++i)
        if (std::isfinite(v[i])) curve.emplace_back(steps[i], v[i]);
    if (curve.size() < 2 || curve.back().first <= curve.front().first) return std::nullopt;
    double area = 0;
    for (size_t i = 1; i < curve.size(); ++i)
        area += (curve[i].first - curve[i - 1].first) * (curve[i].second + curve[i - 1].second) / 2;
    return area / (curve.back().first - curve.front().first);
}

Metrics curve_metrics(const MetricsTable& m, const std::vector<QualityMetric>& quality) {
    Metrics out;
    if (!training_loss_columns(m, quality).empty()) out.emplace_back("loss_spikes", loss_spikes(m, quality));
    if (!quality.empty())
        if (const std::optional<double> auc = curve_auc(m, quality.front().name)) out.emplace_back("curve_auc", *auc);
    return out;
}

double Target::bound() const {
    const double slack = kTargetTolerance * std::abs(best);
    return better == Better::Lower ? best + slack : best - slack;
}

bool Target::reached(double value) const {
    return better == Better::Lower ? value <= bound() : value >= bound();  // NaN compares false
}

std::optional<int> steps_to_target(const MetricsTable& m, const Target& target) {
    const std::vector<double> steps = m.steps(), v = m.column(target.metric);
    for (size_t i = 0; i < steps.size(); ++i)
        if (target.reached(v[i])) return static_cast<int>(steps[i]);
    return std::nullopt;
}

namespace {

// The best final value of the first quality metric over the sweep's finished runs.
std::optional<Target> sweep_target(const SweepData& s) {
    if (s.quality.empty()) return std::nullopt;
    std::optional<Target> t;
    for (const SweepArm& a : s.arms)
        for (const double v : a.stats(s.quality.front().name).values) {
            if (!std::isfinite(v)) continue;
            if (!t) t = Target{.metric = s.quality.front().name, .better = s.quality.front().better, .best = v};
            t->best = t->better == Better::Lower ? std::min(t->best, v) : std::max(t->best, v);
        }
    return t;
}

ArmConvergence arm_convergence(const SweepArm& a, const std::optional<Target>& target) {
    ArmConvergence c;
    std::vector<double> steps;
    int diverged = 0;
    for (const SweepRun& r : a.runs) {
        RunConvergence rc{.seed = r.seed, .diverged = r.diverged, .steps_to_target = std::nullopt};
        if (target && !r.diverged) rc.steps_to_target = steps_to_target(run_metrics(r), *target);
        if (rc.steps_to_target) steps.push_back(*rc.steps_to_target);
        diverged += r.diverged ? 1 : 0;
        c.runs.push_back(rc);
    }
    c.reached = static_cast<int>(steps.size());
    if (!steps.empty()) c.median_steps = middle_of(std::move(steps));
    if (!a.runs.empty()) c.diverged_fraction = static_cast<double>(diverged) / static_cast<double>(a.runs.size());
    return c;
}

}  // namespace

Convergence convergence_of(const SweepData& s) {
    Convergence c{.target = sweep_target(s), .arms = {}};
    for (const SweepArm& a : s.arms) c.arms.push_back(arm_convergence(a, c.target));
    return c;
}

void add_convergence(nlohmann::ordered_json& summary, const Convergence& c) {
    const size_t arms = summary.contains("arms") ? summary["arms"].size() : 0;
    for (size_t i = 0; i < c.arms.size() && i < arms; ++i) {
        const ArmConvergence& a = c.arms[i];
        nlohmann::ordered_json seeds = nlohmann::ordered_json::array(), values = nlohmann::ordered_json::array();
        for (const RunConvergence& r : a.runs) {
            seeds.push_back(r.seed);
            values.push_back(r.steps_to_target ? nlohmann::ordered_json(*r.steps_to_target) : nullptr);
        }
        nlohmann::ordered_json& arm = summary["arms"][i];
        arm["steps_to_target"] = {{"median", a.median_steps ? nlohmann::ordered_json(*a.median_steps) : nullptr},
                                  {"reached", a.reached},
                                  {"runs", a.runs.size()},
                                  {"seeds", seeds},
                                  {"values", values}};
        arm["diverged_fraction"] = a.diverged_fraction;
    }
    if (c.target)
        summary["target"] = {{"metric", c.target->metric},
                             {"better", better_name(c.target->better)},
                             {"best", c.target->best},
                             {"tolerance", kTargetTolerance},
                             {"bound", c.target->bound()}};
}

}  // namespace genlab::experiments
