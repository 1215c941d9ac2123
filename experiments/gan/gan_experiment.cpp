// The GAN experiment: an MLP GAN or a DCGAN (--arch conv) on IDX images (Fashion-MNIST by
// default), or an MLP GAN on a 2-D toy mixture. One step is DCGAN's loop body: d_steps discriminator updates on [real; G(z)], then one
// generator update through the frozen discriminator. The data is a strategy (gan_data.h): real
// batches, quality metrics, probe rows and pictures come from it, whichever kind it is.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>

#include "core/ops.h"
#include "core/optim/optimizer.h"
#include "experiments/experiment.h"
#include "experiments/gan/gan_config.h"
#include "experiments/gan/gan_data.h"
#include "experiments/gan/gan_progress.h"
#include "experiments/probe.h"
#include "experiments/sweep_facts_of.h"
#include "models/gan.h"

namespace genlab::experiments {

namespace {

using models::Gan;

class GanExperiment : public Experiment {
public:
    GanExperiment(GanExpConfig cfg, const RunOptions& run)
        : data_(gan_data_kind(cfg.data).load(cfg, run)),  // fills cfg's data-derived fields
          cfg_(std::move(cfg)),
          seed_(run.seed),
          log_every_(run.log_every),
          steps_(run.steps),
          gan_(cfg_.model, init_rng_),
          loss_(models::parse_gan_loss(cfg_.loss)),
          opt_g_(gan_.g.named_parameters(), {.lr = cfg_.lr, .beta1 = cfg_.beta1, .beta2 = cfg_.beta2}),
          opt_d_(gan_.d.named_parameters(), {.lr = cfg_.lr, .beta1 = cfg_.beta1, .beta2 = cfg_.beta2}),
          progress_(cfg_.progress_rows, data_->progress_width(), cfg_.model.latent, cfg_.model.data_dim, run.seed,
                    run.steps) {
        const int b = cfg_.batch, p = cfg_.model.data_dim;
        d_input_ = Tensor(Shape{2 * b, p});                       // (2B, P): real rows, then fake rows
        real_view_ = Tensor::view(d_input_.data(), Shape{b, p});  // (B, P)
        fake_view_ = Tensor::view(d_input_.data() + static_cast<size_t>(b) * p, Shape{b, p});  // (B, P)
        d_targets_ = Tensor(Shape{2 * b, 1}, 0.f);                                             // (2B, 1)
        std::fill(d_targets_.data(), d_targets_.data() + b, 1.f);
        ones_ = Tensor(Shape{b, 1}, 1.f);          // (B, 1)
        z_ = Tensor(Shape{b, cfg_.model.latent});  // (B, Z)
    }

    Metrics step(int s) override {
        const int n = s + 1;
        float d_loss = 0.f;
        for (int k = 0; k < cfg_.d_steps; ++k) {
            data_->next_real(data_rng_, real_view_);
            d_loss = d_update();
        }
        const float g_loss = g_update();
        progress_.maybe_record(n, gan_);
        if (n % log_every_ == 0 || n == steps_ || n == 1) {  // on logged rows; a norm costs a pass over every weight
            g_norm_ = grad_norm(opt_g_.params());            // G's gradients from this G update
            d_norm_ = grad_norm(opt_d_.params());            // D's from the last D update (frozen since)
        }
        return {{"d_loss", d_loss},  {"g_loss", g_loss},       {"d_real", d_real_},
                {"d_fake", d_fake_}, {"g_grad_norm", g_norm_}, {"d_grad_norm", d_norm_}};
    }

    // Deterministic and independent of the training streams: evaluating never changes training.
    Metrics eval(int) override { return data_->eval(gan_); }  // in evaluation mode (models::generate)

    void track(Trainer& t) override {
        t.track("model.", gan_);  // model.g.*, model.d.*
        t.track("optim.g.", opt_g_);
        t.track("optim.d.", opt_d_);
        t.track("progress.", progress_);
        data_->track(t);
        t.track_rng("noise", noise_);
        t.track_rng("data", data_rng_);
    }

    nlohmann::ordered_json config() const override { return gan_spec().to_json(cfg_); }

    void write_outputs(const std::string& dir) override { data_->write_outputs(dir, gan_, progress_); }

