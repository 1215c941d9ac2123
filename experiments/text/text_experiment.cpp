// The character-level text experiment: makemore's MLP or nanoGPT's transformer on a corpus (the
// word list by default), AdamW with a cosine schedule. Quality: val_loss in nats per character
// on the validation split (lower is better), and val_bpc in bits. Outputs: samples.txt (and the
// samples on the terminal); `sample` generates from a checkpoint without the corpus.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string_view>

#include "core/io/atomic_file.h"
#include "core/io/input_file.h"
#include "core/number_text.h"
#include "core/optim/optimizer.h"
#include "core/train/data_parallel.h"
#include "data/corpus.h"
#include "data/text_sampler.h"
#include "experiments/experiment.h"
#include "experiments/probe.h"
#include "experiments/sweep_facts_of.h"
#include "models/text_model.h"

namespace genlab::experiments {

namespace {

struct TextConfig {
    std::string corpus = "words";  // a text file, or a corpus name (data::named_corpora)
    std::string mode = "lines";    // lines (one sample per line) or stream (continuous text)
    bool bytes = false;            // symbols are raw bytes instead of UTF-8 characters
    int batch = 32;                // B (12 for stream)
    float lr = 1e-3f;              // peak learning rate
    float min_lr = 1e-4f;          // cosine floor (lr / 10 unless given)
    int warmup = 100;              // linear warmup steps
    float weight_decay = 0.01f;    // AdamW decay of 2-D weights (0.1 for the stream transformer)
    float beta2 = 0.99f;           // AdamW beta2
    float clip = 1.f;              // gradient-norm clip; 0: off
    int eval_batches = 20;         // random batches averaged per evaluation
    int sample_every = 0;          // also append samples to samples.txt at evals every N steps
    int num_samples = 20;          // samples in samples.txt (1 for stream)
    int sample_chars = 500;        // stream: characters per sample
    float temperature = 1.f;       // sampling of samples.txt
    int top_k = 0;
    float top_p = 1.f;
    models::CharModelConfig model;
};

void check_sampling(float temperature, int top_k, float top_p) {
    models::validate_sampling({.temperature = temperature, .top_k = top_k, .top_p = top_p});
}

const ConfigSpec<TextConfig>& text_spec() {
    using C = TextConfig;
    static const ConfigSpec<C> spec =
        ConfigSpec<C>()
            .field("corpus", &C::corpus, "Text file, or a shipped corpus: " + data::corpus_names())
            .field("mode", &C::mode, "lines (one sample per line) or stream (continuous text)",
                   one_of({"lines", "stream"}))
            .field("bytes", &C::bytes, "Symbols are raw bytes instead of UTF-8 characters")
            .field("batch", &C::batch, "Batch size (12 for --mode stream)", in_range(1, 65536))
            .field("lr", &C::lr, "Peak learning rate", learning_rate())
            .field("min_lr", &C::min_lr, "Cosine floor (default lr/10)", in_range(0.f, 1e6f))
            .field("warmup", &C::warmup, "Linear warmup steps", in_range(0, 100'000'000))
            .field("weight_decay", &C::weight_decay, "AdamW decay of 2-D weights (0.1 for the stream transformer)",
                   in_range(0.f, 1e6f))
            .field("beta2", &C::beta2, "AdamW beta2", in_range(0.f, 0.99999f))
            .field("clip", &C::clip, "Gradient-norm clip (0: off)", in_range(0.f, 1e9f))
            .field("eval_batches", &C::eval_batches, "Random batches averaged per evaluation", in_range(1, 100000))
            .field("sample_every", &C::sample_every, "Also append samples to samples.txt at evals every N steps",
                   in_range(0, 100'000'000))
            .field("num_samples", &C::num_samples, "Samples in samples.txt (1 for --mode stream)", in_range(0, 10000))
            .field("sample_chars", &C::sample_chars, "Stream mode: characters per sample", in_range(1, 10'000'000))
            .field("temperature", &C::temperature, "Softmax temperature of samples.txt (0: greedy)",
                   in_range(0.f, 1e6f))
            .field("top_k", &C::top_k, "Keep the k most likely characters (0: all)", in_range(0, 1 << 20))
            .field("top_p", &C::top_p, "Then keep the smallest set with probability mass >= p, in (0, 1]",
                   in_range(1e-9f, 1.f))
            .nest("model", &C::model, models::char_model_config_spec())
            .rule([](const C& c) {
                if (c.min_lr > c.lr) usage_fail("--min-lr ", c.min_lr, ": expected at most --lr ", c.lr);
                check_sampling(c.temperature, c.top_k, c.top_p);
            });
    return spec;
}

// Defaults that depend on the mode and the architecture (nanoGPT's for stream, makemore's for lines).
void resolve_text(TextConfig& c, const Given& given) {
    const bool stream = c.mode == "stream";
    models::CharModelConfig& m = c.model;
    if (!given("arch")) m.arch = stream ? "transformer" : "mlp";
    const bool tf = m.arch == "transformer";
    if (!given("n_embd")) m.n_embd = tf ? (stream ? 128 : 64) : 32;
    if (!given("block_size")) m.block_size = stream ? 64 : 32;
    if (!given("init")) m.init = tf ? (stream ? "gpt2" : "torch") : "gain";
    if (!given("batch")) c.batch = stream ? 12 : 32;
    if (!given("min_lr")) c.min_lr = c.lr / 10.f;
    if (!given("weight_decay")) c.weight_decay = tf && stream ? 0.1f : 0.01f;
    if (!given("num_samples")) c.num_samples = stream ? 1 : 20;
}

// The fraction of `texts` that are not a line of the lines corpus's training split (makemore's
// "in train" check). Texts are compared in that corpus's own ids: a character it lacks makes a
// text new. One pass over the split per call, nothing of its size held.
double novelty(const data::Corpus& c, const std::vector<std::string>& texts) {
    if (texts.empty()) return -1.0;
    std::vector<std::vector<int>> seqs;
    std::vector<bool> encodable;
    for (const std::string& t : texts) {
        encodable.push_back(c.vocab.unseen(t, "a sample").empty());
        seqs.push_back(encodable.back() ? c.vocab.encode(t, "a sample") : std::vector<int>{});
    }
    const std::vector<bool> found = data::samples_in(c.train, seqs);
    size_t novel = 0;
    for (size_t i = 0; i < texts.size(); ++i) novel += !(encodable[i] && found[i]);
    return static_cast<double>(novel) / static_cast<double>(texts.size());
}

struct SampleSet {
    std::vector<std::string> texts;
    double novelty = -1.0;  // lines mode with a training set: fraction not in it
};

// Sampled text as the terminal shows it: a control character learned from the corpus (ESC opening
// an escape sequence, a carriage return, a bell) is printed as \xNN rather than obeyed; newline and
// tab stay. The C1 controls U+0080..U+009F (0xC2 0x80..0x9F) too: some terminals obey U+009B as
// CSI. samples.txt keeps the text as sampled.
std::string terminal_text(std::string_view s) {
    std::string out;
    char buf[8];
    for (size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        const bool c1 = c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
                        static_cast<unsigned char>(s[i + 1]) <= 0x9F;
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else if (c1) {
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(s[++i]));
            out += buf;
        } else {
            out += s[i];
        }
    }
    return out;
}

SampleSet draw_samples(const models::CharModel& m, const data::Vocab& vocab, const std::vector<int>& prompt,
                       const std::string& prompt_text, int count, int max_chars,
                       const models::SamplingOptions& sampling, Rng& rng, const data::Corpus* train, bool stream_out) {
    SampleSet s;
    const models::GenerateOptions g{.sampling = sampling,
                                    .max_tokens = max_chars,
                                    .eos = vocab.eos_id(),
                                    .pad = vocab.has_eos() ? vocab.eos_id() : 0};
    for (int i = 0; i < count; ++i) {
        std::string text = prompt_text;
        size_t shown = 0;  // bytes of text on stdout; a trailing 0xC2 waits: it may open a C1 control
        auto show = [&](bool all) {
            size_t upto = text.size();
            if (!all && upto > shown && static_cast<unsigned char>(text[upto - 1]) == 0xC2) --upto;
            std::cout << terminal_text(std::string_view(text).substr(shown, upto - shown)) << std::flush;
            shown = upto;
        };
        if (stream_out) show(false);
        models::generate(m, prompt, g, rng, [&](int id) {
            vocab.append(text, id);
            if (stream_out) show(false);
        });
        if (stream_out) {
            show(true);
            std::cout << (vocab.has_eos() ? "\n" : "\n\n") << std::flush;
        }
        s.texts.push_back(std::move(text));
    }
    if (train) s.novelty = novelty(*train, s.texts);
    return s;
}

// The sections of a samples.txt (each opens with a line "# step N (...)") up to step `step`;
// "" when the file is not there.
std::string samples_through(const std::string& path, int step) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return "";
    std::string text = read_whole_file(path, kMaxSamplesFileBytes, "samples file", "", Links::Refuse);
    for (size_t at = text.find("# step "); at != std::string::npos; at = text.find("# step ", at + 7)) {
        const size_t end = std::min(text.find_first_not_of("0123456789", at + 7), text.size());
        int n = 0;
        if ((at == 0 || text[at - 1] == '\n') && parse_number(std::string_view(text).substr(at + 7, end - at - 7), n) &&
            n > step) {
            text.resize(at);
            break;
        }
    }
    return text;
}

