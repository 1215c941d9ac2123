// What sweeps need to know about the autoencoder (experiments/sweep_facts.h): one network (the
// encoder and decoder's hidden layers in order), the quick sweep and the GELU paper's.
#include <cctype>

#include "core/error.h"
#include "experiments/sweep_facts_of.h"

namespace genlab::experiments {

namespace {

std::string ae_data_name(const nlohmann::json& cfg) {
    const std::string dir = config_text(cfg, "data_dir");
    return dir.empty() ? "Fashion-MNIST" : dir;
}

// "Variational autoencoder on Fashion-MNIST (gelu, 2-d code)", "Convolutional autoencoder on ...".
std::string ae_title(const nlohmann::json& cfg) {
    const nlohmann::json model = cfg.contains("model") ? cfg["model"] : nlohmann::json::object();
    const bool vae = model.is_object() && model.value("variational", false);
    const int latent = model.is_object() ? model.value("latent", 0) : 0;
    const bool conv = config_text(model, "arch") == "conv";
    const std::string kind = std::string(conv ? "convolutional " : "") + (vae ? "variational " : "") + "autoencoder";
    return static_cast<char>(std::toupper(kind[0])) + kind.substr(1) + " on " + ae_data_name(cfg) + " (" +
           config_text(model, "act") + ", " + std::to_string(latent) + "-d code)";
}

}  // namespace

SweepFacts ae_sweep_facts() {
    return {
        .depth_settings =
            [](const nlohmann::json& cfg, int depth) {
                // The decoder mirrors the encoder's hidden widths (or stages): one list sets both halves.
                const nlohmann::json& m = cfg.contains("model") ? cfg["model"] : cfg;
                const char* key = config_text(m, "arch") == "conv" ? "channels" : "hidden";
                if (depth == 0 && config_text(m, "arch") == "conv")
                    usage_fail("--depths 0: the convolutional autoencoder needs at least one stage");
                return std::vector<std::pair<std::string, std::string>>{{key, repeated_width(m, key, depth)}};
            },
        .out_key = "out_act",
        .presets =
            {{.name = "quick",
              .about = "the autoencoder, 1,000 steps",
              .sweep = {{"steps", "1000"}, {"eval_every", "250"}},
              .model = {}},
             // Hendrycks & Gimpel (2016), section 3.3: the 784-1000-500-250-30 autoencoder
             // (mirrored decoder, sigmoid output), MSE, Adam, batch 64.
             {.name = "paper",
              .about = "the GELU paper's autoencoder (Hendrycks & Gimpel 2016, section 3.3): gelu, elu "
                       "and relu at lr 1e-3 and 1e-4, 3 seeds",
              .sweep =
                  {{"acts", "gelu,elu,relu"}, {"lrs", "1e-3,1e-4"}, {"seeds", "3"}, {"steps", "3000"}, {"jobs", "2"}},
              .model = {{"hidden", "1000,500,250"}, {"latent", "30"}, {"loss", "mse"}, {"batch", "64"}}},
             // The claims about depth (no nonlinearity is a linear model; gradients vanish
             // through sigmoid and tanh; swish gains on relu as depth grows) and the output.
             {.name = "claims",
              .about = "six activations at 0, 2 and 8 hidden layers of 128",
              .part = "depth",
              .sweep = {{"acts", "identity,relu,sigmoid,tanh,elu,swish"},
                        {"depths", "0,2,8"},
                        {"steps", "1000"},
                        {"eval_every", "100"}},
              .model = {{"hidden", "128"}, {"latent", "16"}},
              .claims = {"linear-baseline", "gradient-flow", "sigmoid-stalls", "swish-depth", "relu-cheapest",
                         "tanh-sigmoid"}},
             {.name = "claims",
              .about = "relu with a sigmoid or an identity output (MSE)",
              .part = "outs",
              .sweep = {{"acts", "relu"}, {"outs", "sigmoid,identity"}, {"steps", "1000"}, {"eval_every", "100"}},
              .model = {{"hidden", "128"}, {"latent", "16"}, {"loss", "mse"}},
              .claims = {"bounded-output"}}},
        .title = ae_title,
        .data_name = ae_data_name};
}

}  // namespace genlab::experiments
