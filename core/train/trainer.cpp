// The shared training loop. Step numbering: StepFn(s) runs the step with 0-based index s (what an
// LR schedule wants); once it returns, n = s + 1 steps are done, and n is what the CSV "step"
// column, the progress line, EvalFn and the checkpoint's "step" hold (a checkpoint at n resumes
// by running index n next).
#include "core/train/trainer.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/json_text.h"
#include "core/io/safetensors.h"
#include "core/number_text.h"
#include "core/train/metrics_csv.h"
#include "core/train/run_dir.h"
#include "core/train/stop_request.h"

namespace genlab {

namespace {

using Clock = std::chrono::steady_clock;

// --- progress output

std::string metric_text(double v) {
    const double a = std::fabs(v);
    return a != 0.0 && (a < 1e-3 || a >= 1e6) ? significant_text(v, 4) : fixed_text(v, 4);
}

// On a terminal: one line rewritten in place (`\r`), at most ~10 times a second so printing
// never costs a fast loop anything. Otherwise (a log file, CI): one plain line per logged step.
class Progress {
public:
    Progress(bool quiet, int start, int total)
        : tty_(!quiet && ::isatty(::fileno(stderr))), quiet_(quiet), start_(start), total_(total), t0_(Clock::now()) {}

    ~Progress() { finish(); }  // also when a StepFn throws: the caller's error gets its own line
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    double elapsed() const { return std::chrono::duration<double>(Clock::now() - t0_).count(); }
    double rate(int n) const {
        double e = elapsed();
        return e > 0 ? (n - start_) / e : 0.0;
    }

