#include "core/train/data_parallel.h"

#include <omp.h>

#include <algorithm>
#include <exception>

#include "core/error.h"
#include "core/nn/parameter.h"
#include "core/parallel.h"

namespace genlab {

Tensor rows_of(const Tensor& t, int begin, int end) {
    const Shape& s = t.shape();
    if (s.rank < 1 || begin < 0 || end < begin || end > s[0])
        fail("rows_of: rows [", begin, ", ", end, ") of a tensor of shape ", s.str());
    Shape part = s;
    part.dims[0] = end - begin;
    const size_t row = s[0] ? s.numel() / static_cast<size_t>(s[0]) : 0;
    // A view for reading: ops never write through the constants they are given.
    return Tensor::view(const_cast<float*>(t.data()) + static_cast<size_t>(begin) * row, part);
}

DataParallel::DataParallel(bool shards) : sharding_(shards) { shards_.push_back(std::make_unique<Shard>()); }

int DataParallel::shards_for(int rows) const {
    if (!sharding_ || rows < 2 || omp_in_parallel()) return 1;
    return std::min(num_threads(), rows);
}

namespace {

void run_one(DataParallel::Shard& s, bool own_grads, auto& build) {
    s.tape.reset();
    s.tape.set_own_param_grads(own_grads);
    s.loss = build(s.tape, s.begin, s.end);
    s.tape.backward(s.loss, s.weight);
}

}  // namespace

float DataParallel::run_shards(int rows, FnRef<Var(Tape&, int, int)> build, FnRef<double(int, int)> terms) {
    if (rows < 1) fail("DataParallel: a batch needs at least one row, got ", rows);
    const int n = shards_for(rows);
    while (shards_.size() < static_cast<size_t>(n)) shards_.push_back(std::make_unique<Shard>());
    count_ = n;

    double total = 0;
    for (int k = 0; k < n; ++k) {
        Shard& s = shard(k);
        s.begin = static_cast<int>(static_cast<long>(rows) * k / n);
        s.end = static_cast<int>(static_cast<long>(rows) * (k + 1) / n);
        s.terms = n == 1 ? 1.0 : terms(s.begin, s.end);
        if (!(s.terms >= 0)) fail("DataParallel: shard ", k, " counts ", s.terms, " loss terms");
        total += s.terms;
    }
    for (int k = 0; k < n; ++k) {  // a batch without terms (all padding): shares by rows
        Shard& s = shard(k);
        s.weight = total > 0 ? static_cast<float>(s.terms / total)
                             : static_cast<float>(s.end - s.begin) / static_cast<float>(rows);
    }

    if (n == 1) {
        run_one(shard(0), false, build);
        return shards_[0]->tape.item(shards_[0]->loss);
    }

    std::exception_ptr error;  // an exception may not leave an OpenMP region: rethrown after it
#pragma omp parallel num_threads(n)
    {
        omp_set_num_threads(1);  // this thread's nested regions (ops, GEMM) stay single-threaded
        const int tid = omp_get_thread_num(), nth = omp_get_num_threads();
        for (int k = tid; k < n; k += nth) {
            try {
                run_one(shard(k), k > 0, build);
            } catch (...) {
#pragma omp critical(genlab_data_parallel_error)
                if (!error) error = std::current_exception();
            }
        }
#pragma omp barrier
#pragma omp single
        if (!error) error = check_gradients();
        if (!error) sum_gradients(tid, nth);
    }
    if (error) std::rethrow_exception(error);

    double loss = 0;
    for (int k = 0; k < n; ++k) loss += static_cast<double>(shard(k).weight) * shard(k).tape.item(shard(k).loss);
    return static_cast<float>(loss);
}

// Every gradient a shard will add has its destination: Parameter::grad, made by the optimizer
// or by shard 0's param(). A parameter that only a later shard binds would have none (a bug in
// the caller's graph), caught here rather than written out of bounds. This runs on one thread,
// so it also settles the shards' own (lazily zeroed) gradients before the threads sum them: one
// that no op wrote reads zeros.
std::exception_ptr DataParallel::check_gradients() {
    for (int k = 1; k < count_; ++k)
        for (const Tape::ParamGrad& pg : shard(k).tape.own_param_grads()) {
            if (pg.param->grad.shape() != pg.param->value.shape())
                return std::make_exception_ptr(Error("DataParallel: parameter '" + pg.param->name +
                                                     "' has no gradient buffer (not bound by the first shard)"));
            shard(k).tape.grad(pg.slot);
        }
    return nullptr;
}

// Adds shards 1.. (own buffers) into Parameter::grad, which shard 0 wrote. Each thread takes one
// slice of every tensor, and adds the shards in order: the sum does not depend on the thread.
void DataParallel::sum_gradients(int thread, int threads) {
    for (int k = 1; k < count_; ++k) {
        Tape& t = shard(k).tape;
        for (const Tape::ParamGrad& pg : t.own_param_grads()) {
            float* __restrict dst = pg.param->grad.data();
            const float* __restrict src = t.grad(pg.slot).data();
            const long n = static_cast<long>(pg.param->value.numel());
            const long begin = n * thread / threads, end = n * (thread + 1) / threads;
            for (long i = begin; i < end; ++i) dst[i] += src[i];
        }
    }
}

}  // namespace genlab
