// Shared pieces of the experiments' diagnostics hook: turning a LayerRecord (after forward and
// backward on the fixed evaluation batch) into LayerProbes.
#pragma once
#include <string>
#include <vector>

#include "core/nn/layers.h"
#include "experiments/experiment.h"

namespace genlab::experiments {

// One LayerProbe per record layer for which keep(index, layer) holds, named prefix + "l<k>" with
// k counting the kept layers from 0. pre and grad are copied as (rows, units) tensors; the
// weight's gradient must hold this batch's gradient alone (zero it before the backward).
template <class Keep>
std::vector<LayerProbe> probe_layers(Tape& t, const LayerRecord& record, const std::string& prefix, Keep keep);

// A copy of x as (rows, units): every dim but the last folded into rows.
Tensor rows_copy(const Tensor& x);
LayerProbe make_probe(Tape& t, const LayerRecord::Layer& layer, const std::string& name);

template <class Keep>
std::vector<LayerProbe> probe_layers(Tape& t, const LayerRecord& record, const std::string& prefix, Keep keep) {
    std::vector<LayerProbe> out;
    for (size_t i = 0; i < record.layers.size(); ++i)
        if (keep(i, record.layers[i]))
            out.push_back(make_probe(t, record.layers[i], prefix + "l" + std::to_string(out.size())));
    return out;
}

}  // namespace genlab::experiments
