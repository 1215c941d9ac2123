// train() and load_run(): the generic half of every experiment (see runner.h).
#include "experiments/runner.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>

#include "core/error.h"
#include "core/io/input_file.h"
#include "core/io/json_text.h"
#include "core/io/safetensors.h"
#include "core/parallel.h"
#include "core/train/folder_lock.h"
#include "core/train/metrics_csv.h"
#include "core/train/run_dir.h"
#include "viz/plot.h"

namespace genlab::experiments {

namespace fs = std::filesystem;

const char* better_name(Better b) { return b == Better::Lower ? "lower" : "higher"; }

const ConfigSpec<RunOptions>& run_options_spec() {
    using R = RunOptions;
    static const ConfigSpec<R> spec =
        ConfigSpec<R>()
            .field("steps", &R::steps, "Optimisation steps in total (a resumed run continues to this)",
                   in_range(0, 100'000'000))
            .field("seed", &R::seed, "Seed of every random stream (init, data order, noise, pictures)")
            .field("threads", &R::threads, "Threads (0: the OpenMP default)", in_range(0, 1024))
            .field("out", &R::out, "Output folder (default: outputs/<experiment>/<YYYYmmdd-HHMMSS>)")
            .field("resume", &R::resume, "Continue from this checkpoint (same flags and seed, higher or equal --steps)")
            .field("save_every", &R::save_every, "Checkpoint every N steps (0: only at the end)",
                   in_range(0, 100'000'000))
            .field("log_every", &R::log_every, "metrics.csv row and progress line every N steps",
                   in_range(1, 100'000'000))
            .field("eval_every", &R::eval_every, "Quality metrics every N steps (0: only at the end)",
                   in_range(0, 100'000'000))
            .field("quiet", &R::quiet, "No progress output")
            .field("force", &R::force,
                   "Replace an earlier run of this model in --out (never another model's run or other files)");
    return spec;
}

const ConfigSpec<SampleOptions>& sample_options_spec() {
    using S = SampleOptions;
    static const ConfigSpec<S> spec =
        ConfigSpec<S>()
            .field("checkpoint", &S::checkpoint, "checkpoint.safetensors of a run (required)")
            .field("seed", &S::seed, "Seed of the samples")
            .field("threads", &S::threads, "Threads (0: the OpenMP default)", in_range(0, 1024))
            .field("out", &S::out, "Output folder (default: outputs/<experiment>-sample/<YYYYmmdd-HHMMSS>)");
    return spec;
}

std::optional<nlohmann::json> out_folder_config(const std::string& out) {
    std::error_code ec;
    if (!fs::exists(out, ec)) return std::nullopt;
    if (!fs::is_directory(out, ec)) usage_fail("--out ", out, ": exists and is not a folder");
    if (folder_is_empty(out)) return std::nullopt;
    const fs::path config = fs::path(out) / "config.json";
    if (!fs::exists(fs::symlink_status(config, ec))) return nlohmann::json();
    return nlohmann::json(read_json_file(config.string(), kMaxJsonFileBytes, "run description (config.json)",
                                         Links::Refuse));
}

void require_folder(const std::string& flag, const std::string& path, const std::string& what) {
    std::error_code ec;
    if (!fs::is_directory(path, ec))
        usage_fail(flag, " ", path, fs::exists(path, ec) ? ": not a folder (expected " : ": no such folder (expected ",
                   what, ")");
}

void require_file(const std::string& flag, const std::string& path, const std::string& what) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        // "No such file" only when there is none: a folder the user cannot enter, or a loop of
        // links, says so.
        const int err = errno;
        if (err == ENOENT) usage_fail(flag, " ", path, ": no such file (expected ", what, ")");
        usage_fail(flag, " ", path, ": cannot be accessed: ", std::strerror(err), " (expected ", what, ")");
    }
    if (!S_ISREG(st.st_mode)) usage_fail(flag, " ", path, ": not a regular file (expected ", what, ")");
}

