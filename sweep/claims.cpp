// The claims section of a sweep report (see claims.h): each claim's evidence is built from the
// runs' final metrics, one clause per arm, with the spread over seeds and, where arms are
// compared, the comparison's statistic (significance.h).
#include "sweep/claims.h"

#include <algorithm>

#include "config/config.h"
#include "sweep/ablation_options.h"
#include "sweep/claim_kit.h"

namespace genlab::experiments {

const char* verdict_text(Verdict v) {
    switch (v) {
        case Verdict::Supported: return "supported here";
        case Verdict::Contradicted: return "not supported here";
        case Verdict::SeedsDisagree: return "seeds disagree";
        case Verdict::Tie: return "a tie";
        case Verdict::Partly: return "holds for some arms only";
        case Verdict::NotTested: return "not tested by this sweep";
    }
    return "";
}

const char* verdict_class(Verdict v) {
    switch (v) {
        case Verdict::Supported: return "supported";
        case Verdict::Contradicted: return "contradicted";
        case Verdict::SeedsDisagree: return "disagree";
        case Verdict::Tie: return "tie";
        case Verdict::Partly: return "partly";
        case Verdict::NotTested: return "untested";
    }
    return "";
}

namespace {

// Every claim: its id (what a study part says it tests) and how it is judged.
struct ClaimDef {
    const char* id;
    Claim (*judge)(const SweepData&);
};

const std::vector<ClaimDef>& claim_defs() {
    static const std::vector<ClaimDef> defs{{"relu-dies", relu_dies},
                                            {"saturate", sigmoid_tanh_saturate},
                                            {"gradient-flow", gradients_vanish},
                                            {"linear-baseline", linear_baseline},
                                            {"sigmoid-stalls", sigmoid_stalls},
                                            {"swish-depth", swish_depth},
                                            {"relu-cheapest", relu_cheapest},
                                            {"elu-converges", elu_converges},
                                            {"tanh-sigmoid", tanh_sigmoid},
                                            {"gelu-stable", gelu_stable},
                                            {"leaky-gan", leaky_keeps_gan_alive},
                                            {"gelu-transformer", gelu_suits_transformers},
                                            {"leaky-prevents-dead", leaky_prevents_dead},
                                            {"prelu-slope", prelu_learns_slope},
                                            {"bounded-output", bounded_output_helps},
                                            {"both-networks", both_networks_matter}};
    return defs;
}

// "genlab-ablate --model ae --acts ... --hidden 128 --out outputs/ablate/ae-depth": the one sweep
// of a study part, as a command.
std::string part_command(const ExperimentDef& def, const SweepPreset& part) {
    std::string cmd = "genlab-ablate";
    for (const auto& [key, value] : preset_of(def, part).sweep) cmd += " " + flag_name(key) + " " + value;
    for (const auto& [key, value] : part.model) cmd += " " + flag_name(key) + " " + value;
    return cmd + " --out outputs/ablate/" + def.name + "-" + part.part;
}

// The sweep that tests claim `id`: the first study part (in registry order) that lists it.
std::string command_testing(const std::string& id) {
    for (const ExperimentDef* d : experiments())
        for (const SweepPreset& p : d->sweep.presets)
            if (std::find(p.claims.begin(), p.claims.end(), id) != p.claims.end()) return part_command(*d, p);
    return {};
}

}  // namespace

std::vector<Claim> sweep_claims(const SweepData& s) {
    std::vector<Claim> out;
    for (const ClaimDef& d : claim_defs()) {
        Claim c = d.judge(s);
        c.id = d.id;
        if (c.verdict == Verdict::NotTested)
            if (const std::string cmd = command_testing(d.id); !cmd.empty()) c.evidence += " To test it: " + cmd + ".";
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace genlab::experiments
