#include "core/tensor.h"

#include <algorithm>
#include <new>
#include <stdexcept>

#include "core/error.h"
#include "core/memory.h"
#include "core/parallel.h"

namespace genlab {

Shape::Shape(std::initializer_list<int> d) {
    if (d.size() > static_cast<size_t>(kMaxRank)) fail("Shape: rank ", d.size(), " exceeds the maximum of 4");
    rank = static_cast<int>(d.size());
    std::copy(d.begin(), d.end(), dims.begin());
    for (int i = 0; i < rank; ++i)
        if (dims[static_cast<size_t>(i)] < 0) fail("Shape: negative dimension in ", str());
}

Shape Shape::from(const std::vector<int>& d) {
    if (d.size() > static_cast<size_t>(kMaxRank)) fail("Shape: rank ", d.size(), " exceeds the maximum of 4");
    Shape s;
    s.rank = static_cast<int>(d.size());
    std::copy(d.begin(), d.end(), s.dims.begin());
    for (int i = 0; i < s.rank; ++i)
        if (s.dims[static_cast<size_t>(i)] < 0) fail("Shape: negative dimension in ", s.str());
    return s;
}

size_t Shape::numel() const {
    size_t n = 1;
    for (int i = 0; i < rank; ++i) n *= static_cast<size_t>(dims[static_cast<size_t>(i)]);
    return n;
}

std::string Shape::str() const {
    std::string s = "(";
    for (int i = 0; i < rank; ++i) s += (i ? ", " : "") + std::to_string(dims[static_cast<size_t>(i)]);
    return s + ")";
}

bool Shape::operator==(const Shape& o) const {
    if (rank != o.rank) return false;
    for (int i = 0; i < rank; ++i)
        if (dims[static_cast<size_t>(i)] != o.dims[static_cast<size_t>(i)]) return false;
    return true;
}

namespace {

using Storage = std::vector<float, Eigen::aligned_allocator<float>>;

// Where a tensor's size is known, running out of memory is said with it: "unexpected error:
// std::bad_alloc" names neither what was being built nor how large it was.
[[noreturn]] void out_of_memory(const Shape& shape) {
    fail("out of memory: a tensor of shape ", shape.str(), " needs ",
         bytes_text(uint64_t{shape.numel()} * sizeof(float)),
         " that this machine could not allocate (use smaller layers, a smaller --batch or smaller data)");
}

Storage allocate(const Shape& shape, float fill) {
    try {
        return Storage(shape.numel(), fill);
    } catch (const std::bad_alloc&) {
        out_of_memory(shape);
    } catch (const std::length_error&) {  // more elements than a vector can hold at all
        out_of_memory(shape);
    }
}

thread_local bool t_shapes_only = false;

}  // namespace

ShapesOnly::ShapesOnly() : prev_(t_shapes_only) { t_shapes_only = true; }
ShapesOnly::~ShapesOnly() { t_shapes_only = prev_; }
bool shapes_only() { return t_shapes_only; }

Tensor::Tensor(Shape shape, float fill) : shape_(shape) {
    if (t_shapes_only) {
        unallocated_ = shape.numel();
        return;
    }
    storage_ = allocate(shape, fill);
    data_ = storage_.data();
}

Tensor::Tensor(Shape shape, std::initializer_list<float> values) : Tensor(shape) {
    if (values.size() != numel()) fail("Tensor: ", values.size(), " values given for shape ", shape.str());
    if (data_) std::copy(values.begin(), values.end(), storage_.begin());
}

Tensor Tensor::view(float* data, Shape shape) {
    Tensor t;
    t.assign_view(data, shape);
    return t;
}

Tensor::Tensor(const Tensor& o) : shape_(o.shape_) {
    if (o.is_view()) {
        data_ = o.data_;
    } else if (!o.data_) {  // without storage (ShapesOnly): the copy has none either
        unallocated_ = o.unallocated_;
    } else {
        storage_.assign(o.data_, o.data_ + o.numel());
        data_ = storage_.data();
    }
}

Tensor& Tensor::operator=(const Tensor& o) {
    if (this == &o) return *this;
    shape_ = o.shape_;
    if (o.is_view()) {
        data_ = o.data_;
    } else if (!o.data_) {
        data_ = nullptr;
        unallocated_ = o.unallocated_;
    } else {
        storage_.assign(o.data_, o.data_ + o.numel());
        data_ = storage_.data();
    }
    return *this;
}

// std::vector's move keeps the buffer, so an owning data_ stays valid in the new object.
Tensor::Tensor(Tensor&& o) noexcept
    : shape_(o.shape_), storage_(std::move(o.storage_)), data_(o.data_), unallocated_(o.unallocated_) {
    o.data_ = nullptr;
    o.shape_ = Shape();
    o.unallocated_ = 0;
}

Tensor& Tensor::operator=(Tensor&& o) noexcept {
    if (this == &o) return *this;
    shape_ = o.shape_;
    storage_ = std::move(o.storage_);
    data_ = o.data_;
    unallocated_ = o.unallocated_;
    o.data_ = nullptr;
    o.shape_ = Shape();
    o.unallocated_ = 0;
    return *this;
}

void Tensor::resize(Shape shape) {
    if (t_shapes_only) {
        unallocated_ = std::max(unallocated_, shape.numel());
        shape_ = shape;
        data_ = nullptr;
        return;
    }
    if (storage_.size() < shape.numel()) {
        try {
            storage_.resize(shape.numel());
        } catch (const std::bad_alloc&) {
            out_of_memory(shape);
        } catch (const std::length_error&) {
            out_of_memory(shape);
        }
    }
    shape_ = shape;  // only once the storage is there: a failed resize leaves the tensor as it was
    data_ = storage_.data();
}

void Tensor::assign_view(float* data, Shape shape) {
    shape_ = shape;
    data_ = data;
}

void Tensor::reshape(Shape shape) {
    if (shape.numel() != numel()) fail("reshape: cannot view ", shape_.str(), " as ", shape.str());
    shape_ = shape;
}

Tensor Tensor::reshaped(Shape shape) {
    if (shape.numel() != numel()) fail("reshape: cannot view ", shape_.str(), " as ", shape.str());
    return view(data_, shape);
}

void Tensor::fill(float v) {
    if (!data_) return;
    // Gradient buffers are zeroed every step (zero_grad, the tape's emit): in chunks over the
    // threads when large, so the other threads do not wait through a serial memset.
    constexpr long kChunk = 1 << 14;
    const long n = static_cast<long>(numel()), chunks = (n + kChunk - 1) / kChunk;
    const long grain = 4 * static_cast<long>(kParallelGrain);
#pragma omp parallel for schedule(static) if (n >= grain)
    for (long c = 0; c < chunks; ++c) std::fill(data_ + c * kChunk, data_ + std::min(n, (c + 1) * kChunk), v);
}

}  // namespace genlab
