// The command lines of the sweep tools (sweep_cli.h), in the frame of experiments/cli.h.
#include "sweep/sweep_cli.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "core/train/run_dir.h"
#include "experiments/cli.h"
#include "sweep/ablation.h"
#include "sweep/demo_page.h"
#include "sweep/report.h"
#include "sweep/scoreboard.h"
#include "sweep/study.h"
#include "viz/html.h"

namespace genlab::experiments {

int ablate_main(int argc, char** argv) {
    CLI::App app{"genlab-ablate: train one model with each hidden activation over seeds, measure every run the same "
                 "way (quality, dead units, saturation, gradient flow, speed) and summarise. Flags not listed here "
                 "go to the model (see genlab-<model> --help), e.g. --data ring8 or --loss mse."};
    AblationOptions opt;
    ablation_options_spec().add_flags(app, opt);
    app.allow_extras();
    return guarded_main("genlab-ablate", app, argc, argv, [&] {
        std::set<std::string> given_sweep;
        for (const CLI::Option* o : app.get_options())
            if (o->count() > 0) given_sweep.insert(key_of(o));
        if (is_study(opt.preset)) {
            if (!app.remaining().empty())
                usage_fail("--preset ", opt.preset,
                           " runs several models' sweeps with their own settings: ", app.remaining().front(),
                           " is not a genlab-ablate flag");
            const std::string page = run_study(opt, given_sweep);
            std::cout << "genlab-ablate: wrote " << page << "\n";
            return 0;
        }
        const std::vector<std::pair<std::string, std::string>> preset = apply_preset(opt, given_sweep);
        const ExperimentDef& def = swept_model(opt);
        const std::vector<std::string> extras = app.remaining();
        // The model's flags, parsed by its own config (a fresh one per arm); a preset's model
        // settings fill the keys the user's flags leave out.
        auto parse = [&def, extras, preset](std::set<std::string>* given_out) {
            std::unique_ptr<ConfigBox> box = def.new_config();
            CLI::App model_app{def.program()};
            box->add_flags(model_app);
            std::vector<std::string> args(extras.rbegin(), extras.rend());  // CLI11 takes them reversed
            try {
                model_app.parse(args);
            } catch (const CLI::ParseError& e) {
                usage_fail(e.what(), " (genlab-ablate --model ", def.name, " takes the flags of ", def.program(), ")");
            }
            std::set<std::string> given;
            for (const CLI::Option* o : model_app.get_options())
                if (o->count() > 0) given.insert(key_of(o));
            for (const auto& [key, value] : preset)
                if (!given.count(key)) {
                    box->set(key, value);
                    given.insert(key);
                }
            if (given_out) *given_out = given;
            return box;
        };
        ModelSettings base;
        parse(&base.given);  // flag errors surface here, once
        base.make = [parse] { return parse(nullptr); };
        const SweepResult r = run_ablation(opt, base);
        std::cout << "genlab-ablate: " << r.trained << " runs trained, " << r.skipped << " already done, " << r.diverged
                  << " diverged; wrote " << r.out_dir << "\n";
        return 0;
    });
}

int report_main(int argc, char** argv) {
    CLI::App app{"genlab-report: the HTML pages of genlab's outputs"};
    app.require_subcommand(1, 1);
    std::string sweep_dir;
    CLI::App* sweep = app.add_subcommand("sweep", "Rewrite a sweep folder's report.html from its results");
    sweep->add_option("dir", sweep_dir, "The folder genlab-ablate wrote (holding ablation.json)")->required();
    std::string board_out;
    std::vector<std::string> board_dirs;
    CLI::App* board = app.add_subcommand("scoreboard", "Write the claims scoreboard of several sweeps");
    board->add_option("--out", board_out, "The page to write")->required();
    board->add_option("dirs", board_dirs, "Sweep folders (holding ablation.json)")->required();
    std::string out = "outputs/index.html";
    std::vector<std::string> dirs;
    CLI::App* page = app.add_subcommand("page", "Write one page showing runs, activation tables and sweeps");
    page->add_option("--out", out, "The page to write")->capture_default_str();
    std::string programs;
    for (const ExperimentDef* d : experiments()) programs += d->program() + ", ";
    page->add_option("dirs", dirs, "Output folders of " + programs + "genlab-activations or genlab-ablate")->required();
    return guarded_main("genlab-report", app, argc, argv, [&] {
        if (board->parsed()) {
            for (const std::string& d : board_dirs) require_folder("scoreboard", d, "sweep folder");
            std::cout << "genlab-report: wrote " << write_scoreboard(board_out, board_dirs) << "\n";
            return 0;
        }
        if (sweep->parsed()) {
            require_folder("sweep", sweep_dir, "sweep folder");
            std::cout << "genlab-report: wrote " << write_sweep_report(sweep_dir) << "\n";
            return 0;
        }
        for (const std::string& d : dirs) require_folder("page", d, "output folder");
        // Only a new file or an earlier page is written: --out naming a run's config.json or any
        // other file of the user's must not replace it.
        std::error_code ec;
        if (std::filesystem::exists(std::filesystem::symlink_status(out, ec)) && !is_genlab_page(out))
            usage_fail("--out ", out,
                       ": exists and is not a page genlab wrote; genlab-report writes a new file or over "
                       "its own page only: choose another --out");
        if (page->count("--out") == 0) make_out_dir(std::filesystem::path(out).parent_path().string());  // outputs/
        write_demo_page(out, dirs);
        std::cout << "genlab-report: wrote " << out << "\n";
        return 0;
    });
}

}  // namespace genlab::experiments
