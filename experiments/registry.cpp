// The list of experiments: what sweeps iterate and what names a checkpoint's kind.
#include "experiments/experiment.h"

namespace genlab::experiments {

const std::vector<const ExperimentDef*>& experiments() {
    static const std::vector<const ExperimentDef*> all{&gan_experiment(), &ae_experiment(), &text_experiment()};
    return all;
}

const ExperimentDef& find_experiment(const std::string& name) {
    std::string known;
    for (const ExperimentDef* d : experiments()) {
        if (d->name == name) return *d;
        known += (known.empty() ? "" : ", ") + d->name;
    }
    usage_fail("experiment \"", name, "\": unknown (known: ", known, ")");
}

}  // namespace genlab::experiments
