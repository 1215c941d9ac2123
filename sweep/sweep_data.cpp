// Reading a sweep folder back (see sweep_data.h).
#include "sweep/sweep_data.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "config/config.h"
#include "core/error.h"
#include "core/io/input_file.h"

namespace genlab::experiments {

namespace fs = std::filesystem;

Stats stats_of(std::vector<double> values) {
    Stats s;
    s.values = std::move(values);
    if (s.values.empty()) return s;
    double sum = 0;
    for (double v : s.values) sum += v;
    s.mean = sum / static_cast<double>(s.n());
    double ss = 0;
    for (double v : s.values) ss += (v - s.mean) * (v - s.mean);
    s.std = s.n() > 1 ? std::sqrt(ss / static_cast<double>(s.n() - 1)) : 0.0;
    s.min = *std::min_element(s.values.begin(), s.values.end());
    s.max = *std::max_element(s.values.begin(), s.values.end());
    return s;
}

std::string value_text(double v) {
    if (!std::isfinite(v)) return "n/a";
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

std::string values_text(const Stats& s) {
    std::string t;
    for (double v : s.values) t += (t.empty() ? "" : ", ") + value_text(v);
    return t;
}

std::vector<const SweepRun*> SweepArm::done() const {
    std::vector<const SweepRun*> d;
    for (const SweepRun& r : runs)
        if (!r.diverged) d.push_back(&r);
    return d;
}

Stats SweepArm::stats(const std::string& metric) const {
    std::vector<double> v;
    for (const SweepRun* r : done())
        if (auto it = r->final.find(metric); it != r->final.end()) v.push_back(it->second);
    return stats_of(std::move(v));
}

namespace {

nlohmann::json read_json(const fs::path& path, const std::string& what) {
    nlohmann::json j = read_json_file(path.string(), kMaxJsonFileBytes, what, Links::Refuse);
    if (!j.is_object()) fail(path.string(), ": not a genlab-ablate ", what, " (not a JSON object)");
    return j;
}

std::string text_of(const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string{};
}

}  // namespace

SweepData load_sweep(const std::string& dir) {
    SweepData s;
    s.dir = dir;
    const nlohmann::json meta = read_json(fs::path(dir) / "ablation.json", "sweep description (ablation.json)");
    if (!meta.contains("sweep") || !meta["sweep"].is_object() || !meta["sweep"].contains("config"))
        fail((fs::path(dir) / "ablation.json").string(), ": not a genlab-ablate sweep description");
    s.sweep = meta["sweep"];
    s.model = text_of(s.sweep, "model");
    find_experiment(s.model);  // a model this build knows
    if (meta.contains("quality") && meta["quality"].is_array())
        for (const auto& q : meta["quality"])
            if (q.is_object())
                s.quality.push_back({text_of(q, "metric"),
                                     text_of(q, "better") == "higher" ? Better::Higher : Better::Lower});

    const nlohmann::json summary = read_json(fs::path(dir) / "summary.json", "summary (summary.json)");
    if (!summary.contains("arms") || !summary["arms"].is_array())
        fail((fs::path(dir) / "summary.json").string(), ": not a genlab-ablate summary (no arms)");
    std::map<std::string, std::set<int>> arm_seeds;  // the seeds of this sweep (a folder may hold more)
    for (const auto& a : summary["arms"]) {
        if (!a.is_object()) continue;
        SweepArm arm;
        arm.label = text_of(a, "arm");
        // The label names a folder under runs/: nothing that could lead out of the sweep.
        if (arm.label.empty() || arm.label == "." || arm.label == ".." || arm.label.find('/') != std::string::npos)
            fail((fs::path(dir) / "summary.json").string(), ": arm '", arm.label, "' is not a sweep's arm label");
        arm.act = text_of(a, "activation");
        arm.init = text_of(a, "init");
        arm.lr = text_of(a, "lr");
        if (a.contains("rank") && a["rank"].is_number_integer()) arm.rank = a["rank"].get<int>();
        std::set<int>& seeds = arm_seeds[arm.label];
        for (const char* key : {"seeds", "diverged_seeds"})
            if (a.contains(key) && a[key].is_array())
                for (const auto& k : a[key])
                    if (k.is_number_integer()) seeds.insert(k.get<int>());
        s.arms.push_back(std::move(arm));
    }

    const std::string results_path = (fs::path(dir) / "results.csv").string();
    const CsvTable results = read_csv(results_path);
    auto col = [&](const std::string& name) {
        const auto it = std::find(results.columns.begin(), results.columns.end(), name);
        if (it == results.columns.end()) fail(results_path, ": not a genlab-ablate results.csv (no column ", name, ")");
        return static_cast<size_t>(it - results.columns.begin());
    };
    const size_t c_arm = col("arm"), c_seed = col("seed"), c_status = col("status"), c_div = col("diverged_step");
    for (const auto& row : results.rows) {
        auto arm = std::find_if(s.arms.begin(), s.arms.end(), [&](const SweepArm& a) { return a.label == row[c_arm]; });
        if (arm == s.arms.end()) continue;  // an arm of an earlier sweep into this folder, not of this one
        SweepRun r;
        // parse_value, not atoi: a cell out of int's range is a row of no seed, not undefined behaviour.
        if (!parse_value(row[c_seed], r.seed) || !arm_seeds[arm->label].count(r.seed)) continue;
        r.diverged = row[c_status] == "diverged";
        if (!parse_value(row[c_div], r.diverged_step)) r.diverged_step = 0;
        r.dir = (fs::path(dir) / "runs" / arm->label / ("seed" + std::to_string(r.seed))).string();
        for (size_t c = 0; c < row.size(); ++c) {
            if (row[c].empty()) continue;
            char* end = nullptr;
            const double v = std::strtod(row[c].c_str(), &end);
            if (end && *end == '\0') r.final[results.columns[c]] = v;
        }
        arm->runs.push_back(std::move(r));
    }
    for (SweepArm& a : s.arms)
        std::sort(a.runs.begin(), a.runs.end(), [](const SweepRun& x, const SweepRun& y) { return x.seed < y.seed; });
    return s;
}

namespace {

// Absent: an empty table. Anything else there is read as the run's table, so a link, a FIFO or a
// device in its place is an Error rather than a table silently left out.
MetricsTable table_if_present(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(path, ec))) return {};
    return read_metrics_csv(path);
}

}  // namespace

MetricsTable run_metrics(const SweepRun& run) { return table_if_present((fs::path(run.dir) / "metrics.csv").string()); }
MetricsTable run_diagnostics(const SweepRun& run) {
    return table_if_present((fs::path(run.dir) / "diagnostics.csv").string());
}

}  // namespace genlab::experiments
