// What sweeps need to know about the character-level text model (experiments/sweep_facts.h):
// one network, the quick sweep, and --arch transformer for the transformer claims.
#include <filesystem>

#include "core/error.h"
#include "experiments/sweep_facts_of.h"

namespace genlab::experiments {

namespace {

std::string arch_of(const nlohmann::json& cfg) {
    return cfg.contains("model") ? config_text(cfg["model"], "arch") : "";
}

std::string corpus_name(const nlohmann::json& cfg) {
    const std::string corpus = config_text(cfg, "corpus");
    return corpus.empty() ? "the word list" : std::filesystem::path(corpus).filename().string();
}

// "Character-level MLP on words.txt (relu)".
std::string text_title(const nlohmann::json& cfg) {
    const std::string arch = arch_of(cfg);
    const std::string act = cfg.contains("model") ? config_text(cfg["model"], "act") : "";
    return "Character-level " + (arch == "mlp" ? std::string("MLP") : arch) + " on " + corpus_name(cfg) + " (" + act +
           ")";
}

}  // namespace

SweepFacts text_sweep_facts() {
    return {
        .depth_settings =
            [](const nlohmann::json& cfg, int depth) {
                if (arch_of(cfg) == "transformer")
                    usage_fail("--depths: the transformer's depth is --n-layer (sweep --arch mlp to set its "
                               "hidden layers)");
                if (depth == 0) usage_fail("--depths 0: the character MLP needs at least one hidden layer");
                const nlohmann::json& m = cfg.contains("model") ? cfg["model"] : cfg;
                return std::vector<std::pair<std::string, std::string>>{{"hidden", repeated_width(m, "hidden", depth)}};
            },
        .presets =
            {{.name = "quick",
              .about = "the character MLP on the word list, 2,000 steps",
              .sweep = {{"steps", "2000"}, {"eval_every", "500"}},
              .model = {}},
             // GELU in transformers, and its stability as the learning rate rises.
             {.name = "claims",
              // Rates up to 100x the default, and no gradient clipping, which would hide instability.
              .about = "a transformer on the word list, gelu and relu at three learning rates, unclipped",
              .part = "lr",
              .sweep = {{"acts", "gelu,relu"}, {"lrs", "1e-3,1e-2,1e-1"}, {"steps", "1000"}, {"eval_every", "100"}},
              .model = {{"arch", "transformer"}, {"clip", "0"}},
              .claims = {"gelu-transformer", "gelu-stable"}}},
        .title = text_title,
        .data_name =
            [](const nlohmann::json& cfg) {
                const std::string arch = arch_of(cfg);
                return corpus_name(cfg) + (arch.empty() ? "" : ", " + arch);
            },
        .traits =
            [](const nlohmann::json& cfg) {
                return arch_of(cfg) == "transformer" ? std::vector<Trait>{Trait::Transformer} : std::vector<Trait>{};
            },
        .trait_flags = {{Trait::Transformer, "--arch transformer"}}};
}

}  // namespace genlab::experiments
