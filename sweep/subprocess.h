// Running another program and reading what it says: the scheduler's commands (sbatch) that
// genlab-ablate --slurm submits a sweep with. No shell is involved: the arguments reach the
// program as given, whatever they hold.
//
//     const CommandResult r = run_command({"sbatch", "--parsable", "tasks.sbatch"});
//     if (!r.started) ...      // no such program on PATH: r.output says so
//     if (r.status != 0) ...   // r.output: what it printed, stdout then stderr
#pragma once
#include <string>
#include <vector>

namespace genlab::experiments {

struct CommandResult {
    bool started = false;  // false: the program could not be run (not on PATH, not executable)
    int status = -1;       // its exit status; 128 + N when signal N ended it
    std::string out, err;  // what it wrote to stdout and stderr, each at most kMaxCommandOutput bytes
};

inline constexpr size_t kMaxCommandOutput = 64 * 1024;

// Runs argv[0] (found on PATH) with the rest as its arguments, its stdin /dev/null, and waits.
CommandResult run_command(const std::vector<std::string>& argv);

}  // namespace genlab::experiments
