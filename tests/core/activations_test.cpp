// The activation registry, tested entry by entry: every test below is instantiated over
// activation_table() (plus a few parameterised specs), so a new entry is covered without edits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/activations.h"
#include "core/error.h"
#include "core/nn/parameter.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "tests/gradcheck.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

// Elementwise registry names (aliases included) and the parameterised specs the torch reference holds.
std::vector<std::string> elementwise_names() {
    std::vector<std::string> names;
    for (const std::string& n : activation_names())
        if (find_activation(n).elementwise) names.push_back(n);
    return names;
}

std::vector<std::string> specs_under_test() {
    std::vector<std::string> s = elementwise_names();
    for (const char* extra : {"leaky_relu:0.2", "elu:0.5", "swish:1.5"}) s.push_back(extra);
    return s;
}

// "leaky_relu" -> "LeakyRelu", "swish:1.5" -> "Swish1p5": GoogleTest names allow no underscores.
std::string camel_case(const std::string& spec) {
    std::string out;
    bool upper = true;
    for (char c : spec) {
        if (c == '_' || c == ':' || c == ',') {
            upper = true;
            continue;
        }
        if (c == '.')
            out += 'p';
        else if (c == '-')
            out += 'm';
        else
            out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
        upper = false;
    }
    return out;
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) { return camel_case(info.param); }

// Random points at least 0.25 away from 0, the only kink of any entry.
Tensor points_away_from_kinks(Shape shape, uint64_t seed) {
    Tensor x(shape);
    Rng rng(seed);
    rng.fill_normal(x, 0.f, 2.5f);
    for (size_t i = 0; i < x.numel(); ++i)
        if (std::fabs(x[i]) < 0.25f) x[i] += x[i] < 0.f ? -0.4f : 0.4f;
    return x;
}

float derivative_of_param(const Activation& act, float x, float p) {
    std::array<float, 4> params = act.params;
    params[act.def->params.size()] = p;
    const float y = act.def->f(x, params.data());
    const float one = 1.f;
    return static_cast<float>(act.def->dparam(&x, &y, &one, 1, params.data()));
}

// --- (1) finite-difference gradients, learnable parameters included

class ActivationGrad : public ::testing::TestWithParam<std::string> {};

TEST_P(ActivationGrad, MatchesCentralDifferences) {
    const Activation act = parse_activation(GetParam());
    Tensor x = points_away_from_kinks(Shape{3, 7}, 11);
    if (!act.learnable()) {
        EXPECT_TRUE(testing::gradients_match([&](Tape& t, const std::vector<Var>& v) { return activate(t, v[0], act); },
                                             {x}));
        return;
    }
    // The parameter away from its init, so the test does not lean on the init value.
    Tensor p(Shape{1}, {act.learnable_init() + 0.15f});
    EXPECT_TRUE(testing::gradients_match([&](Tape& t,
                                             const std::vector<Var>& v) { return activate(t, v[0], act, v[1]); },
                                         {x, p}));
}

INSTANTIATE_TEST_SUITE_P(AllActivations, ActivationGrad, ::testing::ValuesIn(specs_under_test()), param_name);

// --- (2) values and derivatives against the torch float64 reference

struct RefRow {
    double x, y, dy, dp;
};

const std::map<std::string, std::vector<RefRow>>& reference() {
    static const std::map<std::string, std::vector<RefRow>> table = [] {
        std::map<std::string, std::vector<RefRow>> t;
        std::ifstream in(std::string(GENLAB_SOURCE_DIR) + "/tests/fixtures/activation_reference.csv");
        std::string line;
        std::getline(in, line);  // header
        while (std::getline(in, line)) {
            std::stringstream ss(line);
            std::string spec, cell;
            std::getline(ss, spec, ',');
            double v[4];
            for (double& d : v) {
                std::getline(ss, cell, ',');
                d = std::stod(cell);
            }
            t[spec].push_back({v[0], v[1], v[2], v[3]});
        }
        return t;
    }();
    return table;
}

