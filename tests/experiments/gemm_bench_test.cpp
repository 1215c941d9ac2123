// genlab-bench --gemm's table: 2048² and the three GEMMs of every benchmark workload layer, each with
// a positive GFLOP/s for every backend this build has, and which backend the ops use for it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "bench/gemm_bench.h"
#include "core/gemm.h"
#include "core/parallel.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

TEST(GemmBench, CoversEveryWorkloadLayerWithEachBackend) {
    const testing::ThreadCountRestorer restore;
    const std::vector<GemmBenchRow> rows = run_gemm_bench(1, 0.5);  // leaves 1 thread set, as the rows were measured
    // 2048², then forward, dx, dW of 6 gan + 6 ae + 5 gpt layers and of 4 DCGAN convolutions
    ASSERT_EQ(rows.size(), 1u + 3u * 17u + 3u * 4u);
    EXPECT_EQ(rows[0].m * rows[0].n * rows[0].k, 2048L * 2048 * 2048);
    std::set<std::string> names;
    for (const GemmBenchRow& r : rows) {
        names.insert(r.name);
        EXPECT_GT(r.eigen_gflops, 0) << r.name;
        EXPECT_GT(r.genlab_gflops, 0) << r.name;
        EXPECT_EQ(r.openblas_gflops > 0, openblas_linked()) << r.name;
        EXPECT_EQ(r.used, gemm_kernel_for(r.tb, r.m, r.n, r.k)) << r.name;
        const nlohmann::json j = testing::json_of(gemm_bench_json(r));
        EXPECT_EQ(j["m"].get<long>(), r.m);
        EXPECT_EQ(j["threads"].get<int>(), 1);
        EXPECT_EQ(j.contains("openblas_gflops"), openblas_linked());
        EXPECT_TRUE(j.contains("genlab_gflops"));
    }
    EXPECT_EQ(names.size(), rows.size());
    // The gpt MLP's first layer: 768 rows of 128 features to 512.
    EXPECT_TRUE(names.count("gpt fc 128-512 forward"));
    const GemmBenchRow& fc = *std::find_if(rows.begin(), rows.end(),
                                           [](auto& r) { return r.name == "gpt fc 128-512 forward"; });
    EXPECT_EQ(fc.m, 768);
    EXPECT_EQ(fc.n, 512);
    EXPECT_EQ(fc.k, 128);
    // D's second convolution at the default widths (models::GanConfig: 32 then 64 maps): W (64, 32·4²)
    // times the columns of 64 images of 7×7 positions.
    const auto conv = std::find_if(rows.begin(), rows.end(),
                                   [](auto& r) { return r.name == "dcgan D conv 32-64 14-7 forward"; });
    ASSERT_NE(conv, rows.end());
    EXPECT_EQ(conv->m, 64);
    EXPECT_EQ(conv->n, 64 * 49);
    EXPECT_EQ(conv->k, 512);
    // G's last transposed convolution's weight gradient, the thinnest: X' (64, 64·14²) · dcolsᵀ (.., 1·4²).
    EXPECT_TRUE(names.count("dcgan G up 64-1 14-28 dW"));
    // D's first convolution, from one channel: W (32, 1·4²) · cols runs on genlab's short-k kernel.
    const auto first = std::find_if(rows.begin(), rows.end(),
                                    [](auto& r) { return r.name == "dcgan D conv 1-32 28-14 forward"; });
    ASSERT_NE(first, rows.end());
    EXPECT_EQ(first->used, "short-k");
    EXPECT_EQ(conv->used, openblas_linked() ? "openblas" : "eigen");
}

}  // namespace
}  // namespace genlab::experiments
