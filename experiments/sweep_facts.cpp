// A model's facts for sweeps (see sweep_facts.h).
#include "experiments/sweep_facts.h"

#include <algorithm>

namespace genlab::experiments {

const char* trait_text(Trait t) {
    switch (t) {
        case Trait::Adversarial: return "a GAN";
        case Trait::Transformer: return "a transformer";
    }
    return "";
}

std::string config_text(const nlohmann::json& config, const char* key) {
    return config.is_object() && config.contains(key) && config[key].is_string() ? config[key].get<std::string>()
                                                                                 : std::string{};
}

bool SweepFacts::has(Trait t, const nlohmann::json& config) const {
    if (!traits) return false;
    const std::vector<Trait> mine = traits(config);
    return std::find(mine.begin(), mine.end(), t) != mine.end();
}

const SweepPreset* SweepFacts::preset(const std::string& name) const {
    for (const SweepPreset& p : presets)
        if (p.name == name) return &p;
    return nullptr;
}

}  // namespace genlab::experiments
