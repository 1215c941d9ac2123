// genlab-text: character-level language models (makemore MLP, nanoGPT transformer) on a text
// corpus, and sampling from a checkpoint without the corpus.
//
//     genlab-text train                                           # MLP on /usr/share/dict/words
//     genlab-text train --corpus ../shared/data/tinyshakespeare.txt --mode stream --steps 2000
//     genlab-text sample --checkpoint outputs/text/<run>/checkpoint.safetensors --prompt ROMEO:
//                        --temperature 0.8 --top-k 20 --max-chars 500   (one command line)
#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/plot.h"
#include "core/io/safetensors.h"
#include "core/ops.h"
#include "core/optim/optimizer.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "core/train/run_dir.h"
#include "core/train/trainer.h"
#include "data/corpus.h"
#include "data/text_sampler.h"
#include "demos/demo_main.h"
#include "models/char_mlp.h"
#include "models/char_transformer.h"
#include "models/text_model.h"

namespace genlab {
namespace {

constexpr const char* kProgram = "genlab-text";
constexpr const char* kKind = "charlm";

struct SamplingFlags {
    float temperature = 1.f;
    int top_k = 0;
    float top_p = 1.f;
    models::SamplingOptions options() const { return {.temperature = temperature, .top_k = top_k, .top_p = top_p}; }
};

struct TrainFlags {
    std::string corpus = "words";
    std::string mode = "lines";
    bool bytes = false;
    std::string arch;           // "" = transformer for stream, mlp for lines
    int context = 3;
    int n_embd = 0;             // 0 = arch default
    std::string hidden = "256,256";
    std::string act = "gelu";
    int n_layer = 4, n_head = 4, block_size = 0;
    std::string init;           // "" = transformer Linear init: torch for lines (makemore), gpt2 for stream (nanoGPT)
    float dropout = 0.f;
    int batch = 0, steps = 0;
    float lr = 1e-3f, min_lr = -1.f, weight_decay = -1.f, beta2 = 0.99f, clip = 1.f;
    int warmup = 100;
    int eval_every = 250, eval_batches = 20, log_every = 50, save_every = 0;
    int sample_every = 0, num_samples = -1, sample_chars = 500;
    SamplingFlags sampling;
    std::string resume;
    std::string out;
    uint64_t seed = 1337;
    int threads = 0;
    bool quiet = false;
};

struct SampleFlags {
    std::string checkpoint;
    std::string prompt;
    SamplingFlags sampling;
    int max_chars = -1, num_samples = -1;
    std::string corpus;  // lines mode: novelty against this corpus's training split
    uint64_t seed = 1337;
    int threads = 0;
};

std::vector<int> parse_int_list(const std::string& flag, const std::string& text) {
    std::vector<int> out;
    std::stringstream ss(text);
    std::string tok;
    while (std::getline(ss, tok, ',')) {
        size_t used = 0;
        int v = 0;
        try {
            v = std::stoi(tok, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != tok.size()) usage_fail(flag, " \"", text, "\": '", tok, "' is not an integer (expected e.g. 256,256)");
        out.push_back(v);
    }
    if (out.empty()) usage_fail(flag, ": empty list (expected e.g. 256,256)");
    return out;
}

// Every training sample of a lines corpus as text, for novelty (makemore's "in train" check).
std::unordered_set<std::string> training_lines(const data::Corpus& c) {
    std::unordered_set<std::string> set;
    std::vector<int> ids;
    for (size_t i = 0; i < c.train.samples(); ++i) {
        ids.assign(c.train.ids.begin() + c.train.starts[i], c.train.ids.begin() + c.train.starts[i + 1]);
        set.insert(c.vocab.decode(ids));
    }
    return set;
}

struct SampleSet {
    std::vector<std::string> texts;
    double novelty = -1.0;  // lines mode with a training set: fraction not in it
};

SampleSet draw_samples(const models::CharModel& m, const data::Vocab& vocab, const std::vector<int>& prompt,
                       const std::string& prompt_text, int count, int max_chars,
                       const models::SamplingOptions& sampling, Rng& rng,
                       const std::unordered_set<std::string>* train_set, bool stream_out) {
    SampleSet s;
    models::GenerateOptions g{.sampling = sampling, .max_tokens = max_chars, .eos = vocab.eos_id(), .pad = vocab.has_eos() ? vocab.eos_id() : 0};
    int novel = 0;
    for (int i = 0; i < count; ++i) {
        std::string text = prompt_text;
        if (stream_out) std::cout << prompt_text << std::flush;
        models::generate(m, prompt, g, rng, [&](int id) {
            const size_t before = text.size();
            vocab.append(text, id);
            if (stream_out) std::cout << text.substr(before) << std::flush;
        });
        if (stream_out) std::cout << (vocab.has_eos() ? "\n" : "\n\n") << std::flush;
        if (train_set && !train_set->count(text)) ++novel;
        s.texts.push_back(std::move(text));
    }
    if (train_set && count > 0) s.novelty = static_cast<double>(novel) / count;
    return s;
}

// loss.png / loss.svg from metrics.csv (so a resumed run draws its whole history): the step loss
// and the evaluated train and validation losses, in nats per character.
void write_loss_plot(const std::string& out) {
    std::ifstream in(std::filesystem::path(out) / "metrics.csv");
    std::string line;
    if (!std::getline(in, line)) return;
    auto split = [](const std::string& l) {
        std::vector<std::string> cells;
        std::stringstream ss(l);
        std::string c;
        while (std::getline(ss, c, ',')) cells.push_back(c);
        if (!l.empty() && l.back() == ',') cells.emplace_back();
        return cells;
    };
    const std::vector<std::string> head = split(line);
    const std::vector<std::pair<std::string, std::string>> wanted{
        {"loss", "train (step)"}, {"train_loss", "train (eval)"}, {"val_loss", "validation"}};
    Panel p{.title = "cross entropy (nats/char)", .x_label = "step", .legend = true};
    for (size_t k = 0; k < wanted.size(); ++k)
        p.series.push_back({.label = wanted[k].second, .color = palette_color(k), .width = k == 0 ? 1.2f : 2.f});
    while (std::getline(in, line)) {
        const std::vector<std::string> cells = split(line);
        if (cells.empty() || cells[0].empty()) continue;
        const double step = std::atof(cells[0].c_str());
        for (size_t k = 0; k < wanted.size(); ++k)
            for (size_t c = 0; c < head.size() && c < cells.size(); ++c)
                if (head[c] == wanted[k].first && !cells[c].empty()) {
                    p.series[k].x.push_back(step);
                    p.series[k].y.push_back(std::atof(cells[c].c_str()));
                }
    }
    Figure fig{.title = "genlab-text training", .cols = 1, .panel_width = 560, .panel_height = 340, .shared_legend = false,
               .svg_id = "text_loss"};
    fig.panels.push_back(std::move(p));
    save_figure(fig, out + "/loss.png", out + "/loss.svg");
}

// ---------------------------------------------------------------- train

int train(TrainFlags f) {
    // Everything is validated (flags, corpus, model config) before the output folder exists.
    if (f.threads < 0) usage_fail("--threads ", f.threads, ": expected >= 0 (0: the OpenMP default)");
    const data::CorpusMode mode = data::parse_corpus_mode(f.mode);
    const bool stream = mode == data::CorpusMode::Stream;
    if (f.arch.empty()) f.arch = stream ? "transformer" : "mlp";
    if (f.arch != "mlp" && f.arch != "transformer") usage_fail("--arch ", f.arch, ": expected mlp or transformer");
    const bool tf = f.arch == "transformer";
    if (f.n_embd == 0) f.n_embd = tf ? (stream ? 128 : 64) : 32;
    if (f.block_size == 0) f.block_size = stream ? 64 : 32;
    if (f.init.empty()) f.init = stream ? "gpt2" : "torch";
    if (f.batch == 0) f.batch = stream ? 12 : 32;
    if (f.steps == 0) f.steps = stream ? 2000 : 5000;
    if (f.min_lr < 0.f) f.min_lr = f.lr / 10.f;
    if (f.weight_decay < 0.f) f.weight_decay = tf && stream ? 0.1f : 0.01f;
    if (f.num_samples < 0) f.num_samples = stream ? 1 : 20;
    if (f.batch < 1 || f.batch > 65536) usage_fail("--batch ", f.batch, ": expected 1..65536");
    if (f.steps < 0) usage_fail("--steps ", f.steps, ": must be >= 0");
    if (!(f.lr > 0.f) || !std::isfinite(f.lr)) usage_fail("--lr ", f.lr, ": expected a positive learning rate");
    if (!(f.min_lr <= f.lr)) usage_fail("--min-lr ", f.min_lr, ": expected 0 <= min-lr <= lr ", f.lr);
    if (!(f.beta2 > 0.f && f.beta2 < 1.f)) usage_fail("--beta2 ", f.beta2, ": expected a value in (0, 1)");
    if (!(f.weight_decay >= 0.f)) usage_fail("--weight-decay ", f.weight_decay, ": expected >= 0");
    if (!(f.clip >= 0.f)) usage_fail("--clip ", f.clip, ": expected >= 0 (0 = no clipping)");
    if (f.warmup < 0) usage_fail("--warmup ", f.warmup, ": expected >= 0");
    if (f.eval_batches < 1) usage_fail("--eval-batches ", f.eval_batches, ": expected >= 1");
    if (f.eval_every < 0) usage_fail("--eval-every ", f.eval_every, ": expected >= 0 (0 = only at the end)");
    if (f.log_every < 1) usage_fail("--log-every ", f.log_every, ": expected >= 1");
    if (f.sample_every < 0) usage_fail("--sample-every ", f.sample_every, ": expected >= 0");
    if (f.num_samples < 0 || f.num_samples > 10000) usage_fail("--num-samples ", f.num_samples, ": expected 0..10000");
    if (f.sample_chars < 1) usage_fail("--sample-chars ", f.sample_chars, ": expected >= 1");
    const models::SamplingOptions sampling = f.sampling.options();
    models::validate_sampling(sampling);
    const std::vector<int> hidden = parse_int_list("--hidden", f.hidden);
    if (!f.resume.empty() && !std::filesystem::exists(f.resume))
        usage_fail("--resume ", f.resume, ": no such checkpoint");

    data::Corpus corpus = data::load_corpus({.path = f.corpus, .mode = mode, .bytes = f.bytes});
    const int vocab = corpus.vocab.size();
    std::string model_json;
    if (tf) {
        models::CharTransformerConfig c{.vocab_size = vocab, .block_size = f.block_size, .n_layer = f.n_layer,
                                        .n_head = f.n_head, .n_embd = f.n_embd, .act = f.act, .dropout = f.dropout,
                                        .init = f.init};
        c.validate();
        model_json = c.to_json();
    } else {
        models::CharMlpConfig c{.vocab_size = vocab, .context = f.context, .n_embd = f.n_embd, .hidden = hidden, .act = f.act};
        c.validate();
        model_json = c.to_json();
    }
    set_num_threads(f.threads);
    Rng init_rng(f.seed);
    std::unique_ptr<models::CharModel> model = models::make_char_model(f.arch, model_json, init_rng);
    model->dropout_rng() = Rng(f.seed ^ 0xd0d0u);
    const int ctx = model->context();
    const bool blocks = model->input() == models::TextInput::Blocks;
    auto sampler_or_usage = [&](data::CorpusSplit split, uint64_t seed) {
        try {
            return std::make_unique<data::TextSampler>(corpus, split, ctx, seed);
        } catch (const Error& e) {
            usage_fail(e.what(), " (lower --", blocks ? "block-size" : "context", " or pass a longer --corpus)");
        }
    };
    auto train_data = sampler_or_usage(data::CorpusSplit::Train, f.seed + 1);
    auto eval_train = sampler_or_usage(data::CorpusSplit::Train, f.seed + 2);
    auto eval_val = sampler_or_usage(data::CorpusSplit::Val, f.seed + 3);

    const std::string out = f.out.empty() ? default_out_dir("text") : f.out;
    nlohmann::ordered_json cfg;
    cfg["demo"] = "text";
    cfg["corpus"] = corpus.name;
    cfg["mode"] = data::corpus_mode_name(mode);
    cfg["bytes"] = f.bytes;
    cfg["arch"] = f.arch;
    cfg["model"] = nlohmann::json::parse(model_json);
    cfg["n_params"] = model->num_parameters();
    cfg["batch"] = f.batch;
    cfg["steps"] = f.steps;
    cfg["optimizer"] = {{"name", "adamw"}, {"lr", f.lr}, {"min_lr", f.min_lr}, {"warmup", f.warmup},
                        {"beta1", 0.9}, {"beta2", f.beta2}, {"weight_decay", f.weight_decay}, {"clip", f.clip}};
    cfg["eval_every"] = f.eval_every;
    cfg["eval_batches"] = f.eval_batches;
    cfg["sampling"] = {{"temperature", f.sampling.temperature}, {"top_k", f.sampling.top_k}, {"top_p", f.sampling.top_p}};
    cfg["seed"] = f.seed;
    cfg["threads"] = f.threads;
    cfg["resume"] = f.resume;
    cfg["out"] = out;
    write_config_json(out, cfg.dump());

    AdamW opt(model->named_parameters(), {.lr = f.lr, .beta1 = 0.9f, .beta2 = f.beta2, .weight_decay = f.weight_decay,
                                          .decay_matrices_only = true});
    const LrSchedule sched{.kind = LrSchedule::Kind::Cosine, .base_lr = f.lr, .min_lr = f.min_lr, .warmup = f.warmup, .total = f.steps};

    Trainer trainer({.steps = f.steps, .log_every = f.log_every, .eval_every = f.eval_every, .save_every = f.save_every,
                     .out_dir = out, .resume = f.resume, .config_json = cfg.dump(), .kind = kKind, .quiet = f.quiet});
    trainer.track("model.", *model);
    trainer.track("opt.", opt);
    trainer.track("data.train.", *train_data);
    trainer.track("data.eval_train.", *eval_train);
    trainer.track("data.eval_val.", *eval_val);
    trainer.track_rng("dropout", model->dropout_rng());
    trainer.set_metadata("arch", f.arch);
    trainer.set_metadata("model_config", model_json);
    trainer.set_metadata("vocab", corpus.vocab.to_string());
    trainer.set_metadata("mode", data::corpus_mode_name(mode));

    const int b = f.batch;
    Tensor x(Shape{b, ctx}), y(blocks ? Shape{b, ctx} : Shape{b});  // (B, T) / (B, K) ids and (B, T) / (B) targets, refilled every step
    Tape tape;
    auto next = [&](data::TextSampler& s) { blocks ? s.next_blocks(x, y) : s.next_contexts(x, y); };

    using Clock = std::chrono::steady_clock;
    Clock::time_point since = Clock::now();
    double train_seconds = 0.0;
    long long tokens = 0;  // predicted targets since the last eval
    const long long per_step = static_cast<long long>(y.numel());

    auto step = [&](int s) -> Metrics {
        const Clock::time_point t0 = Clock::now();
        const float lr = sched.at(s);
        opt.set_lr(lr);
        next(*train_data);
        tape.reset();
        Var loss = model->loss(tape, tape.constant(x), tape.constant(y));
        const float l = tape.item(loss);
        opt.zero_grad();
        tape.backward(loss);
        if (f.clip > 0.f) clip_grad_norm(opt.params(), f.clip);
        opt.step();
        train_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
        tokens += per_step;
        return {{"loss", l}, {"lr", lr}};
    };

    const std::unordered_set<std::string> train_set =
        stream ? std::unordered_set<std::string>{} : training_lines(corpus);
    const std::filesystem::path samples_path = std::filesystem::path(out) / "samples.txt";
    std::string samples_text;
    if (!f.resume.empty() && std::filesystem::exists(samples_path)) {  // keep the earlier sections
        std::ifstream in(samples_path, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        samples_text = ss.str();
    }
    double last_novelty = -1.0;
    auto write_samples = [&](int n) {
        // A fresh stream per step: the samples at step n do not depend on which earlier steps
        // sampled, so a run resumed from a checkpoint writes exactly what an uninterrupted one does.
        Rng sample_rng(f.seed * 0x9e3779b97f4a7c15ull + static_cast<uint64_t>(n));
        SampleSet s = draw_samples(*model, corpus.vocab, {}, "", f.num_samples, stream ? f.sample_chars : 1000,
                                   sampling, sample_rng, stream ? nullptr : &train_set, false);
        samples_text += "# step " + std::to_string(n) + " (temperature " + std::to_string(f.sampling.temperature) + ")\n";
        for (const std::string& t : s.texts) samples_text += t + (stream ? "\n\n" : "\n");
        write_file_atomic(samples_path.string(), samples_text);
        last_novelty = s.novelty;
    };

    auto eval = [&](int n) -> Metrics {
        NoGradGuard ng(tape);
        model->set_training(false);
        auto avg = [&](data::TextSampler& s) {
            double sum = 0.0;
            for (int i = 0; i < f.eval_batches; ++i) {
                next(s);
                tape.reset();
                sum += tape.item(model->loss(tape, tape.constant(x), tape.constant(y)));
            }
            return sum / f.eval_batches;
        };
        const double tr = avg(*eval_train), va = avg(*eval_val);
        const double tps = train_seconds > 0 ? static_cast<double>(tokens) / train_seconds : 0.0;
        tokens = 0;
        train_seconds = 0.0;
        Metrics m{{"train_loss", tr}, {"val_loss", va}, {"val_bpc", va / std::log(2.0)}, {"tokens_per_s", tps}};
        const bool last = n == f.steps;
        if (last || (f.sample_every > 0 && n % f.sample_every == 0)) {
            write_samples(n);
            if (last && last_novelty >= 0) m.push_back({"novelty", last_novelty});
        }
        model->set_training(true);
        since = Clock::now();
        return m;
    };

    const Metrics result = trainer.run(step, eval);
    (void)since;
    write_loss_plot(out);
    std::cout << "samples (" << samples_path.string() << "):\n";
    const size_t shown = samples_text.find('\n');
    std::cout << (shown == std::string::npos ? samples_text : samples_text.substr(shown + 1));
    for (const auto& [name, v] : result)
        if (name == "train_loss" || name == "val_loss" || name == "val_bpc" || name == "novelty")
            std::cout << name << " " << v << "\n";
    std::cout << "wrote " << out << "\n";
    return 0;
}

// ---------------------------------------------------------------- sample

int sample(const SampleFlags& f) {
    if (f.threads < 0) usage_fail("--threads ", f.threads, ": expected >= 0 (0: the OpenMP default)");
    const models::SamplingOptions sampling = f.sampling.options();
    models::validate_sampling(sampling);
    if (f.checkpoint.empty()) usage_fail("--checkpoint: required (a checkpoint.safetensors written by genlab-text train)");
    if (!std::filesystem::exists(f.checkpoint)) usage_fail("--checkpoint ", f.checkpoint, ": no such file");
    set_num_threads(f.threads);

    const StateDict sd = load_safetensors(f.checkpoint);
    const std::string& kind = sd.meta("kind", f.checkpoint);
    if (kind != kKind)
        fail(f.checkpoint, ": holds a '", kind, "' model, not a character model (use the program that wrote it)");
    const data::Vocab vocab = data::Vocab::from_string(sd.meta("vocab", f.checkpoint), f.checkpoint);
    const std::string& arch = sd.meta("arch", f.checkpoint);
    Rng rng(f.seed);
    std::unique_ptr<models::CharModel> model =
        models::make_char_model(arch, sd.meta("model_config", f.checkpoint), rng, f.checkpoint);
    if (model->vocab_size() != vocab.size())
        fail(f.checkpoint, ": model vocabulary ", model->vocab_size(), " does not match the stored vocabulary ", vocab.size());
    try {
        model->load_state(sd, "model.");
    } catch (const Error& e) {
        fail(f.checkpoint, ": ", e.what());
    }
    const bool lines = vocab.has_eos();
    const int num = f.num_samples >= 0 ? f.num_samples : (lines ? 10 : 1);
    const int max_chars = f.max_chars >= 0 ? f.max_chars : (lines ? 100 : 500);
    if (num > 100000) usage_fail("--num-samples ", num, ": expected 0..100000");
    if (max_chars > 10000000) usage_fail("--max-chars ", max_chars, ": expected 0..10000000");
    std::vector<int> prompt;
    try {
        prompt = vocab.encode(f.prompt, "--prompt");
    } catch (const Error& e) {
        usage_fail(e.what());
    }
    if (static_cast<int>(prompt.size()) > model->context())
        std::cerr << kProgram << ": note: the prompt has " << prompt.size() << " characters; the model sees its last "
                  << model->context() << "\n";

    std::unordered_set<std::string> train_set;
    if (!f.corpus.empty() && lines) {
        const data::Corpus c = data::load_corpus({.path = f.corpus, .mode = data::CorpusMode::Lines, .bytes = vocab.bytes()});
        train_set = training_lines(c);
    }
    const SampleSet s = draw_samples(*model, vocab, prompt, f.prompt, num, max_chars, sampling, rng,
                                     train_set.empty() ? nullptr : &train_set, true);
    if (s.novelty >= 0)
        std::cerr << "novelty: " << s.novelty << " (" << static_cast<int>(std::lround(s.novelty * num)) << " of " << num
                  << " samples not in the training set)\n";
    return 0;
}

void add_sampling_flags(CLI::App* app, SamplingFlags& s) {
    app->add_option("--temperature", s.temperature, "Softmax temperature (0 = greedy)")->capture_default_str();
    app->add_option("--top-k", s.top_k, "Keep the k most likely characters (0 = all)")->capture_default_str();
    app->add_option("--top-p", s.top_p, "Then keep the smallest set with probability mass >= p, in (0, 1]")->capture_default_str();
}

}  // namespace
}  // namespace genlab

int main(int argc, char** argv) {
    genlab::TrainFlags t;
    genlab::SampleFlags s;
    CLI::App app{"Character-level text generation: a makemore MLP or a nanoGPT transformer, and sampling."};
    app.require_subcommand(1);
    CLI::App* tr = app.add_subcommand("train", "Train on a corpus; writes checkpoint.safetensors, metrics, samples.txt");
    tr->add_option("--corpus", t.corpus, "Text file, or 'words' (/usr/share/dict/words)")->capture_default_str();
    tr->add_option("--mode", t.mode, "lines (one sample per line) or stream (continuous text)")->capture_default_str();
    tr->add_flag("--bytes", t.bytes, "Symbols are raw bytes instead of UTF-8 characters");
    tr->add_option("--arch", t.arch, "mlp or transformer (default: transformer for stream, mlp for lines)");
    tr->add_option("--act", t.act, "Hidden activation spec (e.g. gelu, relu, swish:1.0)")->capture_default_str();
    tr->add_option("--context", t.context, "MLP: previous characters seen")->capture_default_str();
    tr->add_option("--hidden", t.hidden, "MLP: hidden layer widths")->capture_default_str();
    tr->add_option("--n-embd", t.n_embd, "Embedding width (default mlp 32; transformer 128 stream, 64 lines)");
    tr->add_option("--n-layer", t.n_layer, "Transformer blocks")->capture_default_str();
    tr->add_option("--n-head", t.n_head, "Attention heads")->capture_default_str();
    tr->add_option("--block-size", t.block_size, "Transformer context (default 64 stream, 32 lines)");
    tr->add_option("--dropout", t.dropout, "Transformer dropout")->capture_default_str();
    tr->add_option("--init", t.init, "Transformer Linear init: gpt2 or torch (default gpt2 stream, torch lines)");
    tr->add_option("--batch", t.batch, "Batch size (default 12 stream, 32 lines)");
    tr->add_option("--steps", t.steps, "Training steps (default 2000 stream, 5000 lines)");
    tr->add_option("--lr", t.lr, "Peak learning rate")->capture_default_str();
    tr->add_option("--min-lr", t.min_lr, "Cosine floor (default lr/10)");
    tr->add_option("--warmup", t.warmup, "Linear warmup steps")->capture_default_str();
    tr->add_option("--weight-decay", t.weight_decay, "AdamW decay of 2-D weights (default 0.1 stream transformer, else 0.01)");
    tr->add_option("--beta2", t.beta2, "AdamW beta2")->capture_default_str();
    tr->add_option("--clip", t.clip, "Gradient-norm clip (0 = off)")->capture_default_str();
    tr->add_option("--eval-every", t.eval_every, "Evaluate every N steps (0 = at the end)")->capture_default_str();
    tr->add_option("--eval-batches", t.eval_batches, "Random batches averaged per evaluation")->capture_default_str();
    tr->add_option("--log-every", t.log_every, "metrics.csv row every N steps")->capture_default_str();
    tr->add_option("--save-every", t.save_every, "Checkpoint every N steps (0 = at the end)")->capture_default_str();
    tr->add_option("--sample-every", t.sample_every, "Also append samples to samples.txt at evals every N steps")->capture_default_str();
    tr->add_option("--num-samples", t.num_samples, "Samples in samples.txt (default 20 lines, 1 stream)");
    tr->add_option("--sample-chars", t.sample_chars, "Stream mode: characters per sample")->capture_default_str();
    genlab::add_sampling_flags(tr, t.sampling);
    tr->add_option("--resume", t.resume, "Continue from this checkpoint (same flags)");
    tr->add_option("--out", t.out, "Output folder (default outputs/text/<YYYYmmdd-HHMMSS>)");
    tr->add_option("--seed", t.seed, "Seed")->capture_default_str();
    tr->add_option("--threads", t.threads, "Threads (0: OpenMP default)")->capture_default_str();
    tr->add_flag("--quiet", t.quiet, "No progress output");

    CLI::App* sa = app.add_subcommand("sample", "Generate text from a checkpoint (no corpus needed), streamed to stdout");
    sa->add_option("--checkpoint", s.checkpoint, "checkpoint.safetensors from genlab-text train")->required();
    sa->add_option("--prompt", s.prompt, "Text to continue (lines mode: the start of each sample)");
    genlab::add_sampling_flags(sa, s.sampling);
    sa->add_option("--max-chars", s.max_chars, "Characters per sample (default 100 lines, 500 stream)");
    sa->add_option("--num-samples", s.num_samples, "Samples (default 10 lines, 1 stream)");
    sa->add_option("--corpus", s.corpus, "Lines mode: report novelty against this corpus's training split");
    sa->add_option("--seed", s.seed, "Seed")->capture_default_str();
    sa->add_option("--threads", s.threads, "Threads (0: OpenMP default)")->capture_default_str();

    return genlab::demo_main(genlab::kProgram, app, argc, argv, [&] {
        return tr->parsed() ? genlab::train(t) : genlab::sample(s);
    });
}