class ActivationReference : public ::testing::TestWithParam<std::string> {};

TEST_P(ActivationReference, MatchesTorchFloat64) {
    const Activation act = parse_activation(GetParam());
    auto it = reference().find(GetParam());
    ASSERT_NE(it, reference().end()) << "no torch reference for " << GetParam()
                                     << ": add it to tests/fixtures/make_activation_reference.py and rerun it";
    ASSERT_GT(it->second.size(), 80u);
    int bad = 0;
    double max_value_err = 0, max_deriv_err = 0;
    std::string report;
    auto check = [&](const char* what, double x, double got, double want, double abs_tol, double rel_tol,
                     double& max_err) {
        const double err = std::abs(got - want);
        max_err = std::max(max_err, err);
        if (err > abs_tol + rel_tol * std::abs(want) && ++bad <= 5)
            report += "\n  " + std::string(what) + " at x=" + std::to_string(x) + ": got " + std::to_string(got) +
                      " want " + std::to_string(want);
    };
    for (const RefRow& r : it->second) {
        const float x = static_cast<float>(r.x);
        const float y = act.f(x);
        check("f", r.x, y, r.y, 1e-6, 1e-5, max_value_err);
        check("f'", r.x, act.df(x), r.dy, 1e-5, 1e-4, max_deriv_err);
        if (act.learnable())
            check("df/dparam", r.x, derivative_of_param(act, x, act.learnable_init()), r.dp, 1e-5, 1e-4, max_deriv_err);
    }
    EXPECT_EQ(bad, 0) << bad << " mismatches; max |error| value " << max_value_err << ", derivative " << max_deriv_err
                      << report;
}

INSTANTIATE_TEST_SUITE_P(AllActivations, ActivationReference, ::testing::ValuesIn(specs_under_test()), param_name);

// --- (3) no NaN/Inf far out, where naive formulas overflow

class ActivationStability : public ::testing::TestWithParam<std::string> {};

TEST_P(ActivationStability, FiniteValuesAndDerivativesForLargeInputs) {
    const Activation act = parse_activation(GetParam());
    const Tensor xs(Shape{11}, {-1e4f, -100.f, -88.7f, -20.f, -0.f, 0.f, 20.f, 88.7f, 100.f, 1e4f, 3e4f});
    for (size_t i = 0; i < xs.numel(); ++i) {
        const float x = xs[i];
        EXPECT_TRUE(std::isfinite(act.f(x))) << "f(" << x << ") = " << act.f(x);
        EXPECT_TRUE(std::isfinite(act.df(x))) << "f'(" << x << ") = " << act.df(x);
        if (act.learnable())
            for (float p : {act.learnable_init(), -1.f, 3.f}) {
                const float dp = derivative_of_param(act, x, p);
                EXPECT_TRUE(std::isfinite(dp)) << "df/dparam(" << x << "; " << p << ") = " << dp;
            }
    }
    // The same through the tape: forward, backward and the parameter's gradient.
    Parameter px("x", xs);
    Parameter pp("p", Tensor(Shape{1}, {act.learnable() ? act.learnable_init() : 0.f}));
    Tape t;
    Var y = act.learnable() ? activate(t, t.param(px), act, t.param(pp)) : activate(t, t.param(px), act);
    t.backward(y, Tensor(xs.shape(), 1.f));
    for (size_t i = 0; i < xs.numel(); ++i) {
        EXPECT_TRUE(std::isfinite(t.value(y)[i])) << "y at x=" << xs[i];
        EXPECT_TRUE(std::isfinite(px.grad[i])) << "dx at x=" << xs[i];
    }
    EXPECT_TRUE(std::isfinite(pp.grad[0]));
}

INSTANTIATE_TEST_SUITE_P(AllActivations, ActivationStability, ::testing::ValuesIn(specs_under_test()), param_name);

// --- (5) the span kernels agree with the scalar forms

class ActivationKernels : public ::testing::TestWithParam<std::string> {};

