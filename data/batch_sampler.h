// Seeded shuffling minibatch sampler: each epoch visits the N rows in a fresh random order
// without replacement, and next() copies a batch into a caller-owned tensor (no allocation per
// batch). Stateful, so a resumed run draws exactly the batches an uninterrupted run would.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/io/state_dict.h"
#include "core/rng.h"
#include "core/row_source.h"
#include "core/tensor.h"
#include "data/image_dataset.h"

namespace genlab::data {

class BatchSampler : public Stateful {
public:
    BatchSampler(size_t rows, uint64_t seed);

    // Indices of the next `batch` rows, valid until the next call. When fewer than `batch` rows
    // are left in the epoch, the rest are dropped and a new epoch starts (PyTorch's drop_last=True),
    // so every batch has the same shape. Error if batch is 0 or larger than the dataset.
    std::span<const uint32_t> next_indices(size_t batch);
    // Gathers the next batch of rows of `src` (N, D) into `batch` (B, D); B is batch's first dim.
    void next(const RowSource& src, Tensor& batch);
    // Images (B, P) and their labels as floats (B) from the same draw.
    void next(const ImageDataset& ds, Tensor& images, Tensor& labels);

    size_t rows() const { return perm_.size(); }
    uint64_t epoch() const { return epoch_; }  // index of the current epoch, 0 for the first
    size_t position() const { return pos_; }   // rows consumed in the current epoch

    // Metadata "<prefix>rows", "<prefix>epoch", "<prefix>position", "<prefix>rng" (the RNG state
    // at the start of the epoch: the permutation is recomputed from it on load).
    void save_state(StateDict& sd, const std::string& prefix) const override;
    void load_state(const StateDict& sd, const std::string& prefix) override;

private:
    void start_epoch();  // records the RNG, then reshuffles perm_ in place

    Rng rng_;
    Rng epoch_rng_;  // rng_ as it was when the current epoch's shuffle began
    std::vector<uint32_t> perm_;
    size_t pos_ = 0;
    uint64_t epoch_ = 0;
};

}  // namespace genlab::data