const uint64_t kEvalTrainSeed = stream_seed(0, "eval.train");  // fixed evaluation batches, whatever --seed
const uint64_t kEvalValSeed = stream_seed(0, "eval.val");

class TextExperiment : public Experiment {
public:
    TextExperiment(TextConfig cfg, const RunOptions& run)
        : cfg_(std::move(cfg)),
          seed_(run.seed),
          steps_(run.steps),
          resume_(run.resume),
          corpus_(load(cfg_)),
          model_(build(cfg_, run.seed)),
          blocks_(model_->input() == models::TextInput::Blocks),
          train_data_(sampler(data::CorpusSplit::Train, stream_seed(run.seed, "data"))),
          opt_(model_->named_parameters(), {.lr = cfg_.lr,
                                            .beta1 = 0.9f,
                                            .beta2 = cfg_.beta2,
                                            .weight_decay = cfg_.weight_decay,
                                            .decay_matrices_only = true}),
          sched_{.kind = LrSchedule::Kind::Cosine,
                 .base_lr = cfg_.lr,
                 .min_lr = cfg_.min_lr,
                 .warmup = cfg_.warmup,
                 .total = run.steps},
          x_(Shape{cfg_.batch, model_->context()}),
          y_(blocks_ ? Shape{cfg_.batch, model_->context()} : Shape{cfg_.batch}) {
        model_->dropout_rng() = Rng(stream_seed(run.seed, "dropout"));
        sampler(data::CorpusSplit::Val, kEvalValSeed);  // a split too short for one context fails now, not at the end
    }

