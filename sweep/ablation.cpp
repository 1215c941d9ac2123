// The activation ablation (see ablation.h): arms x seeds, each a train() with the diagnostics
// hook, results.csv as runs finish, summary.json at the end.
#include "sweep/ablation.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/input_file.h"
#include "core/nn/layers.h"
#include "core/number_text.h"
#include "core/parallel.h"
#include "core/train/folder_lock.h"
#include "core/train/metrics_csv.h"
#include "core/train/run_dir.h"
#include "experiments/runner.h"
#include "sweep/diagnostics.h"
#include "sweep/report.h"
#include "sweep/sweep_data.h"

namespace genlab::experiments {

namespace fs = std::filesystem;

const ConfigSpec<AblationOptions>& ablation_options_spec() {
    using A = AblationOptions;
    static const ConfigSpec<A> spec =
        ConfigSpec<A>()
            .field("model", &A::model, "Model to sweep: gan, ae or text", one_of({"gan", "ae", "text"}))
            .field("acts", &A::acts, "Hidden activations, one arm each (default: every elementwise activation)")
            .field("inits", &A::inits,
                   "Linear inits to cross with the activations, e.g. torch,gain (default: the model's)")
            .field("lrs", &A::lrs,
                   "Learning rates to cross with the activations, e.g. 1e-3,1e-4 (default: the model's --lr)")
            .field(
                "preset", &A::preset,
                "A whole sweep: quick (10 activations x 2 seeds of one model, the ring8 GAN unless --model; "
                "minutes) or paper (the GELU paper's autoencoder, on Fashion-MNIST unless --data-dir: gelu, elu, relu at lr 1e-3 and 1e-4); "
                "flags given still apply",
                one_of({"", "quick", "paper"}))
            .field("where", &A::where, "GAN: which networks' hidden activation is swept (both, g, d)",
                   one_of({"both", "g", "d"}))
            .field("seeds", &A::seeds, "Seeds per arm (1..N)", in_range(1, 1000))
            .field("steps", &A::steps, "Steps per run (0: the model's default)", in_range(0, 100'000'000))
            .field("eval_every", &A::eval_every, "Quality metrics every N steps (0: the model's default)",
                   in_range(0, 100'000'000))
            .field("diag_every", &A::diag_every, "Diagnostics every N steps and at the end (0: steps / 10)",
                   in_range(0, 100'000'000))
            .field("jobs", &A::jobs, "Runs trained at once", in_range(1, 256))
            .field("threads", &A::threads, "Threads in all, divided between the jobs (0: the OpenMP default)",
                   in_range(0, 1024))
            .field("out", &A::out, "Output folder (default: outputs/ablate/<YYYYmmdd-HHMMSS>)")
            .field("quiet", &A::quiet, "No line per finished run");
    return spec;
}

AblationPreset find_preset(const std::string& name, const std::string& model) {
    if (name == "quick") {
        const std::string m = model.empty() ? "gan" : model;
        AblationPreset p{.name = name,
                         .sweep = {{"model", m},
                                   {"acts", "relu,leaky_relu:0.2,prelu,elu,selu,gelu,swish,mish,sigmoid,tanh"},
                                   {"seeds", "2"},
                                   {"jobs", "2"}},
                         .model = {}};
        if (m == "gan") {
            p.sweep.emplace_back("steps", "3000");
            p.model = {{"data", "ring8"}};
        } else if (m == "ae") {
            p.sweep.emplace_back("steps", "1000");
            p.sweep.emplace_back("eval_every", "250");
        } else {
            p.sweep.emplace_back("steps", "2000");
            p.sweep.emplace_back("eval_every", "500");
        }
        return p;
    }
    if (name == "paper") {
        if (!model.empty() && model != "ae")
            usage_fail("--preset paper sweeps the autoencoder (--model ae), not --model ", model,
                       " (leave --model out)");
        return {.name = name,
                .sweep = {{"model", "ae"},
                          {"acts", "gelu,elu,relu"},
                          {"lrs", "1e-3,1e-4"},
                          {"seeds", "3"},
                          {"steps", "3000"},
                          {"jobs", "2"}},
                .model = {{"hidden", "1000,500,250"}, {"latent", "30"}, {"loss", "mse"}, {"batch", "64"}}};
    }
    usage_fail("--preset ", name, ": unknown (quick or paper)");
}

std::vector<std::pair<std::string, std::string>> apply_preset(AblationOptions& opt,
                                                              const std::set<std::string>& given) {
    if (opt.preset.empty()) return {};
    const AblationPreset p = find_preset(opt.preset, given.count("model") ? opt.model : "");
    for (const auto& [key, value] : p.sweep)
        if (!given.count(key)) ablation_options_spec().set(opt, key, value);
    return p.model;
}

ModelSettings model_settings(const std::string& model,
                             const std::vector<std::pair<std::string, std::string>>& settings) {
    const ExperimentDef& def = find_experiment(model);
    ModelSettings m;
    for (const auto& [key, value] : settings) m.given.insert(key);
    m.make = [&def, settings] {
        std::unique_ptr<ConfigBox> box = def.new_config();
        for (const auto& [key, value] : settings) box->set(key, value);
        return box;
    };
    return m;
}

namespace {

// "a,b,c" -> {"a", "b", "c"}, each checked; {""} for an empty list (the model's own setting).
std::vector<std::string> crossed_list(const std::string& list, const std::string& flag,
                                      const std::function<std::string(const std::string&)>& check) {
    std::vector<std::string> items;
    for (size_t at = 0; !list.empty() && at <= list.size();) {
        const size_t comma = std::min(list.find(',', at), list.size());
        const std::string item = check(list.substr(at, comma - at));
        if (std::find(items.begin(), items.end(), item) != items.end())
            usage_fail(flag, ": '", item, "' is listed twice");
        items.push_back(item);
        at = comma + 1;
    }
    if (items.empty()) items.push_back("");
    return items;
}

}  // namespace

std::vector<Arm> ablation_arms(const AblationOptions& opt) {
    const std::vector<std::string> inits = crossed_list(opt.inits, "--inits", [](const std::string& name) {
        parse_init(name);  // UsageError naming the known inits
        return name;
    });
    const std::vector<std::string> lrs = crossed_list(opt.lrs, "--lrs", [](const std::string& text) {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !(v > 0.0 && v < 1e3))
            usage_fail("--lrs: '", text, "' is not a learning rate (a number in (0, 1000), e.g. 1e-3)");
        char buf[32];  // one spelling per rate, as a person writes it: 1e-3 and 0.001 are one arm, "0.001"
        std::snprintf(buf, sizeof buf, "%g", v);
        return std::string(buf);
    });
    std::vector<Arm> arms;
    for (const Activation& a : parse_activation_list(opt.acts, "--acts"))
        for (const std::string& init : inits)
            for (const std::string& lr : lrs) {
                Arm arm{.label = a.spec, .act = a, .init = init, .lr = lr};
                if (!init.empty()) arm.label += "-" + init;
                if (!lr.empty()) arm.label += "-lr" + lr;
                for (const Arm& other : arms)
                    if (other.label == arm.label) usage_fail("--acts: '", a.spec, "' is listed twice");
                arms.push_back(std::move(arm));
            }
    return arms;
}

