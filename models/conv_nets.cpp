// ConvEncoder and ConvDecoder (see conv_nets.h): DCGAN's strided and transposed convolutions,
// built from the stage widths and the image's geometry.
#include "models/conv_nets.h"

#include <cmath>
#include <memory>

#include "core/error.h"
#include "core/ops.h"

namespace genlab::models {

namespace {

ConvOptions conv_options(Init init, const Activation& next, bool bias) {
    return {
        .stride = kConvStride, .padding = kConvPadding, .weights = {.bias = bias, .init = init, .gain = next.gain()}};
}

void require_stages(const char* what, const std::vector<int>& channels) {
    if (channels.empty()) fail(what, ": at least one convolution stage is needed");
    for (size_t i = 0; i < channels.size(); ++i)
        if (channels[i] <= 0) fail(what, ": channels[", i, "] must be positive, got ", channels[i]);
}

}  // namespace

const std::vector<std::string>& arch_names() {
    static const std::vector<std::string> names{"mlp", "conv"};
    return names;
}

ImageGeometry conv_image(int pixels, int stages, const std::string& flag) {
    const int side = static_cast<int>(std::lround(std::sqrt(static_cast<double>(pixels))));
    if (side * side != pixels || pixels < 4)
        usage_fail(flag, ": the convolutional nets take square one-channel images, but an example has ", pixels,
                   " values", pixels == 2 ? " (2-D points)" : "");
    if (stages < 1 || stages > 16 || side % (1 << stages) != 0)
        usage_fail(flag, ": ", side, "x", side, " images cannot be halved ", stages,
                   " times (one per convolution stage) to an integer side; use images whose side is divisible by ",
                   stages >= 1 && stages <= 16 ? 1 << stages : 2, " or fewer stages");
    return {.channels = 1, .height = side, .width = side};
}

// --- ConvEncoder

ConvEncoder::ConvEncoder(ImageGeometry in, const std::vector<int>& channels, int out, const Activation& hidden_act,
                         const Activation& out_act, Rng& rng, Init init, bool batch_norm)
    : in_(in), fc_(nullptr) {
    require_stages("ConvEncoder", channels);
    const int stages = static_cast<int>(channels.size());
    if (in.height % (1 << stages) || in.width % (1 << stages))
        fail("ConvEncoder: ", in.height, "x", in.width, " images cannot be halved ", stages, " times");
    int c = in.channels;
    for (int i = 0; i < stages; ++i) {
        const bool norm = batch_norm && i > 0;  // never on the input layer (DCGAN)
        convs_.push_back(&register_module("conv" + std::to_string(i),
                                          std::make_unique<Conv2d>(c, channels[i], kConvKernel, rng,
                                                                   conv_options(init, hidden_act, !norm))));
        norms_.push_back(norm ? &register_module("bn" + std::to_string(i), std::make_unique<BatchNorm>(channels[i]))
                              : nullptr);
        acts_.push_back(&register_module("act" + std::to_string(i), std::make_unique<ActivationLayer>(hidden_act)));
        c = channels[i];
    }
    const int flat = c * (in.height >> stages) * (in.width >> stages);
    fc_ = &register_module("fc", std::make_unique<Linear>(flat, out, rng,
                                                          LinearOptions{.init = init, .gain = out_act.gain()}));
    acts_.push_back(&register_module("act" + std::to_string(stages), std::make_unique<ActivationLayer>(out_act)));
}

Var ConvEncoder::operator()(Tape& t, Var x, LayerRecord* record) const {
    const int n = t.shape(x)[0];
    Var h = reshape(t, x, Shape{n, in_.channels, in_.height, in_.width});  // (B, C, H, W)
    for (size_t i = 0; i < convs_.size(); ++i) {
        Var pre = (*convs_[i])(t, h);  // (B, channels[i], H/2^(i+1), W/2^(i+1))
        if (norms_[i]) pre = (*norms_[i])(t, pre);
        Var post = (*acts_[i])(t, pre);  // same
        if (record)
            record->add({.pre = pre,
                         .post = post,
                         .act = &acts_[i]->act(),
                         .weight = &convs_[i]->weight,
                         .act_param = acts_[i]->param()});
        h = post;
    }
    const Shape s = t.shape(h);
    Var pre = (*fc_)(t, reshape(t, h, Shape{n, s[1] * s[2] * s[3]}));  // (B, out)
    Var post = (*acts_.back())(t, pre);
    if (record)
        record->add({.pre = pre,
                     .post = post,
                     .act = &acts_.back()->act(),
                     .weight = &fc_->weight,
                     .act_param = acts_.back()->param(),
                     .hidden = false});
    return post;
}

// --- ConvDecoder

ConvDecoder::ConvDecoder(int latent, const std::vector<int>& channels, ImageGeometry out, const Activation& hidden_act,
                         const Activation& out_act, Rng& rng, Init init)
    : channels_(channels), out_(out), base_h_(0), base_w_(0), fc_(nullptr) {
    require_stages("ConvDecoder", channels);
    const int stages = static_cast<int>(channels.size());
    if (out.height % (1 << stages) || out.width % (1 << stages))
        fail("ConvDecoder: ", out.height, "x", out.width, " images are not ", stages, " doublings of an integer side");
    base_h_ = out.height >> stages;
    base_w_ = out.width >> stages;
    // Batch norm follows every hidden layer, so their biases would be redundant (DCGAN's bias=False).
    fc_ = &register_module("fc", std::make_unique<Linear>(latent, channels[0] * base_h_ * base_w_, rng,
                                                          LinearOptions{
                                                              .bias = false, .init = init, .gain = hidden_act.gain()}));
    norms_.push_back(&register_module("bn0", std::make_unique<BatchNorm>(channels[0])));
    acts_.push_back(&register_module("act0", std::make_unique<ActivationLayer>(hidden_act)));
    for (int i = 1; i <= stages; ++i) {
        const bool last = i == stages;
        const int c_out = last ? out.channels : channels[static_cast<size_t>(i)];
        const std::string k = std::to_string(i);
        deconvs_.push_back(&register_module(
            "deconv" + k,
            std::make_unique<ConvTranspose2d>(channels[static_cast<size_t>(i - 1)], c_out, kConvKernel, rng,
                                              conv_options(init, last ? out_act : hidden_act, last))));
        if (!last) norms_.push_back(&register_module("bn" + k, std::make_unique<BatchNorm>(c_out)));
        acts_.push_back(&register_module("act" + k, std::make_unique<ActivationLayer>(last ? out_act : hidden_act)));
    }
}

Var ConvDecoder::operator()(Tape& t, Var z, LayerRecord* record) const {
    const int n = t.shape(z)[0];
    Var h = reshape(t, (*fc_)(t, z), Shape{n, channels_[0], base_h_, base_w_});  // (B, C0, h, w)
    for (size_t i = 0; i < acts_.size(); ++i) {
        const bool last = i + 1 == acts_.size();
        if (i > 0) h = (*deconvs_[i - 1])(t, h);  // (B, C_i, 2^i·h, 2^i·w)
        Var pre = last ? h : (*norms_[i])(t, h);
        Var post = (*acts_[i])(t, pre);
        if (record)
            record->add({.pre = pre,
                         .post = post,
                         .act = &acts_[i]->act(),
                         .weight = i == 0 ? &fc_->weight : &deconvs_[i - 1]->weight,
                         .act_param = acts_[i]->param(),
                         .hidden = !last});
        h = post;
    }
    return reshape(t, h, Shape{n, out_.pixels()});  // (B, C·H·W)
}

}  // namespace genlab::models
