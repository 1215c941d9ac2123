// The list of experiments: what sweeps iterate and what names a checkpoint's kind.
#include "experiments/experiment.h"

#include <algorithm>

namespace genlab::experiments {

namespace {

std::vector<const ExperimentDef*>& registry() {
    static std::vector<const ExperimentDef*> all{&gan_experiment(), &ae_experiment(), &text_experiment()};
    return all;
}

}  // namespace

const std::vector<const ExperimentDef*>& experiments() { return registry(); }

const ExperimentDef& find_experiment(const std::string& name) {
    for (const ExperimentDef* d : experiments())
        if (d->name == name) return *d;
    usage_fail("experiment \"", name, "\": unknown (known: ", experiment_names(", "), ")");
}

std::string experiment_names(const char* last_joiner) {
    const std::vector<const ExperimentDef*>& all = experiments();
    std::string t;
    for (size_t i = 0; i < all.size(); ++i)
        t += (i == 0 ? "" : i + 1 == all.size() ? last_joiner : ", ") + all[i]->name;
    return t;
}

AddedExperiment::AddedExperiment(const ExperimentDef& def) : def_(&def) {
    for (const ExperimentDef* d : registry())
        if (d->name == def.name) fail("experiment \"", def.name, "\": already registered");
    registry().push_back(def_);
}

AddedExperiment::~AddedExperiment() {
    std::vector<const ExperimentDef*>& all = registry();
    all.erase(std::remove(all.begin(), all.end(), def_), all.end());
}

}  // namespace genlab::experiments
