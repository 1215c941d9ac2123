// The command lines of genlab's executables, one implementation with one set of exit codes:
// 0 on success, 2 for usage errors (a bad flag or value, a missing file named by a flag), 1 for
// runtime errors (a bad data file or checkpoint, a diverged run); errors are one line on stderr.
//
//     genlab-<name> [train] [run flags] [experiment flags]     train is the default subcommand
//     genlab-<name> sample --checkpoint FILE [flags]            pictures / text from a run
#pragma once
#include <functional>
#include <string>

#include "experiments/experiment.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace genlab::experiments {

// Parses argv into `app`, then calls run(); every error becomes one line on stderr and an exit
// code (2 usage, 1 runtime). The frame of every main() in genlab.
int guarded_main(const char* program, CLI::App& app, int argc, char** argv, const std::function<int()>& run);

// "--data-dir" -> "data_dir": the config key an option sets.
std::string key_of(const CLI::Option* o);

// The whole main() of a training executable.
int experiment_main(const ExperimentDef& def, int argc, char** argv);

// The main() of a tool whose flags are one config (genlab-activations): parses them into
// `options`, validates them, then calls run().
int schema_main(const char* program, const std::string& about, const ConfigSchema& schema, void* options, int argc,
                char** argv, const std::function<int()>& run);
template <class C>
int options_main(const char* program, const std::string& about, const ConfigSpec<C>& spec, C& options, int argc,
                 char** argv, const std::function<int()>& run) {
    return schema_main(program, about, spec.schema(), &options, argc, argv, [&] {
        spec.validate(options);
        return run();
    });
}

}  // namespace genlab::experiments
