// DataParallel (core/train/data_parallel.h): a batch split over threads gives the whole batch's
// loss and gradients (against one tape over the batch), including a parameter used twice, padded
// targets, odd row counts, frozen parameters and one bound but unused; one thread is the single
// tape bit for bit; an error in a shard comes back as an exception.
#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/nn/layers.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "core/train/data_parallel.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

constexpr int kVocab = 7, kEmbd = 8;

// An embedding, an MLP and an output layer tied to the embedding (the table is bound twice).
struct TinyLm {
    Rng rng{11};
    Embedding emb{kVocab, kEmbd, rng};
    MLP mlp{{kEmbd, 16, kEmbd}, parse_activation("gelu"), parse_activation("identity"), rng};

    Var loss(Tape& t, const Tensor& ids, const Tensor& targets) const {
        Var h = mlp(t, emb(t, t.constant(ids)));               // (B, C)
        Var logits = linear(t, h, t.param(emb.weight));        // (B, V), tied
        return cross_entropy(t, logits, t.constant(targets));  // mean over counted targets
    }
    NamedParameters params() const {
        NamedParameters p = emb.named_parameters("emb.");
        for (auto& q : mlp.named_parameters("mlp.")) p.push_back(q);
        return p;
    }
    void zero_grad() {
        for (auto& [name, p] : params()) p->zero_grad();
    }
    std::vector<std::vector<float>> grads() const {
        std::vector<std::vector<float>> g;
        for (const auto& [name, p] : params()) g.emplace_back(p->grad.data(), p->grad.data() + p->grad.numel());
        return g;
    }
};

// ids (rows) and targets (rows) with every third target padding.
struct Batch {
    Tensor ids, targets;
    explicit Batch(int rows) : ids(Shape{rows}), targets(Shape{rows}) {
        for (int i = 0; i < rows; ++i) {
            ids[static_cast<size_t>(i)] = static_cast<float>((3 * i + 1) % kVocab);
            targets[static_cast<size_t>(i)] = i % 3 == 2 ? -1.f : static_cast<float>((5 * i + 2) % kVocab);
        }
    }
    double counted(int b, int e) const {
        double n = 0;
        for (int i = b; i < e; ++i) n += targets[static_cast<size_t>(i)] >= 0.f;
        return n;
    }
};

// Loss and gradients on one tape over the whole batch.
float reference(TinyLm& m, const Batch& batch, std::vector<std::vector<float>>* grads) {
    m.zero_grad();
    Tape t;
    Var l = m.loss(t, batch.ids, batch.targets);
    t.backward(l);
    *grads = m.grads();
    return t.item(l);
}

// Gradients agree to float rounding (another split of the sums), from parameter `from` on.
void expect_grads_near(const std::vector<std::vector<float>>& want, const std::vector<std::vector<float>>& got,
                       size_t from = 0) {
    ASSERT_EQ(want.size(), got.size());
    for (size_t p = from; p < want.size(); ++p)
        for (size_t i = 0; i < want[p].size(); ++i)
            ASSERT_NEAR(want[p][i], got[p][i], 1e-6f + 1e-5f * std::abs(want[p][i]))
                << "param " << p << " [" << i << "]";
}

// `more`, when given, turns each shard's loss into the Var it returns (extra terms on its tape).
float sharded(TinyLm& m, DataParallel& dp, const Batch& batch, std::vector<std::vector<float>>* grads,
              const std::function<Var(Tape&, Var)>& more = {}) {
    m.zero_grad();
    const float l = dp.run(
        batch.ids.shape()[0],
        [&](Tape& t, int b, int e) {
            const Var loss = m.loss(t, rows_of(batch.ids, b, e), rows_of(batch.targets, b, e));
            return more ? more(t, loss) : loss;
        },
        [&](int b, int e) { return batch.counted(b, e); });
    *grads = m.grads();
    return l;
}

TEST(DataParallel, TwoShardsGiveTheWholeBatchsLossAndGradients) {
    const testing::ThreadCountRestorer restore;
    for (int rows : {2, 7, 24}) {  // even, odd (shards of 3 and 4), larger
        TinyLm m;
        const Batch batch(rows);
        std::vector<std::vector<float>> want, got;
        set_num_threads(1);
        const float l1 = reference(m, batch, &want);
        set_num_threads(2);
        DataParallel dp;
        const float l2 = sharded(m, dp, batch, &got);
        EXPECT_EQ(dp.shard_count(), 2) << rows;
        EXPECT_NEAR(l1, l2, 1e-6f * (1 + std::abs(l1))) << rows;
        SCOPED_TRACE(rows);
        expect_grads_near(want, got);
        // The tied table's gradient has both uses in it: it is not the embedding's alone.
        double norm = 0;
        for (float g : got[0]) norm += std::abs(g);
        EXPECT_GT(norm, 0);
    }
}

TEST(DataParallel, OneThreadIsTheSingleTapeBitForBit) {
    const testing::ThreadCountRestorer restore;
    set_num_threads(1);
    TinyLm m;
    const Batch batch(9);
    std::vector<std::vector<float>> want, got;
    const float l1 = reference(m, batch, &want);
    DataParallel dp;
    const float l2 = sharded(m, dp, batch, &got);
    EXPECT_EQ(dp.shard_count(), 1);
    EXPECT_EQ(l1, l2);
    EXPECT_EQ(want, got);
}