TEST_P(ActivationKernels, SpanKernelsMatchScalarForms) {
    const Activation act = parse_activation(GetParam());
    const ActivationDef& d = *act.def;
    ASSERT_TRUE(d.forward && d.backward && d.f && d.df && d.gain);
    ASSERT_EQ(act.learnable(), d.dparam != nullptr) << "dparam must exist exactly for learnable entries";
    // 37: not a multiple of any vector width, so the loops' tails run too.
    Tensor x = points_away_from_kinks(Shape{37}, 5), dy(Shape{37}), y(Shape{37}), dx(Shape{37}, 0.5f);
    x[0] = 0.f;
    x[1] = -60.f;
    x[2] = 60.f;
    Rng(6).fill_uniform(dy, -1.f, 1.f);
    const float* p = act.params.data();
    d.forward(x.data(), y.data(), x.numel(), p);
    d.backward(x.data(), y.data(), dy.data(), dx.data(), x.numel(), p, true);
    Tensor stored(x.shape(), std::numeric_limits<float>::quiet_NaN());  // old contents ignored
    d.backward(x.data(), y.data(), dy.data(), stored.data(), x.numel(), p, false);
    auto near = [](float a, float b) { return std::abs(a - b) <= 1e-7f + 1e-6f * std::abs(b); };
    for (size_t i = 0; i < x.numel(); ++i) {
        const float fy = d.f(x[i], p);
        EXPECT_PRED2(near, y[i], fy) << "forward at x=" << x[i];
        // backward accumulates: dx started at 0.5.
        EXPECT_PRED2(near, dx[i], 0.5f + dy[i] * d.df(x[i], fy, p)) << "backward at x=" << x[i];
        EXPECT_PRED2(near, stored[i], dy[i] * d.df(x[i], fy, p)) << "storing backward at x=" << x[i];
    }
    if (d.dparam) {
        double singles = 0;
        for (size_t i = 0; i < x.numel(); ++i) singles += d.dparam(&x[i], &y[i], &dy[i], 1, p);
        EXPECT_NEAR(d.dparam(x.data(), y.data(), dy.data(), x.numel(), p), singles, 1e-5 * (1 + std::abs(singles)));
    }
}

// An entry that saves a value for its backward (GELU saves Φ) must give exactly the floats of its
// plain kernels: the saved path is only faster, and trained figures must not move.
TEST_P(ActivationKernels, SavingKernelsEqualPlainKernelsBitForBit) {
    const Activation act = parse_activation(GetParam());
    const ActivationDef& d = *act.def;
    ASSERT_EQ(d.forward_saving != nullptr, d.backward_saved != nullptr) << "saving kernels come in pairs";
    if (!d.forward_saving) return;
    // Kinks, both tails, subnormal-producing inputs and a sweep; 1003 runs the loops' tails.
    Tensor x(Shape{1003}), dy(Shape{1003});
    Rng(11).fill_uniform(x, -12.f, 12.f);
    const float special[] = {0.f,   -0.f, 1e-30f, -1e-30f, 1.f,   -1.f, 5.f,   -5.f,  9.5f,
                             -9.5f, 14.f, -14.f,  40.f,    -40.f, 1e6f, -1e6f, 3e38f, -3e38f};
    std::copy(std::begin(special), std::end(special), x.data());
    Rng(12).fill_uniform(dy, -2.f, 2.f);
    const float* p = act.params.data();
    Tensor y(x.shape()), ys(x.shape()), s(x.shape()), dx(x.shape(), 0.25f), dxs(x.shape(), 0.25f);
    d.forward(x.data(), y.data(), x.numel(), p);
    d.backward(x.data(), y.data(), dy.data(), dx.data(), x.numel(), p, true);
    d.forward_saving(x.data(), ys.data(), s.data(), x.numel(), p);
    d.backward_saved(x.data(), ys.data(), s.data(), dy.data(), dxs.data(), x.numel(), p, true);
    Tensor stored(x.shape()), stored_saved(x.shape());
    d.backward(x.data(), y.data(), dy.data(), stored.data(), x.numel(), p, false);
    d.backward_saved(x.data(), ys.data(), s.data(), dy.data(), stored_saved.data(), x.numel(), p, false);
    for (size_t i = 0; i < x.numel(); ++i) {
        ASSERT_EQ(std::bit_cast<uint32_t>(ys[i]), std::bit_cast<uint32_t>(y[i])) << "forward at x=" << x[i];
        ASSERT_EQ(std::bit_cast<uint32_t>(dxs[i]), std::bit_cast<uint32_t>(dx[i])) << "backward at x=" << x[i];
        ASSERT_EQ(std::bit_cast<uint32_t>(stored_saved[i]), std::bit_cast<uint32_t>(stored[i]))
            << "storing backward at x=" << x[i];
    }
}

