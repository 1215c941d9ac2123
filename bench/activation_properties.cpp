// Activation curves, measured properties and kernel cost (see activation_properties.h).
#include "bench/activation_properties.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "core/nn/parameter.h"
#include "core/number_text.h"
#include "core/rng.h"
#include "core/tape.h"

namespace genlab {

namespace {

std::string bound(double v) {
    std::string s = significant_text(v, 3);
    return s == "-0" ? "0" : s;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
}

}  // namespace

ActivationCurve activation_curve(const Activation& act, double lo, double hi, int n) {
    if (n < 2) fail("activation_curve: need at least 2 points, got ", n);
    Parameter x("x", Tensor(Shape{n}));  // (N)
    for (int i = 0; i < n; ++i) {
        // Endpoints exact: lo + (hi - lo) * i / (n - 1) can miss hi by a rounding.
        const double v = i == n - 1 ? hi : lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(n - 1);
        x.value[static_cast<size_t>(i)] = static_cast<float>(v);
    }
    Parameter p;
    Tape t;
    Var xv = t.param(x);
    Var pv;
    if (act.learnable()) {
        p = Parameter(act.def->learnable[0].first, Tensor(Shape{1}, {act.learnable_init()}));
        pv = t.param(p);
    }
    Var y = activate(t, xv, act, pv);      // (N)
    t.backward(y, Tensor(Shape{n}, 1.f));  // dy/dx of an elementwise f is the VJP with ones
    const Tensor& yv = t.value(y);
    ActivationCurve c;
    c.x.assign(x.value.data(), x.value.data() + n);
    c.y.assign(yv.data(), yv.data() + n);
    c.dy.assign(x.grad.data(), x.grad.data() + n);
    return c;
}

ActivationProperties activation_properties(const Activation& act) {
    ActivationProperties pr;
    // Output range over a wide sweep. A side whose value still moves between x = ±500 and ±1000
    // is unbounded; otherwise it approaches a limit. A bound is attained (closed bracket) when the
    // extreme value is taken at a moderate x, and only approached (open) when it sits in a tail.
    constexpr double kWide = 1e3;
    constexpr int kSweep = 200001;  // step 0.01
    auto x_at = [](int i) { return -kWide + 2.0 * kWide * i / (kSweep - 1); };
    double lo = INFINITY, hi = -INFINITY;
    std::vector<float> ys(kSweep);
    for (int i = 0; i < kSweep; ++i) {
        const float y = act.f(static_cast<float>(x_at(i)));
        ys[static_cast<size_t>(i)] = y;
        lo = std::min(lo, static_cast<double>(y));
        hi = std::max(hi, static_cast<double>(y));
    }
    auto grows = [](float far, float mid) { return std::abs(static_cast<double>(far) - mid) > 1e-3; };
    const float fl = act.f(-static_cast<float>(kWide)), fr = act.f(static_cast<float>(kWide));
    const bool left_unbounded = grows(fl, act.f(-500.f)), right_unbounded = grows(fr, act.f(500.f));
    const bool lo_inf = (left_unbounded && fl < 0.f) || (right_unbounded && fr < 0.f);
    const bool hi_inf = (left_unbounded && fl > 0.f) || (right_unbounded && fr > 0.f);
    auto attained = [&](double v) {
        for (int i = 0; i < kSweep; ++i)
            if (std::abs(x_at(i)) <= 4.0 &&
                std::abs(ys[static_cast<size_t>(i)] - v) <= 1e-6 * std::max(1.0, std::abs(v)))
                return true;
        return false;
    };
    // Appended piece by piece: GCC 12 misreports `"[" + std::string` as an overflow (-Wstringop-overflow).
    pr.range = lo_inf ? "(-inf" : (attained(lo) ? "[" : "(");
    if (!lo_inf) pr.range.append(bound(lo));
    pr.range.append(", ");
    if (hi_inf) {
        pr.range.append("inf)");
    } else {
        pr.range.append(bound(hi));
        pr.range.append(attained(hi) ? "]" : ")");
    }
    pr.zero_centred = std::abs(act.f(0.f)) < 1e-6f && lo < -1e-6 && hi > 1e-6;
    pr.monotonic = true;
    for (size_t i = 1; i < ys.size() && pr.monotonic; ++i)
        pr.monotonic = ys[i] >= ys[i - 1] - 1e-6f * std::max(1.f, std::abs(ys[i - 1]));
    // C1: f' sampled every 1e-3 on a grid straddling 0 (and every kink we know of) must not jump;
    // a smooth f' moves by |f''| * 1e-3, far below the threshold.
    pr.smooth = true;
    constexpr double kStep = 1e-3;
    float prev = act.df(static_cast<float>(-8.0 + 0.5 * kStep));
    for (int i = 1; i < 16000 && pr.smooth; ++i) {
        const float d = act.df(static_cast<float>(-8.0 + (i + 0.5) * kStep));
        pr.smooth = std::isfinite(d) && std::abs(d - prev) < 0.05f;
        prev = d;
    }
    const bool sat_left = std::abs(act.df(-static_cast<float>(kWide))) < 1e-3f;
    const bool sat_right = std::abs(act.df(static_cast<float>(kWide))) < 1e-3f;
    pr.saturates = sat_left && sat_right ? "both" : sat_left ? "left" : sat_right ? "right" : "none";
    pr.df0 = act.df(0.f);
    return pr;
}

double kernel_ns_per_element(const Activation& act, uint64_t seed) {
    constexpr size_t kN = 1 << 20;
    Rng rng(seed);
    std::vector<float> x(kN), y(kN), dy(kN), dx(kN, 0.f);
    for (size_t i = 0; i < kN; ++i) {
        x[i] = 3.f * rng.normal();
        dy[i] = rng.normal();
    }
    const ActivationDef& d = *act.def;
    const float* p = act.params.data();
    constexpr int kRuns = 7;
    std::vector<double> ns;
    volatile double sink = 0.0;  // keeps dparam's result alive
    for (int r = 0; r <= kRuns; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        d.forward(x.data(), y.data(), kN, p);
        d.backward(x.data(), y.data(), dy.data(), dx.data(), kN, p, true);
        if (d.dparam) sink = sink + d.dparam(x.data(), y.data(), dy.data(), kN, p);
        const auto t1 = std::chrono::steady_clock::now();
        if (r > 0) ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());  // run 0 warms caches
    }
    std::sort(ns.begin(), ns.end());
    return ns[ns.size() / 2] / static_cast<double>(kN);
}

