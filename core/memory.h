// How much memory a run will need, measured from its config before anything is allocated, and
// how much this machine has for it. A flag, an IDX header or a stored config that asks for more
// than the machine has is refused with both figures, instead of ending in bad_alloc or the OOM
// killer halfway through. A model measures itself by being built under ShapesOnly (core/tensor.h)
// and running a dry step on that build (models/autoencoder.cpp's memory_estimate):
//
//     const ShapesOnly dry;                        // shapes, no storage, no arithmetic
//     const Autoencoder model(cfg, rng);
//     MemoryEstimate m{.parameters = model.num_parameters(),
//                      .step_floats = measured_step_floats(64, [&](int b) { /* a step at batch b */ })};
//     require_memory(m.training_bytes(), "this model at --batch 64", "choose a smaller --batch", /*usage=*/true);
#pragma once
#include <cstdint>
#include <functional>
#include <string>

namespace genlab {

struct MemoryEstimate {
    uint64_t parameters = 0;   // learnable floats (exact)
    uint64_t buffers = 0;      // saved floats never optimised (batch norm's running statistics; exact)
    uint64_t step_floats = 0;  // floats one training step's tape holds: values and gradients at the batch size

    // Per parameter: value, gradient, Adam's m and v, and a checkpoint save's copy of value, m and v.
    uint64_t training_bytes() const;
    // Per parameter: value and the loaded checkpoint's copy; half the step's floats (no gradients).
    uint64_t inference_bytes() const;
};

// A training step's tape floats at `batch`, measured by dry steps: dry_step(b) runs one step at
// batch b (under ShapesOnly, which this opens) and returns the floats its tapes hold
// (Tape::held_floats). A step run for real would need the parameters, which for a config that
// does not fit are what must not be allocated; under ShapesOnly each op emits exactly the slots
// it would for real (their sizes never depend on values) and computes nothing, so the step costs
// microseconds at any size. A tape is affine in the batch: rows of activations, plus what a step
// holds once (the loss, position ids), so the steps at batches 1 and 2 give it at any batch.
uint64_t measured_step_floats(int batch, const std::function<uint64_t(int)>& dry_step);

// The bytes this process can still allocate: the kernel's MemAvailable, capped by a cgroup
// memory limit and by GENLAB_MEMORY_LIMIT (bytes, or with a K/M/G/T suffix in either case) when set, less the
// live reservations (at least 1 byte while a figure is known). 0 when nothing can be read (not
// Linux): no check is made then.
uint64_t available_memory();

// Memory promised to something not yet allocated: while a reservation lives, available_memory()
// leaves it out. train() reserves the model's estimate before loading the data, so a dataset
// and a model that each fit, but not together, are refused while the data is read.
class MemoryReservation {
public:
    explicit MemoryReservation(uint64_t bytes);
    ~MemoryReservation();
    MemoryReservation(const MemoryReservation&) = delete;
    MemoryReservation& operator=(const MemoryReservation&) = delete;

private:
    uint64_t bytes_;
};

// "820 MB", "51.5 GB": decimal units, as `free -h --si` and disk vendors count.
std::string bytes_text(uint64_t bytes);

// Error (UsageError when `usage`) when `bytes` exceed available_memory():
// "<what> needs about 51.5 GB of memory, but this machine has 20.1 GB available; <hint>".
void require_memory(uint64_t bytes, const std::string& what, const std::string& hint, bool usage);

// require_memory for the exact size of something this thread reserved an estimate of: train()
// reserves a model's size from its config while the data loads; an experiment whose data decides
// the model's shape (an image's pixels) checks the exact size before building the model. This
// thread's own reservations count as available here, as they stand for this very model.
void require_refined_memory(uint64_t bytes, const std::string& what, const std::string& hint, bool usage);

}  // namespace genlab
