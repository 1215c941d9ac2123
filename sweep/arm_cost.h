// What each arm of a sweep costs, measured with the machine to itself: the sweep's runs share the
// cores (--jobs), so their ms_per_step says little about an activation's price. After the runs,
// each arm's experiment is built once more and timed for a few steps on one thread, alone, and
// its activation's span kernels per element (bench/activation_properties.h). cost.csv holds one
// row per arm; a rerun measures only the arms it lacks.
//
//     measure_arm_costs(plan);                              // -> <out>/cost.csv
//     std::map<std::string, ArmCost> c = read_arm_costs(dir);  // by arm label; empty when absent
#pragma once
#include <map>
#include <string>

namespace genlab::experiments {

struct SweepPlan;

struct ArmCost {
    double step_ms = 0;         // median ms of one training step, one thread, nothing else running
    int steps = 0;              // steps timed (after kCostWarmup untimed ones)
    double ns_per_element = 0;  // the activation's forward + backward kernels, one thread
};

constexpr int kCostWarmup = 3;  // untimed steps first: the tape's buffers grow, caches fill

// Times the arms of `plan` that <out>/cost.csv lacks (plan.opt.cost_steps steps each, at seed 1)
// and rewrites the file. Nothing when cost_steps is 0.
void measure_arm_costs(const SweepPlan& plan);
// cost.csv of the sweep in `dir`, by arm label; empty when the sweep has none. Error naming the
// file when it is not one genlab wrote.
std::map<std::string, ArmCost> read_arm_costs(const std::string& dir);

}  // namespace genlab::experiments
