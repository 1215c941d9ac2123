// LayerRecord entries -> LayerProbe (see probe.h).
#include "experiments/probe.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace genlab::experiments {

Tensor rows_copy(const Tensor& x) {
    const Shape& s = x.shape();
    const int units = s.last();
    const int rows = static_cast<int>(s.numel() / static_cast<size_t>(units));
    Tensor out(Shape{rows, units});
    std::copy(x.data(), x.data() + x.numel(), out.data());
    return out;
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
