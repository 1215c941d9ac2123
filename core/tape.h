// The autodiff tape: a Wengert list. Ops append nodes in execution order, so walking the list
// backwards is a topological order. Slots (value + grad tensors) are reused across steps:
// reset() rewinds the cursor and keeps every buffer, so step 2 onward allocates nothing.
//
// Worked example: y = a*x^2 + b, then dy/dx.
//
//     Tape t;
//     Parameter x("x", Tensor(Shape{3}, {1.f, 2.f, 3.f}));
//     Var xv = t.param(x);                        // leaf: value views x.value, grad adds into x.grad
//     Var y  = add_scalar(t, scale(t, mul(t, xv, xv), 2.f), 1.f);   // a = 2, b = 1   (3)
//     t.backward(sum(t, y));                      // seed d(sum)/d(sum) = 1, walk the tape backwards
//     // x.grad == {4, 8, 12}: mul's backward ran once and added both x*dout terms (+=, never =)
//     t.reset();                                  // next step: same slots, no allocation
//
// Contract for ops (core/ops/*.cpp): validate inputs, `emit` an output slot, compute the forward
// into it, and pass a BackwardFn written next to the forward. Backward functions *accumulate*
// into t.grad(input) and must skip inputs for which t.requires_grad(input) is false. A backward
// that writes every element of an input's gradient may ask t.grad_write(input) instead: while
// nothing has been added yet it stores (=) rather than adds, and the buffer is never zero-filled.
// Under ShapesOnly (core/tensor.h) an op emits its slots and returns before computing: the tape
// then holds the shapes of a step, and held_floats() what a real one would own.
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <vector>

#include "core/tensor.h"

namespace genlab {

class Tape;
struct Parameter;

// An index into the tape. Cheap to copy; valid until the next reset().
struct Var {
    int id = -1;
    bool valid() const { return id >= 0; }
};

// Small fixed block an op keeps for its backward: scalars, an opaque pointer (e.g. an
// activation definition) and auxiliary slots (e.g. layer norm's mean and rstd).
struct Saved {
    std::array<float, 4> f{};
    std::array<int64_t, 4> i{};
    const void* ptr = nullptr;
    std::array<Var, 2> aux{};
};

struct Node;
using BackwardFn = void (*)(Tape&, const Node&);

struct Node {
    Var out;
    std::array<Var, 3> in{};
    BackwardFn backward = nullptr;
    Saved saved;
};

class Tape {
public:
    Tape() = default;
    ~Tape();
    Tape(const Tape&) = delete;
    Tape& operator=(const Tape&) = delete;

    // Leaves.
    Var param(Parameter& p);        // value views p.value; gradients accumulate into p.grad
                                    // (a frozen Parameter enters as a constant)
    Var constant(const Tensor& t);  // a view of external data without gradient (must outlive the step)
    Var input(Shape shape);         // an owned slot without gradient: fill t.value(v) yourself
    Var constant_fill(Shape shape, float v);

    // For ops. `emit` allocates (or reuses) the output slot and records a node when gradients are
    // enabled and some input requires one; the output's gradient reads as zero until written
    // (it is zero-filled at its first grad() access, or never, when its first writer stores).
    Var emit(Shape shape, std::initializer_list<Var> inputs, BackwardFn backward, Saved saved = {});
    // An output that shares value *and* gradient storage with `src` (reshape): no backward needed.
    Var emit_view(Shape shape, Var src);
    // The same values, cut off from the graph (GAN: D step on G's samples).
    Var detach(Var src);
    // An owned slot without gradient, for tensors cached for backward (mask, mean, rstd).
    Var scratch(Shape shape);

