// LayerRecord entries -> LayerProbe (see probe.h).
#include "experiments/probe.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace genlab::experiments {

Tensor rows_copy(const Tensor& x) {
    const Shape& s = x.shape();
    if (s.rank == 4) {  // NCHW -> (N·H·W, C)
        const size_t n = static_cast<size_t>(s[0]), c = static_cast<size_t>(s[1]),
                     hw = static_cast<size_t>(s[2]) * static_cast<size_t>(s[3]);
        Tensor out(Shape{static_cast<int>(n * hw), s[1]});
        for (size_t b = 0; b < n; ++b)
            for (size_t ch = 0; ch < c; ++ch) {
                const float* src = x.data() + (b * c + ch) * hw;
                for (size_t p = 0; p < hw; ++p) out[(b * hw + p) * c + ch] = src[p];
            }
        return out;
    }
    const int units = s.last();
    const int rows = static_cast<int>(s.numel() / static_cast<size_t>(units));
    Tensor out(Shape{rows, units});
    std::copy(x.data(), x.data() + x.numel(), out.data());
    return out;
}

BuffersKept::BuffersKept(const Module& m) : buffers_(m.named_buffers()) {
    saved_.reserve(buffers_.size());
    for (const auto& [name, b] : buffers_) {
        saved_.emplace_back(b->shape());
        std::copy(b->data(), b->data() + b->numel(), saved_.back().data());
    }
}

BuffersKept::~BuffersKept() {
    for (size_t i = 0; i < buffers_.size(); ++i)
        std::copy(saved_[i].data(), saved_[i].data() + saved_[i].numel(), buffers_[i].second->data());
}

LayerProbe make_probe(Tape& t, const LayerRecord::Layer& layer, const std::string& name) {
    if (!layer.act || !layer.weight) fail("probe: layer ", name, " was recorded without its activation or weight");
    LayerProbe p;
    p.name = name;
    p.act = *layer.act;
    p.pre = rows_copy(t.value(layer.pre));
    if (!t.requires_grad(layer.pre))
        fail("probe: layer ", name, " has no gradient (was the batch run under NoGradGuard?)");
    p.grad = rows_copy(t.grad(layer.pre));
    double sq = 0;
    const Tensor& g = layer.weight->grad;
    for (size_t i = 0; i < g.numel(); ++i) sq += static_cast<double>(g[i]) * g[i];
    p.weight_grad_norm = std::sqrt(sq);
    if (layer.act_param) p.act_param = layer.act_param->value[0];
    return p;
}

}  // namespace genlab::experiments