    Metrics step(int s) override {
        const auto t0 = std::chrono::steady_clock::now();
        const float lr = sched_.at(s);
        opt_.set_lr(lr);
        next(*train_data_);
        opt_.zero_grad();
        // Each shard's loss is a mean over its counted targets (lines mode pads with -1).
        const float l = dp_.run(
            cfg_.batch,
            [&](Tape& t, int b, int e) {
                return model_->loss(t, t.constant(rows_of(x_, b, e)), t.constant(rows_of(y_, b, e)));
            },
            [&](int b, int e) {
                const Tensor y = rows_of(y_, b, e);
                return static_cast<double>(std::count_if(y.data(), y.data() + y.numel(),
                                                         [](float v) { return v >= 0.f; }));
            });
        if (cfg_.clip > 0.f) clip_grad_norm(opt_.params(), cfg_.clip);
        opt_.step();
        train_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        tokens_ += static_cast<long long>(y_.numel());
        return {{"loss", l}, {"lr", lr}};
    }

    // The same batches at every evaluation and in every run (a fixed validation set), so a
    // curve's steps and a sweep's arms are compared on the same text.
    Metrics eval(int n) override {
        model_->set_training(false);
        auto avg = [&](data::CorpusSplit split, uint64_t seed) {
            const std::unique_ptr<data::TextSampler> s = sampler(split, seed);
            Tape& t = dp_.tape();
            NoGradGuard ng(t);
            double sum = 0.0;
            for (int i = 0; i < cfg_.eval_batches; ++i) {
                next(*s);
                t.reset();
                sum += t.item(model_->loss(t, t.constant(x_), t.constant(y_)));
            }
            return sum / cfg_.eval_batches;
        };
        const double tr = avg(data::CorpusSplit::Train, kEvalTrainSeed), va = avg(data::CorpusSplit::Val, kEvalValSeed);
        const double tps = train_seconds_ > 0 ? static_cast<double>(tokens_) / train_seconds_ : 0.0;
        tokens_ = 0;
        train_seconds_ = 0.0;
        Metrics m{{"train_loss", tr}, {"val_loss", va}, {"val_bpc", va / std::log(2.0)}, {"tokens_per_s", tps}};
        if (n == steps_ || (cfg_.sample_every > 0 && n % cfg_.sample_every == 0)) {
            const double novelty = write_samples(n);
            if (n == steps_ && novelty >= 0) m.push_back({"novelty", novelty});
        }
        model_->set_training(true);
        return m;
    }

