#include "experiments/gan/gan_progress.h"

#include <algorithm>
#include <cmath>

#include "config/config.h"
#include "core/rng.h"

namespace genlab::experiments {

ProgressFrames::ProgressFrames(int rows, int per_row, int latent, int dim, uint64_t seed, int total_steps)
    : rows_(rows), per_row_(per_row), dim_(dim), total_(total_steps), frames_(Shape{rows * per_row, dim}, 0.f) {
    Rng rng(stream_seed(seed, "progress"));
    noise_ = models::sample_latent(per_row, latent, rng);
}

int ProgressFrames::snapshot_step(int k) const {
    return static_cast<int>(std::lround(static_cast<double>(total_) * (k + 1) / rows_));
}

void ProgressFrames::maybe_record(int n, models::Gan& gan) {
    Tensor g;
    bool generated = false;  // a default Tensor is a scalar, not empty: track it explicitly
    for (int k = 0; k < rows_; ++k) {
        if (snapshot_step(k) != n) continue;
        if (!generated) g = models::generate(gan, noise_);  // (per_row, P)
        generated = true;
        std::copy(g.data(), g.data() + g.numel(), frames_.data() + static_cast<size_t>(k) * g.numel());
        filled_ = std::max(filled_, k + 1);
    }
}

Tensor ProgressFrames::frames(int k0, int k1) const {
    Tensor f(Shape{(k1 - k0) * per_row_, dim_});
    const size_t n = static_cast<size_t>(per_row_) * static_cast<size_t>(dim_);
    std::copy(frames_.data() + static_cast<size_t>(k0) * n, frames_.data() + static_cast<size_t>(k1) * n, f.data());
    return f;
}

void ProgressFrames::save_state(StateDict& sd, const std::string& prefix) const {
    sd.put(prefix + "noise", noise_);
    sd.put(prefix + "frames", frames_);
    sd.metadata[prefix + "filled"] = std::to_string(filled_);
    sd.metadata[prefix + "total"] = std::to_string(total_);
}

void ProgressFrames::load_state(const StateDict& sd, const std::string& prefix) {
    noise_ = sd.expect(prefix + "noise", noise_.shape(), "checkpoint");
    frames_ = sd.expect(prefix + "frames", frames_.shape(), "checkpoint");
    if (!parse_value(sd.meta(prefix + "filled", "checkpoint"), filled_) || filled_ < 0 || filled_ > rows_)
        fail("checkpoint: ", prefix, "filled out of range");
    // Resumed with another --steps: the snapshot schedule moved, so earlier frames would sit
    // in the wrong rows; start the picture afresh from here.
    if (sd.meta(prefix + "total", "checkpoint") != std::to_string(total_)) {
        frames_.fill(0.f);
        filled_ = 0;
    }
}

}  // namespace genlab::experiments
