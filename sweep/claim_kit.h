// What the claims share (claims.h): picking arms, per-layer figures per run, verdicts from
// counts and comparisons, and the clauses their evidence is written in. Each group of claims
// (claims_units.cpp, claims_depth.cpp, claims_training.cpp, claims_gan.cpp) is built from these.
#pragma once
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "sweep/claims.h"

namespace genlab::experiments {

std::string pct(double f);

std::string times(double r);

// Why a sweep without `t` does not test a claim, and the sweeps that would: "Only a sweep of a
// GAN tests it (genlab-ablate --model gan); this sweep trains the ae model."
std::string needs_trait(const SweepData& s, Trait t);

// " (seeds 0.9-1.6%)", or " (one seed)".
std::string spread(const Stats& s, const std::function<std::string(double)>& f);

std::string base_name(const std::string& spec);

std::vector<const SweepArm*> arms_named(const SweepData& s, const std::vector<std::string>& names);

using Net = Network;

const std::vector<Network>& networks(const SweepData& s);

// Hidden layers with `metric` in a run: <prefix><metric>_l0, _l1, ... while present.
int layer_count(const SweepRun& r, const std::string& prefix, const std::string& metric);

// Per finished run, f(run) when finite, as statistics over the arm's seeds.
Stats per_run(const SweepArm& a, const std::function<double(const SweepRun&)>& f);

// The mean of metric over a network's hidden layers in one run (NaN without such layers).
double run_layer_mean(const SweepRun& r, const Net& net, const std::string& metric);

Stats layer_mean(const SweepArm& a, const Net& net, const std::string& metric);

// Per finished run of `arms`: does the run's worst network reach `threshold` in `metric`?
// -> (runs that do, runs)
std::pair<int, int> runs_reaching(const SweepData& s, const std::vector<const SweepArm*>& arms,
                                  const std::string& metric, double threshold);

// first hidden layer's grad_norm / last hidden layer's, per run (NaN with fewer than 2 layers).
Stats depth_ratio(const SweepArm& a, const Net& net);

// Verdict from per-case outcomes: all true -> supported, none -> contradicted, else disagree.
Verdict from_counts(int yes, int total);

// Every comparison better (significance.h: by test, or ranges apart): supported; all worse: not
// supported; otherwise the seeds disagree.
Verdict verdict_of(const std::vector<Separation>& seps);

// One verdict from each arm's own: all alike -> that one; an arm whose seeds disagree -> seeds
// disagree; otherwise some arms hold and some do not (or tie) -> partly, naming them in `note`:
// " It holds for tanh; not for sigmoid.", " It holds for step time; is a tie for ns per element."
Verdict combine(const std::vector<std::pair<std::string, Verdict>>& per_arm, std::string& note);

// The model's own note on the arm's finished runs (the GAN on 2-D data: ", k of n seeds cover
// >= m of M modes"); empty for most.
std::string runs_clause(const SweepData& s, const SweepArm& a);

std::string diverged_clause(const SweepArm& a);

// Per arm: all its runs reach `threshold` in `metric` (supported), none do (not supported), or
// some (seeds disagree); then combined over the arms. Also how many runs of all the arms do.
struct ThresholdResult {
    Verdict verdict = Verdict::NotTested;
    int yes = 0, total = 0;  // runs reaching the threshold, runs
    std::string note;        // combine()'s note on arms that differ
};

ThresholdResult threshold_verdict(const SweepData& s, const std::vector<const SweepArm*>& arms,
                                  const std::string& metric, double threshold);

// "relu: 17.5% dead units in D (seeds 15.0%-20.0%), 0.0% in G (every seed)": a fraction metric,
// the mean over each network's hidden layers, per network.
std::string fraction_clause(const SweepData& s, const SweepArm& a, const std::string& metric, const std::string& what);

// `a` against `b` on the primary quality metric, as a sentence and a separation.
std::string quality_clause(const SweepData& s, const SweepArm& a);

// Which of `a` and `b` is better on the primary metric, and the comparison that says so:
// "leaky_relu is better (higher is better): leaky_relu against relu, difference 2.3 [...], ...".
std::string outcome(const Comparison& cmp, const SweepArm& a, const SweepArm& b, Better better);

// The best of `arms` by the primary metric's mean.
const SweepArm* best_of(const SweepData& s, const std::vector<const SweepArm*>& arms);

// The arm's crossed depth (hidden layers), -1 when depth is not crossed.
int depth_num(const SweepArm& a);

// The arms sit at the same depth, init, lr, output and place (they may differ in activation).
bool same_axes(const SweepArm& a, const SweepArm& b);

// The arm with finished runs named `name` (base name) whose other axes (depth, init, lr, out,
// where) are a's; nullptr when the sweep has none.
const SweepArm* partner(const SweepData& s, const SweepArm& a, const std::string& name);

// The crossed axes an arm sits at, for evidence: " at depth 8", " at lr 1e-3, depth 2"; "".
std::string axes_text(const SweepArm& a);

// A part of a claim from one comparison: better -> supported, worse -> not, overlap -> disagree.
Verdict part_verdict(Separation s);

// Arms a and b are alike on every axis but `axis` (act, init, lr, depth, out, where).
bool alike_but(const SweepArm& a, const SweepArm& b, std::string SweepArm::*axis);

// Pairs of arms compared on the primary quality metric, Holm over the family: each pair's verdict
// under its name (a better: supported) and one sentence per pair with the comparison.
struct PairsResult {
    std::vector<std::pair<std::string, Verdict>> per_pair;
    std::string text;   // "tanh out is better (lower is better): ...; Not separable: ..."
    std::string rules;  // rules_text() of the comparisons
};
PairsResult compare_pairs(const SweepData& s, const std::vector<std::pair<const SweepArm*, const SweepArm*>>& pairs,
                          const std::function<std::string(const SweepArm&, const SweepArm&)>& name);

// The claims, each in its group's file; claims.cpp lists them.
Claim relu_dies(const SweepData& s);                // claims_units.cpp
Claim sigmoid_tanh_saturate(const SweepData& s);    // claims_units.cpp
Claim gradients_vanish(const SweepData& s);         // claims_depth.cpp: "gradient-flow"
Claim sigmoid_stalls(const SweepData& s);           // claims_depth.cpp
Claim linear_baseline(const SweepData& s);          // claims_depth_quality.cpp
Claim swish_depth(const SweepData& s);              // claims_depth_quality.cpp
Claim leaky_keeps_gan_alive(const SweepData& s);    // claims_gan.cpp
Claim gelu_suits_transformers(const SweepData& s);  // claims_training.cpp
Claim tanh_sigmoid(const SweepData& s);             // claims_training.cpp
Claim gelu_stable(const SweepData& s);              // claims_training.cpp
Claim relu_cheapest(const SweepData& s);            // claims_cost.cpp
Claim elu_converges(const SweepData& s);            // claims_cost.cpp
Claim leaky_prevents_dead(const SweepData& s);      // claims_slopes.cpp
Claim prelu_learns_slope(const SweepData& s);       // claims_slopes.cpp
Claim bounded_output_helps(const SweepData& s);     // claims_outputs.cpp
Claim both_networks_matter(const SweepData& s);     // claims_gan.cpp

}  // namespace genlab::experiments
