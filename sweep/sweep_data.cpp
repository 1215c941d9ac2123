// Reading a sweep folder back, and the statistics of its arms (see sweep_data.h).
#include "sweep/sweep_data.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "core/error.h"
#include "core/io/input_file.h"
#include "core/number_text.h"
#include "sweep/convergence.h"

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

std::string metric_text(double v) { return std::isfinite(v) ? significant_text(v, 4) : "n/a"; }

std::string values_text(const Stats& s) {
    std::string t;
    for (double v : s.values) t += (t.empty() ? "" : ", ") + metric_text(v);
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

std::vector<Network> SweepData::networks_with(const std::string& metric) const {
    std::vector<Network> nets;
    for (const Network& n : facts().networks) {
        const std::string first = n.prefix + metric + "_l0";
        const bool found = std::any_of(arms.begin(), arms.end(), [&](const SweepArm& a) {
            return std::any_of(a.runs.begin(), a.runs.end(), [&](const SweepRun& r) { return r.final.count(first); });
        });
        if (found) nets.push_back(n);
    }
    return nets;
}

namespace {

// Ranks the arms by the mean of the first quality metric (stable on ties); an arm without a
// finished run that has it is not ranked.
void rank_arms(SweepData& s) {
    if (s.quality.empty()) return;
    const QualityMetric& q = s.quality.front();
    std::vector<std::pair<double, size_t>> ranked;  // (mean, lower first; arm index)
    for (size_t a = 0; a < s.arms.size(); ++a) {
        const Stats st = s.arms[a].stats(q.name);
        if (st.n() > 0 && st.n() == s.arms[a].done().size())
            ranked.emplace_back(q.better == Better::Lower ? st.mean : -st.mean, a);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    for (size_t r = 0; r < ranked.size(); ++r) s.arms[ranked[r].second].rank = static_cast<int>(r + 1);
}

}  // namespace

SweepData assemble_sweep(const std::string& dir, const nlohmann::json& sweep, std::vector<QualityMetric> quality,
                         const std::vector<ArmSeeds>& arms, const ResultsTable& results) {
    SweepData s{.dir = dir,
                .model = {},
                .sweep = sweep,
                .quality = std::move(quality),
                .arms = {},
                .numbers = results.number_columns(),
                .partial = {}};
    s.model = sweep.contains("model") && sweep["model"].is_string() ? sweep["model"].get<std::string>() : "";
    find_experiment(s.model);  // a model this build knows
    const std::map<std::string, ArmCost> costs = read_arm_costs(dir);
    for (const ArmSeeds& a : arms) {
        SweepArm arm{.label = a.label,
                     .act = a.act,
                     .init = a.init,
                     .lr = a.lr,
                     .depth = a.depth,
                     .out = a.out,
                     .where = a.where,
                     .rank = 0,
                     .runs = {},
                     .cost = {}};
        if (auto it = costs.find(a.label); it != costs.end()) arm.cost = it->second;
        for (int seed : a.seeds) {
            const ResultRow* row = results.find(a.label, seed);
            if (!row) continue;
            SweepRun r{.seed = seed, .diverged = row->diverged, .diverged_step = row->diverged_step, .final = {}};
            for (const auto& [name, v] : row->numbers()) r.final[name] = v;
            r.dir = (fs::path(dir) / "runs" / a.label / ("seed" + std::to_string(seed))).string();
            arm.runs.push_back(std::move(r));
        }
        std::sort(arm.runs.begin(), arm.runs.end(),
                  [](const SweepRun& x, const SweepRun& y) { return x.seed < y.seed; });
        s.arms.push_back(std::move(arm));
    }
    rank_arms(s);
    return s;
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

// summary.json's arms: labels, settings and the seeds they were run with.
std::vector<ArmSeeds> summary_arms(const nlohmann::json& summary, const fs::path& path) {
    if (!summary.contains("arms") || !summary["arms"].is_array())
        fail(path.string(), ": not a genlab-ablate summary (no arms)");
    std::vector<ArmSeeds> arms;
    for (const auto& a : summary["arms"]) {
        if (!a.is_object()) continue;
        ArmSeeds arm{.label = text_of(a, "arm"),
                     .act = text_of(a, "activation"),
                     .init = text_of(a, "init"),
                     .lr = text_of(a, "lr"),
                     .depth = text_of(a, "depth"),
                     .out = text_of(a, "out"),
                     .where = text_of(a, "where"),
                     .seeds = {}};
        // The label names a folder under runs/: nothing that could lead out of the sweep.
        if (arm.label.empty() || arm.label == "." || arm.label == ".." || arm.label.find('/') != std::string::npos)
            fail(path.string(), ": arm '", arm.label, "' is not a sweep's arm label");
        std::set<int> seeds;
        for (const char* key : {"seeds", "diverged_seeds"})
            if (a.contains(key) && a[key].is_array())
                for (const auto& k : a[key])
                    if (k.is_number_integer()) seeds.insert(k.get<int>());
        arm.seeds.assign(seeds.begin(), seeds.end());
        arms.push_back(std::move(arm));
    }
    return arms;
}

}  // namespace

SweepData load_sweep(const std::string& dir) {
    const fs::path meta_path = fs::path(dir) / "ablation.json";
    const nlohmann::json meta = read_json(meta_path, "sweep description (ablation.json)");
    if (!meta.contains("sweep") || !meta["sweep"].is_object() || !meta["sweep"].contains("config"))
        fail(meta_path.string(), ": not a genlab-ablate sweep description");
    std::vector<QualityMetric> quality;
    if (meta.contains("quality") && meta["quality"].is_array())
        for (const auto& q : meta["quality"])
            if (q.is_object())
                quality.push_back({text_of(q, "metric"),
                                   text_of(q, "better") == "higher" ? Better::Higher : Better::Lower});
    const fs::path summary_path = fs::path(dir) / "summary.json";
    const nlohmann::json summary = read_json(summary_path, "summary (summary.json)");
    SweepData s = assemble_sweep(dir, meta["sweep"], std::move(quality), summary_arms(summary, summary_path),
                                 ResultsTable::read((fs::path(dir) / "results.csv").string()));
    if (summary.contains("partial")) s.partial = PartialSweep::from_json(summary["partial"]);
    return s;
}

namespace {

constexpr size_t kNamesShown = 20;       // runs named per list in PartialSweep::text()
constexpr size_t kPartialTextMax = 300;  // characters of a name or an error read back

// "a, b, c" or "a, b, ... and 12 more".
std::string names_text(const std::vector<std::string>& names) {
    std::string t;
    for (size_t i = 0; i < names.size() && i < kNamesShown; ++i) t += (i == 0 ? "" : ", ") + names[i];
    if (names.size() > kNamesShown) t += ", ... and " + std::to_string(names.size() - kNamesShown) + " more";
    return t;
}

std::vector<std::string> texts_of(const nlohmann::json& j, const char* key) {
    std::vector<std::string> out;
    if (j.contains(key) && j[key].is_array())
        for (const auto& v : j[key])
            if (v.is_string()) out.push_back(clipped(v.get<std::string>(), kPartialTextMax));
    return out;
}

}  // namespace

std::string PartialSweep::text() const {
    std::string t = "partial: " + std::to_string(done) + " of " + std::to_string(runs) + " runs done";
    if (!running.empty()) t += "; running: " + names_text(running);
    if (!pending.empty()) t += "; pending: " + names_text(pending);
    std::vector<std::string> f;
    for (const auto& [run, error] : failed) f.push_back(run + " (" + error + ")");
    if (!f.empty()) t += "; failed: " + names_text(f);
    return t;
}

nlohmann::ordered_json PartialSweep::json() const {
    nlohmann::ordered_json j;
    j["done"] = done;
    j["runs"] = runs;
    j["running"] = running;
    j["pending"] = pending;
    j["failed"] = nlohmann::ordered_json::array();
    for (const auto& [run, error] : failed) j["failed"].push_back({{"run", run}, {"error", error}});
    return j;
}

PartialSweep PartialSweep::from_json(const nlohmann::json& j) {
    PartialSweep p;
    if (!j.is_object()) return p;
    for (const auto& [key, field] : {std::pair{"done", &p.done}, {"runs", &p.runs}})
        if (j.contains(key) && j[key].is_number_unsigned()) *field = j[key].get<size_t>();
    p.running = texts_of(j, "running");
    p.pending = texts_of(j, "pending");
    if (j.contains("failed") && j["failed"].is_array())
        for (const auto& f : j["failed"])
            if (f.is_object() && f.contains("run") && f["run"].is_string())
                p.failed.emplace_back(clipped(f["run"].get<std::string>(), kPartialTextMax),
                                      f.contains("error") && f["error"].is_string()
                                          ? clipped(f["error"].get<std::string>(), kPartialTextMax)
                                          : std::string{});
    return p;
}

nlohmann::ordered_json sweep_summary(const SweepData& s) {
    nlohmann::ordered_json j;
    for (const QualityMetric& q : s.quality)
        j["quality"].push_back({{"metric", q.name}, {"better", better_name(q.better)}});
    std::vector<std::pair<int, std::string>> ranking;
    for (const SweepArm& a : s.arms) {
        nlohmann::ordered_json arm;
        arm["arm"] = a.label;
        arm["activation"] = a.act;
        arm["init"] = a.init;
        arm["lr"] = a.lr;
        // The axes added since the first sweeps, only where crossed: a sweep without them writes
        // the summary it always did.
        for (const auto& [key, value] : {std::pair{"depth", &a.depth}, {"out", &a.out}, {"where", &a.where}})
            if (!value->empty()) arm[key] = *value;
        std::vector<int> seeds, diverged;
        for (const SweepRun& r : a.runs) (r.diverged ? diverged : seeds).push_back(r.seed);
        arm["seeds"] = seeds;
        arm["diverged_seeds"] = diverged;
        nlohmann::ordered_json metrics = nlohmann::ordered_json::object();
        for (const std::string& name : s.numbers) {
            const Stats st = a.stats(name);
            if (st.n() == 0 || st.n() != a.done().size()) continue;  // only what every finished seed has
            metrics[name] = {
                {"mean", st.mean}, {"std", st.std}, {"min", st.min}, {"max", st.max}, {"values", st.values}};
        }
        arm["metrics"] = metrics;
        if (a.cost)
            arm["cost"] = {{"step_ms_alone", a.cost->step_ms},
                           {"steps_timed", a.cost->steps},
                           {"ns_per_element", a.cost->ns_per_element}};
        if (a.rank > 0) {
            arm["rank"] = a.rank;
            ranking.emplace_back(a.rank, a.label);
        }
        j["arms"].push_back(arm);
    }
    std::sort(ranking.begin(), ranking.end());
    for (const auto& [rank, label] : ranking) j["ranking"].push_back(label);
    add_convergence(j, convergence_of(s));
    return j;
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