    void track(Trainer& t) override {
        t.track("model.", *model_);
        t.track("optim.", opt_);
        t.track("data.", *train_data_);
        t.track_rng("dropout", model_->dropout_rng());
        t.set_metadata("vocab", corpus_.vocab.to_string());
    }

    nlohmann::ordered_json config() const override { return text_spec().to_json(cfg_); }

    void start(const std::string& dir) override { out_dir_ = dir; }
    // samples.txt is written at evaluations (a run keeps its samples over time); nothing more.
    void write_outputs(const std::string&) override {}

    std::vector<PlotPanel> plots() const override {
        return {{"cross entropy (nats/char)", {"loss", "train_loss", "val_loss"}}, {"learning rate", {"lr"}}};
    }

    std::vector<LayerProbe> probe() override {
        // A fixed batch of the validation split: contexts for the MLP, whole blocks for the
        // transformer (each of whose positions is an example).
        const int rows = blocks_ ? (kProbeExamples + model_->context() - 1) / model_->context() : kProbeExamples;
        data::TextSampler s(corpus_, data::CorpusSplit::Val, model_->context(), stream_seed(0, "diagnostics"));
        Tensor x(Shape{rows, model_->context()}), y(blocks_ ? Shape{rows, model_->context()} : Shape{rows});
        blocks_ ? s.next_blocks(x, y) : s.next_contexts(x, y);
        const bool was_training = model_->training();
        model_->set_training(false);  // no dropout: the same numbers every time
        model_->zero_grad();
        Tape t;
        LayerRecord rec;
        t.backward(model_->loss(t, t.constant(x), t.constant(y), &rec));
        std::vector<LayerProbe> out = probe_layers(t, rec, "",
                                                   [](size_t, const LayerRecord::Layer& l) { return l.hidden; });
        model_->zero_grad();
        model_->set_training(was_training);
        return out;
    }

    void roll_back(const std::string& dir, int step) override {
        const std::string path = (std::filesystem::path(dir) / "samples.txt").string();
        std::error_code ec;
        if (std::filesystem::exists(path, ec)) shorten_file(path, samples_through(path, step));
    }

    std::string highlights() const override {
        const size_t first = samples_text_.rfind("# step ");
        if (first == std::string::npos) return {};
        return "samples (" + samples_path() + "):\n" + samples_text_.substr(samples_text_.find('\n', first) + 1);
    }

private:
    static data::Corpus load(TextConfig& cfg) {
        if (!cfg.corpus.empty() && !data::find_named_corpus(cfg.corpus))
            require_file("--corpus", cfg.corpus, "a UTF-8 text file, or one of " + data::corpus_names());
        data::Corpus c =
            data::load_corpus({.path = cfg.corpus, .mode = data::parse_corpus_mode(cfg.mode), .bytes = cfg.bytes});
        cfg.model.vocab_size = c.vocab.size();
        // train() assumed a byte-sized vocabulary before the corpus was read; now it is known.
        const MemoryEstimate need = models::memory_estimate(cfg.model, cfg.batch);
        require_refined_memory(need.training_bytes(),
                               str("training this text model on a vocabulary of ", c.vocab.size(), " symbols (",
                                   need.parameters, " parameters) at its --batch"),
                               "choose smaller layers or a smaller --batch", true);
        return c;
    }

    static std::unique_ptr<models::CharModel> build(const TextConfig& cfg, uint64_t seed) {
        Rng init(stream_seed(seed, "init"));
        return models::make_char_model(cfg.model, init);
    }

    std::unique_ptr<data::TextSampler> sampler(data::CorpusSplit split, uint64_t seed) {
        try {
            return std::make_unique<data::TextSampler>(corpus_, split, model_->context(), seed);
        } catch (const Error& e) {
            fail(e.what(), " (lower --", blocks_ ? "block-size" : "context", " or pass a longer --corpus)");
        }
    }

