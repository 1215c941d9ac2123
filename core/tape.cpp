#include "core/tape.h"

#include <algorithm>
#include <atomic>

#include "core/error.h"
#include "core/nn/parameter.h"

namespace genlab {

namespace {

std::atomic<uint64_t> g_live_floats{0};

}  // namespace

Tape::~Tape() { g_live_floats -= held_floats(); }

uint64_t Tape::held_floats() const {
    uint64_t n = 0;
    for (const Slot& s : slots_) n += s.value.capacity() + s.grad.capacity();
    return n;
}

uint64_t Tape::live_floats() { return g_live_floats.load(); }

// Every owned slot tensor is sized here, so live_floats() follows each tape's storage; in a
// steady state nothing grows and the counter is not touched.
void Tape::size_slot(Tensor& slot_tensor, Shape shape) {
    const size_t before = slot_tensor.capacity();
    slot_tensor.resize(shape);
    if (slot_tensor.capacity() != before) g_live_floats += slot_tensor.capacity() - before;
}

size_t Tape::check(Var v) const {
    if (v.id < 0 || static_cast<size_t>(v.id) >= used_)
        fail("tape: Var ", v.id, " is not on the tape (", used_, " slots in use; was it created before reset()?)");
    return static_cast<size_t>(v.id);
}

Tape::Slot& Tape::next_slot() {
    if (used_ == slots_.size()) slots_.emplace_back();
    Slot& s = slots_[used_++];
    s.grad_owner = -1;
    s.grad_unset = false;
    return s;
}

Tape::GradWrite Tape::grad_write(Var v) {
    Slot& s = slots_[check(v)];
    if (s.grad_owner < 0) return {s.grad.data(), false};
    Slot& owner = slots_[static_cast<size_t>(s.grad_owner)];
    const bool fresh = owner.grad_unset;
    owner.grad_unset = false;
    return {s.grad.data(), fresh};
}

Var Tape::param(Parameter& p) {
    if (p.frozen) return constant(p.value);
    Slot& s = next_slot();
    s.value.assign_view(p.value.data(), p.value.shape());
    s.requires_grad = grad_enabled_;
    const Var out{static_cast<int>(used_ - 1)};
    if (!s.requires_grad) return out;
    if (own_param_grads_) {  // never touches p.grad: another thread may be writing it
        size_slot(s.grad, p.value.shape());
        s.grad_owner = out.id;  // zeroed when first read, unless its first writer stores (dW)
        s.grad_unset = true;
        param_grads_.push_back({&p, out});
    } else {
        if (p.grad.shape() != p.value.shape()) p.grad = Tensor(p.value.shape());
        s.grad.assign_view(p.grad.data(), p.grad.shape());
    }
    return out;
}

Var Tape::constant(const Tensor& t) {
    Slot& s = next_slot();
    // Never written through: ops write only to their own output slots.
    s.value.assign_view(const_cast<float*>(t.data()), t.shape());
    s.requires_grad = false;
    return Var{static_cast<int>(used_ - 1)};
}

Var Tape::input(Shape shape) {
    Slot& s = next_slot();
    size_slot(s.value, shape);
    s.requires_grad = false;
    return Var{static_cast<int>(used_ - 1)};
}

Var Tape::constant_fill(Shape shape, float v) {
    Var out = input(shape);
    value(out).fill(v);
    return out;
}

Var Tape::scratch(Shape shape) { return input(shape); }

Var Tape::emit(Shape shape, std::initializer_list<Var> inputs, BackwardFn backward, Saved saved) {
    bool needs = false;
    if (grad_enabled_)
        for (Var v : inputs) needs = needs || requires_grad(v);
    Slot& s = next_slot();
    Var out{static_cast<int>(used_ - 1)};
    size_slot(s.value, shape);
    s.requires_grad = needs;
    if (needs) {
        size_slot(s.grad, shape);
        s.grad_owner = out.id;  // zeroed when first read, unless its first writer stores
        s.grad_unset = true;
        Node n;
        n.out = out;
        std::copy(inputs.begin(), inputs.end(), n.in.begin());
        n.backward = backward;
        n.saved = saved;
        nodes_.push_back(n);
    }
    return out;
}

Var Tape::emit_view(Shape shape, Var src) {
    if (shape.numel() != this->shape(src).numel())
        fail("reshape: cannot view ", this->shape(src).str(), " as ", shape.str());
    Slot& from = slots_[check(src)];
    float* value = from.value.data();
    float* grad = from.requires_grad ? from.grad.data() : nullptr;
    bool needs = from.requires_grad;
    const int owner = from.grad_owner;
    Slot& s = next_slot();
    s.value.assign_view(value, shape);
    s.requires_grad = needs;
    if (needs) {
        s.grad.assign_view(grad, shape);
        s.grad_owner = owner;  // one storage: written through either slot, settled once
    }
    return Var{static_cast<int>(used_ - 1)};
}

Var Tape::detach(Var src) {
    Slot& from = slots_[check(src)];
    float* value = from.value.data();
    Shape shape = from.value.shape();
    Slot& s = next_slot();
    s.value.assign_view(value, shape);
    s.requires_grad = false;
    return Var{static_cast<int>(used_ - 1)};
}

float Tape::item(Var v) {
    const Tensor& t = value(v);
    if (t.numel() != 1) fail("item: expected a single value, got shape ", t.shape().str());
    return t[0];
}

void Tape::backward(Var loss, float seed) {
    if (shape(loss).numel() != 1) fail("backward: the loss must hold one value, got shape ", shape(loss).str());
    if (!requires_grad(loss)) fail("backward: the loss does not depend on any parameter (built under NoGradGuard?)");
    if (shapes_only()) return;
    grad(loss)[0] += seed;
    run_backward();
}

void Tape::backward(Var out, const Tensor& seed) {
    if (seed.shape() != shape(out))
        fail("backward: seed shape ", seed.shape().str(), " differs from output ", shape(out).str());
    if (!requires_grad(out)) fail("backward: the output does not depend on any parameter (built under NoGradGuard?)");
    if (shapes_only()) return;
    grad(out).flat() += seed.flat();
    run_backward();
}

void Tape::run_backward() {
    for (size_t i = nodes_.size(); i-- > 0;) {
        const Node& n = nodes_[i];
        n.backward(*this, n);
    }
}

void Tape::reset() {
    used_ = 0;
    nodes_.clear();
    param_grads_.clear();
}

}  // namespace genlab
