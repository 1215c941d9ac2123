// The whole command line of a training executable, the same for every experiment:
//
//     genlab-<name> [train] [run flags] [experiment flags]     train is the default subcommand
//     genlab-<name> sample --checkpoint FILE [flags]            pictures / text from a run
//
// Exit status 0 on success, 2 for usage errors (a bad flag or value, a missing file named by a
// flag), 1 for runtime errors (a bad data file or checkpoint, a diverged run); one line on stderr.
#pragma once

#include "experiments/experiment.h"

namespace genlab::experiments {

int experiment_main(const ExperimentDef& def, int argc, char** argv);

}  // namespace genlab::experiments