    void next(data::TextSampler& s) { blocks_ ? s.next_blocks(x_, y_) : s.next_contexts(x_, y_); }

    std::string samples_path() const { return (std::filesystem::path(out_dir_) / "samples.txt").string(); }

    // Appends a section to samples.txt; returns the novelty (lines mode) or -1. A fresh stream per
    // step: the samples at step n do not depend on which earlier steps sampled, so a resumed run
    // writes exactly what an uninterrupted one does.
    double write_samples(int n) {
        if (!samples_loaded_ && !resume_.empty())  // keep the sections the interrupted run wrote before step n
            samples_text_ = samples_through(samples_path(), n - 1);
        samples_loaded_ = true;
        const bool stream = cfg_.mode == "stream";
        Rng rng(stream_seed(seed_, "samples." + std::to_string(n)));
        const SampleSet s = draw_samples(*model_, corpus_.vocab, {}, "", cfg_.num_samples,
                                         stream ? cfg_.sample_chars : 1000,
                                         {.temperature = cfg_.temperature, .top_k = cfg_.top_k, .top_p = cfg_.top_p},
                                         rng, stream ? nullptr : &corpus_, false);
        samples_text_ += "# step " + std::to_string(n) + " (temperature " + value_text(cfg_.temperature) + ")\n";
        for (const std::string& t : s.texts) samples_text_ += t + (stream ? "\n\n" : "\n");
        if (!out_dir_.empty()) write_file_atomic(samples_path(), samples_text_);
        return s.novelty;
    }

    TextConfig cfg_;
    uint64_t seed_;
    int steps_;
    std::string resume_;
    data::Corpus corpus_;
    std::unique_ptr<models::CharModel> model_;
    bool blocks_;
    std::unique_ptr<data::TextSampler> train_data_;
    AdamW opt_;
    LrSchedule sched_;
    Tensor x_, y_;  // (B, T) / (B, K) ids and (B, T) / (B) targets, refilled every batch
    // The transformer's training steps split the batch over the threads (unless dropout draws
    // masks in the forward): its many small ops ran 14-18% faster that way on 2 threads. The MLP's
    // few large GEMMs gain nothing from it, like the GAN's and the autoencoder's (docs/design.md).
    DataParallel dp_{blocks_ && !model_->uses_dropout()};
    double train_seconds_ = 0.0;
    long long tokens_ = 0;  // predicted targets since the last eval
    std::string out_dir_;   // "" until start(): no samples.txt
    std::string samples_text_;
    bool samples_loaded_ = false;
};

// --- sample

struct TextSampleConfig {
    std::string prompt;  // text to continue (lines mode: the start of each sample)
    float temperature = 1.f;
    int top_k = 0;
    float top_p = 1.f;
    int max_chars = -1;    // -1: 100 (lines) or 500 (stream)
    int num_samples = -1;  // -1: 10 (lines) or 1 (stream)
    std::string corpus;    // lines mode: report novelty against this corpus's training split
};

const ConfigSpec<TextSampleConfig>& text_sample_spec() {
    using C = TextSampleConfig;
    static const ConfigSpec<C> spec =
        ConfigSpec<C>()
            .field("prompt", &C::prompt, "Text to continue (lines mode: the start of each sample)")
            .field("temperature", &C::temperature, "Softmax temperature (0: greedy)", in_range(0.f, 1e6f))
            .field("top_k", &C::top_k, "Keep the k most likely characters (0: all)", in_range(0, 1 << 20))
            .field("top_p", &C::top_p, "Then keep the smallest set with probability mass >= p, in (0, 1]",
                   in_range(1e-9f, 1.f))
            .field("max_chars", &C::max_chars, "Characters per sample (-1: 100 lines, 500 stream)",
                   in_range(-1, 10'000'000))
            .field("num_samples", &C::num_samples, "Samples (-1: 10 lines, 1 stream)", in_range(-1, 100000))
            .field("corpus", &C::corpus, "Lines mode: report novelty against this corpus's training split")
            .rule([](const C& c) { check_sampling(c.temperature, c.top_k, c.top_p); });
    return spec;
}