namespace {

// The config of one arm: the user's settings, the arm's activation (and init), resolved.
std::unique_ptr<ConfigBox> arm_config(const AblationOptions& opt, const ModelSettings& base, const Arm* arm) {
    std::unique_ptr<ConfigBox> box = base.make();
    std::set<std::string> given = base.given;
    if (arm) {
        std::vector<std::string> keys{"act"};
        if (opt.model == "gan" && opt.where != "both") keys = {opt.where + "_act"};
        for (const std::string& key : keys) {
            box->set(key, arm->act.spec);
            given.insert(key);
        }
        if (!arm->init.empty()) {
            box->set("init", arm->init);
            given.insert("init");
        }
        if (!arm->lr.empty()) {
            box->set("lr", arm->lr);
            given.insert("lr");
        }
    }
    box->resolve([&](const std::string& key) { return given.count(key) > 0; });
    return box;
}

// results.csv: one row per finished run, lead columns then metric columns in order of first
// appearance; rewritten whole and atomically for each new row.
class ResultsCsv {
public:
    static inline const std::vector<std::string> kLead{"arm",   "activation", "init",          "lr",
                                                       "seed",  "status",     "diverged_step", "resumed_from",
                                                       "steps", "wall_s",     "ms_per_step"};

    static constexpr size_t kArm = 0, kSeed = 4, kStatus = 5;  // their places in kLead

