// The shared main() of every demo: parse flags with CLI11, run, and turn errors into one line on
// stderr and an exit status (DESIGN.md): 0 ok, 2 usage (bad flag, spec, value), 1 runtime.
//
//     int main(int argc, char** argv) {
//         Options o;
//         CLI::App app{"what this demo does"};
//         app.add_option("--steps", o.steps, "...");
//         return genlab::demo_main("genlab-gan", app, argc, argv, [&] { return run(o); });
//     }
#pragma once
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "core/error.h"

namespace genlab {

template <class Run>
int demo_main(const char* program, CLI::App& app, int argc, char** argv, Run&& run) {
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
    } catch (const std::exception& e) {
        std::cerr << program << ": unexpected error: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace genlab
