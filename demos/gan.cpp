// genlab-gan: an MLP GAN (Leaky ReLU hidden layers, tanh output) on Fashion-MNIST, any
// MNIST-layout IDX folder or a 2-D toy mixture; the experiment is experiments/gan/gan_experiment.cpp.
//
//     genlab-gan --steps 3000                                  # samples.png, progress.png, fd_features
//     genlab-gan --data ring8 --steps 5000 --act relu          # scatter.png, modes_covered
//     genlab-gan --g-act leaky_relu:0.2 --d-act elu --init gain
//     genlab-gan sample --checkpoint outputs/gan/RUN/checkpoint.safetensors --num 64 --interpolate
//
// `genlab-gan --help` and `genlab-gan sample --help` list every flag.
#include "experiments/cli.h"

int main(int argc, char** argv) {
    return genlab::experiments::experiment_main(genlab::experiments::gan_experiment(), argc, argv);
}
