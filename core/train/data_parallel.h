// Data parallelism inside one training step. With T > 1 threads a batch's rows are cut into T
// shards; each thread builds its shard's graph on its own tape and runs it forward and backward
// with every kernel single-threaded, and the shards' parameter gradients are summed into
// Parameter::grad. That is one fork and join per step instead of one per op: the small products
// of these models run at the single-thread GEMM kernel's speed on every core, and no thread
// spins at a barrier between ops (docs/design.md, Threads).
//
// The gradient is the whole batch's: each shard's loss is a mean over its terms (rows, or counted
// targets), and its backward is seeded with its share of the batch's terms, so the summed
// gradient is that of the batch mean. With one shard it is exactly the single-tape step, bit for
// bit. Shards run concurrently, so the graph they build must draw no random numbers (dropout,
// a VAE's noise): such a step runs with sharding off.
//
//     DataParallel dp;
//     opt.zero_grad();
//     float loss = dp.run(B, [&](Tape& t, int begin, int end) {       // rows [begin, end)
//         return model.loss(t, t.constant(rows_of(x, begin, end)));      // mean over its rows
//     });
//     opt.step();
#pragma once
#include <exception>
#include <memory>
#include <vector>

#include "core/tape.h"

namespace genlab {

// A view of rows [begin, end) of a row-major tensor whose first axis is the batch.
Tensor rows_of(const Tensor& t, int begin, int end);

class DataParallel {
public:
    struct Shard {
        Tape tape;
        int begin = 0, end = 0;  // rows of the batch
        double terms = 0;        // what its loss is a mean over
        float weight = 1.f;      // terms / the batch's terms: the backward's seed
        Var loss;
    };

    // shards = false: every step on one tape over the whole batch (ops still use the threads).
    explicit DataParallel(bool shards = true);

    // Forward and backward of build(tape, begin, end) -> Var, a mean over its rows, on each
    // shard; gradients accumulate into Parameter::grad (zero them first). Returns the batch's
    // loss, the shards' losses weighted by their share.
    template <class Build>
    float run(int rows, Build&& build) {
        return run(rows, build, [](int begin, int end) { return static_cast<double>(end - begin); });
    }
    // The same when a shard's loss is a mean over terms(begin, end) >= 0 (e.g. the counted targets
    // of a padded batch) rather than over its rows.
    template <class Build, class Terms>
    float run(int rows, Build&& build, Terms&& terms) {
        return run_shards(rows, FnRef<Var(Tape&, int, int)>(build), FnRef<double(int, int)>(terms));
    }

    // Shards of the last run, in row order; shard(0)'s tape is also the one for unsharded work
    // (evaluation, sampling), so the experiment needs no tape of its own.
    int shard_count() const { return count_; }
    Shard& shard(int k) { return *shards_.at(static_cast<size_t>(k)); }
    Tape& tape() { return shard(0).tape; }

    // How many shards a batch of `rows` is cut into on the current thread count.
    int shards_for(int rows) const;

private:
    // A non-owning, non-allocating reference to a callable (std::function may allocate).
    template <class Sig>
    class FnRef;
    template <class R, class... A>
    class FnRef<R(A...)> {
    public:
        template <class F>
        explicit FnRef(F& f)
            : obj_(static_cast<void*>(&f)), call_([](void* o, A... a) -> R { return (*static_cast<F*>(o))(a...); }) {}
        R operator()(A... a) const { return call_(obj_, a...); }

    private:
        void* obj_;
        R (*call_)(void*, A...);
    };

    float run_shards(int rows, FnRef<Var(Tape&, int, int)> build, FnRef<double(int, int)> terms);
    std::exception_ptr check_gradients();
    void sum_gradients(int thread, int threads);

    std::vector<std::unique_ptr<Shard>> shards_;
    int count_ = 0;
    bool sharding_ = true;
};

}  // namespace genlab
