// How much memory a run will need, estimated from its config before anything is allocated, and
// how much this machine has for it. A flag, an IDX header or a stored config that asks for more
// than the machine has is refused with both figures, instead of ending in bad_alloc or the OOM
// killer halfway through.
//
//     MemoryEstimate m{.parameters = 3'000'000, .step_floats = 64 * 20'000};
//     require_memory(m.training_bytes(), "this model at --batch 64", "choose a smaller --batch", /*usage=*/true);
#pragma once
#include <cstdint>
#include <string>

namespace genlab {

struct MemoryEstimate {
    uint64_t parameters = 0;   // learnable floats (exact)
    uint64_t step_floats = 0;  // floats one training step's tape holds: values and gradients at the batch size

    // Per parameter: value, gradient, Adam's m and v, and a checkpoint save's copy of value, m and v.
    uint64_t training_bytes() const;
    // Per parameter: value and the loaded checkpoint's copy; half the step's floats (no gradients).
    uint64_t inference_bytes() const;
};

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
