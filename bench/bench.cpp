// Each workload is a registry experiment built from its defaults plus a few settings; steps are
// timed around Experiment::step, which includes drawing the batch, as torch_ref.py's step does.
#include "bench/bench.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/gemm.h"
#include "core/io/json_text.h"
#include "core/parallel.h"
#include "experiments/experiment.h"

namespace genlab::experiments {

namespace {

// A benchmark workload: an experiment of the registry with the settings that make its defaults
// the workload, and the step metrics bench_json reports as its final loss.
struct Workload {
    const char* name;
    const char* experiment;
    std::function<std::map<std::string, std::string>(const BenchOptions&)> settings;
    std::vector<std::pair<std::string, std::string>> final_loss;  // (JSON key, metric); key "": the value itself
};

const std::vector<Workload>& workload_table() {
    static const std::vector<Workload> w{
        // No feature classifier: training only.
        {"gan",
         "gan",
         [](const BenchOptions&) {
             return std::map<std::string, std::string>{{"fd_samples", "0"}};
         },
         {{"D", "d_loss"}, {"G", "g_loss"}}},
        // DCGAN (models/conv_nets.h) at its defaults: the same loop and batch as gan, Adam at kDcganLr.
        {"dcgan",
         "gan",
         [](const BenchOptions&) {
             return std::map<std::string, std::string>{{"arch", "conv"}, {"fd_samples", "0"}};
         },
         {{"D", "d_loss"}, {"G", "g_loss"}}},
        {"ae", "ae", [](const BenchOptions&) { return std::map<std::string, std::string>{}; }, {{"", "train_loss"}}},
        {"gpt",
         "text",
         [](const BenchOptions& opt) {
             return std::map<std::string, std::string>{{"corpus", opt.corpus.empty() ? "shakespeare" : opt.corpus},
                                                       {"mode", "stream"}};
         },
         {{"", "loss"}}}};
    return w;
}

const Workload& workload_of(const std::string& name) {
    for (const Workload& w : workload_table())
        if (w.name == name) return w;
    usage_fail("--workload ", name, ": unknown");
}

std::vector<std::string> with_all(std::vector<std::string> names) {
    names.push_back("all");
    return names;
}

std::string workload_help() {
    std::string t;
    for (const std::string& w : bench_workloads()) t += w + ", ";
    return t + "or all (the benchmark workloads)";
}

}  // namespace

const ConfigSpec<BenchOptions>& bench_options_spec() {
    using B = BenchOptions;
    static const ConfigSpec<B> spec =
        ConfigSpec<B>()
            .field("workload", &B::workload, workload_help(), one_of(with_all(bench_workloads())))
            .field("steps", &B::steps, "Timed steps", in_range(1, 1'000'000))
            .field("warmup", &B::warmup, "Untimed steps first (they count for the LR schedule)", in_range(0, 1'000'000))
            .field("threads", &B::threads, "OpenMP threads", in_range(1, 1024))
            .field("block", &B::block, "Steps per timing block (the median is over blocks)", in_range(1, 100'000))
            .field("seed", &B::seed, "Seed of the data order, init and noise")
            .field("corpus", &B::corpus,
                   "gpt: the text corpus (default: shakespeare, the tiny Shakespeare the repository ships)")
            .field("gemm", &B::gemm,
                   "Instead of the workloads: GFLOP/s of each GEMM backend on 2048² and the workloads' layer shapes");
    return spec;
}

const std::vector<std::string>& bench_workloads() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const Workload& w : workload_table()) n.push_back(w.name);
        return n;
    }();
    return names;
}

namespace {

double peak_rss_mb() {
    struct rusage u {};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;  // kB on Linux
}

}  // namespace

