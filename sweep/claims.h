// What a sweep's numbers say about the claims people repeat about activations. Each claim gets a
// verdict and one paragraph of evidence computed from the sweep's final diagnostics and quality
// metrics, with seeds and spread:
//   ReLU units die                       dead_fraction of relu arms (and the others, to compare)
//   sigmoid and tanh saturate            saturated_fraction of the sigmoid / tanh arms
//   ReLU keeps gradients flowing         first / last hidden layer's grad_norm, against relu, >= 6 deep
//   a deep identity network is linear    identity at depth >= 1 against identity at depth 0
//   sigmoid stalls in deep networks      quality and gradient ratio against relu, deepest depth
//   swish beats relu as depth grows      quality gap per crossed depth
//   tanh trains faster than sigmoid      curve_auc (quality over training)
//   relu is the cheapest                 each arm's cost timed alone (5% tolerance)
//   elu converges faster, costs more     curve_auc and cost against relu
//   GELU is stable as the lr rises       loss spikes + divergences per learning rate
//   Leaky ReLU keeps GAN training alive  GAN quality of leaky_relu against relu arms
//   GELU suits transformers              val_loss of gelu against relu (transformer sweeps)
//   a small negative slope prevents dead units   dead_fraction of leaky_relu arms against relu
//   PReLU learns its slope               learned alpha per layer against its registry init
//   a bounded output helps image generators      quality of tanh/sigmoid outputs against identity
//   in a GAN the activation matters in both networks   both against G only and D only (--where)
// A claim the sweep has no arms or model for is "not tested"; one whose comparisons do not all
// separate the arms, or whose seeds split on a threshold, is "seeds disagree"; timings within 5% of
// each other are "a tie"; one that holds for
// some of its arms and not for others says which. Arms are compared as significance.h does: with
// 3 or more seeds on both sides by Welch's t test, Holm-corrected over the comparisons one claim
// makes (the vanishing-gradient claim: every saturating arm against the baseline in every
// network), with fewer by min-max ranges over seeds; the evidence prints the statistic.
//
//     for (const Claim& c : sweep_claims(load_sweep(dir))) std::cout << c.claim << ": " << c.evidence;
#pragma once
#include <string>
#include <vector>

#include "sweep/significance.h"
#include "sweep/sweep_data.h"

namespace genlab::experiments {

// Partly: the claim holds for some of the arms it is about (tanh saturates, sigmoid does not),
// each of them consistently over its seeds.
// Tie: the figures are within a stated tolerance of each other and have no seeds to test a
// difference with (timings measured once, claims_cost.cpp).
enum class Verdict { Supported, Contradicted, SeedsDisagree, Tie, Partly, NotTested };
// "supported here", "not supported here", "seeds disagree", "a tie", "holds for some arms only",
// "not tested by this sweep"
const char* verdict_text(Verdict v);
const char* verdict_class(Verdict v);  // CSS class: supported, contradicted, disagree, tie, partly, untested

struct Claim {
    std::string claim;  // as people say it: "ReLU units die"
    std::string id{};   // short and stable: "relu-dies"; study parts name the claims they test by it
    Verdict verdict = Verdict::NotTested;
    std::string evidence;  // measured numbers, or why the sweep does not test it and the command that would
};

// Fraction thresholds the verdicts use (stated in the evidence text too).
constexpr double kDeadThreshold = 0.01;       // a run "has dead units" from 1% of a network's units
constexpr double kSaturatedThreshold = 0.10;  // a run "saturates" from 10% of (example, unit) pairs

// Timings have no seeds: two arms' costs within 5% of each other are a tie.
constexpr double kCostTolerance = 0.05;

std::vector<Claim> sweep_claims(const SweepData& sweep);

}  // namespace genlab::experiments