    std::vector<PlotPanel> plots() const override {
        std::vector<PlotPanel> p{{"losses", {"d_loss", "g_loss"}},
                                 {"mean D output", {"d_real", "d_fake"}},
                                 {"gradient norms", {"g_grad_norm", "d_grad_norm"}, true}};
        for (PlotPanel& q : data_->quality_plots()) p.push_back(std::move(q));
        return p;
    }

    // D's layers on D's loss over [real; G(z)] (fake detached), G's on G's loss through frozen D.
    std::vector<LayerProbe> probe() override {
        const int n = kProbeExamples, p = cfg_.model.data_dim;  // n real rows and n latent vectors
        Tensor input(Shape{2 * n, p}), targets(Shape{2 * n, 1}, 0.f), ones(Shape{n, 1}, 1.f),
            z(Shape{n, cfg_.model.latent});
        std::fill(targets.data(), targets.data() + n, 1.f);
        Rng rng(stream_seed(0, "diagnostics"));  // the same batch for every run on this data
        rng.fill_normal(z);
        Tensor real = Tensor::view(input.data(), Shape{n, p});
        data_->probe_real(rng, real);
        gan_.zero_grad();
        const BuffersKept kept(gan_);  // G runs in training mode, as in a step
        Tape td, tg;
        LayerRecord rd, rg;
        {
            NoGradGuard ng(td);
            Var fake = gan_.g(td, td.constant(z));
            std::memcpy(input.data() + static_cast<size_t>(n) * p, td.value(fake).data(),
                        static_cast<size_t>(n) * p * sizeof(float));
        }
        td.backward(models::gan_d_loss(td, gan_.d(td, td.constant(input), &rd), td.constant(targets), loss_));
        const auto hidden = [](size_t, const LayerRecord::Layer& l) { return l.hidden; };
        std::vector<LayerProbe> out = probe_layers(td, rd, "d_", hidden);
        {
            FreezeGuard frozen(gan_.d);
            tg.backward(models::gan_g_loss(tg, gan_.d(tg, gan_.g(tg, tg.constant(z), &rg)), tg.constant(ones), loss_));
        }
        std::vector<LayerProbe> g = probe_layers(tg, rg, "g_", hidden);
        g.insert(g.end(), std::make_move_iterator(out.begin()), std::make_move_iterator(out.end()));
        gan_.zero_grad();
        return g;
    }

private:
    float d_update() {
        Tape& t = tape_d_;
        t.reset();
        const int b = cfg_.batch;
        const size_t half = static_cast<size_t>(b) * static_cast<size_t>(cfg_.model.data_dim);
        noise_.fill_normal(z_);
        {
            NoGradGuard no_grad(t);                // the fake half is a constant for D's update (detach)
            Var fake = gan_.g(t, t.constant(z_));  // (B, P)
            std::memcpy(d_input_.data() + half, t.value(fake).data(), half * sizeof(float));
        }
        // Without batch statistics in D, one pass over the concatenated batch is exactly D(real) and
        // D(fake), and a GEMM with 2B rows runs closer to peak than two with B. With them (the
        // DCGAN's batch norm), D sees real and generated images as separate batches, as in G's
        // update, where it sees generated ones only.
        Var logits = d_batch_stats_ ? concat(t, gan_.d(t, t.constant(real_view_)), gan_.d(t, t.constant(fake_view_)),
                                             0)                         // (2B, 1)
                                    : gan_.d(t, t.constant(d_input_));  // (2B, 1)
        Var loss = models::gan_d_loss(t, logits, t.constant(d_targets_), loss_);
        opt_d_.zero_grad();
        t.backward(loss);
        opt_d_.step();
        const float* s = t.value(logits).data();
        double real = 0, fake = 0;
        const bool ls = loss_ == models::GanLoss::LeastSquares;  // raw scores; else sigmoid probabilities
        for (int i = 0; i < b; ++i) {
            real += ls ? s[i] : 1.0 / (1.0 + std::exp(-static_cast<double>(s[i])));
            fake += ls ? s[b + i] : 1.0 / (1.0 + std::exp(-static_cast<double>(s[b + i])));
        }
        d_real_ = static_cast<float>(real / b);
        d_fake_ = static_cast<float>(fake / b);
        return t.item(loss);
    }

