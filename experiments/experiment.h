// The experiment layer: the unit a user runs and a sweep repeats. Every model family (GAN,
// autoencoder, character LM) implements Experiment once, and registers an ExperimentDef: its
// config (declared once with ConfigSpec: flags, JSON, validation), how to build it, and how to
// sample from a finished run. Everything generic (the run flags, the output folder, the
// Trainer, checkpoints, the loss plot, resume, `load_run`) lives in runner.h and cli.h.
//
//     const ExperimentDef& def = find_experiment("ae");
//     std::unique_ptr<ConfigBox> cfg = def.new_config();            // the defaults
//     cfg->set("act", "relu");                                      // as --act relu
//     RunOptions run{.steps = 500, .seed = 2, .out = "outputs/ae/relu-2"};
//     TrainResult r = train(def, *cfg, run);                        // metrics, pictures, checkpoint
//     QualityMetric q = def.quality(*cfg).front();                  // e.g. test_loss, lower is better
#pragma once
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/activations.h"
#include "core/memory.h"
#include "core/nn/module.h"
#include "core/tensor.h"
#include "core/train/folder_lock.h"
#include "core/train/trainer.h"
#include "experiments/sweep_facts.h"

namespace CLI {
class App;
}

namespace genlab::experiments {

enum class Better { Lower, Higher };
const char* better_name(Better b);  // "lower" / "higher"

// A metric that says how good a run is, and which way is better: a sweep ranks runs by the
// first one without knowing the model.
struct QualityMetric {
    std::string name;  // a key of eval()'s metrics
    Better better = Better::Lower;
};

// One panel of a run's loss.png: the metrics.csv columns drawn in it.
struct PlotPanel {
    std::string title;
    std::vector<std::string> columns;
    bool log_y = false;
};

// The diagnostics hook's fixed evaluation batch holds at least this many examples.
constexpr int kProbeExamples = 256;

// What the diagnostics hook reports for one hidden layer, on the experiment's fixed evaluation
// batch (at least 256 examples, the same for every run of a model and data set).
struct LayerProbe {
    std::string name;             // "l0", "l1", ... (GAN: "g_l0", "d_l1", ...)
    Activation act;               // the activation after the layer: post = act(pre)
    Tensor pre;                   // (N, units) pre-activation values, one row per example (or token)
    Tensor grad;                  // (N, units) d loss / d pre
    double weight_grad_norm = 0;  // || d loss / d W || of the layer's weight matrix
    float act_param = std::numeric_limits<float>::quiet_NaN();  // learned PReLU alpha / swish beta, else NaN
};

class Experiment {
public:
    virtual ~Experiment() = default;
    virtual Metrics step(int index) = 0;  // one optimisation step (0-based index) -> training metrics
    virtual Metrics eval(int step) = 0;   // quality metrics after `step` steps; never changes training
    // Everything a checkpoint must hold, under fixed prefixes: "model." and "optim." (the GAN's
    // modules and optimizers sit under model.g./model.d. and optim.g./optim.d.), data samplers and
    // RNG streams.
    virtual void track(Trainer& trainer) = 0;
    // Called once the output folder exists, before the first step (for outputs written during
    // training, such as text samples at evaluations).
    virtual void start(const std::string& dir) { (void)dir; }
    // Pictures and samples of the trained model, into `dir` (the runner adds loss.png).
    virtual void write_outputs(const std::string& dir) = 0;
    virtual std::vector<PlotPanel> plots() const = 0;
    // The diagnostics hook: forward and backward of the training loss on the fixed evaluation
    // batch, reporting every hidden layer. Leaves the model, optimizers and RNG streams as they were.
    virtual std::vector<LayerProbe> probe() = 0;
    // The config as built: the user's, with the fields derived from the data filled in (an
    // image's size, a vocabulary's). config.json and the checkpoint store this.
    virtual nlohmann::ordered_json config() const = 0;
    // After a failed run, whose checkpoint in `dir` is at `step`: cut the files this experiment
    // wrote during training (text samples) back to that step, so the folder agrees with its
    // checkpoint. The Trainer does metrics.csv and config.json.
    virtual void roll_back(const std::string& dir, int step) { (void)dir, (void)step; }
    // Lines to show at the end of a run (text samples); empty by default.
    virtual std::string highlights() const { return {}; }
};

// Which flags the user gave, by config key: data-dependent defaults apply only to the others.
using Given = std::function<bool(const std::string& key)>;

// One experiment's config behind a common face (the registry and the CLI hold it type-erased).
class ConfigBox {
public:
    virtual ~ConfigBox() = default;
    virtual void add_flags(CLI::App& app) = 0;
    // Fills the defaults that depend on other fields (the data set, the architecture) for the
    // keys not given, then validates: UsageError naming the flag.
    virtual void resolve(const Given& given) = 0;
    virtual nlohmann::ordered_json to_json() const = 0;
    virtual void from_json(const nlohmann::json& j, const std::string& what) = 0;  // Error naming what
    // Sets one field from text, as its flag would (sweeps: "act" = "relu"); UsageError on bad text.
    virtual void set(const std::string& key, const std::string& value) = 0;
};

template <class C>
class TypedConfigBox : public ConfigBox {
public:
    TypedConfigBox(const ConfigSpec<C>& spec, std::function<void(C&, const Given&)> resolve_fn)
        : spec_(spec), resolve_(std::move(resolve_fn)) {}
    void add_flags(CLI::App& app) override { spec_.add_flags(app, value); }
    void resolve(const Given& given) override {
        if (resolve_) resolve_(value, given);
        spec_.validate(value, /*derived=*/false);
    }
    nlohmann::ordered_json to_json() const override { return spec_.to_json(value); }
    void from_json(const nlohmann::json& j, const std::string& what) override { value = spec_.from_json(j, what); }
    void set(const std::string& key, const std::string& text) override { spec_.set(value, key, text); }

