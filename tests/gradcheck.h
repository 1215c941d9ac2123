// The one finite-difference gradient check of the test suite (docs/style.md).
// For a graph out = f(x1, x2, ...) it compares the analytic gradient of L = Σ r ⊙ out (r fixed
// and random, dlib's random gradient_input) with central differences accumulated in double,
// by |a − n| / max(|a|, |n|, floor). Inputs are Parameters, so leaf gradients land in p.grad.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "core/nn/parameter.h"
#include "core/rng.h"
#include "core/tape.h"

namespace genlab::testing {

using BuildFn = std::function<Var(Tape&, const std::vector<Var>&)>;

struct GradCheckOptions {
    double h = 1e-3;            // central-difference step
    double tol = 2e-2;          // max relative error
    double floor = 1e-2;        // denominator floor: tiny gradients compare absolutely
    uint64_t seed = 7;          // for r
    std::vector<bool> check{};  // which inputs to check (default: all)
};

inline double weighted_output(Tape& t, const BuildFn& build, std::vector<Parameter>& params, const Tensor& r) {
    t.reset();
    std::vector<Var> vars;
    for (auto& p : params) vars.push_back(t.param(p));
    Var out = build(t, vars);
    const Tensor& y = t.value(out);
    double L = 0;
    for (size_t i = 0; i < y.numel(); ++i) L += static_cast<double>(r[i]) * y[i];
    return L;
}

// Returns true when every checked element agrees; prints the first mismatches and the max error.
inline ::testing::AssertionResult gradients_match(const BuildFn& build, std::vector<Tensor> inputs,
                                                  GradCheckOptions opt = {}) {
    std::vector<Parameter> params;
    for (size_t i = 0; i < inputs.size(); ++i)
        params.emplace_back(std::string("x").append(std::to_string(i)), inputs[i]);
    Tape t;
    // Analytic.
    std::vector<Var> vars;
    for (auto& p : params) vars.push_back(t.param(p));
    Var out = build(t, vars);
    Tensor r(t.shape(out));
    Rng rng(opt.seed);
    rng.fill_uniform(r, -1.f, 1.f);
    t.backward(out, r);
    std::vector<Tensor> analytic;
    for (auto& p : params) analytic.push_back(p.grad);

    std::string report;
    double max_err = 0;
    int bad = 0;
    for (size_t k = 0; k < params.size(); ++k) {
        if (!opt.check.empty() && !opt.check[k]) continue;
        for (size_t i = 0; i < params[k].value.numel(); ++i) {
            float orig = params[k].value[i];
            params[k].value[i] = static_cast<float>(orig + opt.h);
            double lp = weighted_output(t, build, params, r);
            params[k].value[i] = static_cast<float>(orig - opt.h);
            double lm = weighted_output(t, build, params, r);
            params[k].value[i] = orig;
            // The step actually taken in float, not the nominal h.
            double step = static_cast<double>(static_cast<float>(orig + opt.h)) -
                          static_cast<double>(static_cast<float>(orig - opt.h));
            double num = (lp - lm) / step;
            double a = analytic[k][i];
            double err = std::abs(a - num) / std::max({std::abs(a), std::abs(num), opt.floor});
            max_err = std::max(max_err, err);
            if (err > opt.tol && ++bad <= 5)
                report += "\n  input " + std::to_string(k) + "[" + std::to_string(i) + "]: analytic " +
                          std::to_string(a) + " numeric " + std::to_string(num);
        }
    }
    if (bad == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << bad << " mismatches, max relative error " << max_err << report;
}

}  // namespace genlab::testing