INSTANTIATE_TEST_SUITE_P(AllActivations, ActivationKernels, ::testing::ValuesIn(elementwise_names()), param_name);

// GELU's op keeps Φ in a scratch slot while it records a gradient, and nothing without one.
TEST(Activate, SavesForBackwardOnlyWhenRecording) {
    const Activation gelu = parse_activation("gelu");
    ASSERT_TRUE(gelu.def->forward_saving) << "gelu is expected to save Φ for its backward";
    Parameter px("x", Tensor(Shape{5}, {-2.f, -0.5f, 0.f, 0.7f, 3.f}));
    Tape t;
    const size_t before = t.num_slots();
    {
        NoGradGuard guard(t);
        activate(t, t.param(px), gelu);
    }
    EXPECT_EQ(t.num_slots() - before, 2u) << "without gradients: the input and the output only";
    t.reset();
    Var y = activate(t, t.param(px), gelu);
    EXPECT_EQ(t.num_slots(), 3u) << "with a gradient: the input, the saved Φ and the output";
    t.backward(y, Tensor(Shape{5}, 1.f));
    for (size_t i = 0; i < 5; ++i) EXPECT_FLOAT_EQ(px.grad[i], gelu.df(px.value[i])) << i;
}

// --- (6) the declared output range holds, and is tight: a bounded activation can serve as a
// model's output (its range is where the data goes), so the bounds must be the real ones.

class ActivationRange : public ::testing::TestWithParam<std::string> {};

TEST_P(ActivationRange, DeclaredRangeHoldsAndIsApproached) {
    const Activation act = parse_activation(GetParam());
    const ValueRange r = act.range();
    ASSERT_TRUE(r.lo < r.hi);
    float lo = INFINITY, hi = -INFINITY;
    for (int i = -200000; i <= 200000; ++i) {  // [-100, 100] every 5e-4: every extremum of the table
        const float y = act.f(static_cast<float>(i) * 5e-4f);
        lo = std::min(lo, y);
        hi = std::max(hi, y);
    }
    for (float x : {-1e4f, 1e4f}) {
        lo = std::min(lo, act.f(x));
        hi = std::max(hi, act.f(x));
    }
    const float tol = 2e-6f;
    EXPECT_GE(lo, r.lo - tol) << "f goes below the declared lower bound";
    EXPECT_LE(hi, r.hi + tol) << "f goes above the declared upper bound";
    if (std::isfinite(r.lo))
        EXPECT_LE(lo, r.lo + 1e-4f) << "the lower bound is not approached: " << lo;
    else
        EXPECT_LT(lo, -50.f) << "declared unbounded below, but f stays above " << lo;
    if (std::isfinite(r.hi))
        EXPECT_GE(hi, r.hi - 1e-4f) << "the upper bound is not approached: " << hi;
    else
        EXPECT_GT(hi, 50.f) << "declared unbounded above, but f stays below " << hi;
    if (act.def->logistic_slope > 0.f) {  // f(x) = lo + (hi - lo) sigmoid(k x)
        ASSERT_TRUE(r.bounded());
        for (float x : {-3.f, -0.5f, 0.f, 0.7f, 2.f}) {
            const double s = 1.0 / (1.0 + std::exp(-static_cast<double>(act.def->logistic_slope) * x));
            EXPECT_NEAR(act.f(x), r.lo + (r.hi - r.lo) * s, 1e-6) << "at x=" << x;
        }
    }
}