    // G's update needs dL/dx through D but not D's weight gradients (a third of D's backward):
    // D is frozen, so its weights enter the tape as constants.
    float g_update() {
        Tape& t = tape_g_;
        t.reset();
        noise_.fill_normal(z_);
        FreezeGuard frozen(gan_.d);
        Var logits = gan_.d(t, gan_.g(t, t.constant(z_)));  // (B, 1)
        Var loss = models::gan_g_loss(t, logits, t.constant(ones_), loss_);
        opt_g_.zero_grad();
        t.backward(loss);
        opt_g_.step();
        return t.item(loss);
    }

    std::unique_ptr<GanData> data_;
    GanExpConfig cfg_;
    uint64_t seed_;
    int log_every_, steps_;
    Rng init_rng_{stream_seed(seed_, "init")};
    Gan gan_;
    models::GanLoss loss_;
    Adam opt_g_, opt_d_;
    ProgressFrames progress_;
    Rng noise_{stream_seed(seed_, "noise")};
    Rng data_rng_{stream_seed(seed_, "data")};  // the stream next_real draws from (an image sampler keeps its own)
    Tape tape_d_, tape_g_;
    Tensor d_input_;                                              // (2B, P): real rows then fake rows
    Tensor real_view_;                                            // view of d_input_'s first B rows
    Tensor fake_view_;                                            // and of its last B
    const bool d_batch_stats_ = !gan_.d.named_buffers().empty();  // D has batch norm
    Tensor d_targets_;                                            // (2B, 1): ones then zeros
    Tensor ones_;                                                 // (B, 1)
    Tensor z_;                                                    // (B, Z)
    float d_real_ = 0.f, d_fake_ = 0.f, g_norm_ = 0.f, d_norm_ = 0.f;
};

// --- sample

void sample_gan(const LoadedRun& run, const SampleOptions& opt, const ConfigBox& box) {
    const GanSampleConfig& s = config_of<GanSampleConfig>(box);
    GanExpConfig cfg = config_of<GanExpConfig>(*run.box);
    cfg.upscale = s.upscale;
    Rng init(0);
    Gan gan(cfg.model, init);
    load_model_state(run, gan);
    const SampleFolder out("gan", run, opt, gan_sample_spec().to_json(s));
    Rng rng(stream_seed(opt.seed, "samples"));
    gan_data_kind(cfg.data).write_samples(out.dir(), gan, cfg, s, rng);
    std::cout << "genlab-gan: wrote " << out.dir() << "\n";
}

}  // namespace

const ExperimentDef& gan_experiment() {
    static const ExperimentDef def{
        .name = "gan",
        .about = "Train an MLP GAN or a DCGAN on Fashion-MNIST, or an MLP GAN on a 2-D toy distribution, or sample "
                 "from a checkpoint.",
        .default_steps = [](const ConfigBox&) { return 3000; },
        .default_eval_every = 0,
        .new_config = [] { return std::make_unique<TypedConfigBox<GanExpConfig>>(gan_spec(), resolve_gan); },
        .quality =
            [](const ConfigBox& box) {
                const GanExpConfig& c = config_of<GanExpConfig>(box);
                return gan_data_kind(c.data).quality(c);
            },
        .create = [](const ConfigBox& box, const RunOptions& run) -> std::unique_ptr<Experiment> {
            return std::make_unique<GanExperiment>(config_of<GanExpConfig>(box), run);
        },
        .memory =
            [](const ConfigBox& box) {
                const GanExpConfig& c = config_of<GanExpConfig>(box);
                return models::memory_estimate(c.model, c.batch, models::parse_gan_loss(c.loss));
            },
        .new_sample_config =
            [] { return std::make_unique<TypedConfigBox<GanSampleConfig>>(gan_sample_spec(), nullptr); },
        .sample = sample_gan,
        .outputs = {{"samples.png", str(kSampleImages, " images drawn from the generator at the end of training, one "
                                                       "fresh latent code each.")},
                    {"scatter.png",
                     str("2-D data: ", kModeSamples,
                         " generated points (blue) over real samples (grey); red crosses mark the mode centres, and "
                         "the title counts the modes the generator covers.")},
                    {"progress.png",
                     "The generator's output for the same fixed latent codes at evenly spaced steps of "
                     "training: one row (images) or one panel (2-D) per snapshot, the last at the final step."},
                    {"loss.png", "Training curves from metrics.csv: both losses, D's mean output on real and generated "
                                 "data, and the gradient norms of G and D."}},
        .sweep = gan_sweep_facts(),
    };
    return def;
}

}  // namespace genlab::experiments