LoadedRun load_run(const std::string& path, const std::string& kind, const std::string& flag) {
    const std::string program = "genlab-" + kind;
    if (path.empty())
        usage_fail(flag, ": no checkpoint given (pass the checkpoint.safetensors of a ", program, " run)");
    require_file(flag, path, "the checkpoint.safetensors of a " + program + " run");
    LoadedRun r;
    r.path = path;
    r.state = load_safetensors(path);
    if (const std::string* bad = r.state.first_non_finite())
        fail(path, ": tensor '", *bad,
             "' holds nan or inf values (the run diverged before this checkpoint was written); "
             "use a checkpoint of a run that trained without diverging");
    auto it = r.state.metadata.find("kind");
    if (it == r.state.metadata.end()) fail(path, ": not a genlab run checkpoint (no 'kind' in its metadata)");
    if (it->second != kind) {
        for (const ExperimentDef* d : experiments())
            if (d->name == it->second)
                fail(path, ": holds a '", it->second, "' run, not a '", kind, "' one (use ", d->program(), ")");
        fail(path, ": holds a '", it->second.substr(0, 40), "' checkpoint, not a ", program, " run");
    }
    const ExperimentDef& def = find_experiment(kind);
    StoredConfig stored_config = parse_stored_config(r.state.meta("config", path), def, path);
    r.config = std::move(stored_config.config);
    r.run = std::move(stored_config.run);
    r.box = std::move(stored_config.box);
    const std::string& step = r.state.meta("step", path);
    if (!parse_value(step, r.step) || r.step < 0)
        fail(path, ": metadata 'step' = '", step.substr(0, 20), "' is not a step count");

    // The stored config decides the model `sample` builds: it must describe exactly the weights
    // the file holds before anything of that size is allocated.
    const MemoryEstimate need = def.memory(*r.box);
    uint64_t stored = 0;
    for (const auto& [name, t] : r.state.tensors)
        if (name.rfind("model.", 0) == 0) stored += t.numel();
    if (need.parameters + need.buffers != stored)
        fail(path, ": its stored config describes a model of ", need.parameters, " parameters",
             need.buffers ? str(" and ", need.buffers, " buffer values") : std::string(), " but the file holds ",
             stored, " - the config and the weights do not belong together (an edited or corrupt checkpoint)");
    require_memory(need.inference_bytes(), str(path, ": the model (", need.parameters, " parameters)"), "", false);
    return r;
}

StoredConfig parse_stored_config(const std::string& text, const ExperimentDef& def, const std::string& what) {
    nlohmann::json full = parse_json(text);
    if (!full.is_object() || !full.contains("config") || !full.contains("run") || !full["config"].is_object() ||
        !full["run"].is_object())
        fail(what, ": metadata 'config' is not a genlab run config (written by another version?)");
    StoredConfig s{.config = std::move(full["config"]), .run = std::move(full["run"]), .box = def.new_config()};
    s.box->from_json(s.config, what);
    return s;
}

void load_model_state(const LoadedRun& run, Module& model) {
    try {
        model.load_state(run.state, "model.");
    } catch (const Error& e) {
        fail(run.path, ": ", e.what());
    }
}

SampleFolder::SampleFolder(const std::string& experiment, const LoadedRun& run, const SampleOptions& opt,
                           const nlohmann::ordered_json& flags) {
    if (opt.out.empty()) {
        dir_ = lock_new_out_dir(experiment + "-sample", lock_);
    } else {
        dir_ = opt.out;
        lock_.emplace(dir_, "--out");
        // Samples go into a new or empty folder, or over an earlier sample of the same model:
        // never into a training run's folder (its config.json and pictures are the run's record).
        if (const std::optional<nlohmann::json> held = out_folder_config(dir_)) {
            const bool earlier_sample = held->is_object() && held->value("command", "") == "sample" &&
                                        held->value("experiment", "") == experiment;
            if (!earlier_sample)
                usage_fail("--out ", dir_, ": a folder that is not empty and holds no earlier ", experiment,
                           " sample (a training run's folder, or other files); choose a new or empty folder");
        }
    }
    nlohmann::ordered_json cj;
    cj["experiment"] = experiment;
    cj["command"] = "sample";
    cj["checkpoint"] = run.path;
    cj["step"] = run.step;
    cj["seed"] = opt.seed;
    cj["sample"] = flags;
    write_config_json(dir_, json_text(cj));
}