    C value{};

private:
    const ConfigSpec<C>& spec_;
    std::function<void(C&, const Given&)> resolve_;
};

// The typed config inside a box; Error if the box holds another experiment's config.
template <class C>
const C& config_of(const ConfigBox& box) {
    const auto* typed = dynamic_cast<const TypedConfigBox<C>*>(&box);
    if (!typed) fail("experiment: the config belongs to another experiment");
    return typed->value;
}

// The shared run flags of every training executable (--steps --seed --threads --out --resume
// --save-every --log-every --eval-every --quiet), declared once.
struct RunOptions {
    int steps = 1000;      // optimisation steps in total (a resumed run continues to this)
    uint64_t seed = 1;     // every random stream derives from (seed, stream name)
    int threads = 0;       // OpenMP threads; 0: the OpenMP default
    std::string out{};     // output folder; "": outputs/<experiment>/<YYYYmmdd-HHMMSS>
    std::string resume{};  // checkpoint to continue from (same config and seed)
    int save_every = 0;    // checkpoint every N steps; 0: only at the end
    int log_every = 100;   // metrics.csv row and progress line every N steps
    int eval_every = 0;    // quality metrics every N steps; 0: only at the end
    bool quiet = false;    // no progress output
    bool force = false;    // replace an earlier run of this experiment in --out
};
const ConfigSpec<RunOptions>& run_options_spec();

// The shared flags of `sample`: which run, where pictures go, the seed of the draws.
struct SampleOptions {
    std::string checkpoint;  // checkpoint.safetensors of a finished or interrupted run
    uint64_t seed = 1;       // seed of the sampling streams
    int threads = 0;
    std::string out;  // folder for pictures/samples; "": outputs/<experiment>-sample/<stamp>
};
const ConfigSpec<SampleOptions>& sample_options_spec();

// A path given by a flag must exist as a folder / regular file: UsageError naming the flag
// otherwise (a folder that is not there is a wrong flag value, not a bad file).
void require_folder(const std::string& flag, const std::string& path, const std::string& what);
void require_file(const std::string& flag, const std::string& path, const std::string& what);

// A run read back from its checkpoint: the state, the config it was trained with, its step.
struct LoadedRun {
    std::string path;
    StateDict state;
    nlohmann::json config;                 // the experiment's config object, as ConfigBox::to_json wrote it
    std::shared_ptr<const ConfigBox> box;  // that config, parsed and validated by the experiment's spec
    nlohmann::json run;                    // its RunOptions
    int step = 0;
};

// Shared by every `sample`: the model's parameters from the run's "model." state (Error naming
// the checkpoint when they do not fit).
void load_model_state(const LoadedRun& run, Module& model);

// The output folder of a `sample`: --out, or a new outputs/<experiment>-sample/<stamp>, locked
// from before it is judged until the samples are written (one writer per folder, folder_lock.h),
// and given a config.json naming the checkpoint, its step, the seed and the sample flags. A
// folder that is not empty and holds no earlier sample of this experiment is refused (exit 2).
//
//     const SampleFolder out("gan", run, opt, gan_sample_spec().to_json(s));
//     write_pngs(out.dir(), ...);   // the lock is released when `out` goes
class SampleFolder {
public:
    SampleFolder(const std::string& experiment, const LoadedRun& run, const SampleOptions& opt,
                 const nlohmann::ordered_json& flags);
    const std::string& dir() const { return dir_; }

private:
    std::optional<FolderLock> lock_;
    std::string dir_;
};

// A file a run writes and what it shows: the caption a page puts under it.
struct OutputDoc {
    std::string file;  // "samples.png", in the run's folder
    std::string caption;
};

struct ExperimentDef {
    std::string name;                                    // "gan": genlab-gan, outputs/gan/..., checkpoint kind "gan"
    std::string about;                                   // one line for --help
    std::function<int(const ConfigBox&)> default_steps;  // --steps when not given (may depend on the config)
    int default_eval_every = 0;
    std::function<std::unique_ptr<ConfigBox>()> new_config;
    // The quality metrics of a run with this config; the first ranks runs.
    std::function<std::vector<QualityMetric>(const ConfigBox&)> quality;
    // Builds the experiment: loads its data, builds the model(s) and optimizer(s) from the
    // config and the run's seed streams. Errors here come before any output folder exists.
    std::function<std::unique_ptr<Experiment>(const ConfigBox&, const RunOptions&)> create;
    // The model's parameters and the floats a one-tape training step holds (both exact),
    // measured from the config alone on a shapes-only build (core/memory.h): train checks the
    // memory before create(), load_run checks a stored config against its weights.
    std::function<MemoryEstimate(const ConfigBox&)> memory;
    // `sample`: its own flags (beside SampleOptions) and the command itself.
    std::function<std::unique_ptr<ConfigBox>()> new_sample_config;
    std::function<void(const LoadedRun&, const SampleOptions&, const ConfigBox&)> sample;
    // The pictures and samples a run may write, in the order a page shows them. The first one a
    // run has is its sample in a sweep's report (one per activation).
    std::vector<OutputDoc> outputs;
    // What sweeps need to know about the model: its networks, presets, words and traits.
    SweepFacts sweep;

    std::string program() const { return "genlab-" + name; }
};

// Every experiment, in a fixed order (gan, ae, text, then any added), and one by name
// (UsageError listing them).
const std::vector<const ExperimentDef*>& experiments();
const ExperimentDef& find_experiment(const std::string& name);
// "gan, ae or text": the registered names, for help texts and messages.
std::string experiment_names(const char* last_joiner = " or ");

// Adds an experiment to the registry while it lives, after the built-in ones: a model the library
// does not ship (tests). Not thread-safe: create and destroy it while nothing reads the registry.
class AddedExperiment {
public:
    explicit AddedExperiment(const ExperimentDef& def);
    ~AddedExperiment();
    AddedExperiment(const AddedExperiment&) = delete;
    AddedExperiment& operator=(const AddedExperiment&) = delete;

private:
    const ExperimentDef* def_;
};

// The definitions themselves (experiments/<name>_experiment.cpp).
const ExperimentDef& gan_experiment();
const ExperimentDef& ae_experiment();
const ExperimentDef& text_experiment();

}  // namespace genlab::experiments
