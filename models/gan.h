// GAN: a generator (latent Z -> data, tanh output by default) and a discriminator (data -> 1
// logit) of one of two architectures: MLPs (Leaky ReLU hidden by default) or DCGAN's
// convolutional nets on square images (models/conv_nets.h); the three losses (non-saturating,
// minimax, least squares) and sampling. The training step is the GAN experiment's
// (experiments/gan/gan_experiment.cpp).
//
//     GanConfig cfg;                                       // Fashion-MNIST sizes
//     Rng rng(stream_seed(seed, "init"));
//     Gan gan(cfg, rng);                                   // Module: "g.fc0.weight", ..., "d.fc2.bias"
//     Var logits = gan.d(t, gan.g(t, t.constant(z)));      // (B, 1)
//     Tensor imgs = generate(gan, sample_latent(64, cfg.latent, rng));  // (N, P) in G's output range
#pragma once
#include <string>
#include <vector>

#include "config/config.h"
#include "core/activations.h"
#include "core/memory.h"
#include "core/nn/layers.h"
#include "core/rng.h"
#include "core/tape.h"

namespace genlab::models {

struct GanConfig {
    int data_dim = 784;                    // P: pixels of an image, or 2 for the toy distributions
    int latent = 64;                       // Z: latent size; z ~ N(0, I)
    std::string arch = "mlp";              // mlp, or conv: DCGAN's nets on square images (conv_nets.h)
    std::vector<int> g_hidden{256, 512};   // mlp: generator hidden widths
    std::vector<int> d_hidden{512, 256};   // mlp: discriminator hidden widths
    std::vector<int> g_channels{128, 64};  // conv: generator maps per stage, smallest image first
    std::vector<int> d_channels{32, 64};   // conv: discriminator maps per stage, largest image first
    std::string d_norm = "batch";          // conv: batch norm after D's convolutions but the first, or none
    std::string g_act = "leaky_relu:0.2";  // generator hidden activation (registry spec)
    std::string d_act = "leaky_relu:0.2";  // discriminator hidden activation (registry spec)
    std::string g_out = "tanh";            // generator output activation; the data is put in its range
    std::string init = "torch";            // Linear and convolution init: torch, gain or gpt2 (DCGAN's N(0, 0.02))
};

// Fields, flags, JSON and validation of GanConfig (config/config.h).
const ConfigSpec<GanConfig>& gan_config_spec();

class Gan : public Module {
public:
    Gan(const GanConfig& cfg, Rng& rng);  // validates cfg
    const GanConfig& config() const { return cfg_; }
    Net& g;  // (B, Z) -> (B, P), hidden g_act, output g_out
    Net& d;  // (B, P) -> (B, 1) logits, hidden d_act

private:
    GanConfig cfg_;
};

enum class GanLoss { NonSaturating, Minimax, LeastSquares };
GanLoss parse_gan_loss(const std::string& name);  // "ns" | "minimax" | "lsgan", else UsageError
const std::vector<std::string>& gan_loss_names();

// Parameters and a training step's tape floats at `batch` with `loss`, measured on a shapes-only
// build and a dry step of it (core/memory.h): nothing of the networks' size is allocated.
MemoryEstimate memory_estimate(const GanConfig& cfg, int batch, GanLoss loss);

// The losses, as mean over the batch -> (1). logits (N, 1); for lsgan the "logits" are D's raw
// scores. d_loss takes the logits of a concatenated batch [real (n_real rows); fake (rest)] and
// returns loss_real + loss_fake (each a mean over its half), as PyTorch's
// bce(D(x), 1) + bce(D(G(z)), 0). targets: (N, 1) with ones on the real rows, zeros after.
Var gan_d_loss(Tape& t, Var logits, Var targets, GanLoss loss);
// G's loss on D's logits of fake samples; ones: (N, 1) of ones. ns: bce(D(G(z)), 1);
// minimax: -bce(D(G(z)), 0) = mean log(1 - D(G(z))) (saturates when D wins); lsgan: mean (s-1)^2 / 2.
Var gan_g_loss(Tape& t, Var logits, Var ones, GanLoss loss);

// Generator output for latent rows z (N, Z) -> (N, P), without gradients and in evaluation mode
// (batch norm's running statistics); runs in chunks so a large N (10,000 samples for metrics)
// does not need one huge tape slot per layer.
Tensor generate(Gan& gan, const Tensor& z);
// N latent vectors z ~ N(0, I) -> (N, Z).
Tensor sample_latent(int n, int latent, Rng& rng);
// Straight-line interpolation: rows of z0 (R, Z) to z1 (R, Z) in `steps` points each ->
// (R * steps, Z), row-major by (r, step), so a grid with steps columns shows one path per row.
Tensor interpolate_latent(const Tensor& z0, const Tensor& z1, int steps);

}  // namespace genlab::models
