// The activation registry: activation_table() is the only place an activation is defined.
// Values follow torch.nn.functional and derivatives PyTorch autograd, kinks included
// (relu'(0) = 0, leaky_relu'(0) = alpha, elu'(0) = alpha); tests/fixtures/activation_reference.csv
// holds the float64 torch reference they are checked against.
#include "core/activations.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstdint>

#include "core/error.h"
#include "core/number_text.h"
#include "core/ops.h"
#include "core/ops/common.h"

namespace genlab {

using namespace ops_detail;

namespace {

// --- vectorisable float maths
// glibc's expf/tanhf/erff are opaque calls unless compiled with fast-math (which genlab
// forbids), and a loop with a call inside never vectorises. These use only arithmetic, selects
// and bit casts, so the span loops built from them do; each is within a few ulp of the true
// value over every finite input, never returns NaN/Inf for finite input, and never overflows:
// callers only ever exponentiate non-positive numbers (-|x|), the stable forms of every formula.

constexpr float kLn2 = 0.693147180559945f;

// e^x for x <= 0 (small positive x are fine too). Below -104 the result rounds to 0.
inline float exp_nonpos(float x) {
    x = x < -104.f ? -104.f : x;
    // n = round(x / ln 2) by the 1.5·2^23 trick; its integer value is read from the float's bits,
    // which avoids a float->int conversion (undefined for NaN).
    const float shifted = x * 1.44269504088896f + 12582912.f;
    const float nf = shifted - 12582912.f;
    const int32_t n = std::bit_cast<int32_t>(shifted) - std::bit_cast<int32_t>(12582912.f);
    // r = x - n ln 2 with ln 2 split in two (Cody-Waite): n * hi is exact, so r keeps full precision.
    const float r = (x - nf * 0.693145751953125f) - nf * 1.428606765330187e-6f;  // |r| <= ln2/2
    float e = 1.f / 5040.f;  // Taylor to r^7: relative error < 6e-9 on |r| <= 0.347
    e = e * r + 1.f / 720.f;
    e = e * r + 1.f / 120.f;
    e = e * r + 1.f / 24.f;
    e = e * r + 1.f / 6.f;
    e = e * r + 0.5f;
    e = e * r + 1.f;
    e = e * r + 1.f;
    // 2^n in two factors, each a normal float for n >= -150, so subnormal results round correctly.
    const int32_t n1 = n >> 1, n2 = n - n1;
    return e * std::bit_cast<float>((n1 + 127) << 23) * std::bit_cast<float>((n2 + 127) << 23);
}

// e^x - 1 for x <= 0 without the cancellation of exp(x) - 1 near 0 (ELU just left of its kink).
inline float expm1_nonpos(float x) {
    const float far = exp_nonpos(x) - 1.f;
    float p = 1.f / 40320.f;  // x (1 + x/2 + ... + x^7/8!): relative error < 1e-9 on |x| < 0.35
    p = p * x + 1.f / 5040.f;
    p = p * x + 1.f / 720.f;
    p = p * x + 1.f / 120.f;
    p = p * x + 1.f / 24.f;
    p = p * x + 1.f / 6.f;
    p = p * x + 0.5f;
    p = p * x + 1.f;
    const float near = x * p;
    return x > -0.35f ? near : far;
}

// 2·atanh(s) = log((1+s)/(1-s)) for |s| <= 0.172: odd series to s^9, relative error < 3e-9.
inline float two_atanh_small(float s) {
    const float s2 = s * s;
    float p = 2.f / 9.f;
    p = p * s2 + 2.f / 7.f;
    p = p * s2 + 2.f / 5.f;
    p = p * s2 + 2.f / 3.f;
    p = p * s2 + 2.f;
    return s * p;
}

// log(1 + u) for u in [0, 1] (u = e^-|x| in softplus). Written as 2·atanh(u / (2 + u)), which
// never forms 1 + u and so keeps small u exact; above √2 - 1 one factor of 2 is taken out first.
inline float log1p_unit(float u) {
    const float lo = two_atanh_small(u / (2.f + u));
    const float hi = kLn2 + two_atanh_small((u - 1.f) / (u + 3.f));
    return u > 0.41421356f ? hi : lo;
}

// sigmoid(x) and sigmoid'(x) = w / (1 + w)^2 with w = e^-|x|: no overflow, no cancellation.
struct Logistic {
    float s;   // sigmoid(x)
    float ds;  // sigmoid(x) (1 - sigmoid(x))
};
inline Logistic logistic(float x) {
    const float w = exp_nonpos(-std::fabs(x));
    const float r = 1.f / (1.f + w);
    return {x >= 0.f ? r : w * r, w * r * r};
}

inline float tanh_of(float x) {
    const float m = expm1_nonpos(-2.f * std::fabs(x));  // e^-2|x| - 1 in (-1, 0]
    return std::copysign(-m / (2.f + m), x);
}

// P(N(0,1) > a) = erfc(a/√2) / 2 for a >= 0. erfc(z) = t·exp(-z² + P(t)), t = 1/(1 + z/2), with
// P a degree-9 minimax-style fit in t (Lawson-weighted least squares against torch's float64
// erfcx; `make_activation_reference.py --fit-erfc` reproduces it): relative error < 1.1e-7 on the
// whole half line, so even the far tail of GELU keeps its relative accuracy.
inline float normal_upper_tail(float a) {
    const float z = a * 0.707106781186548f;
    const float t = 1.f / (1.f + 0.5f * z);
    float p = 0.16876060f;
    p = p * t - 0.81332469f;
    p = p * t + 1.47325516f;
    p = p * t - 1.12110078f;
    p = p * t + 0.27135262f;
    p = p * t - 0.18396667f;
    p = p * t + 0.09638824f;
    p = p * t + 0.37412503f;
    p = p * t + 1.00002265f;
    p = p * t - 1.26551223f;
    return 0.5f * t * exp_nonpos(p - z * z);
}

constexpr float kInvSqrt2Pi = 0.398942280401433f;
constexpr float kSqrt2OverPi = 0.797884560802865f;  // gelu_tanh's k
constexpr float kGeluTanhC = 0.044715f;
constexpr float kSeluAlpha = 1.6732632423543772f;
constexpr float kSeluScale = 1.0507009873554805f;

// --- make_activation: scalar lambdas -> span kernels
// Captureless lambdas are default-constructible in C++20, so a kernel can name its lambda's type
// and call F{}(...) inside the loop: one indirect call per tensor block, and the loop is inlined
// and vectorised. Parameters are copied to a local array first so the compiler knows stores to
// y/dx cannot change them.

using ParamList = std::vector<std::pair<std::string, float>>;

constexpr float kInf = std::numeric_limits<float>::infinity();

struct EntryInfo {
    const char* name;
    const char* formula;
    ParamList params = {};     // fixed, set by the spec string
    ParamList learnable = {};  // at most one shared scalar
    const char* (*check)(ActParams p) = nullptr;
    ValueRange (*range)(ActParams p) = [](ActParams) { return ValueRange{}; };  // default: unbounded
    float logistic_slope = 0.f;
};

constexpr size_t kMaxParams = 4;  // Activation::params

template <class F>
void forward_span(const float* __restrict x, float* __restrict y, size_t n, ActParams p) {
    float q[kMaxParams];
    std::copy(p, p + kMaxParams, q);
    for (size_t i = 0; i < n; ++i) y[i] = F{}(x[i], q);
}

template <class DF>
void backward_span(const float* __restrict x, const float* __restrict y, const float* __restrict dy,
                   float* __restrict dx, size_t n, ActParams p, bool accumulate) {
    float q[kMaxParams];
    std::copy(p, p + kMaxParams, q);
    if (accumulate)
        for (size_t i = 0; i < n; ++i) dx[i] += dy[i] * DF{}(x[i], y[i], q);
    else
        for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * DF{}(x[i], y[i], q);
}

// An entry that saves one value per element (make_saving_activation): FS(x, p) gives {y, s},
// DFS(x, y, s, p) the derivative from the saved s.
struct WithSaved {
    float y;
    float s;
};

template <class FS>
void forward_saving_span(const float* __restrict x, float* __restrict y, float* __restrict s, size_t n, ActParams p) {
    float q[kMaxParams];
    std::copy(p, p + kMaxParams, q);
    for (size_t i = 0; i < n; ++i) {
        const WithSaved r = FS{}(x[i], q);
        y[i] = r.y;
        s[i] = r.s;
    }
}

template <class DFS>
void backward_saved_span(const float* __restrict x, const float* __restrict y, const float* __restrict s,
                         const float* __restrict dy, float* __restrict dx, size_t n, ActParams p, bool accumulate) {
    float q[kMaxParams];
    std::copy(p, p + kMaxParams, q);
    if (accumulate)
        for (size_t i = 0; i < n; ++i) dx[i] += dy[i] * DFS{}(x[i], y[i], s[i], q);
    else
        for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * DFS{}(x[i], y[i], s[i], q);
}

// Eight independent double accumulators: the sum vectorises without reassociation by the
// compiler, and the order depends on n only (deterministic).
template <class DP>
double dparam_span(const float* __restrict x, const float* __restrict y, const float* __restrict dy, size_t n,
                   ActParams p) {
    float q[kMaxParams];
    std::copy(p, p + kMaxParams, q);
    constexpr size_t kLanes = 8;
    double acc[kLanes] = {};
    size_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
        for (size_t j = 0; j < kLanes; ++j) acc[j] += static_cast<double>(dy[i + j] * DP{}(x[i + j], y[i + j], q));
    for (size_t j = 0; i + j < n; ++j) acc[j] += static_cast<double>(dy[i + j] * DP{}(x[i + j], y[i + j], q));
    double s = 0;
    for (double a : acc) s += a;
    return s;
}

template <class F, class DF, class Gain>
ActivationDef make_entry(EntryInfo info) {
    if (info.params.size() + info.learnable.size() > kMaxParams || info.learnable.size() > 1)
        fail("activation table: ", info.name, " declares too many parameters (at most ", kMaxParams,
             ", of which one learnable)");
    ActivationDef d;
    d.name = info.name;
    d.formula = info.formula;
    d.params = std::move(info.params);
    d.learnable = std::move(info.learnable);
    d.forward = forward_span<F>;
    d.backward = backward_span<DF>;
    d.f = [](float x, ActParams p) { return F{}(x, p); };
    d.df = [](float x, float y, ActParams p) { return DF{}(x, y, p); };
    d.gain = [](ActParams p) { return Gain{}(p); };
    d.check = info.check;
    d.range = info.range;
    d.logistic_slope = info.logistic_slope;
    return d;
}

// An elementwise entry from f(x, p), df(x, y, p) (y = f(x)) and gain(p).
template <class F, class DF, class Gain>
ActivationDef make_activation(EntryInfo info, F, DF, Gain) {
    if (!info.learnable.empty()) fail("activation table: ", info.name, " is learnable but has no dparam");
    return make_entry<F, DF, Gain>(std::move(info));
}

// An elementwise entry whose backward reuses a value the forward computes anyway: fs(x, p)
// returns {f(x), s}, dfs(x, y, s, p) the derivative given that s. The plain kernels and the
// scalar forms are built from the same two lambdas, so every path computes the same floats.
template <class FS, class DFS, class Gain>
ActivationDef make_saving_activation(EntryInfo info, FS, DFS, Gain) {
    if (!info.learnable.empty()) fail("activation table: ", info.name, " is learnable; saving entries are not");
    constexpr auto f = [](float x, ActParams p) { return FS{}(x, p).y; };
    constexpr auto df = [](float x, float y, ActParams p) { return DFS{}(x, y, FS{}(x, p).s, p); };
    ActivationDef d = make_entry<decltype(f), decltype(df), Gain>(std::move(info));
    d.forward_saving = forward_saving_span<FS>;
    d.backward_saved = backward_saved_span<DFS>;
    return d;
}

// A learnable entry also gives dparam(x, y, p) = ∂f/∂param, summed by activate()'s backward.
template <class F, class DF, class DP, class Gain>
ActivationDef make_activation(EntryInfo info, F, DF, DP, Gain) {
    if (info.learnable.size() != 1) fail("activation table: ", info.name, " has dparam but no learnable parameter");
    ActivationDef d = make_entry<F, DF, Gain>(std::move(info));
    d.dparam = dparam_span<DP>;
    return d;
}

// An output distribution (not elementwise): activate() routes it to its op; no scalar forms.
ActivationDef make_distribution(const char* name, const char* formula) {
    ActivationDef d;
    d.name = name;
    d.formula = formula;
    d.elementwise = false;
    d.gain = [](ActParams) { return 1.f; };
    d.range = [](ActParams) { return ValueRange{0.f, 1.f}; };
    return d;
}

// Shared by entries that differ only in where their parameter comes from (leaky_relu / prelu,
// swish / swish_learned). p[0] is alpha or beta either way.
// Lambdas read p[] and compute both sides of a kink before selecting: a load or multiply that
// only one side performs may trap (GCC's default -ftrapping-math), which blocks if-conversion
// and with it vectorisation.
constexpr auto leaky_f = [](float x, ActParams p) {
    const float neg = p[0] * x;
    return x < 0.f ? neg : x;
};
constexpr auto leaky_df = [](float x, float, ActParams p) {
    const float alpha = p[0];
    return x > 0.f ? 1.f : alpha;  // f'(0) = alpha, as PyTorch
};
constexpr auto leaky_gain = [](ActParams p) { return std::sqrt(2.f / (1.f + p[0] * p[0])); };
// alpha <= 0 folds the negative side onto [0, inf).
constexpr auto leaky_range = [](ActParams p) { return p[0] > 0.f ? ValueRange{} : ValueRange{0.f, kInf}; };
constexpr auto swish_f = [](float x, ActParams p) { return x * logistic(p[0] * x).s; };
constexpr auto swish_df = [](float x, float, ActParams p) {
    const float bx = p[0] * x;
    const Logistic l = logistic(bx);
    return l.s + bx * l.ds;
};
constexpr auto unit_gain = [](ActParams) { return 1.f; };
// min -0.2784645/beta at x = -1.2784645/beta; unbounded below for beta <= 0.
constexpr auto swish_range = [](ActParams p) {
    return p[0] > 0.f ? ValueRange{-0.2784645f / p[0], kInf} : ValueRange{};
};

}  // namespace

// --- the table

const std::vector<ActivationDef>& activation_table() {
    static const std::vector<ActivationDef> table = {
        make_activation(
            {.name = "identity", .formula = "x"}, [](float x, ActParams) { return x; },
            [](float, float, ActParams) { return 1.f; }, unit_gain),
        make_activation(
            {.name = "relu",
             .formula = "max(x, 0)",
             .range =
                 [](ActParams) {
                     return ValueRange{0.f, kInf};
                 }},
            [](float x, ActParams) { return x < 0.f ? 0.f : x; },           // NaN stays NaN
            [](float x, float, ActParams) { return x > 0.f ? 1.f : 0.f; },  // relu'(0) = 0, as PyTorch
            [](ActParams) { return std::sqrt(2.f); }),
        make_activation({.name = "leaky_relu",
                         .formula = "x > 0 ? x : alpha * x",
                         .params = {{"alpha", 0.01f}},
                         .range = leaky_range},
                        leaky_f, leaky_df, leaky_gain),
        // One alpha shared by all units (torch.nn.PReLU()); gain as leaky_relu at the init alpha.
        make_activation(
            {.name = "prelu", .formula = "x > 0 ? x : alpha * x (alpha learned)", .learnable = {{"alpha", 0.25f}}},
            leaky_f, leaky_df, [](float x, float, ActParams) { return x > 0.f ? 0.f : x; },  // ∂f/∂alpha
            leaky_gain),
        make_activation(
            {.name = "elu",
             .formula = "x > 0 ? x : alpha * (exp(x) - 1)",
             .params = {{"alpha", 1.f}},
             .check = [](ActParams p) -> const char* { return p[0] > 0.f ? nullptr : "alpha must be > 0"; },
             .range =
                 [](ActParams p) {
                     return ValueRange{-p[0], kInf};
                 }},
            [](float x, ActParams p) {
                const float neg = p[0] * expm1_nonpos(x > 0.f ? 0.f : x);
                return x > 0.f ? x : neg;
            },
            [](float x, float, ActParams p) {
                const float neg = p[0] * exp_nonpos(x > 0.f ? 0.f : x);
                return x > 0.f ? 1.f : neg;  // elu'(0) = alpha, as PyTorch
            },
            unit_gain),
        make_activation(
            {.name = "selu",
             .formula = "scale * (x > 0 ? x : alpha * (exp(x) - 1))",
             .range =
                 [](ActParams) {
                     return ValueRange{-kSeluScale * kSeluAlpha, kInf};
                 }},
            [](float x, ActParams) {
                return kSeluScale * (x > 0.f ? x : kSeluAlpha * expm1_nonpos(x > 0.f ? 0.f : x));
            },
            [](float x, float, ActParams) {
                return kSeluScale * (x > 0.f ? 1.f : kSeluAlpha * exp_nonpos(x > 0.f ? 0.f : x));
            },
            [](ActParams) { return 0.75f; }),
        // Exact GELU, x Φ(x). Φ comes from the upper tail on both sides, so neither tail cancels.
        // The backward reads Φ(x) saved by the forward: it costs most of both.
        make_saving_activation(
            {.name = "gelu",
             .formula = "x * Phi(x)",
             .range =
                 [](ActParams) {
                     return ValueRange{-0.1699712f, kInf};
                 }},  // min at x = -0.7518
            [](float x, ActParams) {
                const float q = normal_upper_tail(std::fabs(x));
                const float phi = x >= 0.f ? 1.f - q : q;
                return WithSaved{x * phi, phi};
            },
            [](float x, float, float phi, ActParams) { return phi + x * kInvSqrt2Pi * exp_nonpos(-0.5f * x * x); },
            unit_gain),
        // 0.5 x (1 + tanh(u)) is written x sigmoid(2u): the same value without 1 + tanh cancelling
        // for negative x. The cubic uses x clamped to ±1e6 (where sigmoid has long saturated) so
        // that x² cannot overflow in the derivative.
        make_activation(
            {.name = "gelu_tanh",
             .formula = "0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))",
             .range =
                 [](ActParams) {
                     return ValueRange{-0.1700408f, kInf};
                 }},  // min at x = -0.7525
            [](float x, ActParams) {
                const float c = std::clamp(x, -1e6f, 1e6f);
                return x * logistic(2.f * kSqrt2OverPi * (c + kGeluTanhC * c * c * c)).s;
            },
            [](float x, float, ActParams) {
                const float c = std::clamp(x, -1e6f, 1e6f);
                const Logistic l = logistic(2.f * kSqrt2OverPi * (c + kGeluTanhC * c * c * c));
                return l.s + x * l.ds * (2.f * kSqrt2OverPi) * (1.f + 3.f * kGeluTanhC * c * c);
            },
            unit_gain),
        make_activation(
            {.name = "swish", .formula = "x * sigmoid(beta * x)", .params = {{"beta", 1.f}}, .range = swish_range},
            swish_f, swish_df, unit_gain),
        make_activation(
            {.name = "swish_learned",
             .formula = "x * sigmoid(beta * x) (beta learned)",
             .learnable = {{"beta", 1.f}},
             .range = swish_range},
            swish_f, swish_df, [](float x, float, ActParams p) { return x * x * logistic(p[0] * x).ds; },  // ∂f/∂beta
            unit_gain),
        make_activation(
            {.name = "sigmoid",
             .formula = "1 / (1 + exp(-x))",
             .range =
                 [](ActParams) {
                     return ValueRange{0.f, 1.f};
                 },
             .logistic_slope = 1.f},
            [](float x, ActParams) { return logistic(x).s; }, [](float, float y, ActParams) { return y * (1.f - y); },
            unit_gain),
        make_activation(
            {.name = "tanh",
             .formula = "tanh(x)",
             .range =
                 [](ActParams) {
                     return ValueRange{-1.f, 1.f};
                 },
             .logistic_slope = 2.f},  // 2 sigmoid(2x) - 1
            [](float x, ActParams) { return tanh_of(x); }, [](float, float y, ActParams) { return 1.f - y * y; },
            [](ActParams) { return 5.f / 3.f; }),
        // max(x, 0) + log1p(e^-|x|) equals torch's softplus (beta 1, threshold 20) to float
        // precision on both sides of the threshold, without overflow.
        make_activation(
            {.name = "softplus",
             .formula = "log(1 + exp(x))",
             .range =
                 [](ActParams) {
                     return ValueRange{0.f, kInf};
                 }},
            [](float x, ActParams) { return std::max(x, 0.f) + log1p_unit(exp_nonpos(-std::fabs(x))); },
            [](float x, float, ActParams) { return logistic(x).s; }, unit_gain),
        // tanh(softplus(x)) in closed form from w = e^-|x|: with v = e^x it is (v² + 2v) / (v² + 2v + 2),
        // rewritten in w on each side so nothing overflows; 1 - tanh² = (d - n)(d + n) / d² avoids
        // cancelling when tanh ≈ 1.
        make_activation(
            {.name = "mish",
             .formula = "x * tanh(softplus(x))",
             .range =
                 [](ActParams) {
                     return ValueRange{-0.3088435f, kInf};
                 }},  // min at x = -1.1924
            [](float x, ActParams) {
                const float w = exp_nonpos(-std::fabs(x));
                const float n = x >= 0.f ? 1.f + 2.f * w : w * (w + 2.f);
                const float d = x >= 0.f ? n + 2.f * w * w : n + 2.f;
                return x * (n / d);
            },
            [](float x, float, ActParams) {
                const float w = exp_nonpos(-std::fabs(x));
                const float n = x >= 0.f ? 1.f + 2.f * w : w * (w + 2.f);
                const float gap = x >= 0.f ? 2.f * w * w : 2.f;  // d - n
                const float d = n + gap;
                const float sig = x >= 0.f ? 1.f / (1.f + w) : w / (1.f + w);
                return n / d + x * sig * (gap * (d + n) / (d * d));
            },
            unit_gain),
        make_distribution("softmax", "exp(x_i) / sum_j exp(x_j) over the last dim"),
    };
    return table;
}

namespace {

// Other names for table entries, each standing for a full spec of its target.
struct Alias {
    const char* name;
    const char* target;  // the entry
    const char* spec;    // what it means
};
constexpr Alias kAliases[] = {
    {"silu", "swish", "swish:1"},
};

std::string known_names() {
    std::string s;
    for (const std::string& n : activation_names()) {
        if (!s.empty()) s += ", ";
        s += n;
    }
    return s;
}

const ActivationDef* lookup(const std::string& name) {
    for (const ActivationDef& d : activation_table())
        if (d.name == name) return &d;
    return nullptr;
}

std::string trim(const std::string& s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return s.substr(b, e - b);
}

std::string usage(const ActivationDef& d) {
    std::string s = d.name;
    for (size_t i = 0; i < d.params.size(); ++i) {
        s += i ? ',' : ':';
        s += d.params[i].first;
    }
    return s;
}

}  // namespace

std::vector<std::string> activation_names() {
    std::vector<std::string> names;
    for (const ActivationDef& d : activation_table()) {
        names.push_back(d.name);
        for (const Alias& a : kAliases)
            if (d.name == a.target) names.push_back(a.name);
    }
    return names;
}

const ActivationDef& find_activation(const std::string& name) {
    if (const ActivationDef* d = lookup(name)) return *d;
    for (const Alias& a : kAliases)
        if (name == a.name) return find_activation(a.target);
    usage_fail("activation \"", name, "\": unknown name (known: ", known_names(), ")");
}

float Activation::learnable_init() const {
    if (!def || def->learnable.empty()) fail("activation ", spec, ": has no learnable parameter");
    return params[def->params.size()];
}

Activation parse_activation(const std::string& spec) {
    const std::string text = trim(spec);
    const size_t colon = text.find(':');
    std::string name = trim(text.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    const bool has_values = colon != std::string::npos;
    auto bad = [&](const auto&... why) {
        usage_fail("activation \"", clipped(spec), "\": ", why..., " (known: ", known_names(), ")");
    };
    if (name.empty()) bad("empty name");

    for (const Alias& a : kAliases)
        if (name == a.name) {
            if (has_values)
                bad(a.name, " takes no parameters; it means ", a.spec, " (hint: write ", a.target, ":VALUE)");
            Activation act = parse_activation(a.spec);
            act.spec = a.name;
            return act;
        }

    const ActivationDef* def = lookup(name);
    if (!def) bad("unknown name");

    Activation act;
    act.def = def;
    act.spec = def->name;
    const size_t nfixed = def->params.size();
    for (size_t i = 0; i < nfixed; ++i) act.params[i] = def->params[i].second;
    for (size_t i = 0; i < def->learnable.size(); ++i) act.params[nfixed + i] = def->learnable[i].second;

    if (has_values) {
        if (nfixed == 0) {
            if (!def->learnable.empty())
                bad(def->name, " takes no fixed parameters; its ", def->learnable[0].first, " is learned (init ",
                    shortest_text(def->learnable[0].second), ")");
            bad(def->name, " takes no parameters");
        }
        std::vector<std::string> values;
        const std::string rest = text.substr(colon + 1);
        for (size_t b = 0;;) {
            const size_t e = rest.find(',', b);
            values.push_back(trim(rest.substr(b, e == std::string::npos ? std::string::npos : e - b)));
            if (e == std::string::npos) break;
            b = e + 1;
        }
        if (values.size() > nfixed)
            bad("expected at most ", nfixed, " parameter", nfixed == 1 ? "" : "s", " (", usage(*def), "), got ",
                values.size());
        for (size_t i = 0; i < values.size(); ++i) {
            const std::string& v = values[i];
            float x = 0.f;  // "+0.2" reads as a flag's number does
            if (!parse_number(v, x) || !std::isfinite(x))
                bad(def->params[i].first, " must be a finite number, got \"", clipped(v, 30),
                    "\" (usage: ", usage(*def), ")");
            act.params[i] = x;
            act.spec += i ? ',' : ':';
            act.spec += shortest_text(x);
        }
    }
    if (def->check)
        if (const char* why = def->check(act.params.data())) bad(why);
    // A parameter so large that the init gain overflows (leaky_relu:1e30: sqrt(2 / (1 + alpha^2))
    // is 0 in float) would only fail later, inside a layer's init, as an internal error.
    if (const float g = act.gain(); !(g > 0.f) || !std::isfinite(g))
        bad("its parameters give no usable init gain (", g, "); choose a smaller magnitude");
    return act;
}

std::vector<Activation> parse_activation_list(const std::string& text, const std::string& flag) {
    std::vector<Activation> out;
    if (trim(text).empty()) {
        for (const ActivationDef& d : activation_table())
            if (d.elementwise) out.push_back(parse_activation(d.name));
        return out;
    }
    std::vector<std::string> specs;
    for (size_t b = 0;;) {
        const size_t e = text.find(',', b);
        const std::string tok = trim(text.substr(b, e == std::string::npos ? std::string::npos : e - b));
        if (tok.empty())
            usage_fail(flag, " \"", clipped(text),
                       "\": empty entry (expected a comma-separated list such as relu,gelu,leaky_relu:0.2)");
        const char c0 = tok[0];
        const bool numeric = std::isdigit(static_cast<unsigned char>(c0)) || c0 == '-' || c0 == '+' || c0 == '.';
        if (numeric && !specs.empty() && specs.back().find(':') != std::string::npos)
            specs.back() += "," + tok;
        else
            specs.push_back(tok);
        if (e == std::string::npos) break;
        b = e + 1;
    }
    for (const std::string& spec : specs) out.push_back(parse_elementwise(spec, flag));
    return out;
}

Activation parse_elementwise(const std::string& spec, const std::string& flag) {
    Activation act;
    try {
        act = parse_activation(spec);
    } catch (const UsageError& e) {
        usage_fail(flag, ": ", e.what());
    }
    if (!act.def->elementwise)
        usage_fail(flag, " ", clipped(spec), ": not elementwise (", act.name(),
                   " is a distribution over the last dim, not a per-unit activation)");
    return act;
}

// --- the op

static void activate_backward(Tape& t, const Node& n) {
    const ActivationDef& def = *static_cast<const ActivationDef*>(n.saved.ptr);
    const float* p = n.saved.f.data();  // fixed params, then the learnable value used in forward
    const float* x = t.value(n.in[0]).data();
    const float* y = t.value(n.out).data();
    const float* dy = t.grad(n.out).data();
    const size_t count = t.value(n.out).numel();
    if (t.requires_grad(n.in[0])) {
        const Tape::GradWrite w = t.grad_write(n.in[0]);  // dx += dy * f'(x), stored when fresh
        float* dx = w.data;
        const bool add = !w.fresh;
        if (n.saved.aux[0].valid()) {
            const float* s = t.value(n.saved.aux[0]).data();
            for_blocks(count, [&](size_t b, size_t e) {
                def.backward_saved(x + b, y + b, s + b, dy + b, dx + b, e - b, p, add);
            });
        } else {
            for_blocks(count, [&](size_t b, size_t e) { def.backward(x + b, y + b, dy + b, dx + b, e - b, p, add); });
        }
    }
    if (n.in[1].valid() && t.requires_grad(n.in[1]))  // dparam += Σ dy * ∂f/∂param
        t.grad(n.in[1])[0] += static_cast<float>(chunked_sum(count, [&](size_t b, size_t e) {
            return def.dparam(x + b, y + b, dy + b, e - b, p);
        }));
}

Var activate(Tape& t, Var x, const Activation& act, Var param) {
    if (!act.def) fail("activate: activation not set (build it with parse_activation)");
    const ActivationDef& def = *act.def;
    if (param.valid() && !act.learnable())
        fail("activate: ", act.spec, " has no learnable parameter, but a parameter Var was passed");
    // softmax is the only distribution in the table; its op lives with the other
    // distributions in core/ops/softmax.cpp.
    if (!def.elementwise) return softmax(t, x);

    Saved saved;
    saved.ptr = &def;
    saved.f = act.params;
    if (param.valid()) {
        const Shape ps = t.shape(param);
        if (ps.numel() != 1)
            fail("activate: ", act.spec, " takes one shared ", def.learnable[0].first, " of shape (1), got ", ps.str());
        if (!shapes_only()) saved.f[def.params.size()] = t.value(param)[0];
    }
    const Shape xs = t.shape(x);
    if (def.forward_saving && t.grad_enabled() && t.requires_grad(x)) saved.aux[0] = t.scratch(xs);
    Var out = param.valid() ? t.emit(xs, {x, param}, activate_backward, saved)
                            : t.emit(xs, {x}, activate_backward, saved);
    if (shapes_only()) return out;
    const float* xp = t.value(x).data();
    float* y = t.value(out).data();
    const float* p = saved.f.data();
    if (saved.aux[0].valid()) {
        float* s = t.value(saved.aux[0]).data();
        for_blocks(xs.numel(), [&](size_t b, size_t e) { def.forward_saving(xp + b, y + b, s + b, e - b, p); });
    } else {
        for_blocks(xs.numel(), [&](size_t b, size_t e) { def.forward(xp + b, y + b, e - b, p); });
    }
    return out;
}

}  // namespace genlab
