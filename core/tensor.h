// Tensor: float32, contiguous, row-major, rank <= 4. Storage is either owned (a std::vector that
// only ever grows, so a reused tensor stops allocating) or a view of someone else's storage
// (parameters on the tape, reshapes). Eigen Maps are the compute view; no Eigen math lives here.
// Under ShapesOnly a tensor has a shape and no storage at all (data() is null).
//
// Dimension vocabulary used in shape comments across genlab:
//   B batch, T context (time), C channels / embedding, V vocabulary, H heads, D head size,
//   Z latent, N generic count, P pixels (H*W of an image).
#pragma once
#include <Eigen/Core>
#include <array>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

namespace genlab {

using MatrixRM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<MatrixRM>;
using ConstMatMap = Eigen::Map<const MatrixRM>;
using FlatMap = Eigen::Map<Eigen::ArrayXf>;
using ConstFlatMap = Eigen::Map<const Eigen::ArrayXf>;

struct Shape {
    static constexpr int kMaxRank = 4;
    std::array<int, kMaxRank> dims{};
    int rank = 0;

    Shape() = default;
    Shape(std::initializer_list<int> d);
    static Shape from(const std::vector<int>& d);

    int operator[](int i) const { return dims[static_cast<size_t>(i < 0 ? i + rank : i)]; }
    size_t numel() const;
    int last() const { return rank ? dims[static_cast<size_t>(rank - 1)] : 1; }
    // Product of all dims but the last: the row count of the matrix view.
    size_t rows() const { return rank ? numel() / static_cast<size_t>(last()) : 1; }
    std::vector<int> to_vector() const { return {dims.begin(), dims.begin() + rank}; }
    std::string str() const;  // "(64, 784)"
    bool operator==(const Shape& o) const;
    bool operator!=(const Shape& o) const { return !(*this == o); }
};

class Tensor {
public:
    Tensor() = default;
    explicit Tensor(Shape shape, float fill = 0.f);
    Tensor(Shape shape, std::initializer_list<float> values);
    static Tensor view(float* data, Shape shape);  // non-owning; `data` must outlive the view

    Tensor(const Tensor& o);  // deep copy when owning, pointer copy when a view
    Tensor& operator=(const Tensor& o);
    Tensor(Tensor&& o) noexcept;
    Tensor& operator=(Tensor&& o) noexcept;

    const Shape& shape() const { return shape_; }
    size_t numel() const { return shape_.numel(); }
    bool empty() const { return numel() == 0; }
    bool is_view() const { return data_ != nullptr && data_ != storage_.data(); }
    float* data() { return data_; }
    const float* data() const { return data_; }
    float& operator[](size_t i) { return data_[i]; }
    float operator[](size_t i) const { return data_[i]; }

    // (rows, last dim) matrix view and flat array view.
    MatMap matrix() { return {data_, static_cast<Eigen::Index>(shape_.rows()), shape_.last()}; }
    ConstMatMap matrix() const { return {data_, static_cast<Eigen::Index>(shape_.rows()), shape_.last()}; }
    FlatMap flat() { return {data_, static_cast<Eigen::Index>(numel())}; }
    ConstFlatMap flat() const { return {data_, static_cast<Eigen::Index>(numel())}; }

    // Own storage of this shape; reallocates only when it needs more room than it ever had.
    // Contents are unspecified after a shape change.
    void resize(Shape shape);
    // Become a view of external memory (keeps owned capacity for a later resize()).
    void assign_view(float* data, Shape shape);
    // Same data, new shape (numel must match). A reshape never copies.
    void reshape(Shape shape);
    Tensor reshaped(Shape shape);  // a view with another shape
    void fill(float v);            // nothing to fill without storage (ShapesOnly)
    // Floats of storage this tensor owns (a view keeps what it owned for a later resize); for a
    // tensor made or resized under ShapesOnly, the floats it would own.
    size_t capacity() const { return storage_.capacity() + unallocated_; }

private:
    Shape shape_;
    // 64-byte aligned (EIGEN_MAX_ALIGN_BYTES): Eigen peels unaligned heads off vectorised loops and
    // reductions, so with malloc's 16-byte alignment the summation order (and the last bits of
    // every result) would depend on heap layout, breaking bit-identical reruns and resumes.
    std::vector<float, Eigen::aligned_allocator<float>> storage_;
    float* data_ = nullptr;
    size_t unallocated_ = 0;  // ShapesOnly: the floats the constructor or resize() did not allocate
};

// While a ShapesOnly lives, this thread builds tensors without storage: a Tensor made or resized
// takes its shape and allocates nothing, Rng fills and ops compute nothing, backward() returns at
// once. A model built so has its parameters' shapes, and a dry step on a tape tells the floats a
// real one holds (Tape::held_floats), for a memory estimate that allocates nothing (core/memory.h).
class ShapesOnly {
public:
    ShapesOnly();
    ~ShapesOnly();
    ShapesOnly(const ShapesOnly&) = delete;
    ShapesOnly& operator=(const ShapesOnly&) = delete;

private:
    bool prev_;
};
bool shapes_only();  // whether a ShapesOnly lives on this thread

}  // namespace genlab