    explicit ResultsCsv(std::string path) : path_(std::move(path)) {
        std::error_code ec;
        if (!fs::exists(path_, ec)) {
            table_.columns = kLead;
            return;
        }
        table_ = read_csv(path_);
        const std::vector<std::string>& c = table_.columns;
        if (c.size() < kLead.size() || !std::equal(kLead.begin(), kLead.end(), c.begin()))
            fail(path_, ": not a genlab-ablate results.csv (its header does not start with arm,activation,...)");
    }

    const std::vector<std::string>* find(const std::string& arm, int seed) const {
        for (const auto& r : table_.rows)
            if (r[kArm] == arm && r[kSeed] == std::to_string(seed)) return &r;
        return nullptr;
    }
    const std::vector<std::string>& columns() const { return table_.columns; }

    void add(const std::vector<std::pair<std::string, std::string>>& cells) {
        std::vector<std::string>& cols = table_.columns;
        auto column = [&](const std::string& name) {
            return static_cast<size_t>(std::find(cols.begin(), cols.end(), name) - cols.begin());
        };
        for (const auto& [name, v] : cells)
            if (column(name) == cols.size()) {
                cols.push_back(name);
                for (auto& r : table_.rows) r.emplace_back();
            }
        std::vector<std::string> row(cols.size());
        for (const auto& [name, v] : cells) row[column(name)] = v;
        table_.rows.push_back(std::move(row));
        std::string text = csv_line(cols);
        for (const auto& r : table_.rows) text += csv_line(r);
        write_file_atomic(path_, text);
    }

private:
    std::string path_;
    CsvTable table_;
};

// summary.json: per arm (in the order given), over its finished seeds, every metric's mean,
// standard deviation (n - 1), min, max and per-seed values; the arms ranked by the mean of the
// first quality metric (arms without a finished run are not ranked).
nlohmann::ordered_json sweep_summary(const ResultsCsv& results, const std::vector<Arm>& arms, int seeds,
                                     const std::vector<QualityMetric>& quality, int& diverged) {
    nlohmann::ordered_json j;
    for (const QualityMetric& q : quality)
        j["quality"].push_back({{"metric", q.name}, {"better", better_name(q.better)}});
    std::vector<std::pair<double, size_t>> ranked;  // (primary mean, arm index)
    diverged = 0;
    for (size_t a = 0; a < arms.size(); ++a) {
        nlohmann::ordered_json arm;
        arm["arm"] = arms[a].label;
        arm["activation"] = arms[a].act.spec;
        arm["init"] = arms[a].init;
        arm["lr"] = arms[a].lr;
        std::vector<const std::vector<std::string>*> done;
        std::vector<int> done_seeds, diverged_seeds;
        for (int seed = 1; seed <= seeds; ++seed) {
            const std::vector<std::string>* row = results.find(arms[a].label, seed);
            if (!row) continue;
            if ((*row)[ResultsCsv::kStatus] == "diverged") {
                diverged_seeds.push_back(seed);
                ++diverged;
            } else {
                done.push_back(row);
                done_seeds.push_back(seed);
            }
        }
        arm["seeds"] = done_seeds;
        arm["diverged_seeds"] = diverged_seeds;
        nlohmann::ordered_json metrics = nlohmann::ordered_json::object();
        const std::vector<std::string>& cols = results.columns();
        for (size_t c = 0; c < cols.size(); ++c) {
            const bool lead = c < ResultsCsv::kLead.size();
            if (lead && cols[c] != "wall_s" && cols[c] != "ms_per_step") continue;
            std::vector<double> v;
            for (const auto* row : done)
                if (!(*row)[c].empty()) v.push_back(std::strtod((*row)[c].c_str(), nullptr));
            if (v.empty() || v.size() != done.size()) continue;
            const Stats stats = stats_of(std::move(v));
            nlohmann::ordered_json st;
            st["mean"] = stats.mean;
            st["std"] = stats.std;
            st["min"] = stats.min;
            st["max"] = stats.max;
            st["values"] = stats.values;
            metrics[cols[c]] = st;
        }
        arm["metrics"] = metrics;
        if (!quality.empty() && metrics.contains(quality[0].name)) {
            const double m = metrics[quality[0].name]["mean"];
            ranked.emplace_back(quality[0].better == Better::Lower ? m : -m, a);
        }
        j["arms"].push_back(arm);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    for (size_t r = 0; r < ranked.size(); ++r) {
        j["arms"][ranked[r].second]["rank"] = r + 1;
        j["ranking"].push_back(arms[ranked[r].second].label);
    }
    return j;
}

struct Pair {
    const Arm* arm;
    int seed;
};

// The sweep's identity, stored in ablation.json: a rerun into the same folder must match it
// (arms and seeds may change: rows are per arm and seed).
nlohmann::ordered_json sweep_identity(const AblationOptions& opt, const ConfigBox& base_cfg, int steps, int eval_every,
                                      int diag_every) {
    nlohmann::ordered_json j;
    j["model"] = opt.model;
    j["where"] = opt.where;
    j["steps"] = steps;
    j["eval_every"] = eval_every;
    j["diag_every"] = diag_every;
    j["config"] = base_cfg.to_json();
    return j;
}

void check_out_dir(const std::string& out, const nlohmann::ordered_json& identity) {
    const fs::path meta = fs::path(out) / "ablation.json";
    std::error_code ec;
    if (fs::exists(meta, ec)) {
        const nlohmann::json prev = read_json_file(meta.string(), kMaxJsonFileBytes,
                                                   "sweep description (ablation.json)", Links::Refuse);
        if (!prev.is_object() || !prev.contains("sweep"))
            fail(meta.string(), ": not a genlab-ablate sweep description");
        // Compared key by key in the identity's own order (steps before the diag_every derived
        // from it): the first difference named is the setting the user changed.
        const nlohmann::json& held = prev["sweep"];
        for (const auto& [key, value] : identity.items()) {
            const nlohmann::json mine(value);
            const std::string d = !held.is_object() || !held.contains(key)
                                      ? flag_name(key) + " (absent on one side)"
                                      : first_difference(nlohmann::json{{key, held[key]}}, nlohmann::json{{key, mine}});
            if (!d.empty())
                usage_fail("--out ", out, ": holds a sweep with other settings (", d,
                           "); use another --out or the flags of that sweep");
        }
        if (const std::string d = first_difference(held, nlohmann::json(identity)); !d.empty())
            usage_fail("--out ", out, ": holds a sweep with other settings (", d,
                       "); use another --out or the flags of that sweep");
        return;
    }
    if (fs::exists(out, ec)) {
        if (!fs::is_directory(out, ec)) usage_fail("--out ", out, ": exists and is not a folder");
        if (!folder_is_empty(out))
            usage_fail("--out ", out,
                       ": a folder that is not empty and holds no genlab-ablate sweep (no ablation.json); "
                       "choose a new or empty folder");
    }
}

}  // namespace

SweepResult run_ablation(const AblationOptions& opt_in, const ModelSettings& base) {
    AblationOptions opt = opt_in;
    ablation_options_spec().validate(opt);
    const ExperimentDef& def = find_experiment(opt.model);
    if (opt.where != "both" && opt.model != "gan")
        usage_fail("--where ", opt.where, ": only the GAN has two networks (leave --where out for ", opt.model, ")");
    const std::vector<Arm> arms = ablation_arms(opt);

    // Every arm's config is built and validated before anything runs.
    const std::unique_ptr<ConfigBox> base_cfg = arm_config(opt, base, nullptr);
    std::vector<std::unique_ptr<ConfigBox>> configs;
    for (const Arm& arm : arms) configs.push_back(arm_config(opt, base, &arm));
    const int steps = opt.steps > 0 ? opt.steps : def.default_steps(*base_cfg);
    const int eval_every = opt.eval_every > 0 ? opt.eval_every : def.default_eval_every;
    const int diag_every = opt.diag_every > 0 ? opt.diag_every : std::max(1, steps / 10);
    const std::vector<QualityMetric> quality = def.quality(*base_cfg);

    const std::string out = opt.out.empty() ? default_out_dir("ablate") : opt.out;
    const nlohmann::ordered_json identity = sweep_identity(opt, *base_cfg, steps, eval_every, diag_every);
    // One sweep per folder: a second genlab-ablate on this --out would train the same runs into
    // the same run folders. Held until the sweep ends (each run also locks its own folder).
    const FolderLock lock(out, "--out");
    check_out_dir(out, identity);
    const fs::path meta = fs::path(out) / "ablation.json";
    std::error_code ec;
    if (!fs::exists(meta, ec)) {
        // A new sweep: the model flags that only the data can judge (--data-dir, --class, a size
        // the images decide) are tried by building the first arm's experiment once, so that a
        // bad flag leaves no sweep folder behind. Its data and model are freed before any run.
        RunOptions probe{.steps = steps, .seed = 1, .threads = opt.threads, .eval_every = eval_every, .quiet = true};
        def.create(*configs.front(), probe);
        nlohmann::ordered_json j;
        j["tool"] = "genlab-ablate";
        j["sweep"] = identity;
        for (const QualityMetric& q : quality)
            j["quality"].push_back({{"metric", q.name}, {"better", better_name(q.better)}});
        write_file_atomic(meta.string(), j.dump(2) + "\n");
    }
    ResultsCsv results((fs::path(out) / "results.csv").string());

    std::vector<Pair> todo;
    SweepResult result{.out_dir = out};
    for (const Arm& arm : arms)
        for (int seed = 1; seed <= opt.seeds; ++seed) {
            if (results.find(arm.label, seed))
                ++result.skipped;
            else
                todo.push_back({&arm, seed});
        }
    if (opt.threads == 0) set_num_threads(0);  // the OpenMP default, capped at the cores: divided below
    const int jobs = std::min<int>(opt.jobs, std::max<size_t>(1, todo.size()));
    const int threads_per_job = std::max(1, (opt.threads > 0 ? opt.threads : num_threads()) / jobs);
    if (!opt.quiet)
        std::cerr << "genlab-ablate: " << def.name << ", " << arms.size() << " arms x " << opt.seeds << " seeds, "
                  << steps << " steps each; " << todo.size() << " runs to train (" << result.skipped
                  << " done before), " << jobs << (jobs == 1 ? " job" : " jobs") << " of " << threads_per_job
                  << (threads_per_job == 1 ? " thread" : " threads") << ", into " << out << "\n";

    std::mutex mu;  // results, progress, the first error
    std::atomic<size_t> next{0};
    std::exception_ptr error;
    int finished = 0;
    double busy_s = 0;  // run time summed over finished runs (for the ETA)
    const auto t0 = std::chrono::steady_clock::now();

    auto run_pair = [&](const Pair& p) {
        const size_t arm_index = static_cast<size_t>(p.arm - arms.data());
        const fs::path dir = fs::path(out) / "runs" / p.arm->label / ("seed" + std::to_string(p.seed));
        const std::string ckpt = (dir / "checkpoint.safetensors").string();
        RunOptions run{.steps = steps,
                       .seed = static_cast<uint64_t>(p.seed),
                       .threads = threads_per_job,
                       .out = dir.string(),
                       .save_every = diag_every,
                       .eval_every = eval_every,
                       .quiet = true};
        int resumed_from = 0;
        std::error_code ec;
        if (fs::exists(ckpt, ec)) {
            // Only a checkpoint whose bytes prove it damaged is given up (the run starts again).
            // Any other failure (too little memory under GENLAB_MEMORY_LIMIT, no permission, a
            // config that no longer matches) says nothing against the file: the sweep stops with
            // the reason, and the run's progress stays for a rerun that can load it.
            const auto stop = [&](const Error& e, bool usage) {
                const std::string msg = str(e.what(), " - the sweep stops here and keeps ", dir.string(),
                                            " as it is; fix the cause and run the sweep again to resume it");
                if (usage) throw UsageError(msg);
                throw Error(msg);
            };
            try {
                resumed_from = load_run(ckpt, def.name).step;
                run.resume = ckpt;
            } catch (const DamagedFile&) {
                resumed_from = 0;  // start this run again
            } catch (const UsageError& e) {
                stop(e, true);
            } catch (const Error& e) {
                stop(e, false);
            }
        }
        if (run.resume.empty()) fs::remove_all(dir, ec);  // our own partial run: nothing finished in it

        MetricsCsvWriter diag_csv((dir / "diagnostics.csv").string());
        if (resumed_from > 0) diag_csv.resume(resumed_from);
        Metrics last_diag;
        TrainHooks hooks;
        hooks.after_step = [&](int n, Experiment& exp) {
            if (n % diag_every != 0 && n != steps) return;
            last_diag = diagnostics_metrics(exp.probe());
            diag_csv.write(n, last_diag);
        };
        Metrics m;  // quality first, then the rest of the final metrics, then the diagnostics
        std::string status = "done", diverged_step, summary;
        const auto start = std::chrono::steady_clock::now();
        try {
            const TrainResult r = train(def, *configs[arm_index], run, hooks);
            for (const QualityMetric& q : quality)
                for (const auto& kv : r.metrics)
                    if (kv.first == q.name) m.push_back(kv);
            for (size_t i = 0; i < m.size(); ++i) summary += " " + m[i].first + " " + value_text(m[i].second);
            for (const auto& kv : r.metrics)
                if (std::none_of(m.begin(), m.end(), [&](const auto& x) { return x.first == kv.first; }))
                    m.push_back(kv);
            if (last_diag.empty()) {  // resumed at the last step: the diagnostics were logged before
                const MetricsTable t = read_metrics_csv((dir / "diagnostics.csv").string());
                for (size_t c = 1; c < t.columns.size() && !t.rows.empty(); ++c)
                    last_diag.emplace_back(t.columns[c], t.column(t.columns[c]).back());
            }
            m.insert(m.end(), last_diag.begin(), last_diag.end());
        } catch (const Diverged& e) {
            status = "diverged";
            diverged_step = std::to_string(e.step);
            summary = " diverged at step " + diverged_step + " (" + e.metric + ")";
        }
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const bool timed = status == "done" && steps > resumed_from;
        std::vector<std::pair<std::string, std::string>> cells{
            {"arm", p.arm->label},
            {"activation", p.arm->act.spec},
            {"init", p.arm->init},
            {"lr", p.arm->lr},
            {"seed", std::to_string(p.seed)},
            {"status", status},
            {"diverged_step", diverged_step},
            {"resumed_from", std::to_string(resumed_from)},
            {"steps", std::to_string(steps)},
            {"wall_s", shortest_text(wall)},
            {"ms_per_step", timed ? shortest_text(1000 * wall / (steps - resumed_from)) : ""}};
        // A metric named like a lead column (the text model's scheduled "lr") must not overwrite
        // it: the lead column is the arm's setting, the metric its value at the run's end.
        for (const auto& [name, v] : m) {
            const std::vector<std::string>& lead_cols = ResultsCsv::kLead;
            const bool lead = std::find(lead_cols.begin(), lead_cols.end(), name) != lead_cols.end();
            cells.emplace_back(lead ? "final_" + name : name, shortest_text(v));
        }
        const std::lock_guard<std::mutex> lock(mu);
        results.add(cells);
        ++finished;
        busy_s += wall;
        if (!opt.quiet) {
            const double left = busy_s / finished * static_cast<double>(todo.size() - finished) / jobs;
            const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::cerr << "[" << finished << "/" << todo.size() << "] " << p.arm->label << " seed " << p.seed << ":"
                      << summary << " (" << duration_text(wall) << ") | elapsed " << duration_text(elapsed) << ", ETA "
                      << duration_text(left) << "\n";
        }
    };

    auto worker = [&] {
        for (size_t i = next++; i < todo.size(); i = next++) {
            {
                const std::lock_guard<std::mutex> lock(mu);
                if (error) return;
            }
            try {
                run_pair(todo[i]);
            } catch (...) {
                const std::lock_guard<std::mutex> lock(mu);
                if (!error) error = std::current_exception();
                return;
            }
        }
    };
    if (jobs == 1) {
        worker();
    } else {
        std::vector<std::thread> pool;
        for (int j = 0; j < jobs; ++j) pool.emplace_back(worker);
        for (std::thread& t : pool) t.join();
    }
    if (error) std::rethrow_exception(error);
    result.trained = finished;
    const nlohmann::ordered_json summary = sweep_summary(results, arms, opt.seeds, quality, result.diverged);
    write_file_atomic((fs::path(out) / "summary.json").string(), summary.dump(2) + "\n");
    write_sweep_report(out);
    if (!opt.quiet) {
        std::cerr << "genlab-ablate: wrote " << out << " (results.csv, summary.json, report.html)";
        if (summary.contains("ranking") && !quality.empty()) {
            std::cerr << "; by " << quality[0].name << " (" << better_name(quality[0].better) << " is better):";
            for (const auto& label : summary["ranking"]) std::cerr << " " << label.get<std::string>();
        }
        std::cerr << "\n";
    }
    return result;
}

}  // namespace genlab::experiments
