// The command lines (see cli.h): CLI11 parses, and every error becomes one line and an exit code.
// The only file besides core/config.cpp that includes CLI11 (a heavy header to compile).
#include "experiments/cli.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <iostream>
#include <new>
#include <set>
#include <string>
#include <vector>

#include "core/io/html.h"
#include "core/memory.h"
#include "core/parallel.h"
#include "core/train/run_dir.h"
#include "experiments/ablation.h"
#include "experiments/demo_page.h"
#include "experiments/report.h"
#include "experiments/runner.h"

namespace genlab::experiments {

namespace {

// "--data-dir" -> "data_dir": the config key an option sets.
std::string key_of(const CLI::Option* o) {
    std::string key = o->get_name();
    key.erase(0, key.find_first_not_of('-'));
    std::replace(key.begin(), key.end(), '-', '_');
    return key;
}

int guarded_main(const char* program, CLI::App& app, int argc, char** argv, const std::function<int()>& run) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help
        std::cerr << program << ": " << e.what() << " (see --help)\n";
        return 2;
    }
    try {
        return run();
    } catch (const UsageError& e) {
        std::cerr << program << ": " << e.what() << "\n";
        return 2;
    } catch (const Error& e) {
        std::cerr << program << ": " << e.what() << "\n";
        return 1;
    } catch (const std::bad_alloc&) {
        // Tensors name their shape and size where they fail (core/tensor.cpp); any other
        // allocation that fails still says what happened and what is left, not "std::bad_alloc".
        std::cerr << program << ": out of memory: an allocation failed with " << bytes_text(available_memory())
                  << " available (use smaller layers, a smaller --batch or smaller data)\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << program << ": unexpected error: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace

int schema_main(const char* program, const std::string& about, const ConfigSchema& schema, void* options, int argc,
                char** argv, const std::function<int()>& run) {
    CLI::App app{about};
    schema.add_flags(app, options);
    return guarded_main(program, app, argc, argv, run);
}

int experiment_main(const ExperimentDef& def, int argc, char** argv) {
    const std::string program = def.program();
    // `genlab-gan --steps 10` means `genlab-gan train --steps 10`.
    std::vector<char*> args(argv, argv + argc);
    static char train_word[] = "train";
    const std::string first = argc > 1 ? argv[1] : "";
    if (first != "train" && first != "sample" && first != "--help" && first != "-h")
        args.insert(args.begin() + 1, train_word);

    CLI::App app{def.about};
    app.require_subcommand(1, 1);
    CLI::App* tr = app.add_subcommand("train", "Train (the default when no subcommand is given)");
    std::unique_ptr<ConfigBox> cfg = def.new_config();
    RunOptions run;
    run.steps = def.default_steps(*cfg);
    run.eval_every = def.default_eval_every;
    run_options_spec().add_flags(*tr, run);
    cfg->add_flags(*tr);

    CLI::App* sa = app.add_subcommand("sample", "Sample from the checkpoint of a run, without training");
    SampleOptions so;
    sample_options_spec().add_flags(*sa, so);
    std::unique_ptr<ConfigBox> scfg = def.new_sample_config();
    scfg->add_flags(*sa);

    return guarded_main(program.c_str(), app, static_cast<int>(args.size()), args.data(), [&] {
        if (sa->parsed()) {
            sample_options_spec().validate(so);
            scfg->resolve([&](const std::string& key) { return sa->count(flag_name(key)) > 0; });
            set_num_threads(so.threads);
            def.sample(load_run(so.checkpoint, def.name), so, *scfg);
            return 0;
        }
        cfg->resolve([&](const std::string& key) { return tr->count(flag_name(key)) > 0; });
        if (tr->count("--steps") == 0) run.steps = def.default_steps(*cfg);
        const TrainResult r = train(def, *cfg, run);
        std::cout << r.highlights << program << ": wrote " << r.out_dir << "\n";
        for (const auto& [name, v] : r.metrics) std::cout << "  " << name << " " << v << "\n";
        return 0;
    });
}

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
        const std::vector<std::pair<std::string, std::string>> preset = apply_preset(opt, given_sweep);
        const ExperimentDef& def = find_experiment(opt.model);
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
    std::string out = "outputs/index.html";
    std::vector<std::string> dirs;
    CLI::App* page = app.add_subcommand("page", "Write one page showing runs, activation tables and sweeps");
    page->add_option("--out", out, "The page to write")->capture_default_str();
    page->add_option("dirs", dirs, "Output folders of genlab-gan/ae/text, genlab-activations or genlab-ablate")
        ->required();
    return guarded_main("genlab-report", app, argc, argv, [&] {
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
