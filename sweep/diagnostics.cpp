// Per-layer diagnostics from LayerProbes (see diagnostics.h).
#include "sweep/diagnostics.h"

#include <cmath>

#include "core/error.h"

namespace genlab::experiments {

Activation effective_activation(const LayerProbe& p) {
    Activation a = p.act;
    if (a.learnable() && !std::isnan(p.act_param)) a.params[a.def->params.size()] = p.act_param;
    return a;
}

double max_abs_slope(const Activation& act) {
    double best = 0;
    for (int i = -30000; i <= 30000; ++i) best = std::max(best, static_cast<double>(std::fabs(act.df(i * 1e-3f))));
    return best;
}

LayerStats layer_stats(const LayerProbe& p) {
    if (p.pre.shape() != p.grad.shape() || p.pre.shape().rank != 2)
        fail("diagnostics: layer ", p.name, ": pre-activations and gradients must be (rows, units) of one shape");
    LayerStats s;
    const size_t split = p.name.rfind('l');
    if (split == std::string::npos) fail("diagnostics: layer name '", p.name, "' does not end in l<k>");
    s.prefix = p.name.substr(0, split);
    s.layer = p.name.substr(split);
    const Activation act = effective_activation(p);
    const int rows = p.pre.shape()[0], units = p.pre.shape()[1];
    const double threshold = 0.01 * max_abs_slope(act);
    std::vector<char> alive(static_cast<size_t>(units), 0);
    size_t saturated = 0;
    double sum = 0, sq = 0;
    for (int r = 0; r < rows; ++r)
        for (int u = 0; u < units; ++u) {
            const float x = p.pre[static_cast<size_t>(r) * units + u];
            const float d = std::fabs(act.df(x));
            if (d != 0.f) alive[static_cast<size_t>(u)] = 1;
            if (d < threshold) ++saturated;
            sum += x;
            sq += static_cast<double>(x) * x;
        }
    const double n = static_cast<double>(rows) * units;
    size_t dead = 0;
    for (char a : alive) dead += a == 0;
    s.dead_fraction = units ? static_cast<double>(dead) / units : 0;
    s.saturated_fraction = n > 0 ? saturated / n : 0;
    s.grad_norm = p.weight_grad_norm;
    s.pre_mean = n > 0 ? sum / n : 0;
    s.pre_std = n > 0 ? std::sqrt(std::max(0.0, sq / n - s.pre_mean * s.pre_mean)) : 0;
    s.act_param = p.act.learnable() ? p.act_param : std::nanf("");
    return s;
}

Metrics diagnostics_metrics(const std::vector<LayerProbe>& probes) {
    Metrics m;
    for (const LayerProbe& p : probes) {
        const LayerStats s = layer_stats(p);
        auto put = [&](const char* metric, double v) { m.emplace_back(s.prefix + metric + "_" + s.layer, v); };
        put("dead_fraction", s.dead_fraction);
        put("saturated_fraction", s.saturated_fraction);
        put("grad_norm", s.grad_norm);
        put("pre_mean", s.pre_mean);
        put("pre_std", s.pre_std);
        if (!std::isnan(s.act_param)) put("act_param", s.act_param);
    }
    return m;
}

}  // namespace genlab::experiments
