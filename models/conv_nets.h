// DCGAN-style convolutional networks (Radford et al. 2016) on flat rows of one-channel images, so
// they stand in for an MLP wherever a model takes a Net: ConvEncoder (the discriminator, an
// autoencoder's encoder) halves the image with each strided convolution and ends in a linear
// layer; ConvDecoder (the generator, a decoder) mirrors it with transposed convolutions and batch
// norm. Every convolution is k4 s2 p1; the hidden activation is any of the registry.
//
//     const ImageGeometry img = conv_image(784, 2, "--arch conv");   // 28x28, one channel
//     ConvDecoder g(64, {128, 64}, img, relu, tanh, rng, Init::Gpt2);  // (B, 64) -> (B, 784)
//     ConvEncoder d(img, {64, 128}, 1, leaky, identity, rng, Init::Gpt2, true);  // (B, 784) -> (B, 1)
#pragma once
#include <string>
#include <vector>

#include "core/activations.h"
#include "core/nn/layers.h"
#include "core/rng.h"

namespace genlab::models {

constexpr int kConvKernel = 4;  // every convolution: kernel 4, stride 2, padding 1 (doubles or halves a side)
constexpr int kConvStride = 2;
constexpr int kConvPadding = 1;

// The networks an image model can be built of (--arch): "mlp", "conv".
const std::vector<std::string>& arch_names();

struct ImageGeometry {
    int channels = 1, height = 0, width = 0;
    int pixels() const { return channels * height * width; }
};

// The square one-channel image of `pixels` values that `stages` stride-2 stages halve down to an
// integer side: UsageError naming `flag` when there is none (2-D points, 28x30 images, 3 stages on 28).
ImageGeometry conv_image(int pixels, int stages, const std::string& flag);

// Image (B, C·H·W) -> stages convolutions, each halving H and W into channels[i] maps and followed
// by the hidden activation -> flatten -> Linear -> out_act -> (B, out). Layers: conv0.., fc; each
// convolution and the linear layer are recorded (pre (B, C, H, W) per channel for a convolution).
// With batch_norm, every convolution but the first is followed by batch norm (bn1..; no conv bias),
// as in DCGAN's discriminator, and the recorded pre is the batch norm's output.
class ConvEncoder : public Net {
public:
    ConvEncoder(ImageGeometry in, const std::vector<int>& channels, int out, const Activation& hidden_act,
                const Activation& out_act, Rng& rng, Init init, bool batch_norm = false);
    Var operator()(Tape& t, Var x, LayerRecord* record = nullptr) const override;

private:
    ImageGeometry in_;
    std::vector<Conv2d*> convs_;
    std::vector<BatchNorm*> norms_;  // per convolution; nullptr where there is none
    Linear* fc_;
    std::vector<ActivationLayer*> acts_;  // one per recorded layer, the output's last
};

// (B, Z) -> Linear to channels[0] maps of the image's side / 2^stages -> batch norm -> hidden
// activation, then for each further width a transposed convolution doubling the side, batch norm
// and the hidden activation, and a last transposed convolution to the image's channels -> out_act
// -> (B, C·H·W). Layers fc, bn0, deconv1, bn1, ..; the linear layer and every transposed
// convolution are recorded, a hidden one's pre being its batch norm's output.
class ConvDecoder : public Net {
public:
    ConvDecoder(int latent, const std::vector<int>& channels, ImageGeometry out, const Activation& hidden_act,
                const Activation& out_act, Rng& rng, Init init);
    Var operator()(Tape& t, Var z, LayerRecord* record = nullptr) const override;

private:
    std::vector<int> channels_;
    ImageGeometry out_;
    int base_h_, base_w_;  // the first maps' size
    Linear* fc_;
    std::vector<ConvTranspose2d*> deconvs_;  // deconv1.. deconv<stages>
    std::vector<BatchNorm*> norms_;          // bn0.. bn<stages-1>
    std::vector<ActivationLayer*> acts_;     // one per recorded layer, the output's last
};

}  // namespace genlab::models
