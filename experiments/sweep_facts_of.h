// Each model family's sweep facts (experiments/<family>/<family>_sweep_facts.cpp), for its
// ExperimentDef.
#pragma once
#include "experiments/sweep_facts.h"

namespace genlab::experiments {

SweepFacts gan_sweep_facts();
SweepFacts ae_sweep_facts();
SweepFacts text_sweep_facts();

}  // namespace genlab::experiments
