// The command lines (see cli.h): CLI11 parses, and every error becomes one line and an exit code.
// With config/config.cpp and sweep/sweep_cli.cpp, the only files that include CLI11 (a heavy
// header to compile).
#include "experiments/cli.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "core/memory.h"
#include "core/parallel.h"
#include "core/train/run_dir.h"
#include "experiments/runner.h"

namespace genlab::experiments {

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

}  // namespace genlab::experiments
