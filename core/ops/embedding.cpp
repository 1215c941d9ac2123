// Embedding lookup: out[s, :] = table[ids[s], :]. Ids are integers stored as floats (a batch tensor
// holds them next to pixel data); every id is validated before any row is read.
#include <cmath>
#include <cstring>

#include "core/ops.h"
#include "core/ops/common.h"

namespace genlab {

using namespace ops_detail;

static void embedding_backward(Tape& t, const Node& n) {
    if (!t.requires_grad(n.in[0])) return;  // ids carry no gradient
    const Eigen::Index c = t.shape(n.in[0])[1];
    const Tensor& ids = t.value(n.in[1]);
    const float* dout = t.grad(n.out).data();  // (S, C)
    float* dtable = t.grad(n.in[0]).data();    // (V, C)
    // Scatter-add in position order: repeated ids accumulate, and serially the result does not
    // depend on the thread count.
    for (size_t s = 0; s < ids.numel(); ++s) {
        Eigen::Map<Eigen::ArrayXf>(dtable + static_cast<Eigen::Index>(ids[s]) * c,
                                   c) += Eigen::Map<const Eigen::ArrayXf>(dout + static_cast<Eigen::Index>(s) * c, c);
    }
}

Var embedding(Tape& t, Var table, Var ids) {
    const Shape ts = t.shape(table), is = t.shape(ids);
    if (ts.rank != 2) fail("embedding: table must be (V, C), got ", ts.str());
    if (is.rank > Shape::kMaxRank - 1)
        fail("embedding: ids ", is.str(), " have rank ", is.rank, "; at most ", Shape::kMaxRank - 1,
             " so that the output (ids..., C) fits rank 4");
    const int v = ts[0], c = ts[1];
    const Tensor& idv = t.value(ids);
    const size_t checked = shapes_only() ? 0 : idv.numel();  // ShapesOnly: no ids to read
    for (size_t s = 0; s < checked; ++s) {
        const float id = idv[s];
        if (!(id >= 0.f && id < static_cast<float>(v)) || std::floor(id) != id)
            fail("embedding: id ", id, " at position ", s, " of ids ", is.str(), " is not an integer in [0, ", v,
                 ") for a table ", ts.str(), " (hint: is the vocabulary larger than the embedding?)");
    }
    Shape os = is;
    os.dims[static_cast<size_t>(is.rank)] = c;
    os.rank = is.rank + 1;
    Var out = t.emit(os, {table, ids}, embedding_backward);
    if (shapes_only()) return out;
    const float* tp = t.value(table).data();
    float* y = t.value(out).data();
    const size_t row = static_cast<size_t>(c) * sizeof(float);
    for (size_t s = 0; s < idv.numel(); ++s)
        std::memcpy(y + s * static_cast<size_t>(c), tp + static_cast<size_t>(idv[s]) * static_cast<size_t>(c), row);
    return out;
}

}  // namespace genlab
