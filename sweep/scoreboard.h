// The claims scoreboard: every claim about activations the report knows, with what each of
// several sweeps says about it (its verdict, the evidence, a link to the sweep's report), so a
// study of several sweeps ends in one page that answers every claim it could test.
//
//     write_scoreboard("outputs/claims/scoreboard.html", {"outputs/claims/ae-depth", ...});
#pragma once
#include <string>
#include <vector>

#include "sweep/claims.h"

namespace genlab::experiments {

// One claim over the sweeps: what each sweep that tests it says (NotTested when none does: then
// `untested` holds the reason the first sweep gives).
struct ScoreboardRow {
    std::string claim;
    struct Finding {
        std::string sweep_dir;
        Claim claim;
    };
    std::vector<Finding> findings;  // the sweeps that test it, in the order given
    std::string untested;           // when none does
    // Supported or Contradicted when every finding agrees; SeedsDisagree / Partly as they say;
    // "differs by sweep" (Partly) when sweeps disagree; NotTested without findings.
    Verdict verdict() const;
};
std::vector<ScoreboardRow> scoreboard(const std::vector<std::string>& sweep_dirs);

// Writes the page (refusing to replace a file genlab did not write) and returns its path.
std::string write_scoreboard(const std::string& path, const std::vector<std::string>& sweep_dirs);

}  // namespace genlab::experiments