void write_loss_plot(const std::string& dir, const std::string& title, const std::vector<PlotPanel>& panels) {
    const std::string csv = (fs::path(dir) / "metrics.csv").string();
    std::error_code ec;
    if (panels.empty() || !fs::exists(csv, ec)) return;
    const MetricsTable t = read_metrics_csv(csv);
    const std::vector<double> steps = t.steps();
    Figure fig{.title = title,
               .cols = std::min<int>(3, static_cast<int>(panels.size())),
               .panel_width = 420,
               .panel_height = 300,
               .shared_legend = false,
               .svg_id = "loss"};
    double last = 1;
    for (double s : steps) last = std::max(last, s);
    for (const PlotPanel& pp : panels) {
        // Every panel spans the whole run, so panels line up and a metric evaluated once still
        // shows where in training it was measured.
        Panel p{.title = pp.title,
                .x_label = "step",
                .x_min = 0,
                .x_max = last,
                .log_y = pp.log_y,
                .legend = pp.columns.size() > 1};
        for (size_t k = 0; k < pp.columns.size(); ++k) {
            if (!t.has(pp.columns[k])) continue;
            Series s{.label = pp.columns[k], .color = palette_color(k)};
            const std::vector<double> v = t.column(pp.columns[k]);
            for (size_t i = 0; i < v.size(); ++i)
                if (!std::isnan(v[i])) {  // eval columns are empty between evaluations: join their points
                    s.x.push_back(steps[i]);
                    s.y.push_back(v[i]);
                }
            // A metric evaluated only at the end is one point: a line through it draws nothing.
            if (s.x.size() < 2) {
                s.mark = Mark::Dots;
                s.width = 4.f;
            }
            p.series.push_back(std::move(s));
        }
        if (!p.series.empty()) fig.panels.push_back(std::move(p));
    }
    if (fig.panels.empty()) return;
    fig.cols = std::min<int>(3, static_cast<int>(fig.panels.size()));
    save_figure(fig, (fs::path(dir) / "loss.png").string(), (fs::path(dir) / "loss.svg").string());
}

namespace {

// --out may be new, empty, the folder of the run being resumed, or (with --force) an earlier run
// of this same experiment: never another kind's run folder, never a folder of the user's files.
// True when it holds an earlier run that --force replaces.
bool check_out_folder(const ExperimentDef& def, const RunOptions& run) {
    const std::optional<nlohmann::json> held = out_folder_config(run.out);
    if (!held) return false;
    std::string kind;
    if (held->is_object() && held->contains("experiment") && (*held)["experiment"].is_string() &&
        !held->contains("command"))
        kind = (*held)["experiment"].get<std::string>();
    if (kind.empty())
        usage_fail("--out ", run.out,
                   ": a folder that is not empty and holds no genlab training run; choose a new or "
                   "empty folder");
    if (kind != def.name)
        usage_fail("--out ", run.out, ": holds a genlab-", kind.substr(0, 40), " run; a ", def.program(),
                   " run never writes into another model's folder: choose another --out");
    std::error_code ec;
    if (!run.resume.empty() && fs::equivalent(fs::absolute(run.resume).parent_path(), run.out, ec))
        return false;  // continuing it
    if (!run.force)
        usage_fail("--out ", run.out, ": holds an earlier ", def.program(), " run; continue it with --resume ",
                   (fs::path(run.out) / "checkpoint.safetensors").string(),
                   ", replace it with --force, or choose another --out");
    return true;
}

// --force over an earlier run: its whole folder is renamed aside in one step (lock file and all,
// so no other process can enter it meanwhile), a fresh folder is locked in its place, and only
// then is the old one removed. A kill at any moment leaves either the old run whole or a folder
// holding nothing but the new run's files; never the new config.json beside the old checkpoint.
void replace_earlier_run(const std::string& out, std::optional<FolderLock>& lock) {
    fs::path p(out);
    if (!p.has_filename()) p = p.parent_path();
    // One fixed name per folder (the lock keeps a second replacement out): a leftover of a
    // replacement killed while removing is cleared by the next one.
    const fs::path aside = p.parent_path() / ("." + p.filename().string() + ".replaced");
    std::error_code ec;
    fs::remove_all(aside, ec);
    fs::rename(p, aside, ec);
    if (ec)
        fail("--out ", out, ": cannot move the earlier run aside to replace it (", ec.message(),
             "); it is left as it was");
    lock.reset();  // its file went with the old folder
    lock.emplace(out, "--out");
    fs::remove_all(aside, ec);
}

}  // namespace