// Parameterised specs too: the bound follows the parameter.
INSTANTIATE_TEST_SUITE_P(AllActivations, ActivationRange, ::testing::ValuesIn([] {
                             std::vector<std::string> v = elementwise_names();
                             for (const char* s : {"elu:0.5", "swish:2", "leaky_relu:0", "leaky_relu:-0.5"})
                                 v.push_back(s);
                             return v;
                         }()),
                         param_name);

TEST(ActivationRange, OnlySigmoidAndTanhAreBoundedAndMapOntoALogit) {
    std::vector<std::string> bounded;
    for (const std::string& n : elementwise_names())
        if (parse_activation(n).range().bounded()) bounded.push_back(n);
    EXPECT_EQ(bounded, (std::vector<std::string>{"sigmoid", "tanh"}));
    EXPECT_EQ(parse_activation("tanh").range(), (ValueRange{-1.f, 1.f}));
    EXPECT_EQ(parse_activation("sigmoid").range(), (ValueRange{0.f, 1.f}));
    EXPECT_FLOAT_EQ(remap(0.f, {-1.f, 1.f}, {0.f, 1.f}), 0.5f);
}

TEST(ActivationList, ParsesSpecsWithParametersAndRejectsDistributions) {
    const std::vector<Activation> a = parse_activation_list("relu, leaky_relu:0.2,elu:0.5,silu", "--acts");
    ASSERT_EQ(a.size(), 4u);
    EXPECT_EQ(a[1].spec, "leaky_relu:0.2");
    EXPECT_EQ(a[2].spec, "elu:0.5");
    size_t entries = 0;  // the whole table (aliases are not separate arms)
    for (const ActivationDef& d : activation_table()) entries += d.elementwise;
    EXPECT_EQ(parse_activation_list("", "--acts").size(), entries);
    EXPECT_NE(testing::error_of([] { parse_activation_list("relu,softmax", "--acts"); }).find("--acts"),
              std::string::npos);
    EXPECT_THROW(parse_activation_list("relu,,gelu", "--acts"), UsageError);
    EXPECT_THROW(parse_activation_list("nosuch", "--acts"), UsageError);
}

// --- activate(): the op around the kernels

TEST(Activate, LearnableWithoutParamUsesInit) {
    for (const char* spec : {"prelu", "swish_learned"}) {
        const Activation act = parse_activation(spec);
        Tensor xs = points_away_from_kinks(Shape{2, 9}, 3);
        Parameter p("p", Tensor(Shape{1}, {act.learnable_init()}));
        Tape t;
        Var x = t.constant(xs);
        Var a = activate(t, x, act);
        Var b = activate(t, x, act, t.param(p));
        for (size_t i = 0; i < xs.numel(); ++i) EXPECT_EQ(t.value(a)[i], t.value(b)[i]) << spec;
    }
}

TEST(Activate, ParameterValueChangesTheOutput) {
    const Activation act = parse_activation("prelu");
    Tensor xs(Shape{2}, {-2.f, 3.f});
    Parameter p("alpha", Tensor(Shape{1}, {0.5f}));
    Tape t;
    Var y = activate(t, t.constant(xs), act, t.param(p));
    EXPECT_FLOAT_EQ(t.value(y)[0], -1.f);
    EXPECT_FLOAT_EQ(t.value(y)[1], 3.f);
}

TEST(Activate, RejectsParameterForFixedActivation) {
    Tape t;
    Var x = t.constant_fill(Shape{3}, 1.f);
    Var p = t.constant_fill(Shape{1}, 0.2f);
    EXPECT_THROW(activate(t, x, parse_activation("leaky_relu"), p), Error);
}