// Streams the samples to stdout (and into samples.txt under --out when given). Needs no corpus:
// the vocabulary is in the checkpoint.
void sample_text(const LoadedRun& run, const SampleOptions& opt, const ConfigBox& box) {
    const TextSampleConfig& s = config_of<TextSampleConfig>(box);
    const TextConfig& cfg = config_of<TextConfig>(*run.box);
    const data::Vocab vocab = data::Vocab::from_string(run.state.meta("vocab", run.path), run.path);
    if (cfg.model.vocab_size != vocab.size())
        fail(run.path, ": model vocabulary ", cfg.model.vocab_size, " does not match the stored vocabulary ",
             vocab.size());
    Rng init(0);
    std::unique_ptr<models::CharModel> model = models::make_char_model(cfg.model, init);
    load_model_state(run, *model);
    const bool lines = vocab.has_eos();
    const int num = s.num_samples >= 0 ? s.num_samples : (lines ? 10 : 1);
    const int max_chars = s.max_chars >= 0 ? s.max_chars : (lines ? 100 : 500);
    std::vector<int> prompt;
    try {
        prompt = vocab.encode(s.prompt, "--prompt");
    } catch (const Error& e) {
        usage_fail(e.what());
    }
    if (static_cast<int>(prompt.size()) > model->context())
        std::cerr << "genlab-text: note: the prompt has " << prompt.size() << " characters; the model sees its last "
                  << model->context() << "\n";
    std::optional<data::Corpus> train;
    if (!s.corpus.empty() && lines) {
        if (!data::find_named_corpus(s.corpus))
            require_file("--corpus", s.corpus, "a UTF-8 text file, or one of " + data::corpus_names());
        train = data::load_corpus({.path = s.corpus, .mode = data::CorpusMode::Lines, .bytes = vocab.bytes()});
    }
    Rng rng(stream_seed(opt.seed, "samples"));
    const SampleSet out = draw_samples(*model, vocab, prompt, s.prompt, num, max_chars,
                                       {.temperature = s.temperature, .top_k = s.top_k, .top_p = s.top_p}, rng,
                                       train ? &*train : nullptr, true);
    if (out.novelty >= 0)
        std::cerr << "novelty: " << out.novelty << " (" << std::lround(out.novelty * num) << " of " << num
                  << " samples not in the training set)\n";
    if (!opt.out.empty()) {  // the terminal is the default destination; --out also keeps them
        std::string text;
        for (const std::string& t : out.texts) text += t + (lines ? "\n" : "\n\n");
        const SampleFolder out("text", run, opt, text_sample_spec().to_json(s));
        write_file_atomic((std::filesystem::path(out.dir()) / "samples.txt").string(), text);
    }
}

}  // namespace

const ExperimentDef& text_experiment() {
    static const ExperimentDef def{
        .name = "text",
        .about = "Character-level text generation: a makemore MLP or a nanoGPT transformer, and sampling.",
        .default_steps = [](const ConfigBox& box) { return config_of<TextConfig>(box).mode == "stream" ? 2000 : 5000; },
        .default_eval_every = 250,
        .new_config = [] { return std::make_unique<TypedConfigBox<TextConfig>>(text_spec(), resolve_text); },
        .quality =
            [](const ConfigBox&) {
                return std::vector<QualityMetric>{{"val_loss", Better::Lower}, {"val_bpc", Better::Lower}};
            },
        .create = [](const ConfigBox& box, const RunOptions& run) -> std::unique_ptr<Experiment> {
            return std::make_unique<TextExperiment>(config_of<TextConfig>(box), run);
        },
        .memory =
            [](const ConfigBox& box) {
                const TextConfig& c = config_of<TextConfig>(box);
                models::CharModelConfig m = c.model;
                if (m.vocab_size <= 0) m.vocab_size = 256;  // before the corpus is read: a byte-sized vocabulary
                return models::memory_estimate(m, c.batch);
            },
        .new_sample_config =
            [] { return std::make_unique<TypedConfigBox<TextSampleConfig>>(text_sample_spec(), nullptr); },
        .sample = sample_text,
        .outputs = {{"samples.txt", "Text sampled from the model at the end of training (temperature, top-k and top-p "
                                    "as configured); with --sample-every, earlier evaluations' samples come first."},
                    {"loss.png", "Cross entropy in nats per character on training batches and on the validation "
                                 "split, and the learning-rate schedule."}},
        .sweep = text_sweep_facts(),
    };
    return def;
}

}  // namespace genlab::experiments
