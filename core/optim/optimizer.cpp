// SGD, Adam and AdamW over flat parameter spans, written to follow torch.optim (1.13, the
// single-tensor path) operation by operation: hyperparameter arithmetic in double as Python
// does, the per-element update in float in torch's order. State buffers are allocated in the
// constructor, so step() never allocates.
#include "core/optim/optimizer.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/number_text.h"
#include "core/parallel.h"

namespace genlab {

namespace {

float parse_float(const std::string& s, const std::string& key) {
    float v = 0.f;
    if (!parse_number(s, v))
        fail("optimizer state: metadata '", key, "' = '", s, "' is not a number (corrupted checkpoint?)");
    return v;
}

int64_t parse_step(const std::string& s, const std::string& key) {
    int64_t v = 0;
    if (!parse_number(s, v) || v < 0)
        fail("optimizer state: metadata '", key, "' = '", s, "' is not a step count >= 0 (corrupted checkpoint?)");
    return v;
}

void check_hyper(const char* opt, const char* name, float v, float lo, float hi) {
    if (!(v >= lo && v <= hi)) fail(opt, ": ", name, " must lie in [", lo, ", ", hi, "], got ", v);
}

// f(i) for i in [0, n): one vectorisable elementwise loop, split over threads only when long
// enough to pay for the wake-up. Elementwise, so the result does not depend on the thread count.
constexpr long kGrain = static_cast<long>(kParallelGrain);
template <class F>
inline void for_each_index(long n, F&& f) {
#pragma omp parallel for schedule(static) if (n >= kGrain)
    for (long i = 0; i < n; ++i) f(i);
}

// f(begin, length) over blocks of [0, n) that stay in L1 while several Eigen array statements
// pass over them. Used where a single scalar loop would not vectorise: std::sqrt keeps its errno
// branch without -fno-math-errno, while Eigen's sqrt packet is the correctly rounded vsqrtps.
constexpr long kBlock = 1024;
template <class F>
inline void for_each_block(long n, F&& f) {
    const long blocks = (n + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (n >= kGrain)
    for (long b = 0; b < blocks; ++b) f(b * kBlock, std::min(kBlock, n - b * kBlock));
}

// Zero-filled buffers shaped like the parameters.
std::vector<Tensor> zeros_like(const NamedParameters& params) {
    std::vector<Tensor> out;
    out.reserve(params.size());
    for (const auto& [name, p] : params) out.emplace_back(p->value.shape());
    return out;
}

}  // namespace

// --- base

Optimizer::Optimizer(NamedParameters params, float lr) : params_(std::move(params)), lr_(lr) {
    for (const auto& [name, p] : params_) {
        if (!p) fail("optimizer: parameter '", name, "' is null");
        // The tape creates gradients lazily; the optimizer needs them now so step() never allocates.
        if (p->grad.shape() != p->value.shape()) p->grad = Tensor(p->value.shape());
    }
    check_hyper("optimizer", "lr", lr, 0.f, 1e6f);
}

void Optimizer::zero_grad() {
    for (const auto& [name, p] : params_) p->zero_grad();
}

void Optimizer::save_state(StateDict& sd, const std::string& prefix) const {
    // state_buffers() hands out mutable pointers; saving only reads them.
    auto buffers = const_cast<Optimizer*>(this)->state_buffers();
    for (const auto& [kind, bufs] : buffers)
        for (size_t i = 0; i < params_.size(); ++i) sd.put(prefix + params_[i].first + "." + kind, (*bufs)[i]);
    sd.metadata[prefix + "step"] = std::to_string(t_);
    sd.metadata[prefix + "lr"] = shortest_text(lr_);
}

void Optimizer::load_state(const StateDict& sd, const std::string& prefix) {
    // Validate everything before changing anything: a bad checkpoint leaves the optimizer as it was.
    auto buffers = state_buffers();
    std::vector<const Tensor*> found;
    for (const auto& [kind, bufs] : buffers)
        for (size_t i = 0; i < params_.size(); ++i) {
            const std::string key = prefix + params_[i].first + "." + kind;
            const Tensor* t = sd.find(key);
            const Shape& want = (*bufs)[i].shape();
            if (!t)
                fail("optimizer state: missing tensor '", key, "' (expected shape ", want.str(),
                     ") - was the checkpoint written with another optimizer or model?");
            if (t->shape() != want)
                fail("optimizer state: tensor '", key, "' has shape ", t->shape().str(), ", expected ", want.str(),
                     " - was the checkpoint written with another model config?");
            found.push_back(t);
        }
    auto meta = [&](const std::string& key) -> const std::string& {
        auto it = sd.metadata.find(key);
        if (it == sd.metadata.end())
            fail("optimizer state: missing metadata '", key, "' (checkpoint from another program?)");
        return it->second;
    };
    const int64_t step = parse_step(meta(prefix + "step"), prefix + "step");
    const float lr = parse_float(meta(prefix + "lr"), prefix + "lr");

    size_t k = 0;
    for (const auto& [kind, bufs] : buffers)
        for (size_t i = 0; i < params_.size(); ++i, ++k)
            std::copy(found[k]->data(), found[k]->data() + found[k]->numel(), (*bufs)[i].data());
    t_ = step;
    lr_ = lr;
}

// --- SGD

Sgd::Sgd(NamedParameters params, SgdOptions opt) : Optimizer(std::move(params), opt.lr), opt_(opt) {
    check_hyper("Sgd", "momentum", opt.momentum, 0.f, 1.f);
    check_hyper("Sgd", "weight_decay", opt.weight_decay, 0.f, 1e6f);
    if (opt_.momentum != 0.f) buf_ = zeros_like(params_);
}

std::vector<std::pair<std::string, std::vector<Tensor>*>> Sgd::state_buffers() {
    if (opt_.momentum == 0.f) return {};
    return {{"momentum_buffer", &buf_}};
}

void Sgd::step() {
    const float lr = lr_, wd = opt_.weight_decay, mom = opt_.momentum;
    for (size_t k = 0; k < params_.size(); ++k) {
        Parameter& prm = *params_[k].second;
        float* __restrict p = prm.value.data();
        const float* __restrict g = prm.grad.data();
        const long n = static_cast<long>(prm.value.numel());
        if (mom == 0.f) {
            for_each_index(n, [=](long i) { p[i] -= lr * (g[i] + wd * p[i]); });  // L2 penalty in the gradient
        } else if (t_ == 0) {
            // torch.optim.SGD starts the buffer at the first gradient itself, not at (1 - dampening) * g.
            float* __restrict b = buf_[k].data();
            for_each_index(n, [=](long i) {
                b[i] = g[i] + wd * p[i];
                p[i] -= lr * b[i];
            });
        } else {
            float* __restrict b = buf_[k].data();
            for_each_index(n, [=](long i) {
                b[i] = mom * b[i] + (g[i] + wd * p[i]);
                p[i] -= lr * b[i];
            });
        }
    }
    ++t_;
}

// --- Adam / AdamW

Adam::Adam(NamedParameters params, AdamOptions opt) : Adam(std::move(params), opt, false) {}

Adam::Adam(NamedParameters params, AdamOptions opt, bool decoupled)
    : Optimizer(std::move(params), opt.lr), opt_(opt), decoupled_(decoupled) {
    const char* who = decoupled ? "AdamW" : "Adam";
    check_hyper(who, "beta1", opt.beta1, 0.f, 0.99999994f);
    check_hyper(who, "beta2", opt.beta2, 0.f, 0.99999994f);
    check_hyper(who, "eps", opt.eps, 0.f, 1.f);
    check_hyper(who, "weight_decay", opt.weight_decay, 0.f, 1e6f);
    m_ = zeros_like(params_);
    v_ = zeros_like(params_);
}

AdamW::AdamW(NamedParameters params, AdamOptions opt) : Adam(std::move(params), opt, true) {}

std::vector<std::pair<std::string, std::vector<Tensor>*>> Adam::state_buffers() {
    return {{"exp_avg", &m_}, {"exp_avg_sq", &v_}};  // torch.optim.Adam's state names
}

void Adam::step() {
    ++t_;
    // Scalars as torch computes them in Python (double), then rounded once to float for the kernel.
    const double lr = lr_, b1 = opt_.beta1, b2 = opt_.beta2, wd = opt_.weight_decay;
    const double t = static_cast<double>(t_);
    const double bias_correction1 = 1.0 - std::pow(b1, t);
    const double bias_correction2 = 1.0 - std::pow(b2, t);
    const float step_size = static_cast<float>(lr / bias_correction1);
    const float bc2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
    const float beta1 = opt_.beta1, beta2 = opt_.beta2, eps = opt_.eps;
    const float one_minus_b1 = static_cast<float>(1.0 - b1), one_minus_b2 = static_cast<float>(1.0 - b2);
    for (size_t k = 0; k < params_.size(); ++k) {
        Parameter& prm = *params_[k].second;
        const bool decay = wd != 0.0 && (!opt_.decay_matrices_only || prm.value.shape().rank >= 2);
        // AdamW shrinks the weight before the Adam update (p *= 1 - lr*wd); Adam adds wd*p to the gradient.
        const float shrink = decay && decoupled_ ? static_cast<float>(1.0 - lr * wd) : 1.f;
        const float l2 = decay && !decoupled_ ? opt_.weight_decay : 0.f;
        float* p = prm.value.data();
        const float* g = prm.grad.data();
        float* m = m_[k].data();
        float* v = v_[k].data();
        for_each_block(static_cast<long>(prm.value.numel()), [=](long s, long len) {
            FlatMap pb(p + s, len), mb(m + s, len), vb(v + s, len);
            ConstFlatMap gb(g + s, len);
            if (shrink != 1.f) pb *= shrink;
            float l2_grad[kBlock];  // g + wd * p, only for Adam's L2 decay
            if (l2 != 0.f) FlatMap(l2_grad, len) = gb + l2 * pb;
            ConstFlatMap gi(l2 != 0.f ? l2_grad : g + s, len);
            mb = mb * beta1 + one_minus_b1 * gi;
            vb = vb * beta2 + (one_minus_b2 * gi) * gi;
            pb -= (step_size * mb) / (vb.sqrt() / bc2_sqrt + eps);
        });
    }
}

// --- gradient norm

float grad_norm(const NamedParameters& params) {
    // Float partial sums over fixed blocks (Eigen vectorises them), accumulated in double: fast,
    // accurate enough for clipping, and independent of the thread count.
    constexpr Eigen::Index kBlock = 4096;
    double total = 0.0;
    for (const auto& [name, p] : params) {
        ConstFlatMap g = static_cast<const Tensor&>(p->grad).flat();
        const Eigen::Index n = g.size();
        for (Eigen::Index s = 0; s < n; s += kBlock)
            total += static_cast<double>(g.segment(s, std::min(kBlock, n - s)).matrix().squaredNorm());
    }
    return static_cast<float>(std::sqrt(total));
}

float clip_grad_norm(const NamedParameters& params, float max_norm) {
    if (!(max_norm > 0.f)) fail("clip_grad_norm: max_norm must be positive, got ", max_norm);
    const float norm = grad_norm(params);
    // torch.nn.utils.clip_grad_norm_: coef = max_norm / (norm + 1e-6), clamped to 1 (in float).
    const float coef = max_norm / (norm + 1e-6f);
    if (coef < 1.f)
        for (const auto& [name, p] : params) p->grad.flat() *= coef;
    return norm;
}

}  // namespace genlab