TEST(Activate, RejectsParameterOfWrongShape) {
    Tape t;
    Var x = t.constant_fill(Shape{3}, 1.f);
    Var p = t.constant_fill(Shape{2}, 0.2f);
    EXPECT_THROW(activate(t, x, parse_activation("prelu"), p), Error);
}

TEST(Activate, RejectsUnsetActivation) {
    Tape t;
    Var x = t.constant_fill(Shape{3}, 1.f);
    EXPECT_THROW(activate(t, x, Activation{}), Error);
}

TEST(Activate, RecordsNoNodeWithoutGradients) {
    Tape t;
    NoGradGuard guard(t);
    Var y = activate(t, t.constant_fill(Shape{4}, -1.f), parse_activation("relu"));
    EXPECT_EQ(t.num_nodes(), 0u);
    EXPECT_FALSE(t.requires_grad(y));
    EXPECT_EQ(t.value(y)[0], 0.f);
}

// Above kParallelGrain the kernels run in OpenMP blocks and dparam in fixed chunks: the result
// must equal the element-by-element scalar forms.
TEST(Activate, LargeTensorsMatchScalarForms) {
    const Activation act = parse_activation("swish_learned");
    const size_t n = kParallelGrain + 1234;
    Tensor xs = points_away_from_kinks(Shape{static_cast<int>(n)}, 9);
    Parameter px("x", xs), pb("beta", Tensor(Shape{1}, {1.3f}));
    Tape t;
    Var y = activate(t, t.param(px), act, t.param(pb));
    t.backward(y, Tensor(xs.shape(), 1.f));
    const std::array<float, 4> p{1.3f};
    double dbeta = 0;
    for (size_t i = 0; i < n; ++i) {
        const float fy = act.def->f(xs[i], p.data());
        ASSERT_NEAR(t.value(y)[i], fy, 1e-6f * (1.f + std::abs(fy))) << i;
        ASSERT_NEAR(px.grad[i], act.def->df(xs[i], fy, p.data()), 1e-6f) << i;
        dbeta += derivative_of_param(act, xs[i], 1.3f);
    }
    EXPECT_NEAR(pb.grad[0], dbeta, 1e-4 * std::abs(dbeta));
}

// --- softmax: an output distribution, routed to genlab::softmax

// activate() sends every non-elementwise entry to softmax(): a second distribution needs its own route.
TEST(ActivationSoftmax, IsTheOnlyDistributionAndHasNoScalarForms) {
    const auto& table = activation_table();
    EXPECT_EQ(std::count_if(table.begin(), table.end(), [](const ActivationDef& d) { return !d.elementwise; }), 1);
    const ActivationDef& d = find_activation("softmax");
    EXPECT_FALSE(d.elementwise);
    EXPECT_EQ(d.f, nullptr);
    EXPECT_EQ(d.forward, nullptr);
}

TEST(ActivationSoftmax, MatchesSoftmaxOp) {
    Tensor xs = points_away_from_kinks(Shape{3, 5}, 21);
    Tensor seed(Shape{3, 5});
    Rng(22).fill_uniform(seed, -1.f, 1.f);
    Parameter a("a", xs), b("b", xs);
    Tape ta, tb;
    Var ya = activate(ta, ta.param(a), parse_activation("softmax"));
    Var yb = softmax(tb, tb.param(b));
    for (size_t i = 0; i < xs.numel(); ++i) EXPECT_EQ(ta.value(ya)[i], tb.value(yb)[i]);
    ta.backward(ya, seed);
    tb.backward(yb, seed);
    for (size_t i = 0; i < xs.numel(); ++i) EXPECT_EQ(a.grad[i], b.grad[i]);
}

TEST(ActivationSoftmax, MatchesCentralDifferences) {
    const Activation act = parse_activation("softmax");
    Tensor x = points_away_from_kinks(Shape{2, 6}, 31);
    EXPECT_TRUE(testing::gradients_match([&](Tape& t, const std::vector<Var>& v) { return activate(t, v[0], act); },
                                         {x}));
}

