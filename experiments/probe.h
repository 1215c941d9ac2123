// Shared pieces of the experiments' diagnostics hook: turning a LayerRecord (after forward and
// backward on the fixed evaluation batch) into LayerProbes, and keeping the model's buffers.
#pragma once
#include <string>
#include <vector>

#include "core/nn/layers.h"
#include "experiments/experiment.h"

namespace genlab::experiments {

// One LayerProbe per record layer for which keep(index, layer) holds, named prefix + "l<k>" with
// k counting the kept layers from 0. pre and grad are copied as (rows, units) tensors (rows_copy),
// so a convolution's units are its channels; the weight's gradient must hold this batch's gradient
// alone (zero it before the backward).
template <class Keep>
std::vector<LayerProbe> probe_layers(Tape& t, const LayerRecord& record, const std::string& prefix, Keep keep);

// A copy of x as (rows, units): every dim but the last folded into rows; an image batch
// (N, C, H, W) as (N·H·W, C), one row per position of each example, so that a channel is a unit
// (dead when its derivative is 0 at every position of every example).
Tensor rows_copy(const Tensor& x);

// RAII: a module's buffers (batch norm's running statistics) as they were when made, put back
// when it ends, so a probe's forward in training mode leaves the model as it found it.
class BuffersKept {
public:
    explicit BuffersKept(const Module& m);
    ~BuffersKept();
    BuffersKept(const BuffersKept&) = delete;
    BuffersKept& operator=(const BuffersKept&) = delete;

private:
    NamedBuffers buffers_;
    std::vector<Tensor> saved_;
};
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
