// A model's facts for sweeps (see sweep_facts.h).
#include "experiments/sweep_facts.h"

#include <algorithm>

#include "core/error.h"

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

std::string repeated_width(const nlohmann::json& config, const char* key, int depth) {
    const bool listed = config.is_object() && config.contains(key) && config[key].is_array() && !config[key].empty() &&
                        config[key][0].is_number_integer();
    if (!listed) usage_fail("--depths: the model has no hidden layer whose width to keep (its ", key, " is empty)");
    if (depth == 0) return "none";
    const std::string width = std::to_string(config[key][0].get<int>());
    std::string t = width;
    for (int i = 1; i < depth; ++i) t += "," + width;
    return t;
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
