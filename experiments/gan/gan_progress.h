// progress.png's frames: the same fixed noise through G at evenly spaced steps, the last at the
// final step. Stateful, so a resumed run's progress.png equals an uninterrupted one's.
#pragma once
#include <cstdint>

#include "core/io/state_dict.h"
#include "core/tensor.h"
#include "models/gan.h"

namespace genlab::experiments {

class ProgressFrames : public Stateful {
public:
    // `rows` snapshots of `per_row` generated examples of `dim` values over `total_steps` steps;
    // the noise comes from the run's "progress" stream.
    ProgressFrames(int rows, int per_row, int latent, int dim, uint64_t seed, int total_steps);

    int snapshot_step(int k) const;              // k = 0..rows-1
    void maybe_record(int n, models::Gan& gan);  // after step n (1-based)

    int filled() const { return filled_; }
    int rows() const { return rows_; }
    Tensor frames(int k0, int k1) const;  // frames k0..k1-1: (count * per_row, P)

    void save_state(StateDict& sd, const std::string& prefix) const override;
    void load_state(const StateDict& sd, const std::string& prefix) override;

private:
    int rows_, per_row_, dim_, total_;
    Tensor noise_;   // (per_row, Z)
    Tensor frames_;  // (rows * per_row, P)
    int filled_ = 0;
};

}  // namespace genlab::experiments