BenchResult run_bench(const BenchOptions& opt) {
    bench_options_spec().validate(opt);
    set_num_threads(opt.threads);
    const std::map<std::string, std::string> settings = workload_of(opt.workload).settings(opt);
    const ExperimentDef& def = find_experiment(workload_of(opt.workload).experiment);
    std::unique_ptr<ConfigBox> cfg = def.new_config();
    for (const auto& [key, value] : settings) cfg->set(key, value);
    cfg->resolve([&](const std::string& key) { return settings.count(key) > 0; });
    const RunOptions run{.steps = opt.warmup + opt.steps, .seed = opt.seed, .threads = opt.threads, .quiet = true};
    std::unique_ptr<Experiment> exp = def.create(*cfg, run);

    BenchResult r;
    r.opt = opt;
    std::unique_ptr<ConfigBox> built = def.new_config();  // with the fields the data decided (vocabulary)
    built->from_json(nlohmann::json(exp->config()), "genlab-bench");
    r.n_params = def.memory(*built).parameters;
    r.batch = built->to_json().value("batch", 0);
    int s = 0;
    for (; s < opt.warmup; ++s) r.final_metrics = exp->step(s);
    using Clock = std::chrono::steady_clock;
    std::vector<double> block_ms;
    const double flops0 = gemm_flops();
    const auto t0 = Clock::now();
    for (int done = 0; done < opt.steps;) {
        const int n = std::min(opt.block, opt.steps - done);
        const auto tb = Clock::now();
        for (int i = 0; i < n; ++i) r.final_metrics = exp->step(s++);
        block_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - tb).count() / n);
        done += n;
    }
    r.ms_per_step_mean = std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / opt.steps;
    r.gemm_gflop_per_step = (gemm_flops() - flops0) / opt.steps / 1e9;
    std::sort(block_ms.begin(), block_ms.end());
    const size_t m = block_ms.size();
    r.ms_per_step = m % 2 ? block_ms[m / 2] : 0.5 * (block_ms[m / 2 - 1] + block_ms[m / 2]);  // numpy's median
    r.block_ms_min = block_ms.front();
    r.block_ms_max = block_ms.back();
    r.peak_rss_mb = peak_rss_mb();
    return r;
}

std::vector<std::string> bench_args(const BenchOptions& opt, const std::string& workload) {
    BenchOptions one = opt;
    one.workload = workload;
    std::vector<std::string> args;
    const nlohmann::ordered_json j = bench_options_spec().to_json(one);
    for (const auto& [key, value] : j.items()) {
        if (value.is_boolean()) {  // a switch: present or absent
            if (value.get<bool>()) args.push_back(flag_name(key));
            continue;
        }
        args.push_back(flag_name(key));
        args.push_back(value.is_string() ? value.get<std::string>() : json_text(value));
    }
    return args;
}

std::string bench_json(const BenchResult& r) {
    auto round4 = [](double v) { return std::round(v * 1e4) / 1e4; };
    nlohmann::ordered_json j;
    j["workload"] = r.opt.workload;
    j["threads"] = r.opt.threads;
    j["steps"] = r.opt.steps;
    j["warmup"] = r.opt.warmup;
    j["ms_per_step"] = round4(r.ms_per_step);
    j["ms_per_step_method"] = str("median over blocks of ", r.opt.block, " steps");
    j["ms_per_step_mean"] = round4(r.ms_per_step_mean);
    j["block_ms_min"] = round4(r.block_ms_min);
    j["block_ms_max"] = round4(r.block_ms_max);
    j["steps_per_s"] = std::round(1e6 / r.ms_per_step) / 1e3;
    auto metric = [&](const std::string& name) {
        for (const auto& [k, v] : r.final_metrics)
            if (k == name) return v;
        fail("genlab-bench: the ", r.opt.workload, " step reported no '", name, "'");
    };
    for (const auto& [key, name] : workload_of(r.opt.workload).final_loss) {
        if (key.empty())
            j["final_loss"] = metric(name);
        else
            j["final_loss"][key] = metric(name);
    }
    j["n_params"] = r.n_params;
    j["batch"] = r.batch;
    j["peak_rss_mb"] = std::round(r.peak_rss_mb * 10) / 10;
    j["gemm"] = gemm_backend_description(gemm_backend());
    j["gemm_gflop_per_step"] = round4(r.gemm_gflop_per_step);
    return json_text(j);
}

}  // namespace genlab::experiments