TEST(DataParallel, RepeatedStepsAgreeAndAccumulateOnlyWhatTheyAreGiven) {
    // Shard buffers are zeroed at every step: a second step gives the same gradients, not twice them.
    const testing::ThreadCountRestorer restore;
    set_num_threads(2);
    TinyLm m;
    const Batch batch(10);
    DataParallel dp;
    std::vector<std::vector<float>> first, second;
    sharded(m, dp, batch, &first);
    sharded(m, dp, batch, &second);
    EXPECT_EQ(first, second);
    EXPECT_EQ(num_threads(), 2);  // the shards' single-threaded setting stays inside the region
}

TEST(DataParallel, AParameterBoundButNotUsedAddsNothing) {
    // A shard's own gradient buffers are zeroed lazily (a weight gradient's GEMM stores into a
    // fresh one). One that no op writes must read zeros at the sum, not the last step's values:
    // step 1 writes ones into the table's third binding, step 2 binds it in the same slot unused.
    const testing::ThreadCountRestorer restore;
    set_num_threads(2);
    TinyLm m;
    const Batch batch(10);
    DataParallel dp;
    std::vector<std::vector<float>> with_sum, unused, plain;
    sharded(m, dp, batch, &with_sum, [&](Tape& t, Var l) { return add(t, l, sum(t, t.param(m.emb.weight))); });
    sharded(m, dp, batch, &unused, [&](Tape& t, Var l) {
        t.param(m.emb.weight);
        return l;
    });
    sharded(m, dp, batch, &plain);
    expect_grads_near(plain, unused);
    EXPECT_NEAR(with_sum[0][0] - plain[0][0], 1.f, 1e-5f);  // the sum's gradient is 1 per element
}

TEST(DataParallel, FrozenParametersGetNoGradient) {
    const testing::ThreadCountRestorer restore;
    TinyLm m;
    m.emb.weight.frozen = true;
    const Batch batch(8);
    std::vector<std::vector<float>> want, got;
    set_num_threads(1);
    reference(m, batch, &want);
    set_num_threads(2);
    DataParallel dp;
    sharded(m, dp, batch, &got);
    for (float g : got[0]) ASSERT_EQ(g, 0.f);
    expect_grads_near(want, got, 1);
}

TEST(DataParallel, AShardWithOnlyPaddingWeighsNothing) {
    // Rows 0-1 have targets, rows 2-3 are all padding: the loss is the first shard's.
    const testing::ThreadCountRestorer restore;
    TinyLm m;
    Batch batch(4);
    batch.targets[2] = batch.targets[3] = -1.f;
    std::vector<std::vector<float>> want, got;
    set_num_threads(1);
    const float l1 = reference(m, batch, &want);
    set_num_threads(2);
    DataParallel dp;
    const float l2 = sharded(m, dp, batch, &got);
    EXPECT_FLOAT_EQ(dp.shard(1).weight, 0.f);
    EXPECT_NEAR(l1, l2, 1e-6f);
    expect_grads_near(want, got);
}

TEST(DataParallel, AnErrorInAShardIsThrownAfterTheJoin) {
    const testing::ThreadCountRestorer restore;
    set_num_threads(2);
    TinyLm m;
    const Batch batch(6);
    DataParallel dp;
    try {
        dp.run(6, [&](Tape& t, int b, int e) {
            if (b > 0) fail("shard starting at row ", b, " failed");
            return m.loss(t, rows_of(batch.ids, b, e), rows_of(batch.targets, b, e));
        });
        FAIL() << "no exception";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("shard starting at row 3 failed"), std::string::npos) << e.what();
    }
    std::vector<std::vector<float>> got;  // and the next step runs normally
    EXPECT_TRUE(std::isfinite(sharded(m, dp, batch, &got)));
}

TEST(DataParallel, ShardCount) {
    const testing::ThreadCountRestorer restore;
    set_num_threads(2);
    DataParallel on, off(false);
    EXPECT_EQ(on.shards_for(1), 1);
    EXPECT_EQ(on.shards_for(2), 2);
    EXPECT_EQ(on.shards_for(12), 2);
    EXPECT_EQ(off.shards_for(12), 1);
    int inside = 0;
#pragma omp parallel num_threads(2)
    {
#pragma omp single
        inside = on.shards_for(12);  // already inside a parallel region: no second level
    }
    EXPECT_EQ(inside, 1);
    set_num_threads(1);
    EXPECT_EQ(on.shards_for(12), 1);
    EXPECT_THROW(on.run(0, [](Tape&, int, int) { return Var{}; }), Error);
}

TEST(DataParallel, RowsOfIsABoundsCheckedView) {
    Tensor x(Shape{4, 3});
    for (size_t i = 0; i < x.numel(); ++i) x[i] = static_cast<float>(i);
    const Tensor mid = rows_of(x, 1, 3);
    EXPECT_EQ(mid.shape(), (Shape{2, 3}));
    EXPECT_EQ(mid.data(), x.data() + 3);
    EXPECT_EQ(rows_of(x, 4, 4).numel(), 0u);
    EXPECT_THROW(rows_of(x, 2, 5), Error);
    EXPECT_THROW(rows_of(x, -1, 2), Error);
    EXPECT_THROW(rows_of(x, 3, 2), Error);
}

}  // namespace
}  // namespace genlab
