// Running a study of several sweeps (see study.h).
#include "sweep/study.h"

#include <filesystem>
#include <iostream>

#include "core/error.h"
#include "core/train/run_dir.h"
#include "sweep/scoreboard.h"

namespace genlab::experiments {

namespace fs = std::filesystem;

std::vector<StudySweep> study_sweeps(const AblationOptions& opt, const std::set<std::string>& given) {
    const std::string out = opt.out.empty() ? default_out_dir(opt.preset) : opt.out;
    std::vector<StudySweep> sweeps;
    for (const ExperimentDef* d : experiments()) {
        if (given.count("model") && d->name != opt.model) continue;
        for (const SweepPreset& p : d->sweep.presets) {
            if (p.name != opt.preset || p.part.empty()) continue;
            StudySweep s{.name = d->name + "-" + p.part, .opt = opt, .base = {}};
            for (const auto& [key, value] : preset_of(*d, p).sweep)
                if (!given.count(key)) ablation_options_spec().set(s.opt, key, value);
            s.opt.preset.clear();
            s.opt.out = (fs::path(out) / s.name).string();
            s.base = model_settings(d->name, p.model);
            sweeps.push_back(std::move(s));
        }
    }
    if (sweeps.empty()) usage_fail("--preset ", opt.preset, ": the ", opt.model, " model has no part in this study");
    return sweeps;
}

std::string run_study(const AblationOptions& opt, const std::set<std::string>& given) {
    const std::vector<StudySweep> sweeps = study_sweeps(opt, given);
    std::vector<std::string> dirs;
    for (size_t i = 0; i < sweeps.size(); ++i) {
        if (!opt.quiet)
            std::cerr << "genlab-ablate: study " << opt.preset << ", sweep " << i + 1 << " of " << sweeps.size() << ": "
                      << sweeps[i].name << "\n";
        run_ablation(sweeps[i].opt, sweeps[i].base);
        dirs.push_back(sweeps[i].opt.out);
    }
    const std::string page = (fs::path(dirs.front()).parent_path() / "scoreboard.html").string();
    return write_scoreboard(page, dirs);
}

}  // namespace genlab::experiments
