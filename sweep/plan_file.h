// The plan step of a sweep, written into its folder so that any process rebuilds the plan from
// the folder alone: a cluster node running one run gets nothing but `--out DIR --index K`.
//     plan.json   what plan_sweep() needs, as given: {"tool": "genlab-ablate", "options": every
//                 genlab-ablate setting (AblationOptions; "out" empty: the folder is where the file
//                 is), "model": the model's flags, key -> text}
//     tasks.txt   a comment line, then one line per run, tab-separated: index, arm, seed, and the
//                 command that trains it (genlab-ablate task --out DIR --index K)
//
//     SweepPlan plan = plan_sweep(opt, base);
//     write_plan(plan);                                   // holding the folder's lock
//     SweepPlan same = read_plan("outputs/ablate/ring8");  // anywhere, later: the same runs
#pragma once
#include <string>

#include "sweep/sweep_plan.h"

namespace genlab::experiments {

inline constexpr const char* kPlanFileName = "plan.json";
inline constexpr const char* kTasksFileName = "tasks.txt";

// The folder made ready (prepare_sweep_folder: a new sweep, or the same sweep again; UsageError
// for another one), the rows of a results.csv older than the runs' own result files adopted
// (run_status.h), then plan.json and tasks.txt, each written only when it changes. The caller
// holds the folder's lock.
void write_plan(const SweepPlan& plan);

// The plan in folder `dir`, from its plan.json, checked against its ablation.json. UsageError
// naming the folder for a folder that is missing, holds no plan, or holds a plan file that is
// damaged or not genlab's.
SweepPlan read_plan(const std::string& dir);

// A word as a shell reads it back: as it is when it needs no quoting, else in single quotes.
std::string shell_word(const std::string& text);

// "genlab-ablate task --out DIR --index K", the folder quoted for a shell when it needs it.
std::string task_command(const std::string& dir, const std::string& index);

}  // namespace genlab::experiments
