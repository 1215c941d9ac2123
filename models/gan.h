// GAN: an MLP generator (latent Z -> hidden -> data, hidden Leaky ReLU, tanh output by default)
// and an MLP discriminator (data -> hidden -> 1 logit), the three losses (non-saturating,
// minimax, least squares), the training step as a Trainer StepFn body, and sampling.
//
//     GanConfig cfg;                                     // Fashion-MNIST defaults
//     Rng rng(1);
//     Gan gan(cfg, rng);                                 // Module: "generator.fc0.weight", ...
//     GanStep step(gan, cfg);                            // tapes, buffers and both Adams, allocated once
//     Metrics m = step.run([&](Tensor& real) { sampler.next(images, real); },   // fills (B, P)
//                          noise_rng, /*grad_norms=*/true);  // D update on real+fake, then G update
//     Tensor imgs = generate(gan, sample_latent(64, cfg.latent, rng));  // (N, P) in G's output range
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/activations.h"
#include "core/nn/layers.h"
#include "core/optim/optimizer.h"
#include "core/rng.h"
#include "core/tape.h"
#include "core/train/trainer.h"

namespace genlab::models {

enum class GanLoss { NonSaturating, Minimax, LeastSquares };

// "ns" | "minimax" | "lsgan"; UsageError otherwise.
GanLoss parse_gan_loss(const std::string& name);
std::string gan_loss_name(GanLoss loss);

struct GanConfig {
    int data_dim = 784;                     // P: pixels of an image, or 2 for the toy distributions
    int latent = 64;                        // Z: latent size; z ~ N(0, I)
    std::vector<int> g_hidden{256, 512};    // generator hidden widths
    std::vector<int> d_hidden{512, 256};    // discriminator hidden widths
    std::string g_act = "leaky_relu:0.2";   // generator hidden activation (registry spec)
    std::string d_act = "leaky_relu:0.2";   // discriminator hidden activation (registry spec)
    std::string g_out = "tanh";             // generator output activation: tanh, sigmoid or identity
    std::string loss = "ns";                // ns (non-saturating), minimax, lsgan
    int batch = 64;                         // B: real samples (and fake samples) per D update
    float lr = 2e-4f;                       // Adam learning rate of both networks
    float beta1 = 0.5f;                     // Adam beta1 (DCGAN's 0.5)
    float beta2 = 0.999f;                   // Adam beta2
    int d_steps = 1;                        // D updates per G update (each on a fresh real batch)
    // Weight init: "torch" = torch.nn.Linear's default (U(±1/sqrt(fan_in)), what the PyTorch
    // references use); "gain" = Kaiming uniform scaled by the following activation's gain.
    std::string init = "torch";

    // Throws UsageError naming the flag of the first bad field.
    void validate() const;
};

std::string gan_config_to_json(const GanConfig& cfg);      // one JSON object, every field
GanConfig gan_config_from_json(const std::string& json);   // Error naming the bad field

// sizes {in, h..., out}: Linear layers named fc0..fc<n-1>, hidden_act after every hidden layer,
// out_act after the last. A learnable activation gets one (1)-shaped parameter "act<i>.<name>".
// Unlike core's MLP, the forward can run with the weights as constants ("frozen"): the G update
// needs dL/dx through D but not D's weight gradients, which would cost a third of D's backward.
class GanNet : public Module {
public:
    // act_gain: init each layer with the gain of the activation it feeds (else PyTorch's default).
    GanNet(const std::vector<int>& sizes, const Activation& hidden_act, const Activation& out_act, bool act_gain,
           Rng& rng);
    // record: per-layer pre/post activations (core/nn/layers.h); frozen: weights without gradient.
    Var operator()(Tape& t, Var x, LayerRecord* record = nullptr, bool frozen = false) const;
    const std::vector<int>& sizes() const { return sizes_; }

private:
    std::vector<int> sizes_;
    Activation hidden_act_, out_act_;
    std::vector<Linear*> layers_;
    std::vector<Parameter*> act_params_;  // per layer; null when the activation has none
};

class Gan : public Module {
public:
    Gan(const GanConfig& cfg, Rng& rng);
    const GanConfig& config() const { return cfg_; }
    GanNet& generator;      // (B, Z) -> (B, P)
    GanNet& discriminator;  // (B, P) -> (B, 1) logits

private:
    GanConfig cfg_;
};

// The losses, as mean over the batch -> (1). logits (N, 1); for lsgan the "logits" are D's raw
// scores. d_loss takes the logits of a concatenated batch [real (n_real rows); fake (rest)] and
// returns loss_real + loss_fake (each a mean over its half), as PyTorch's
// bce(D(x), 1) + bce(D(G(z)), 0). targets: (N, 1) with ones on the real rows, zeros after.
Var gan_d_loss(Tape& t, Var logits, Var targets, GanLoss loss);
// G's loss on D's logits of fake samples; ones: (N, 1) of ones. ns: bce(D(G(z)), 1);
// minimax: -bce(D(G(z)), 0) = mean log(1 - D(G(z))) (saturates when D wins); lsgan: mean (s-1)^2 / 2.
Var gan_g_loss(Tape& t, Var logits, Var ones, GanLoss loss);

// One GAN optimisation step with everything preallocated: two tapes (D update, G update) reused
// every step, the real+fake input buffer, targets, the latent buffer and both Adams. run() does
// d_steps D updates (each: fresh real batch from next_real, fresh z, D on [real; G(z)] as one
// concatenated batch of 2B rows, fake detached) then one G update (fresh z, D frozen).
class GanStep {
public:
    GanStep(Gan& gan, const GanConfig& cfg);
    GanStep(const GanStep&) = delete;
    GanStep& operator=(const GanStep&) = delete;

