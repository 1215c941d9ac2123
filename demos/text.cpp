// genlab-text: character-level language models (makemore's MLP, nanoGPT's transformer) on a text
// corpus, and sampling from a checkpoint without the corpus; the experiment is
// experiments/text/text_experiment.cpp.
//
//     genlab-text                                                 # MLP on /usr/share/dict/words
//     genlab-text --corpus shakespeare --mode stream --steps 2000
//     genlab-text --corpus names --arch transformer --lr 5e-4 --act relu
//     genlab-text sample --checkpoint outputs/text/RUN/checkpoint.safetensors --prompt ROMEO:
//                        --temperature 0.8 --top-k 20 --max-chars 500   (one command line)
#include "experiments/cli.h"

int main(int argc, char** argv) {
    return genlab::experiments::experiment_main(genlab::experiments::text_experiment(), argc, argv);
}