    void update(int n, const Metrics& m, const Metrics& ev, bool logged) {
        if (quiet_) return;
        if (!ev.empty()) last_eval_ = ev;
        Clock::time_point now = Clock::now();
        if (tty_) {
            if (!logged && n != total_ && now - last_print_ < std::chrono::milliseconds(100)) return;
            last_print_ = now;
            std::string text = line(n, m);
            // A line wider than the terminal would wrap, and `\r` would then only rewrite its tail.
            winsize ws{};
            if (::ioctl(::fileno(stderr), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && text.size() >= ws.ws_col)
                text.resize(static_cast<size_t>(ws.ws_col) - 1);
            std::fprintf(stderr, "\r%s\033[K", text.c_str());  // \033[K: clear a longer previous line
            std::fflush(stderr);
            open_line_ = true;
        } else if (logged) {
            std::fprintf(stderr, "%s\n", line(n, m).c_str());
        }
    }

    // Ends the in-place line so what follows (a summary, an error) starts on its own line.
    void finish() {
        if (open_line_) std::fputc('\n', stderr);
        open_line_ = false;
    }

private:
    std::string line(int n, const Metrics& m) const {
        std::string s = str("step ", n, "/", total_, " |");
        for (const auto& [name, v] : m) s += " " + name + " " + metric_text(v);
        if (!last_eval_.empty()) {
            s += " |";
            for (const auto& [name, v] : last_eval_) s += " " + name + " " + metric_text(v);
        }
        const double r = rate(n);
        s += " | " + fixed_text(r, 1) + " steps/s";
        if (n < total_)
            s += " | ETA " + duration_text(r > 0 ? (total_ - n) / r : -1.0);
        else
            s += " | took " + duration_text(elapsed());
        return s;
    }

    bool tty_, quiet_;
    int start_, total_;
    Clock::time_point t0_, last_print_{};
    Metrics last_eval_;
    bool open_line_ = false;
};

// --- checks

// Metric names must be unique across the step's and the eval's metrics: a clash is a programmer
// error that would scramble the CSV columns.
void check_metrics(int n, const Metrics& m, const Metrics& other) {
    for (size_t i = 0; i < m.size(); ++i) {
        const auto& [name, v] = m[i];
        if (name.empty() || name == "step") fail("step ", n, ": metric name '", name, "' is reserved or empty");
        for (size_t j = 0; j < i; ++j)
            if (m[j].first == name) fail("step ", n, ": metric '", name, "' is reported twice");
        for (const auto& [oname, ov] : other)
            if (oname == name) fail("step ", n, ": metric '", name, "' is reported by both the step and the eval");
    }
}

const std::pair<std::string, double>* first_non_finite(const Metrics& m) {
    for (const auto& kv : m)
        if (!std::isfinite(kv.second)) return &kv;
    return nullptr;
}

[[noreturn]] void diverged(int n, const std::pair<std::string, double>& bad) {
    const char* what = std::isnan(bad.second) ? "nan" : (bad.second > 0 ? "inf" : "-inf");
    throw Diverged(str("step ", n, ": ", bad.first, " is ", what,
                       " \xe2\x80\x94 training diverged (try a lower --lr)"),  // U+2014 em dash
                   n, bad.first);
}

bool is_reserved_metadata(const std::string& key) {
    return key == "step" || key == "kind" || key == "config" || key.rfind("rng.", 0) == 0;
}

}  // namespace

std::string duration_text(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    long s = std::lround(seconds);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

Trainer::Trainer(TrainerOptions opt) : opt_(std::move(opt)) {}

void Trainer::track(const std::string& prefix, Stateful& s) {
    for (const auto& [p, existing] : tracked_)
        if (p == prefix) fail("Trainer::track: prefix '", prefix, "' is already tracked (its keys would collide)");
    tracked_.emplace_back(prefix, &s);
}

void Trainer::track_rng(const std::string& name, Rng& rng) {
    if (name.empty()) fail("Trainer::track_rng: empty name");
    for (const auto& [n, existing] : rngs_)
        if (n == name) fail("Trainer::track_rng: rng '", name, "' is already tracked");
    rngs_.emplace_back(name, &rng);
}

void Trainer::set_metadata(const std::string& key, const std::string& value) {
    if (key.empty() || is_reserved_metadata(key))
        fail("Trainer::set_metadata: key '", key, "' is reserved (step, kind, config, rng.*) or empty");
    metadata_[key] = value;
}

void Trainer::save_checkpoint(const std::string& path, int step) const {
    StateDict sd;
    for (const auto& [prefix, s] : tracked_) s->save_state(sd, prefix);
    // Stateful objects may write metadata too (an optimizer's step count); a clash is a bug, not
    // something to resolve silently.
    auto put = [&](const std::string& key, const std::string& value) {
        if (!sd.metadata.emplace(key, value).second)
            fail(path, ": metadata key '", key, "' is written twice (a tracked state uses a reserved key or prefix)");
    };
    put("kind", opt_.kind);
    put("step", std::to_string(step));
    put("config", opt_.config_json);
    for (const auto& [name, rng] : rngs_) put("rng." + name, rng->state());
    for (const auto& [key, value] : metadata_) put(key, value);
    // A finite loss does not make finite weights (an update can overflow them first): a
    // checkpoint that would hold NaN/Inf is not written, and the last good one stays.
    if (const std::string* bad = sd.first_non_finite())
        throw Diverged(str("step ", step, ": ", *bad,
                           " holds nan or inf values \xe2\x80\x94 training diverged (try a "
                           "lower --lr); ",
                           path, " keeps the last finite state"),
                       step, *bad);
    save_safetensors(path, sd);
}

int Trainer::load_checkpoint(const std::string& path) {
    StateDict sd = load_safetensors(path);
    const std::string& kind = sd.meta("kind", path);
    if (kind != opt_.kind)
        fail(path, ": checkpoint holds a '", kind, "' run, this is a '", opt_.kind,
             "' run (resume it with the program that wrote it)");
    const std::string& step_text = sd.meta("step", path);
    int step = -1;
    if (!parse_number(step_text, step) || step < 0)
        fail(path, ": metadata 'step' = '", step_text.substr(0, 40), "' is not a step count (corrupted file?)");

    // RNG states are parsed into copies first: a malformed one must not leave others half-restored.
    std::vector<Rng> restored;
    for (const auto& [name, rng] : rngs_) {
        Rng copy;
        try {
            copy.set_state(sd.meta("rng." + name, path));
        } catch (const Error& e) {
            fail(path, ": rng.", name, ": ", e.what());
        }
        restored.push_back(copy);
    }
    // Every tensor must be one this run has: extra state (another optimizer's moments, a layer
    // this model lacks) means the file is another run's, and is refused rather than ignored.
    StateDict own;
    for (const auto& [prefix, s] : tracked_) s->save_state(own, prefix);
    for (const auto& [name, t] : sd.tensors)
        if (!own.find(name))
            fail(path, ": holds tensor '", name, "', which this run does not have (another run's checkpoint?)");
    for (const auto& [prefix, s] : tracked_) {
        try {
            s->load_state(sd, prefix);
        } catch (const Error& e) {
            fail(path, ": ", e.what());
        }
    }
    for (size_t i = 0; i < rngs_.size(); ++i) *rngs_[i].second = restored[i];
    start_step_ = step;
    return step;
}

Metrics Trainer::run(const StepFn& step_fn, const EvalFn& eval_fn) {
    if (opt_.steps < 0) usage_fail("--steps ", opt_.steps, ": must be >= 0");
    if (opt_.log_every < 1) usage_fail("--log-every ", opt_.log_every, ": must be >= 1");
    if (opt_.eval_every < 0) usage_fail("--eval-every ", opt_.eval_every, ": must be >= 0 (0 = only at the end)");
    if (opt_.save_every < 0) usage_fail("--save-every ", opt_.save_every, ": must be >= 0 (0 = only at the end)");
    if (opt_.checkpoint_name.empty()) usage_fail("Trainer: empty checkpoint_name");

    const bool resumed = !opt_.resume.empty();
    if (resumed) load_checkpoint(opt_.resume);
    if (start_step_ > opt_.steps)
        usage_fail("--resume ", opt_.resume, ": the checkpoint is at step ", start_step_, " but --steps is ",
                   opt_.steps, " (raise --steps to train further)");

    const bool files = !opt_.out_dir.empty();
    if (files) make_out_dir(opt_.out_dir);
    const std::filesystem::path out(opt_.out_dir);
    const std::string ckpt_path = files ? (out / opt_.checkpoint_name).string() : "";
    MetricsCsvWriter csv(files ? (out / "metrics.csv").string() : "");
    if (resumed) csv.resume(start_step_);

    Progress progress(opt_.quiet, start_step_, opt_.steps);
    Metrics last, last_eval;
    const Metrics none;
    int saved = resumed ? start_step_ : -1;  // the step of the checkpoint in the folder; -1: none yet
    auto save = [&](int n) {
        save_checkpoint(ckpt_path, n);
        const bool first_save = saved <= start_step_;
        saved = n;
        if (first_save) write_config_json(opt_.out_dir, opt_.config_json);  // this run's flags
    };
    try {
        for (int s = start_step_; s < opt_.steps; ++s) {
            const int n = s + 1;
            Metrics m = step_fn(s);
            check_metrics(n, m, none);
            if (const auto* bad = first_non_finite(m)) {
                csv.write(n, m, none);  // the diverged row is the last thing logged
                progress.finish();
                diverged(n, *bad);
            }
            // The checkpoint comes before the evaluation, which never changes training state: an
            // evaluation that fails (a broken metric, a non-finite figure) then cannot cost the
            // run its trained state, and a rerun resumes at this step instead of starting over.
            if (files && ((opt_.save_every > 0 && n % opt_.save_every == 0) || n == opt_.steps)) save(n);
            const bool evaluated = eval_fn && ((opt_.eval_every > 0 && n % opt_.eval_every == 0) || n == opt_.steps);
            Metrics ev;
            if (evaluated) {
                ev = eval_fn(n);
                check_metrics(n, ev, m);
                if (const auto* bad = first_non_finite(ev)) {
                    csv.write(n, m, ev);
                    progress.finish();
                    diverged(n, *bad);
                }
            }
            const bool logged = n % opt_.log_every == 0 || n == opt_.steps || evaluated;
            if (logged) csv.write(n, m, ev);
            progress.update(n, m, ev, logged);
            last = std::move(m);
            if (evaluated) last_eval = std::move(ev);
            if (stop_requested() && n < opt_.steps) {
                // Stopped between steps: the checkpoint at this step, then out. A rerun resumes here
                // and, every random stream being in the checkpoint, trains as if never stopped.
                if (files && saved != n) save(n);
                progress.finish();
                throw Interrupted("interrupted at step " + std::to_string(n) + " of " + std::to_string(opt_.steps) +
                                      (files ? "; its checkpoint is saved: the same command resumes it" : ""),
                                  n);
            }
        }
    } catch (const Diverged&) {
        throw;
    } catch (const Interrupted&) {
        throw;
    } catch (...) {
        if (files && saved >= 0) {
            progress.finish();
            try {  // best effort: the original error is the one to report
                csv.roll_back(saved);
                if (opt_.on_failure) opt_.on_failure(saved);
            } catch (const std::exception&) {
            }
        }
        throw;
    }
    // Nothing left to train (resumed at the final step): still report the final evaluation.
    if (start_step_ == opt_.steps && eval_fn) {
        last_eval = eval_fn(opt_.steps);
        check_metrics(opt_.steps, last_eval, none);
        if (const auto* bad = first_non_finite(last_eval)) diverged(opt_.steps, *bad);
    }
    progress.finish();

    Metrics merged = last;
    merged.insert(merged.end(), last_eval.begin(), last_eval.end());
    if (files) {
        const double elapsed = progress.elapsed();
        nlohmann::ordered_json j = parse_ordered_json(opt_.summary_json);
        if (!j.is_object()) fail("Trainer: summary_json is not a JSON object: ", opt_.summary_json.substr(0, 80));
        j["steps"] = opt_.steps;
        j["start_step"] = start_step_;
        j["elapsed_s"] = elapsed;
        j["steps_per_s"] = progress.rate(opt_.steps);
        for (const auto& [name, v] : merged) j[name] = v;
        write_file_atomic((out / "metrics.json").string(), json_text(j, 2) + "\n");
    }
    return merged;
}

}  // namespace genlab