PropertyTable property_table(const std::vector<Activation>& acts, uint64_t seed) {
    const Activation relu = parse_activation("relu");
    const double relu_ns = kernel_ns_per_element(relu, seed);
    auto yes = [](bool b) { return std::string(b ? "yes" : "no"); };
    PropertyTable t;
    t.markdown =
        "| activation | output range | zero-centred | monotonic | smooth (C1) | saturates | f'(0) | cost vs relu |\n"
        "|---|---|---|---|---|---|---|---|\n";
    t.csv = "activation,range,zero_centred,monotonic,smooth,saturates,df0,ns_per_element,relative_cost\n";
    for (const Activation& a : acts) {
        const ActivationProperties p = activation_properties(a);
        // relu itself reuses the baseline, so its row reads exactly 1.00 rather than timing noise.
        const double ns = a.def == relu.def ? relu_ns : kernel_ns_per_element(a, seed);
        const std::string cost = fixed_text(ns / relu_ns, 2);
        t.markdown += "| " + a.spec + " | " + p.range + " | " + yes(p.zero_centred) + " | " + yes(p.monotonic) + " | " +
                      yes(p.smooth) + " | " + p.saturates + " | " + significant_text(p.df0, 4) + " | " + cost + " |\n";
        t.csv += csv_field(a.spec) + "," + csv_field(p.range) + "," + yes(p.zero_centred) + "," + yes(p.monotonic) +
                 "," + yes(p.smooth) + "," + p.saturates + "," + significant_text(p.df0, 6) + "," +
                 significant_text(ns, 4) + "," + cost + "\n";
    }
    t.markdown += "\nRange over x in [-1e3, 1e3] ('[' attained, '(' approached); saturates: f' -> 0 on that side; "
                  "cost: median time of the forward + backward span kernels on 2^20 elements, one thread, relative to "
                  "relu (" +
                  significant_text(relu_ns, 3) + " ns/element).\n";
    return t;
}

}  // namespace genlab