    Tensor& value(Var v) { return slots_[check(v)].value; }
    Tensor& grad(Var v) {
        Slot& s = slots_[check(v)];
        if (s.grad_owner >= 0) settle(slots_[static_cast<size_t>(s.grad_owner)]);
        return s.grad;
    }
    // For a backward that writes every element of v's gradient: the buffer, and `fresh` when
    // nothing has been added to it yet. Fresh means store (=), not add: the buffer holds stale
    // values, not zeros. Either way it counts as written afterwards.
    struct GradWrite {
        float* data;
        bool fresh;
    };
    GradWrite grad_write(Var v);
    const Shape& shape(Var v) const { return slots_[check(v)].value.shape(); }
    bool requires_grad(Var v) const { return slots_[check(v)].requires_grad; }
    float item(Var v);  // the single value of a (1)-shaped or scalar slot

    // Seeds d(loss) = seed (1 by default) and runs every recorded node's backward in reverse
    // order. Call reset() before building the next graph (a second backward over the same nodes
    // would accumulate twice). Under ShapesOnly it only checks: backward adds no slot, as every
    // gradient buffer was sized when its value was emitted.
    void backward(Var loss, float seed = 1.f);
    // Seeds d(out) = seed (same shape as out) instead: vector-Jacobian products, gradient checks.
    void backward(Var out, const Tensor& seed);
    // Rewind for the next step; every buffer keeps its capacity.
    void reset();

    // Parameters' gradients go to buffers this tape owns (zeroed at each param()) instead of
    // Parameter::grad: a data-parallel shard (core/train/data_parallel.h) fills them while
    // another thread writes Parameter::grad, and they are summed after both finish.
    void set_own_param_grads(bool on) { own_param_grads_ = on; }
    struct ParamGrad {
        Parameter* param;
        Var slot;  // t.grad(slot) is this tape's gradient of *param
    };
    // The parameters bound since reset() with their own buffers (one entry per param() call).
    const std::vector<ParamGrad>& own_param_grads() const { return param_grads_; }

    bool grad_enabled() const { return grad_enabled_; }
    size_t num_nodes() const { return nodes_.size(); }
    size_t num_slots() const { return used_; }

    // The floats this tape owns: every slot's value and gradient storage, kept across reset()
    // (views of parameters and constants own none). After a dry step under ShapesOnly, the floats
    // a real step's would own.
    uint64_t held_floats() const;
    // held_floats() summed over every tape alive in this process: what the tapes inside an
    // experiment hold after its steps, seen from outside it (the memory estimates' tests).
    static uint64_t live_floats();

private:
    friend class NoGradGuard;
    struct Slot {
        Tensor value;
        Tensor grad;  // empty when !requires_grad
        bool requires_grad = false;
        // An op output's gradient is zeroed lazily. grad_owner is the slot that owns the storage
        // (the output itself, or its source for a reshape view); -1 for a gradient that is always
        // valid (a parameter's). grad_unset, on the owner: nothing has been written yet.
        int grad_owner = -1;
        bool grad_unset = false;
    };
    size_t check(Var v) const;
    static void settle(Slot& owner) {
        if (!owner.grad_unset) return;
        owner.grad.fill(0.f);
        owner.grad_unset = false;
    }
    Slot& next_slot();
    void size_slot(Tensor& slot_tensor, Shape shape);  // resize, counting growth in live_floats()
    void run_backward();

    std::deque<Slot> slots_;  // a deque: growing it never moves a slot, so Tensor& stays valid
    std::vector<Node> nodes_;
    std::vector<ParamGrad> param_grads_;
    size_t used_ = 0;
    bool grad_enabled_ = true;
    bool own_param_grads_ = false;
};

// RAII: ops inside record no nodes and produce slots without gradients (inference, sampling).
class NoGradGuard {
public:
    explicit NoGradGuard(Tape& t) : tape_(t), prev_(t.grad_enabled_) { t.grad_enabled_ = false; }
    ~NoGradGuard() { tape_.grad_enabled_ = prev_; }
    NoGradGuard(const NoGradGuard&) = delete;
    NoGradGuard& operator=(const NoGradGuard&) = delete;

private:
    Tape& tape_;
    bool prev_;
};

}  // namespace genlab
