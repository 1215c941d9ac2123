// The whole main()s of the sweep tools, with experiments/cli.h's exit codes: 0 on success, 2 for
// usage errors, 1 for runtime errors.
#pragma once

namespace genlab::experiments {

// genlab-ablate: its own flags (ablation.h), every other flag handed to the swept model's
// config (--data ring8, --loss mse ...); or one step of a sweep, named first: plan (the same
// flags and --out DIR), task --out DIR --index K, collect --out DIR, status --out DIR.
int ablate_main(int argc, char** argv);

// genlab-report: `sweep DIR` rewrites a sweep's report.html, `page --out FILE DIR...` writes the
// demo page (demo_page.h).
int report_main(int argc, char** argv);

}  // namespace genlab::experiments
