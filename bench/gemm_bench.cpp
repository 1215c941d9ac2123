#include "bench/gemm_bench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/gemm.h"
#include "core/io/json_text.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "models/conv_nets.h"
#include "models/gan.h"

namespace genlab::experiments {

namespace {

// A Linear layer of a benchmark workload: `rows` input rows of `in` features to `out`.
struct Layer {
    const char* name;
    long rows, in, out;
};

// The benchmark workloads: gan at batch 64, ae at batch 128, gpt at batch 12 × block 64 = 768 rows.
const std::vector<Layer>& workload_layers() {
    static const std::vector<Layer> layers{
        {"gan G 64-256", 64, 64, 256},      {"gan G 256-512", 64, 256, 512},     {"gan G 512-784", 64, 512, 784},
        {"gan D 784-512", 64, 784, 512},    {"gan D 512-256", 64, 512, 256},     {"gan D 256-1", 64, 256, 1},
        {"ae 784-512", 128, 784, 512},      {"ae 512-128", 128, 512, 128},       {"ae 128-32", 128, 128, 32},
        {"ae 32-128", 128, 32, 128},        {"ae 128-512", 128, 128, 512},       {"ae 512-784", 128, 512, 784},
        {"gpt qkv 128-384", 768, 128, 384}, {"gpt proj 128-128", 768, 128, 128}, {"gpt fc 128-512", 768, 128, 512},
        {"gpt fc2 512-128", 768, 512, 128}, {"gpt head 128-65", 768, 128, 65},
    };
    return layers;
}

// A convolution of the dcgan workload at batch 64: `c` channels of h×h to `cout`, kernel k.
// conv2d's products (core/ops/conv2d.cpp) are W (cout, c·k²) · cols (c·k², 64·OH·OW) and its
// backward's dY'·colsᵀ and Wᵀ·dY'; conv_transpose2d's (core/ops/conv_transpose2d.cpp) are
// Wᵀ·X' (cout·k², 64·h²), X'·dcolsᵀ and W·dcols.
struct ConvLayer {
    std::string name;
    long c, cout, h;
    bool transposed;
};

// The DCGAN's convolutions at its default widths (models::GanConfig) on 28×28 one-channel images:
// G's transposed convolutions up from its first maps to one channel, D's down from one channel.
std::vector<ConvLayer> conv_layers() {
    const models::GanConfig cfg;
    constexpr long kSide = 28;
    const auto name = [](const char* what, long c, long cout, long h, long out) {
        return str("dcgan ", what, " ", c, "-", cout, " ", h, "-", out);
    };
    std::vector<ConvLayer> layers;
    long h = kSide >> cfg.g_channels.size();
    for (size_t i = 0; i < cfg.g_channels.size(); ++i, h *= 2) {
        const long c = cfg.g_channels[i], cout = i + 1 < cfg.g_channels.size() ? cfg.g_channels[i + 1] : 1;
        layers.push_back({name("G up", c, cout, h, 2 * h), c, cout, h, true});
    }
    long c = 1;
    h = kSide;
    for (const int cout : cfg.d_channels) {
        layers.push_back({name("D conv", c, cout, h, h / 2), c, cout, h, false});
        c = cout;
        h /= 2;
    }
    return layers;
}

// Seconds per call: the best over repetitions of the mean over calls filling >= rep_ms.
template <class F>
double seconds_per_call(double rep_ms, F&& f) {
    using Clock = std::chrono::steady_clock;
    f();  // first touch, thread start-up
    double best = 1e30;
    for (int rep = 0; rep < 5; ++rep) {
        int calls = 0;
        const auto t0 = Clock::now();
        double elapsed = 0;
        do {
            f();
            ++calls;
            elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
        } while (elapsed < rep_ms / 1000);
        best = std::min(best, elapsed / calls);
    }
    return best;
}

struct Product {
    std::string name, op;
    Trans ta, tb;
    long m, n, k;
};

GemmBenchRow measure(const Product& p, int threads, double rep_ms) {
    // Operands as stored: op(A) is (m, k), op(B) (k, n).
    std::vector<float> a(static_cast<size_t>(p.m * p.k)), b(static_cast<size_t>(p.k * p.n)),
        c(static_cast<size_t>(p.m * p.n));
    Rng rng(7);
    for (float& x : a) x = rng.normal();
    for (float& x : b) x = rng.normal();
    const long lda = p.ta == Trans::No ? p.k : p.m, ldb = p.tb == Trans::No ? p.n : p.k;
    const double flop = 2.0 * static_cast<double>(p.m) * static_cast<double>(p.n) * static_cast<double>(p.k);
    auto gflops = [&](auto&& call) { return flop / seconds_per_call(rep_ms, call) / 1e9; };
    auto on = [&](GemmBackend backend) {
        return gflops([&] {
            gemm(backend, p.ta, p.tb, p.m, p.n, p.k, a.data(), lda, b.data(), ldb, 1.f, c.data(), p.n);
        });
    };
    GemmBenchRow r;
    r.name = p.name;
    r.op = p.op;
    r.m = p.m, r.n = p.n, r.k = p.k;
    r.tb = p.tb;
    r.threads = threads;
    r.eigen_gflops = on(GemmBackend::Eigen);
    if (openblas_linked()) r.openblas_gflops = on(GemmBackend::OpenBlas);
    r.genlab_gflops = gflops([&] {
        gemm(p.ta, p.tb, p.m, p.n, p.k, a.data(), lda, b.data(), ldb, 1.f, c.data(), p.n);
    });
    r.used = gemm_kernel_for(p.tb, p.m, p.n, p.k);
    return r;
}

}  // namespace

std::vector<GemmBenchRow> run_gemm_bench(int threads, double rep_ms) {
    set_num_threads(threads);
    std::vector<Product> products{{"square 2048", "A·B", Trans::No, Trans::No, 2048, 2048, 2048}};
    for (const Layer& l : workload_layers()) {
        const std::string name = l.name;
        products.push_back({name + " forward", "x·Wᵀ", Trans::No, Trans::Yes, l.rows, l.out, l.in});
        products.push_back({name + " dx", "dout·W", Trans::No, Trans::No, l.rows, l.in, l.out});
        products.push_back({name + " dW", "doutᵀ·x", Trans::Yes, Trans::No, l.out, l.in, l.rows});
    }
    constexpr long kBatch = 64, k = models::kConvKernel;
    for (const ConvLayer& l : conv_layers()) {
        if (l.transposed) {  // columns over the input's pixels, rows over the output's channels
            const long cols = kBatch * l.h * l.h, rows = l.cout * k * k;
            products.push_back({l.name + " forward", "Wᵀ·X'", Trans::Yes, Trans::No, rows, cols, l.c});
            products.push_back({l.name + " dW", "X'·dcolsᵀ", Trans::No, Trans::Yes, l.c, rows, cols});
            products.push_back({l.name + " dx", "W·dcols", Trans::No, Trans::No, l.c, cols, rows});
        } else {  // columns over the output's pixels, rows over the input's channels
            const long out = (l.h + 2 * models::kConvPadding - k) / models::kConvStride + 1;
            const long cols = kBatch * out * out, rows = l.c * k * k;
            products.push_back({l.name + " forward", "W·cols", Trans::No, Trans::No, l.cout, cols, rows});
            products.push_back({l.name + " dW", "dY'·colsᵀ", Trans::No, Trans::Yes, l.cout, rows, cols});
            products.push_back({l.name + " dx", "Wᵀ·dY'", Trans::Yes, Trans::No, rows, cols, l.cout});
        }
    }
    std::vector<GemmBenchRow> rows;
    for (const Product& p : products) rows.push_back(measure(p, threads, rep_ms));
    return rows;
}

std::string gemm_bench_json(const GemmBenchRow& r) {
    auto round1 = [](double v) { return std::round(v * 10) / 10; };
    nlohmann::ordered_json j;
    j["gemm"] = r.name;
    j["op"] = r.op;
    j["m"] = r.m;
    j["n"] = r.n;
    j["k"] = r.k;
    j["threads"] = r.threads;
    j["eigen_gflops"] = round1(r.eigen_gflops);
    if (r.openblas_gflops > 0) j["openblas_gflops"] = round1(r.openblas_gflops);
    j["genlab_gflops"] = round1(r.genlab_gflops);
    j["used"] = r.used;
    return json_text(j);
}

}  // namespace genlab::experiments