TrainResult train(const ExperimentDef& def, const ConfigBox& cfg, RunOptions run, const TrainHooks& hooks,
                  const FolderLock* claimed) {
    run_options_spec().validate(run);
    const bool out_given = !run.out.empty();
    std::error_code ec;
    if (claimed && (run.force || !out_given || !fs::equivalent(fs::path(claimed->path()).parent_path(), run.out, ec)))
        fail("train: the lock held is ", claimed->path(), ", not the lock of --out ", run.out, " (or --force given)");
    // One writer per folder, from before the folder is judged until the run ends: a second run on
    // this --out is refused instead of interleaving metrics.csv rows with this one.
    std::optional<FolderLock> lock;
    if (out_given && !claimed) lock.emplace(run.out, "--out");
    if (!out_given && !claimed) run.out = lock_new_out_dir(def.name, lock);
    const bool replacing = out_given && check_out_folder(def, run);  // before the data loads: a wrong --out fails fast
    set_num_threads(run.threads);
    std::optional<LoadedRun> resumed;  // a missing or wrong-kind file fails before the data loads
    if (!run.resume.empty()) resumed = load_run(run.resume, def.name, "--resume");
    const MemoryEstimate need = def.memory(cfg);  // before anything of that size exists
    require_memory(need.training_bytes(),
                   str("training this ", def.name, " model (", need.parameters, " parameters) at its --batch"),
                   "choose smaller layers or a smaller --batch", true);
    std::unique_ptr<Experiment> exp;
    {
        const MemoryReservation model(need.training_bytes());  // the data must fit beside the model
        exp = def.create(cfg, run);                            // loads the data: errors before any output exists
    }
    const nlohmann::ordered_json config = exp->config();
    if (resumed) {
        // The checkpoint must come from this very experiment: another config would load weights
        // of the wrong shape, or silently continue a different run.
        const LoadedRun& prev = *resumed;
        std::string differences;
        for (const std::string& d : config_differences(prev.config, nlohmann::json(config)))
            differences += (differences.empty() ? "" : ", ") + d;
        if (!differences.empty())
            usage_fail("--resume ", run.resume,
                       ": the run was trained with other flags (the checkpoint's vs these: ", differences,
                       "); resume with the flags of the run that wrote it");
        if (prev.run.value("seed", uint64_t{0}) != run.seed)
            usage_fail("--resume ", run.resume, ": the run was trained with --seed ",
                       prev.run.value("seed", uint64_t{0}), ", not ", run.seed);
        if (prev.step > run.steps)
            usage_fail("--resume ", run.resume, ": the checkpoint is at step ", prev.step, " but --steps is ",
                       run.steps, " (raise --steps to train further)");
    }

    const std::string out = run.out;
    if (replacing) replace_earlier_run(out, lock);  // everything is validated and loaded: nothing fails before this
    nlohmann::ordered_json full;
    full["experiment"] = def.name;
    full["run"] = run_options_spec().to_json(run);
    full["config"] = config;
    // Resuming in place, the folder's config.json describes its checkpoint until the Trainer
    // saves a new one (and config.json with it): a failure before that leaves the two agreeing.
    if (!resumed || !fs::exists(fs::path(out) / "config.json")) write_config_json(out, json_text(full));

    nlohmann::ordered_json summary;
    summary["experiment"] = def.name;
    const std::vector<QualityMetric> quality = def.quality(cfg);
    for (const QualityMetric& q : quality)
        summary["quality"].push_back({{"metric", q.name}, {"better", better_name(q.better)}});
    Trainer trainer({.steps = run.steps,
                     .log_every = run.log_every,
                     .eval_every = run.eval_every,
                     .save_every = run.save_every,
                     .out_dir = out,
                     .resume = run.resume,
                     .config_json = json_text(full),
                     .kind = def.name,
                     .summary_json = json_text(summary),
                     .quiet = run.quiet,
                     .on_failure = [&](int step) { exp->roll_back(out, step); }});
    exp->track(trainer);
    exp->start(out);
    const Metrics m = trainer.run(
        [&](int s) {
            Metrics sm = exp->step(s);
            if (hooks.after_step) hooks.after_step(s + 1, *exp);
            return sm;
        },
        [&](int n) {
            Metrics ev = exp->eval(n);
            if (hooks.after_eval) hooks.after_eval(n, *exp);
            return ev;
        });
    exp->write_outputs(out);
    write_loss_plot(out, def.program() + " training", exp->plots());
    return {out, m, exp->highlights()};
}

}  // namespace genlab::experiments
