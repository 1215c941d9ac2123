// Micro-benchmarks of the kernels a training step is made of (Google Benchmark): each op's forward
// and backward together, at the shapes of the benchmark workloads (docs/performance.md), and every activation
// on 1M elements. Figures are times; speed claims live here and in genlab-bench, never in tests.
//
//     build/bin/genlab-micro-bench                                 # everything, 1 thread
//     build/bin/genlab-micro-bench --threads 2 --benchmark_filter='Activation/gelu'
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/activations.h"
#include "core/nn/parameter.h"
#include "core/ops.h"
#include "core/optim/optimizer.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "core/tape.h"

namespace genlab {
namespace {

Tensor normal(Shape s, uint64_t seed, float std = 1.f) {
    Tensor t(s);
    Rng rng(seed);
    rng.fill_normal(t, 0.f, std);
    return t;
}

// One forward + backward of `op` per iteration on a reused tape (no allocation after the first);
// the output's gradient is seeded with ones, and parameter gradients are cleared between runs.
template <class Op>
void forward_backward(benchmark::State& state, std::vector<Parameter*> params, Op&& op) {
    Tape t;
    Tensor seed;
    for (auto _ : state) {
        t.reset();
        std::vector<Var> in;
        for (Parameter* p : params) in.push_back(t.param(*p));
        Var y = op(t, in);
        if (seed.shape() != t.shape(y)) seed = Tensor(t.shape(y), 1.f);
        t.backward(y, seed);
        for (Parameter* p : params) p->zero_grad();
        benchmark::DoNotOptimize(t.value(y).data());
    }
}

// A Linear layer: rows x (rows, in) -> (rows, out), bias included, at the workloads' shapes.
void BM_Linear(benchmark::State& state) {
    const long rows = state.range(0), in = state.range(1), out = state.range(2);
    Parameter x("x", normal(Shape{static_cast<int>(rows), static_cast<int>(in)}, 1));
    Parameter w("w", normal(Shape{static_cast<int>(out), static_cast<int>(in)}, 2, 0.05f));
    Parameter b("b", normal(Shape{static_cast<int>(out)}, 3));
    forward_backward(state, {&x, &w, &b},
                     [](Tape& t, const std::vector<Var>& v) { return linear(t, v[0], v[1], v[2]); });
    // Forward x·Wᵀ, backward dout·W and doutᵀ·x: three GEMMs of 2·rows·in·out FLOP each.
    state.counters["GFLOP/s"] = benchmark::Counter(6e-9 * static_cast<double>(rows * in * out),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Linear)
    ->ArgNames({"rows", "in", "out"})
    ->Args({64, 784, 512})   // gan D's first layer
    ->Args({128, 512, 784})  // ae decoder's last layer
    ->Args({768, 128, 512})  // gpt MLP up
    ->Args({768, 512, 128})  // gpt MLP down
    ->Unit(benchmark::kMicrosecond);

// The DCGAN's convolutions at batch 64 (k 4, s 2, p 1, bias): args (c, cout, h) for an input of c
// channels of h×h; conv2d halves h, conv_transpose2d doubles it. Three GEMMs of 2·cout·c·16·P FLOP
// each, P the output pixels of the conv (the input pixels of the transposed conv).
void BM_Conv2d(benchmark::State& state) {
    const int c = static_cast<int>(state.range(0)), cout = static_cast<int>(state.range(1)),
              h = static_cast<int>(state.range(2));
    Parameter x("x", normal(Shape{64, c, h, h}, 7));
    Parameter w("w", normal(Shape{cout, c, 4, 4}, 8, 0.05f));
    Parameter b("b", normal(Shape{cout}, 9));
    forward_backward(state, {&x, &w, &b},
                     [](Tape& t, const std::vector<Var>& v) { return conv2d(t, v[0], v[1], v[2], 2, 1); });
    state.counters["GFLOP/s"] = benchmark::Counter(6e-9 * 64 * cout * c * 16 * (h / 2) * (h / 2),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Conv2d)
    ->ArgNames({"c", "cout", "h"})
    ->Args({1, 32, 28})   // D's first convolution
    ->Args({32, 64, 14})  // D's second
    ->Unit(benchmark::kMicrosecond);

void BM_ConvTranspose2d(benchmark::State& state) {
    const int c = static_cast<int>(state.range(0)), cout = static_cast<int>(state.range(1)),
              h = static_cast<int>(state.range(2));
    Parameter x("x", normal(Shape{64, c, h, h}, 10));
    Parameter w("w", normal(Shape{c, cout, 4, 4}, 11, 0.05f));
    Parameter b("b", normal(Shape{cout}, 12));
    forward_backward(state, {&x, &w, &b},
                     [](Tape& t, const std::vector<Var>& v) { return conv_transpose2d(t, v[0], v[1], v[2], 2, 1); });
    state.counters["GFLOP/s"] = benchmark::Counter(6e-9 * 64 * cout * c * 16 * h * h,
                                                   benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ConvTranspose2d)
    ->ArgNames({"c", "cout", "h"})
    ->Args({128, 64, 7})  // G's first transposed convolution
    ->Args({64, 1, 14})   // G's second, to 28×28
    ->Unit(benchmark::kMicrosecond);

// Every elementwise activation of the registry, forward + backward on 1M elements.
void BM_Activation(benchmark::State& state, const std::string& spec) {
    const Activation act = parse_activation(spec);
    Parameter x("x", normal(Shape{1024, 1024}, 4, 2.f));
    Parameter param("a", Tensor(Shape{1}, act.learnable() ? act.learnable_init() : 0.f));
    std::vector<Parameter*> params{&x};
    if (act.learnable()) params.push_back(&param);
    forward_backward(state, params, [&](Tape& t, const std::vector<Var>& v) {
        return activate(t, v[0], act, act.learnable() ? v[1] : Var{});
    });
    state.SetItemsProcessed(state.iterations() * 1024 * 1024);
}

// gpt's layer norm: 768 rows of 128.
void BM_LayerNorm(benchmark::State& state) {
    Parameter x("x", normal(Shape{768, 128}, 5)), g("g", Tensor(Shape{128}, 1.f)), b("b", Tensor(Shape{128}, 0.f));
    forward_backward(state, {&x, &g, &b},
                     [](Tape& t, const std::vector<Var>& v) { return layer_norm(t, v[0], v[1], v[2]); });
}
BENCHMARK(BM_LayerNorm)->Unit(benchmark::kMicrosecond);

// gpt's causal self-attention: batch 12, block 64, 4 heads of 32.
void BM_Attention(benchmark::State& state) {
    Parameter qkv("qkv", normal(Shape{12, 64, 3 * 128}, 6));
    forward_backward(state, {&qkv},
                     [](Tape& t, const std::vector<Var>& v) { return causal_self_attention(t, v[0], 4); });
}
BENCHMARK(BM_Attention)->Unit(benchmark::kMicrosecond);

// gpt's loss: 768 rows of 65 logits against character ids.
void BM_CrossEntropy(benchmark::State& state) {
    Parameter logits("logits", normal(Shape{768, 65}, 7));
    Tensor targets(Shape{768});
    Rng rng(8);
    for (int i = 0; i < 768; ++i) targets[i] = static_cast<float>(rng.below(65));
    forward_backward(state, {&logits},
                     [&](Tape& t, const std::vector<Var>& v) { return cross_entropy(t, v[0], t.constant(targets)); });
}
BENCHMARK(BM_CrossEntropy)->Unit(benchmark::kMicrosecond);

// One AdamW update of as many parameters as gpt's 809,921 (a 2-D weight with decay, and a bias without).
void BM_AdamW(benchmark::State& state) {
    Parameter w("w", normal(Shape{1536, 512}, 9, 0.02f)), b("b", normal(Shape{23489}, 10, 0.02f));
    w.grad = normal(w.value.shape(), 11, 1e-3f);
    b.grad = normal(b.value.shape(), 12, 1e-3f);
    AdamW opt({{"w", &w}, {"b", &b}}, {.lr = 1e-3f, .beta2 = 0.99f, .weight_decay = 0.1f, .decay_matrices_only = true});
    for (auto _ : state) {
        opt.step();
        benchmark::DoNotOptimize(w.value.data());
    }
    state.SetItemsProcessed(state.iterations() * (w.value.numel() + b.value.numel()));
}
BENCHMARK(BM_AdamW)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace genlab

// --threads N (ours) sets the OpenMP pool; every other flag is Google Benchmark's.
int main(int argc, char** argv) {
    int threads = 1;
    std::vector<char*> args;
    for (int i = 0; i < argc; ++i) {
        if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            threads = std::atoi(argv[++i]);
            continue;
        }
        args.push_back(argv[i]);
    }
    if (threads < 1) {
        std::fprintf(stderr, "genlab-micro-bench: --threads must be at least 1\n");
        return 2;
    }
    genlab::set_num_threads(threads);
    for (const genlab::ActivationDef& def : genlab::activation_table()) {
        if (!def.forward) continue;  // softmax: not elementwise
        std::string spec = def.name;
        benchmark::RegisterBenchmark(("BM_Activation/" + spec).c_str(), genlab::BM_Activation, spec)
            ->Unit(benchmark::kMicrosecond);
    }
    int n = static_cast<int>(args.size());
    benchmark::Initialize(&n, args.data());
    if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 2;
    benchmark::AddCustomContext("threads", std::to_string(threads));
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
