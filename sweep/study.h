// A study: several sweeps from one --preset, each a model's part of it (SweepPreset::part), run
// one after another into <out>/<model>-<part>/ and ending in one claims scoreboard. The claims
// study (`genlab-ablate --preset claims`) is the smallest set of sweeps that tests every claim
// the report knows.
//
//     AblationOptions opt{.preset = "claims", .out = "outputs/claims"};
//     std::string page = run_study(opt, {"preset", "out"});   // -> outputs/claims/scoreboard.html
#pragma once
#include <set>
#include <string>
#include <vector>

#include "sweep/ablation.h"

namespace genlab::experiments {

struct StudySweep {
    std::string name;     // "<model>-<part>": its folder under the study's
    AblationOptions opt;  // the part's settings where the user gave none, its own --out
    ModelSettings base;   // the part's model settings
};

// The sweeps of study opt.preset: every registered model's parts (only --model's when given).
// Sweep options in `given` (AblationOptions keys) apply to each; UsageError for a study with no
// part for the model.
std::vector<StudySweep> study_sweeps(const AblationOptions& opt, const std::set<std::string>& given);

// Runs every sweep of the study (a finished one trains nothing again), then writes
// <out>/scoreboard.html; returns its path.
std::string run_study(const AblationOptions& opt, const std::set<std::string>& given);

}  // namespace genlab::experiments
