// genlab-ae: plain and variational MLP autoencoders on Fashion-MNIST (or any IDX folder); the
// experiment is experiments/ae/ae_experiment.cpp.
//
//     genlab-ae                                      # 784-512-128-32-128-512-784 GELU, BCE, 2000 steps
//     genlab-ae --variational --latent 2             # VAE with a 2-D code: adds samples.png, latent.png
//     genlab-ae --act relu --init torch --seed 3     # one arm of an activation ablation
//     genlab-ae sample --checkpoint outputs/ae/RUN/checkpoint.safetensors
//
// Writes reconstructions.png, interpolation.png, samples.png (VAE), latent.png (--latent 2),
// loss.png, config.json, metrics.csv and metrics.json (test_loss: mean per-pixel BCE or MSE over
// the test set on the [0, 1] pixel scale; VAE: test_kl and test_elbo per image, in nats).
#include "experiments/cli.h"

int main(int argc, char** argv) {
    return genlab::experiments::experiment_main(genlab::experiments::ae_experiment(), argc, argv);
}
