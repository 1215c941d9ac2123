// genlab-activations: draws f and f' of every activation in the registry (or of --acts) as
// small multiples (activations.png / .svg), writes x, f(x) and the autodiff derivative as CSV
// (--csv), and tabulates properties: output range, zero-centred, monotonic, C1, saturation, f'(0)
// and cost per element relative to relu (--table).
//
//     genlab-activations                                   # every elementwise activation, [-6, 6]
//     genlab-activations --acts relu,gelu,leaky_relu:0.2 --range -4:4 --csv acts.csv --table
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/activations.h"
#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/plot.h"
#include "core/nn/parameter.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "core/tape.h"
#include "core/train/run_dir.h"
#include "demos/demo_main.h"

namespace genlab {
namespace {

constexpr const char* kProgram = "genlab-activations";

struct Options {
    std::string acts;               // comma-separated spec strings; empty: the whole registry
    std::string range = "-6:6";     // lo:hi
    int points = 241;
    std::string out;                // empty: outputs/activations/<timestamp>
    std::string csv;
    bool table = false;
    uint64_t seed = 1;
    int threads = 0;
};

struct Requested {
    std::string spec;  // as the user wrote it (trimmed): the CSV name and the panel title
    Activation act;
};

// One activation evaluated on the grid, through the tape.
struct Curve {
    std::vector<float> x, y, dy;  // (N)
};

// ---------------------------------------------------------------- flags

std::string trim(const std::string& s) {
    const size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// "relu,gelu,leaky_relu:0.2". A token that starts like a number continues the previous spec's
// parameter list, so a future two-parameter spec ("name:1,2") survives the comma split.
std::vector<Requested> parse_acts(const std::string& list) {
    std::vector<Requested> out;
    if (list.empty()) {
        for (const ActivationDef& d : activation_table()) {
            if (!d.elementwise) {
                std::cerr << kProgram << ": note: skipping " << d.name
                          << " (not elementwise: a distribution over the last dim, nothing to plot per x)\n";
                continue;
            }
            out.push_back({d.name, parse_activation(d.name)});
        }
        return out;
    }
    std::vector<std::string> specs;
    size_t b = 0;
    for (;;) {
        const size_t e = list.find(',', b);
        const std::string tok = trim(list.substr(b, e == std::string::npos ? std::string::npos : e - b));
        const char c0 = tok.empty() ? ' ' : tok[0];
        const bool numeric = std::isdigit(static_cast<unsigned char>(c0)) || c0 == '-' || c0 == '+' || c0 == '.';
        const bool continues = numeric && !specs.empty() && specs.back().find(':') != std::string::npos;
        if (tok.empty())
            usage_fail("--acts \"", list, "\": empty entry (expected a comma-separated list such as relu,gelu,leaky_relu:0.2)");
        if (continues) specs.back() += "," + tok;
        else specs.push_back(tok);
        if (e == std::string::npos) break;
        b = e + 1;
    }
    for (const std::string& s : specs) {
        Activation act = parse_activation(s);  // UsageError listing the known names
        if (!act.def->elementwise)
            usage_fail("--acts: ", act.name(), " is not elementwise (a distribution over the last dim); it has no f(x) to plot");
        out.push_back({s, act});
    }
    return out;
}

double parse_number(const std::string& s, const std::string& whole) {
    const std::string t = trim(s);
    double v = 0.0;
    const char* end = t.data() + t.size();
    auto res = std::from_chars(t.data(), end, v);
    if (t.empty() || res.ec != std::errc() || res.ptr != end || !std::isfinite(v))
        usage_fail("--range \"", whole, "\": \"", t, "\" is not a finite number (expected LO:HI, e.g. -6:6)");
    return v;
}

std::pair<double, double> parse_range(const std::string& r) {
    const size_t colon = r.find(':');
    if (colon == std::string::npos || r.find(':', colon + 1) != std::string::npos)
        usage_fail("--range \"", r, "\": expected LO:HI with one colon, e.g. -6:6");
    const double lo = parse_number(r.substr(0, colon), r), hi = parse_number(r.substr(colon + 1), r);
    if (!(lo < hi)) usage_fail("--range \"", r, "\": LO must be less than HI (got ", lo, " >= ", hi, "); hint: -6:6");
    if (std::abs(lo) > 1e6 || std::abs(hi) > 1e6) usage_fail("--range \"", r, "\": keep |LO| and |HI| <= 1e6");
    return {lo, hi};
}

// ---------------------------------------------------------------- evaluation

// x evenly spaced over [lo, hi] (both ends included); y and dy through the autodiff engine, so
// the CSV checks the kernels the models run, not only the scalar formulas.
Curve evaluate(const Activation& act, double lo, double hi, int n) {
    Curve c;
    Parameter x("x", Tensor(Shape{n}));  // (N)
    for (int i = 0; i < n; ++i) {
        // Endpoints exact: lo + (hi - lo) * i / (n - 1) can miss hi by a rounding.
        const double v = i == n - 1 ? hi : lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(n - 1);
        x.value[static_cast<size_t>(i)] = static_cast<float>(v);
    }
    Parameter p;
    Tape t;
    Var xv = t.param(x);
    Var pv;
    if (act.learnable()) {
        p = Parameter(act.def->learnable[0].first, Tensor(Shape{1}, {act.learnable_init()}));
        pv = t.param(p);
    }
    Var y = activate(t, xv, act, pv);          // (N)
    t.backward(y, Tensor(Shape{n}, 1.f));      // dy/dx of an elementwise f is the VJP with ones
    const Tensor& yv = t.value(y);
    c.x.assign(x.value.data(), x.value.data() + n);
    c.y.assign(yv.data(), yv.data() + n);
    c.dy.assign(x.grad.data(), x.grad.data() + n);
    return c;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
}

std::string fmt_g(double v, int digits) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    return buf;
}

void write_csv(const std::string& path, const std::vector<Requested>& acts, const std::vector<Curve>& curves) {
    std::string s = "activation,x,y,dy\n";
    for (size_t k = 0; k < acts.size(); ++k) {
        const std::string name = csv_field(acts[k].spec);
        const Curve& c = curves[k];
        for (size_t i = 0; i < c.x.size(); ++i)
            s += name + "," + fmt_g(c.x[i], 9) + "," + fmt_g(c.y[i], 9) + "," + fmt_g(c.dy[i], 9) + "\n";
    }
    write_file_atomic(path, s);
}

// ---------------------------------------------------------------- properties (--table)

struct Properties {
    std::string range;
    bool zero_centred = false, monotonic = false, smooth = false;
    std::string saturates;
    float df0 = 0.f;
    double ns_per_element = 0.0;
    double relative_cost = 0.0;
};

std::string bound(double v) {
    std::string s = fmt_g(v, 3);
    return s == "-0" ? "0" : s;
}

Properties analyse(const Activation& act) {
    Properties pr;
    // Output range over a wide sweep. A side whose value still moves between x = ±500 and ±1000
    // is unbounded; otherwise it approaches a limit. A bound is attained (closed bracket) when the
    // extreme value is taken at a moderate x, and only approached (open) when it sits in a tail.
    constexpr double kWide = 1e3;
    constexpr int kSweep = 200001;  // step 0.01
    double lo = INFINITY, hi = -INFINITY;
    std::vector<float> ys(kSweep);
    for (int i = 0; i < kSweep; ++i) {
        const double x = -kWide + 2.0 * kWide * i / (kSweep - 1);
        const float y = act.f(static_cast<float>(x));
        ys[static_cast<size_t>(i)] = y;
        lo = std::min(lo, static_cast<double>(y));
        hi = std::max(hi, static_cast<double>(y));
    }
    auto grows = [&](float far, float mid) { return std::abs(static_cast<double>(far) - mid) > 1e-3; };
    const float fl = act.f(-static_cast<float>(kWide)), fr = act.f(static_cast<float>(kWide));
    const bool left_unbounded = grows(fl, act.f(-500.f)), right_unbounded = grows(fr, act.f(500.f));
    const bool lo_inf = (left_unbounded && fl < 0.f) || (right_unbounded && fr < 0.f);
    const bool hi_inf = (left_unbounded && fl > 0.f) || (right_unbounded && fr > 0.f);
    auto attained = [&](double v) {
        for (int i = 0; i < kSweep; ++i) {
            const double x = -kWide + 2.0 * kWide * i / (kSweep - 1);
            if (std::abs(x) <= 4.0 && std::abs(ys[static_cast<size_t>(i)] - v) <= 1e-6 * std::max(1.0, std::abs(v))) return true;
        }
        return false;
    };
    pr.range = std::string(lo_inf ? "(-inf" : (attained(lo) ? "[" : "(") + bound(lo)) + ", " +
               (hi_inf ? "inf)" : bound(hi) + (attained(hi) ? "]" : ")"));

    const float f0 = act.f(0.f);
    pr.zero_centred = std::abs(f0) < 1e-6f && lo < -1e-6 && hi > 1e-6;

    pr.monotonic = true;
    for (size_t i = 1; i < ys.size() && pr.monotonic; ++i)
        pr.monotonic = ys[i] >= ys[i - 1] - 1e-6f * std::max(1.f, std::abs(ys[i - 1]));

    // C1: f' sampled every 1e-3 on a grid straddling 0 (and every kink we know of) must not jump;
    // a smooth f' moves by |f''| * 1e-3, far below the threshold.
    pr.smooth = true;
    constexpr double kStep = 1e-3;
    float prev = act.df(static_cast<float>(-8.0 + 0.5 * kStep));
    for (int i = 1; i < 16000 && pr.smooth; ++i) {
        const float d = act.df(static_cast<float>(-8.0 + (i + 0.5) * kStep));
        pr.smooth = std::isfinite(d) && std::abs(d - prev) < 0.05f;
        prev = d;
    }

    const bool sat_left = std::abs(act.df(-static_cast<float>(kWide))) < 1e-3f;
    const bool sat_right = std::abs(act.df(static_cast<float>(kWide))) < 1e-3f;
    pr.saturates = sat_left && sat_right ? "both" : sat_left ? "left" : sat_right ? "right" : "none";
    pr.df0 = act.df(0.f);
    return pr;
}

// Median wall time of the span forward + backward (+ dparam) kernels over `x`, in ns/element.
// Kernels are called directly (one thread): this measures the arithmetic, not the scheduling.
double time_kernels(const Activation& act, const std::vector<float>& x, std::vector<float>& y,
                    const std::vector<float>& dy, std::vector<float>& dx) {
    const ActivationDef& d = *act.def;
    const float* p = act.params.data();
    const size_t n = x.size();
    constexpr int kRuns = 7;
    std::vector<double> ms;
    volatile double sink = 0.0;  // keeps dparam's result alive
    for (int r = 0; r <= kRuns; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        d.forward(x.data(), y.data(), n, p);
        d.backward(x.data(), y.data(), dy.data(), dx.data(), n, p);
        if (d.dparam) sink = sink + d.dparam(x.data(), y.data(), dy.data(), n, p);
        const auto t1 = std::chrono::steady_clock::now();
        if (r > 0) ms.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());  // run 0 warms caches
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2] / static_cast<double>(n);
}

void write_table(const Options& o, const std::string& out, const std::vector<Requested>& acts) {
    constexpr size_t kN = 1 << 20;
    Rng rng(o.seed);
    std::vector<float> x(kN), y(kN), dy(kN), dx(kN, 0.f);
    for (size_t i = 0; i < kN; ++i) {
        x[i] = 3.f * rng.normal();  // both branches of every kink, as in a real layer
        dy[i] = rng.normal();
    }
    const Activation relu = parse_activation("relu");
    const double relu_ns = time_kernels(relu, x, y, dy, dx);

    std::vector<Properties> props;
    for (const Requested& r : acts) {
        Properties p = analyse(r.act);
        // relu itself reuses the baseline, so its row reads exactly 1.00 rather than timing noise.
        p.ns_per_element = r.act.def == relu.def ? relu_ns : time_kernels(r.act, x, y, dy, dx);
        p.relative_cost = p.ns_per_element / relu_ns;
        props.push_back(p);
    }

    auto yes = [](bool b) { return std::string(b ? "yes" : "no"); };
    std::string md = "| activation | output range | zero-centred | monotonic | smooth (C1) | saturates | f'(0) | cost vs relu |\n"
                     "|---|---|---|---|---|---|---|---|\n";
    std::string csv = "activation,range,zero_centred,monotonic,smooth,saturates,df0,ns_per_element,relative_cost\n";
    for (size_t k = 0; k < acts.size(); ++k) {
        const Properties& p = props[k];
        char cost[32];
        std::snprintf(cost, sizeof cost, "%.2f", p.relative_cost);
        md += "| " + acts[k].spec + " | " + p.range + " | " + yes(p.zero_centred) + " | " + yes(p.monotonic) + " | " +
              yes(p.smooth) + " | " + p.saturates + " | " + fmt_g(p.df0, 4) + " | " + cost + " |\n";
        csv += csv_field(acts[k].spec) + "," + csv_field(p.range) + "," + yes(p.zero_centred) + "," + yes(p.monotonic) +
               "," + yes(p.smooth) + "," + p.saturates + "," + fmt_g(p.df0, 6) + "," + fmt_g(p.ns_per_element, 4) + "," +
               cost + "\n";
    }
    md += "\nRange over x in [-1e3, 1e3] ('[' attained, '(' approached); saturates: f' -> 0 on that side; "
          "cost: median time of the forward + backward span kernels on 2^20 elements, one thread, relative to relu (" +
          fmt_g(relu_ns, 3) + " ns/element).\n";
    std::cout << md;
    write_file_atomic(out + "/table.md", md);
    write_file_atomic(out + "/table.csv", csv);
}

// ---------------------------------------------------------------- plot

void write_plots(const std::string& out, const std::vector<Requested>& acts, const std::vector<Curve>& curves,
                 double lo, double hi) {
    Figure fig;
    fig.title = "Activation functions f(x) and derivatives f'(x) on [" + fmt_g(lo, 6) + ", " + fmt_g(hi, 6) + "]";
    fig.svg_id = "activations";
    const int n = static_cast<int>(acts.size());
    fig.cols = n <= 4 ? n : (n <= 8 ? 4 : 5);
    fig.panel_width = 280;
    fig.panel_height = 215;
    for (size_t k = 0; k < acts.size(); ++k) {
        Panel p;
        p.title = acts[k].spec;
        p.x_min = lo;
        p.x_max = hi;
        Series f{.label = "f(x)", .color = palette_color(0)};
        Series df{.label = "f'(x)", .color = palette_color(1)};
        const Curve& c = curves[k];
        for (size_t i = 0; i < c.x.size(); ++i) {
            f.x.push_back(c.x[i]);
            f.y.push_back(c.y[i]);
            df.x.push_back(c.x[i]);
            df.y.push_back(c.dy[i]);
        }
        p.series = {std::move(f), std::move(df)};
        fig.panels.push_back(std::move(p));
    }
    save_figure(fig, out + "/activations.png", out + "/activations.svg");
}

int run(const Options& o) {
    const auto [lo, hi] = parse_range(o.range);
    if (o.points < 2 || o.points > 100000)
        usage_fail("--points ", o.points, ": expected 2..100000 points (the grid includes both ends of --range)");
    if (o.threads < 0) usage_fail("--threads ", o.threads, ": expected >= 0 (0: the OpenMP default)");
    const std::vector<Requested> acts = parse_acts(o.acts);
    if (acts.empty()) usage_fail("--acts: nothing to draw");
    set_num_threads(o.threads);

    const std::string out = o.out.empty() ? default_out_dir("activations") : o.out;
    make_out_dir(out);

    std::vector<Curve> curves;
    for (const Requested& r : acts) curves.push_back(evaluate(r.act, lo, hi, o.points));

    nlohmann::ordered_json cfg;
    cfg["demo"] = "activations";
    std::vector<std::string> specs;
    for (const Requested& r : acts) specs.push_back(r.spec);
    cfg["acts"] = specs;
    cfg["range"] = {lo, hi};
    cfg["points"] = o.points;
    cfg["out"] = out;
    cfg["csv"] = o.csv;
    cfg["table"] = o.table;
    cfg["seed"] = o.seed;
    cfg["threads"] = o.threads;
    write_config_json(out, cfg.dump());

    write_plots(out, acts, curves, lo, hi);
    std::cout << "wrote " << out << "/activations.png and activations.svg (" << acts.size()
              << (acts.size() == 1 ? " activation)\n" : " activations)\n");
    if (!o.csv.empty()) {
        const std::string csv_dir = std::filesystem::path(o.csv).parent_path().string();
        if (!csv_dir.empty()) make_out_dir(csv_dir);
        write_csv(o.csv, acts, curves);
        std::cout << "wrote " << o.csv << " (" << o.points << " rows per activation)\n";
    }
    if (o.table) write_table(o, out, acts);
    return 0;
}

}  // namespace
}  // namespace genlab

int main(int argc, char** argv) {
    genlab::Options o;
    CLI::App app{"Plot activation functions and their derivatives, export them as CSV, and tabulate their properties."};
    app.add_option("--acts", o.acts, "Comma-separated activation specs (default: every elementwise registry entry)");
    app.add_option("--range", o.range, "x range LO:HI")->capture_default_str();
    app.add_option("--points", o.points, "Evenly spaced points over the range, both ends included")->capture_default_str();
    app.add_option("--out", o.out, "Output folder (default: outputs/activations/<YYYYmmdd-HHMMSS>)");
    app.add_option("--csv", o.csv, "Write activation,x,y,dy rows to this file (dy through autodiff)");
    app.add_flag("--table", o.table, "Print and write table.md / table.csv of activation properties");
    app.add_option("--seed", o.seed, "Seed of the random inputs used for timing")->capture_default_str();
    app.add_option("--threads", o.threads, "Threads (0: OpenMP default)")->capture_default_str();
    return genlab::demo_main(genlab::kProgram, app, argc, argv, [&] { return genlab::run(o); });
}
