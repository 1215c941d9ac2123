// genlab-report: the HTML pages of genlab's outputs. `sweep DIR` rewrites a sweep's report.html
// (genlab-ablate writes it too); `page` writes the demo page from run, activation and sweep folders.
//
//     genlab-report sweep outputs/ablate/20261130-101500
//     genlab-report page --out outputs/index.html outputs/gan/20261130-101500 outputs/ablate/20261130-101500
#include "sweep/sweep_cli.h"

int main(int argc, char** argv) { return genlab::experiments::report_main(argc, argv); }
