// The permutation of each epoch is a Fisher-Yates shuffle of the identity driven by the RNG, so
// (RNG state at epoch start, position) is the whole state: nothing of size N goes into a checkpoint.
#include "data/batch_sampler.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"

namespace genlab::data {

BatchSampler::BatchSampler(size_t rows, uint64_t seed) : rng_(seed), epoch_rng_(seed), perm_(rows) {
    if (rows == 0) fail("BatchSampler: the dataset is empty (0 rows)");
    if (rows > UINT32_MAX) fail("BatchSampler: ", rows, " rows exceed the limit of ", UINT32_MAX);
    start_epoch();
    epoch_ = 0;
}

void BatchSampler::start_epoch() {
    epoch_rng_ = rng_;
    std::iota(perm_.begin(), perm_.end(), 0u);
    for (size_t i = perm_.size(); i > 1; --i) std::swap(perm_[i - 1], perm_[rng_.below(i)]);
    pos_ = 0;
    ++epoch_;
}

std::span<const uint32_t> BatchSampler::next_indices(size_t batch) {
    if (batch == 0) fail("BatchSampler: batch size must be positive");
    if (batch > perm_.size())
        fail("BatchSampler: batch size ", batch, " exceeds the ", perm_.size(),
             " rows of the dataset - lower the batch size or use more data (class filter, limit)");
    if (perm_.size() - pos_ < batch) start_epoch();
    std::span<const uint32_t> out(perm_.data() + pos_, batch);
    pos_ += batch;
    return out;
}

void BatchSampler::next(const RowSource& src, Tensor& batch) {
    const Shape& b = batch.shape();
    if (b.rank != 2 || src.cols() != b[1] || src.rows() != perm_.size())
        fail("BatchSampler::next: expected source (", perm_.size(), ", D) and batch (B, D), got source (", src.rows(),
             ", ", src.cols(), ") and batch ", b.str());
    src.gather(next_indices(static_cast<size_t>(b[0])), batch.data());
}

void BatchSampler::next(const ImageDataset& ds, Tensor& images, Tensor& labels) {
    if (labels.numel() != static_cast<size_t>(images.shape()[0]) || labels.shape().rank != 1)
        fail("BatchSampler::next: labels must have shape (B) with B = ", images.shape()[0], ", got ",
             labels.shape().str());
    next(ds.images(), images);
    const size_t b = static_cast<size_t>(images.shape()[0]);
    const uint32_t* idx = perm_.data() + pos_ - b;  // the draw next() just made
    for (size_t r = 0; r < b; ++r) labels[r] = static_cast<float>(ds.labels[idx[r]]);
}

void BatchSampler::save_state(StateDict& sd, const std::string& prefix) const {
    sd.metadata[prefix + "rows"] = std::to_string(perm_.size());
    sd.metadata[prefix + "epoch"] = std::to_string(epoch_);
    sd.metadata[prefix + "position"] = std::to_string(pos_);
    sd.metadata[prefix + "rng"] = epoch_rng_.state();
}

static uint64_t parse_count(const std::string& text, const std::string& key) {
    uint64_t v = 0;
    if (text.empty() || text.size() > 19 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        fail("checkpoint metadata '", key, "': expected a non-negative integer, got '", text, "'");
    for (char c : text) v = v * 10 + static_cast<uint64_t>(c - '0');
    return v;
}

void BatchSampler::load_state(const StateDict& sd, const std::string& prefix) {
    const std::string what = "batch sampler state";
    const uint64_t rows = parse_count(sd.meta(prefix + "rows", what), prefix + "rows");
    if (rows != perm_.size())
        fail("checkpoint metadata '", prefix, "rows': the sampler was saved over ", rows, " rows but the dataset has ",
             perm_.size(), " - resume with the same dataset, split and class filter");
    const uint64_t epoch = parse_count(sd.meta(prefix + "epoch", what), prefix + "epoch");
    const uint64_t pos = parse_count(sd.meta(prefix + "position", what), prefix + "position");
    if (pos > rows) fail("checkpoint metadata '", prefix, "position': ", pos, " is past the ", rows, " rows");
    Rng r;
    r.set_state(sd.meta(prefix + "rng", what));
    rng_ = r;
    start_epoch();  // replays the saved epoch's shuffle
    pos_ = static_cast<size_t>(pos);
    epoch_ = epoch;
}

}  // namespace genlab::data
