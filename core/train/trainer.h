// The one training loop shared by every demo: step counting, eval interval, a progress line
// with ETA, the NaN/Inf guard, metrics.csv/metrics.json, checkpoint interval and resume.
// A model supplies a StepFn (one optimisation step, returning named scalars) and an optional
// EvalFn. Everything that must survive a resume is registered as a Stateful.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/io/state_dict.h"
#include "core/rng.h"
#include "core/train/metrics_csv.h"

namespace genlab {

// Named scalars from a step or an eval, in a stable order (the CSV column order).

// "0:42", "12:05", "1:02:03": a duration in progress lines; "?" when unknown (negative, NaN).
std::string duration_text(double seconds);

// Thrown by Trainer::run when a metric turns NaN or Inf: the message names the step and the
// metric; a sweep records the run as diverged at that step instead of stopping.
class Diverged : public Error {
public:
    Diverged(const std::string& message, int step, std::string metric)
        : Error(message), step(step), metric(std::move(metric)) {}
    int step;            // the step whose metrics were not finite (1-based, as in metrics.csv)
    std::string metric;  // the first such metric
};

struct TrainerOptions {
    int steps = 1000;       // total optimisation steps (a resumed run continues to this)
    int log_every = 100;    // metrics.csv row + log line every N steps (and at the last step)
    int eval_every = 0;     // EvalFn every N steps and at the end; 0 = only at the end
    int save_every = 0;     // checkpoint every N steps; 0 = only at the end
    std::string out_dir{};  // metrics.csv, metrics.json, checkpoint.safetensors go here ("" = no files)
    std::string resume{};   // checkpoint to resume from ("" = fresh start)
    std::string checkpoint_name = "checkpoint.safetensors";
    std::string config_json = "{}";   // the full run config, stored in the checkpoint metadata
    std::string kind{};               // run kind stored in metadata ("gan", "ae", "text", ...)
    std::string summary_json = "{}";  // a JSON object whose keys open metrics.json (what the figures mean)
    bool quiet = false;               // no progress output at all (tests)
    // A run folder's files agree with its checkpoint after any failure. config.json is rewritten
    // from config_json at the run's first checkpoint save (so a resumed run's new flags appear
    // with its first new checkpoint). When a step, an evaluation or a save fails with an error other than
    // Diverged, metrics.csv is cut back to the checkpoint's step (the last save, or the resumed
    // one) and on_failure(that step) lets the caller cut its own files. A diverged run keeps
    // its rows up to the diverged step: they are the record of how it ended.
    std::function<void(int step)> on_failure{};
};

class Trainer {
public:
    // StepFn gets the 0-based index of the step to run (for LR schedules); EvalFn gets the number
    // of steps done, which is also the CSV "step", the progress line's and the checkpoint's step.
    using StepFn = std::function<Metrics(int step)>;
    using EvalFn = std::function<Metrics(int step)>;

    explicit Trainer(TrainerOptions opt);
    // State saved in checkpoints under "<prefix>": modules, optimizers, data samplers...
    void track(const std::string& prefix, Stateful& s);
    void track_rng(const std::string& name, Rng& rng);  // stored in metadata "rng.<name>"
    // Extra metadata (vocabulary, dataset name); written in every checkpoint.
    void set_metadata(const std::string& key, const std::string& value);

    // Runs from step start_step() to opt.steps (loading opt.resume first when set), returns the
    // last step's and eval's metrics merged. Throws Error when a metric turns NaN/Inf (naming it
    // and the step) without overwriting the last checkpoint. After a stop request
    // (stop_request.h), saves a checkpoint at the step just done and throws Interrupted.
    Metrics run(const StepFn& step, const EvalFn& eval = {});

    int start_step() const { return start_step_; }
    void save_checkpoint(const std::string& path, int step) const;
    // Loads everything tracked; returns the step stored in the checkpoint.
    int load_checkpoint(const std::string& path);

private:
    TrainerOptions opt_;
    std::vector<std::pair<std::string, Stateful*>> tracked_;
    std::vector<std::pair<std::string, Rng*>> rngs_;
    std::map<std::string, std::string> metadata_;
    int start_step_ = 0;
};

}  // namespace genlab
