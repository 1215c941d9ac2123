// All index arithmetic is in size_t over the split's ids. Lines mode finds a sample from the
// split's sparse index and its end tokens, and a context's sample start by looking back at most
// K positions for an end token (no per-position or per-line table, no allocation).
#include "data/text_sampler.h"

#include <algorithm>

#include "core/error.h"

namespace genlab::data {

TextSampler::TextSampler(const Corpus& corpus, CorpusSplit split, int context, uint64_t seed)
    : corpus_(corpus),
      split_(split == CorpusSplit::Train ? corpus.train : corpus.val),
      context_(context),
      lines_(corpus.mode == CorpusMode::Lines),
      pad_(lines_ ? static_cast<float>(corpus.vocab.eos_id()) : 0.f),
      rng_(seed) {
    const char* which = split == CorpusSplit::Train ? "training split (first 90%)" : "validation split (last 10%)";
    if (lines_ && split == CorpusSplit::Train) which = "training split (90% of the lines)";
    if (lines_ && split == CorpusSplit::Val) which = "validation split (10% of the lines)";
    if (context <= 0) fail("TextSampler: context length must be positive, got ", context);
    if (split_.ids.empty() || split_.samples() == 0) fail("corpus ", corpus.name, ": the ", which, " is empty");
    if (!lines_ && split_.ids.size() < static_cast<size_t>(context) + 1)
        fail("corpus ", corpus.name, ": the ", which, " has ", split_.ids.size(),
             " symbols, fewer than context length ", context, " + 1 - use a longer corpus or a shorter context");
}

void TextSampler::check_shapes(const Tensor& x, const Tensor& y, bool blocks) const {
    const Shape& xs = x.shape();
    const Shape& ys = y.shape();
    const bool ok = xs.rank == 2 && xs[1] == context_ && (blocks ? ys == xs : (ys.rank == 1 && ys[0] == xs[0]));
    if (!ok)
        fail("TextSampler: expected x (B, ", context_, ") and y ", blocks ? "(B, T)" : "(B)", " for context ", context_,
             ", got x ", xs.str(), " and y ", ys.str());
}

// Stream: the T inputs from position `start`, each with the symbol after it as target.
void TextSampler::fill_window(size_t start, float* x, float* y) const {
    const IdArray& ids = split_.ids;
    const size_t t_len = static_cast<size_t>(context_);
    const size_t n = ids.size();
    for (size_t t = 0; t < t_len; ++t) {
        const size_t q = start + t;  // input position; its target is q + 1
        x[t] = q < n ? static_cast<float>(ids[q]) : pad_;
        y[t] = q + 1 < n ? static_cast<float>(ids[q + 1]) : -1.f;
    }
}

// Lines: the sample at ids [begin, end), from target position `offset` (0 = its first target).
void TextSampler::fill_sample(size_t begin, size_t end, size_t offset, float* x, float* y) const {
    const IdArray& ids = split_.ids;
    const size_t t_len = static_cast<size_t>(context_);
    const size_t m = end - begin;  // the sample's targets: its symbols and END
    for (size_t t = 0; t < t_len; ++t) {
        const size_t q = offset + t;  // target position within the sample
        x[t] = q == 0 ? pad_ : (q - 1 < m ? static_cast<float>(ids[begin + q - 1]) : pad_);
        y[t] = q < m ? static_cast<float>(ids[begin + q]) : -1.f;
    }
}

void TextSampler::fill_context(size_t target, float* x, float* y) const {
    const IdArray& ids = split_.ids;
    const size_t k = static_cast<size_t>(context_);
    size_t begin = 0;  // first position the context may look at
    if (lines_) {
        // The start of the sample holding `target`, as far as the K positions before it can tell:
        // just after the last end token before it.
        begin = target;
        while (begin > 0 && target - begin < k && ids[begin - 1] != 0) --begin;
    }
    for (size_t j = 0; j < k; ++j) {
        const size_t back = k - j;  // x[j] is the symbol `back` positions before the target
        x[j] = target >= begin + back ? static_cast<float>(ids[target - back]) : pad_;
    }
    *y = static_cast<float>(ids[target]);
}

void TextSampler::next_blocks(Tensor& x, Tensor& y) {
    check_shapes(x, y, true);
    const size_t b = static_cast<size_t>(x.shape()[0]);
    const size_t t_len = static_cast<size_t>(context_);
    for (size_t r = 0; r < b; ++r) {
        if (lines_) {
            const auto [begin, end] = split_.sample(rng_.below(split_.samples()));
            const size_t m = end - begin;
            const size_t offset = m > t_len ? rng_.below(m - t_len + 1) : 0;
            fill_sample(begin, end, offset, x.data() + r * t_len, y.data() + r * t_len);
        } else {
            fill_window(rng_.below(split_.ids.size() - t_len), x.data() + r * t_len, y.data() + r * t_len);
        }
    }
}

void TextSampler::next_contexts(Tensor& x, Tensor& y) {
    check_shapes(x, y, false);
    const size_t b = static_cast<size_t>(x.shape()[0]);
    const size_t k = static_cast<size_t>(context_);
    const size_t n = split_.ids.size();
    for (size_t r = 0; r < b; ++r) {
        const size_t target = lines_ ? rng_.below(n) : k + rng_.below(n - k);
        fill_context(target, x.data() + r * k, y.data() + r);
    }
}

size_t TextSampler::num_blocks() const {
    if (lines_) return split_.samples();
    const size_t t_len = static_cast<size_t>(context_);
    return (split_.ids.size() - 1 + t_len - 1) / t_len;  // windows of T targets covering ids[1..n)
}

void TextSampler::blocks_at(size_t first, Tensor& x, Tensor& y) const {
    check_shapes(x, y, true);
    const size_t b = static_cast<size_t>(x.shape()[0]);
    const size_t t_len = static_cast<size_t>(context_);
    const size_t count = num_blocks();
    for (size_t r = 0; r < b; ++r) {
        float* xr = x.data() + r * t_len;
        float* yr = y.data() + r * t_len;
        const size_t i = first + r;
        if (i >= count || i < first) {  // past the end (or wrapped)
            std::fill(xr, xr + t_len, pad_);
            std::fill(yr, yr + t_len, -1.f);
        } else if (lines_) {
            const auto [begin, end] = split_.sample(i);
            fill_sample(begin, end, 0, xr, yr);
        } else {
            fill_window(i * t_len, xr, yr);
        }
    }
}

size_t TextSampler::num_contexts() const {
    return lines_ ? split_.ids.size() : split_.ids.size() - static_cast<size_t>(context_);
}

void TextSampler::contexts_at(size_t first, Tensor& x, Tensor& y) const {
    check_shapes(x, y, false);
    const size_t b = static_cast<size_t>(x.shape()[0]);
    const size_t k = static_cast<size_t>(context_);
    const size_t count = num_contexts();
    for (size_t r = 0; r < b; ++r) {
        const size_t i = first + r;
        if (i >= count || i < first) {
            std::fill(x.data() + r * k, x.data() + (r + 1) * k, pad_);
            y[r] = -1.f;
        } else {
            fill_context(lines_ ? i : i + k, x.data() + r * k, y.data() + r);
        }
    }
}

void TextSampler::save_state(StateDict& sd, const std::string& prefix) const {
    sd.metadata[prefix + "rng"] = rng_.state();
}

void TextSampler::load_state(const StateDict& sd, const std::string& prefix) {
    Rng r;
    r.set_state(sd.meta(prefix + "rng", "text sampler state"));
    rng_ = r;
}

}  // namespace genlab::data
