// report.html of a sweep: one self-contained page (inline SVG charts, pictures as data: URIs, no
// script, no font or file from the network) that opens from disk:
//   the ranking table   mean +- std and per-seed values of the quality metrics, cost per step,
//                       arms not separable from the next in rank marked (significance.h);
//   claims              what the numbers say about what people repeat (claims.h);
//   learning curves     mean over seeds with a min-max band, one colour per arm;
//   convergence         steps to target, curve AUC, loss spikes and diverged fraction per arm
//                       (convergence.h);
//   diagnostics         dead and saturated fractions per layer over training, gradient norm by depth;
//   per activation      its f and f' and a sample of its first finished seed (images, 2-D scatter
//                       or text).
//
//     write_sweep_report("outputs/ablate/ring8");   // -> outputs/ablate/ring8/report.html
#pragma once
#include <string>

#include "sweep/sweep_data.h"

namespace genlab::experiments {

// Reads the sweep folder (load_sweep) and writes report.html into it, atomically. Returns its path.
std::string write_sweep_report(const std::string& dir);

// The ranking table alone (an HTML <table> and its note), also shown on the demo page.
std::string ranking_table_html(const SweepData& sweep);

// The claims as an HTML list: each claim, its verdict and its evidence (claims.h).
std::string claims_html(const SweepData& sweep);

// A one-line description of the sweep: "gan on ring8, 5 arms x 2 seeds, 3000 steps each".
std::string sweep_title(const SweepData& sweep);

}  // namespace genlab::experiments