    // next_real fills its (B, P) argument with a real batch (already scaled to G's output range).
    // grad_norms: compute the G and D gradient norms (otherwise the previous values are reported).
    // Metrics: d_loss, g_loss, d_real, d_fake (mean D output: sigmoid probability, or the raw
    // score for lsgan), g_grad_norm, d_grad_norm.
    template <class NextReal>
    Metrics run(NextReal&& next_real, Rng& noise, bool grad_norms) {
        float d_loss = 0.f;
        for (int k = 0; k < cfg_.d_steps; ++k) {
            next_real(real_view_);
            d_loss = d_update(noise);
        }
        const float g_loss = g_update(noise);
        if (grad_norms) {
            g_norm_ = grad_norm(g_params_);
            d_norm_ = grad_norm(d_params_);
        }
        return {{"d_loss", d_loss}, {"g_loss", g_loss}, {"d_real", d_real_}, {"d_fake", d_fake_},
                {"g_grad_norm", g_norm_}, {"d_grad_norm", d_norm_}};
    }

    Adam& opt_g() { return *opt_g_; }
    Adam& opt_d() { return *opt_d_; }
    // Per-layer records of the last step: G's layers from the G update, D's from the last D
    // update. t.grad(record.pre[i]) is the gradient that reached layer i (valid until the next run).
    const LayerRecord& g_record() const { return g_record_; }
    const LayerRecord& d_record() const { return d_record_; }
    Tape& g_tape() { return tape_g_; }
    Tape& d_tape() { return tape_d_; }

private:
    float d_update(Rng& noise);
    float g_update(Rng& noise);

    Gan& gan_;
    GanConfig cfg_;
    GanLoss loss_;
    NamedParameters g_params_, d_params_;
    std::unique_ptr<Adam> opt_g_, opt_d_;
    Tape tape_d_, tape_g_;
    Tensor d_input_;    // (2B, P): real rows then fake rows
    Tensor real_view_;  // view of d_input_'s first B rows
    Tensor d_targets_;  // (2B, 1): ones then zeros
    Tensor ones_;       // (B, 1)
    Tensor z_;          // (B, Z)
    LayerRecord g_record_, d_record_;
    float d_real_ = 0.f, d_fake_ = 0.f, g_norm_ = 0.f, d_norm_ = 0.f;
};

// Generator output for latent rows z (N, Z) -> (N, P), without gradients; runs in chunks so a
// large N (10,000 samples for metrics) does not need one huge tape slot per layer.
Tensor generate(const Gan& gan, const Tensor& z);
// N latent vectors z ~ N(0, I) -> (N, Z).
Tensor sample_latent(int n, int latent, Rng& rng);
// Straight-line interpolation: rows of z0 (R, Z) to z1 (R, Z) in `steps` points each ->
// (R * steps, Z), row-major by (r, step), so a grid with steps columns shows one path per row.
Tensor interpolate_latent(const Tensor& z0, const Tensor& z1, int steps);

}  // namespace genlab::models
