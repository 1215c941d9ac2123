// Autoencoders on flattened images, MLP or convolutional (--arch conv: DCGAN-shaped strided
// convolutions down, transposed convolutions up, models/conv_nets.h): plain (x -> code -> x̂) and
// variational (x -> mu, logvar, reparameterised z -> x̂, loss = reconstruction + beta * KL to
// N(0, I)), with any registered hidden activation. Losses are reported per pixel on the [0, 1] pixel scale whatever the output
// activation, so runs with sigmoid, tanh or identity outputs compare directly.
//
//     AutoencoderConfig cfg;                      // 784 -> 512 -> 128 -> 32 -> 128 -> 512 -> 784, gelu
//     Rng rng(1);
//     Autoencoder ae(cfg, rng);
//     Var x = t.constant(batch);                  // (B, P) in the data range (data_range(cfg))
//     AeLosses l = ae.loss(t, x, &noise);         // l.objective to minimise, l.recon per pixel
//     t.backward(l.objective);
#pragma once
#include <string>
#include <vector>

#include "config/config.h"
#include "core/activations.h"
#include "core/memory.h"
#include "core/nn/layers.h"
#include "core/nn/module.h"
#include "core/rng.h"
#include "core/row_source.h"
#include "core/tape.h"
#include "core/tensor.h"

namespace genlab::models {

struct AutoencoderConfig {
    int input = 784;                    // pixels per image P (the flattened input and output)
    std::string arch = "mlp";           // mlp, or conv: square images through convolutions
    std::vector<int> hidden{512, 128};  // mlp: encoder hidden widths; the decoder mirrors them
    std::vector<int> channels{32, 64};  // conv: encoder feature maps per stage; the decoder mirrors them
    int latent = 32;                    // code size Z
    std::string act = "gelu";           // hidden activation spec (any registry entry, "leaky_relu:0.2")
    // Output activation: a bounded one (sigmoid, tanh) puts the data in its range; an unbounded
    // one (identity) keeps it in [0, 1] and needs mse.
    std::string out_act = "sigmoid";
    std::string loss = "bce";   // reconstruction loss: "bce" or "mse", per pixel on the [0, 1] scale
    bool variational = false;   // VAE: encoder gives mu and log-variance, z is sampled
    float beta = 1.f;           // VAE: weight of the KL term (beta-VAE); 1 is the ELBO
    std::string init = "gain";  // Linear init: gain (x activation gain), torch or gpt2
};

// Fields, flags, JSON and validation of AutoencoderConfig (config/config.h).
const ConfigSpec<AutoencoderConfig>& autoencoder_config_spec();

// Where the data must lie for cfg's output activation: its range when bounded, else [0, 1].
ValueRange data_range(const AutoencoderConfig& cfg);
// The code layer's index among a LayerRecord's layers (the encoder's last): its hidden layers come first.
size_t code_layer(const AutoencoderConfig& cfg);

// Parameters and a training step's tape floats at `batch`, measured on a shapes-only build and a
// dry step of it (core/memory.h): nothing of the model's size is allocated.
MemoryEstimate memory_estimate(const AutoencoderConfig& cfg, int batch);

struct AeLosses {
    Var objective;  // (1) what training minimises: recon (plain), P * recon + beta * kl (VAE)
    Var recon;      // (1) mean reconstruction loss per pixel (bce or mse on the [0, 1] scale)
    Var kl;         // (1) VAE: KL(q(z|x) || N(0, I)) per image in nats; invalid for a plain AE
};

// A plain autoencoder applies the hidden activation to the code too, so the default model is
// exactly the 784-512-128-32-128-512-784 GELU MLP of the `ae` benchmark. A VAE's encoder ends in
// a linear layer of 2Z units: [mu | logvar]. The conv decoder has batch norm: training mode
// normalises by the batch, the inference helpers below run in evaluation mode.
class Autoencoder : public Module {
public:
    Autoencoder(const AutoencoderConfig& cfg, Rng& rng);
    const AutoencoderConfig& config() const { return cfg_; }

    // Layer records, when given, receive each Linear's pre- and post-activation Vars (encoder
    // layers first, then decoder layers; MLP's LayerRecord), for dead-unit and gradient analysis.

    // x (B, P) -> the code (B, Z): the plain AE's code, or the VAE's mean (its deterministic code).
    Var encode(Tape& t, Var x, LayerRecord* record = nullptr) const;
    // VAE only: x (B, P) -> mu (B, Z) and logvar (B, Z).
    void encode_gaussian(Tape& t, Var x, Var* mu, Var* logvar, LayerRecord* record = nullptr) const;
    // z (B, Z) -> pre-output-activation values (B, P): logits for sigmoid, 2x logits for tanh.
    Var decode_raw(Tape& t, Var z, LayerRecord* record = nullptr) const;
    // z (B, Z) -> reconstruction (B, P) in the data range.
    Var decode(Tape& t, Var z, LayerRecord* record = nullptr) const;

    // Losses of a batch x (B, P). The VAE draws its reparameterisation noise from `noise`
    // (required for a VAE, unused otherwise).
    AeLosses loss(Tape& t, Var x, Rng* noise, LayerRecord* record = nullptr) const;

    Net& encoder;
    Net& decoder;

private:
    Var recon_loss(Tape& t, Var raw, Var x) const;  // per-pixel mean, [0, 1] scale

    AutoencoderConfig cfg_;
    Activation out_act_;
};

// Test-set figures, exact over every row (batches of `batch`), accumulated in double.
struct AeEvaluation {
    double loss = 0;  // mean reconstruction loss per pixel
    double kl = 0;    // VAE: mean KL per image (nats)
    double elbo = 0;  // VAE: mean ELBO per image, -(P * loss + kl) (nats for bce)
};
// images (N, P). The VAE's z is sampled with Rng(noise_seed), so the figures are reproducible and
// independent of the training RNG. Runs without gradients on its own tape.
AeEvaluation evaluate(Autoencoder& model, const RowSource& images, uint64_t noise_seed = 0x5eed, int batch = 500);

// Inference helpers (no gradients, evaluation mode). images (N, P) in the data range.
Tensor reconstruct(Autoencoder& model, const Tensor& images);  // (N, P) through the code (mean for a VAE)
Tensor encode_all(Autoencoder& model, const RowSource& images, int batch = 500);  // (N, Z)
Tensor decode_all(Autoencoder& model, const Tensor& codes);                       // (N, Z) -> (N, P)
// For each pair (a[i], b[i]) `steps` decodings of (1 - s) z_a + s z_b, s = 0 .. 1: (pairs * steps, P).
Tensor interpolate(Autoencoder& model, const Tensor& a, const Tensor& b, int steps);
// VAE: n decodings of z ~ N(0, I) drawn from rng: (n, P).
Tensor sample_prior(Autoencoder& model, int n, Rng& rng);

}  // namespace genlab::models