TEST(ActivationSoftmax, RowsSumToOneForHugeLogits) {
    Tensor xs(Shape{2, 5}, {-1e4f, -100.f, 0.f, 88.7f, 1e4f, 20.f, 20.f, -20.f, -88.7f, 100.f});
    Tape t;
    Var y = activate(t, t.constant(xs), parse_activation("softmax"));
    for (int r = 0; r < 2; ++r) {
        float s = 0;
        for (int c = 0; c < 5; ++c) {
            const float v = t.value(y)[static_cast<size_t>(r * 5 + c)];
            EXPECT_TRUE(std::isfinite(v));
            s += v;
        }
        EXPECT_NEAR(s, 1.f, 1e-6f);
    }
}

TEST(ActivationSoftmax, RejectsParameter) {
    Tape t;
    Var x = t.constant_fill(Shape{2, 3}, 1.f);
    Var p = t.constant_fill(Shape{1}, 1.f);
    EXPECT_THROW(activate(t, x, parse_activation("softmax"), p), Error);
}

// --- (4) spec strings

std::string usage_message(const std::string& spec) {
    try {
        parse_activation(spec);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "";
}

TEST(ActivationSpec, UnknownNameListsEveryKnownName) {
    const std::string msg = usage_message("relux");
    ASSERT_FALSE(msg.empty()) << "relux parsed";
    EXPECT_NE(msg.find("relux"), std::string::npos) << msg;
    for (const std::string& n : activation_names())
        EXPECT_NE(msg.find(n), std::string::npos) << n << " missing in: " << msg;
    EXPECT_THROW(find_activation("relux"), UsageError);
}

TEST(ActivationSpec, BadParametersAreUsageErrorsListingNames) {
    for (const char* spec : {"", ":0.2", "leaky_relu:", "leaky_relu:abc", "leaky_relu:0.2x", "leaky_relu:0.1,0.2",
                             "leaky_relu:1e50", "leaky_relu:nan", "swish:inf", "swish:-inf", "elu:0", "elu:-1",
                             "relu:1", "prelu:0.3", "swish_learned:1", "silu:1", "softmax:1"}) {
        const std::string msg = usage_message(spec);
        ASSERT_FALSE(msg.empty()) << "\"" << spec << "\" parsed";
        EXPECT_NE(msg.find("known: " + activation_names().front()), std::string::npos) << msg;
        EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line: " << msg;
    }
}

// A parameter finite as a float but so large that the init gain overflows (1e30^2 is inf in
// float) is refused by the spec, where the flag can be named, not inside a layer's init.
TEST(ActivationSpec, AParameterThatLeavesNoUsableGainIsAUsageError) {
    for (const char* spec : {"leaky_relu:1e30", "leaky_relu:-1e30", "leaky_relu:3e38"}) {
        const std::string msg = usage_message(spec);
        ASSERT_FALSE(msg.empty()) << spec << " parsed";
        EXPECT_NE(msg.find("gain"), std::string::npos) << msg;
    }
    EXPECT_TRUE(usage_message("leaky_relu:1e10").empty()) << "large but usable";
}

TEST(ActivationSpec, APlusSignIsReadAsASpaceIs) {
    EXPECT_EQ(parse_activation("leaky_relu: 0.2").spec, "leaky_relu:0.2");
    EXPECT_EQ(parse_activation("leaky_relu:+0.2").spec, "leaky_relu:0.2");
    EXPECT_EQ(parse_activation("elu:+1.5").spec, "elu:1.5");
    EXPECT_FALSE(usage_message("leaky_relu:+").empty());
    EXPECT_FALSE(usage_message("leaky_relu:+-1").empty());
}

TEST(ActivationSpec, AHugeSpecIsNotEchoedWhole) {
    const std::string huge = "leaky_relu:" + std::string(10'000, '7') + "x";
    const std::string msg = usage_message(huge);
    ASSERT_FALSE(msg.empty());
    EXPECT_LT(msg.size(), 1000u) << "echoed whole: " << msg.size() << " characters";
    EXPECT_NE(msg.find("10012 characters"), std::string::npos) << msg.substr(0, 300);
}

TEST(ActivationSpec, LearnableRejectionNamesTheLearnedParameter) {
    EXPECT_NE(usage_message("prelu:0.3").find("alpha"), std::string::npos);
}

TEST(ActivationSpec, CanonicalSpecKeepsGivenParameters) {
    EXPECT_EQ(parse_activation("leaky_relu:0.2").spec, "leaky_relu:0.2");
    EXPECT_FLOAT_EQ(parse_activation("leaky_relu:0.2").params[0], 0.2f);
    EXPECT_EQ(parse_activation("leaky_relu").spec, "leaky_relu");
    EXPECT_FLOAT_EQ(parse_activation("leaky_relu").params[0], 0.01f);
    EXPECT_EQ(parse_activation("elu:1.0").spec, "elu:1");
    EXPECT_EQ(parse_activation("swish:1.5").spec, "swish:1.5");
    EXPECT_EQ(parse_activation("leaky_relu:-0.5").spec, "leaky_relu:-0.5");  // any finite alpha
    EXPECT_EQ(parse_activation(" Leaky_ReLU : 0.2 ").spec, "leaky_relu:0.2");
}

TEST(ActivationSpec, SiluIsSwishWithBetaOne) {
    const Activation a = parse_activation("silu");
    EXPECT_EQ(a.name(), "swish");
    EXPECT_EQ(a.spec, "silu");
    EXPECT_FLOAT_EQ(a.params[0], 1.f);
    EXPECT_EQ(&find_activation("silu"), &find_activation("swish"));
}

TEST(ActivationSpec, CanonicalSpecRoundTrips) {
    for (const std::string& s : specs_under_test()) {
        const Activation a = parse_activation(s);
        const Activation b = parse_activation(a.spec);
        EXPECT_EQ(a.def, b.def) << s;
        EXPECT_EQ(a.params, b.params) << s;
        EXPECT_EQ(a.spec, b.spec) << s;
    }
}

TEST(ActivationSpec, LearnableInitsFollowTorch) {
    EXPECT_FLOAT_EQ(parse_activation("prelu").learnable_init(), 0.25f);  // torch.nn.PReLU()
    EXPECT_FLOAT_EQ(parse_activation("swish_learned").learnable_init(), 1.f);
    EXPECT_THROW(parse_activation("relu").learnable_init(), Error);
}

// --- registry shape and init gains

TEST(ActivationRegistry, NamesAreUniqueAndEntriesComplete) {
    std::vector<std::string> names = activation_names();
    std::sort(names.begin(), names.end());
    EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
    for (const ActivationDef& d : activation_table()) {
        EXPECT_FALSE(d.formula.empty()) << d.name;
        EXPECT_TRUE(d.gain != nullptr) << d.name;
        EXPECT_EQ(&find_activation(d.name), &d);
    }
}

TEST(ActivationRegistry, GainsFollowCalculateGain) {
    auto gain = [](const char* s) { return parse_activation(s).gain(); };
    EXPECT_FLOAT_EQ(gain("relu"), std::sqrt(2.f));
    EXPECT_FLOAT_EQ(gain("leaky_relu"), std::sqrt(2.f / (1.f + 0.01f * 0.01f)));
    EXPECT_FLOAT_EQ(gain("leaky_relu:0.2"), std::sqrt(2.f / 1.04f));
    EXPECT_FLOAT_EQ(gain("prelu"), std::sqrt(2.f / 1.0625f));
    EXPECT_FLOAT_EQ(gain("tanh"), 5.f / 3.f);
    EXPECT_FLOAT_EQ(gain("selu"), 0.75f);
    EXPECT_FLOAT_EQ(gain("sigmoid"), 1.f);
    EXPECT_FLOAT_EQ(gain("identity"), 1.f);
    EXPECT_FLOAT_EQ(gain("gelu"), 1.f);
}

}  // namespace
}  // namespace genlab
