// genlab-ablate: one model, its hidden activation swept over a list, each arm over seeds; every
// run measured the same way. See sweep/ablation.h.
//
//     genlab-ablate --model gan --data ring8 --acts relu,leaky_relu:0.2,tanh --seeds 3 --steps 5000 --jobs 2
#include "sweep/sweep_cli.h"

int main(int argc, char** argv) { return genlab::experiments::ablate_main(argc, argv); }
