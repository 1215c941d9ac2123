// genlab-activations: draws f and f' of every activation in the registry (or of --acts) as
// small multiples (activations.png / .svg), writes x, f(x) and the autodiff derivative as CSV
// (--csv), and tabulates properties: output range, zero-centred, monotonic, C1, saturation, f'(0)
// and cost per element relative to relu (--table). The measuring is bench/activation_properties.
//
//     genlab-activations                                   # every elementwise activation, [-6, 6]
//     genlab-activations --acts relu,gelu,leaky_relu:0.2 --range -4:4 --csv acts.csv --table
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>

#include "bench/activation_properties.h"
#include "config/config.h"
#include "core/io/atomic_file.h"
#include "core/io/input_file.h"
#include "core/io/json_text.h"
#include "core/parallel.h"
#include "core/train/run_dir.h"
#include "experiments/cli.h"
#include "experiments/runner.h"
#include "viz/plot.h"

namespace genlab {
namespace {

struct Options {
    std::string acts;            // comma-separated specs; empty: every elementwise registry entry
    std::string range = "-6:6";  // LO:HI
    int points = 241;
    std::string out;  // empty: outputs/activations/<timestamp>
    std::string csv;
    bool table = false;
    uint64_t seed = 1;  // the random inputs the cost is timed on
    int threads = 0;
    bool force = false;  // replace an earlier genlab-activations output in --out / --csv
};

const char* const kTool = "genlab-activations";  // config.json's "tool": what marks a folder as ours
const char* const kCsvHeader = "activation,x,y,dy\n";

// LO:HI with LO < HI, both finite and within +-1e6.
bool parse_range(const std::string& text, double* lo, double* hi) {
    const size_t colon = text.find(':');
    float a = 0.f, b = 0.f;
    if (colon == std::string::npos || !parse_value(text.substr(0, colon), a) || !parse_value(text.substr(colon + 1), b))
        return false;
    *lo = a;
    *hi = b;
    return a < b && std::abs(a) <= 1e6f && std::abs(b) <= 1e6f;
}

const ConfigSpec<Options>& options_spec() {
    static const ConfigSpec<Options> spec =
        ConfigSpec<Options>()
            .field("acts", &Options::acts,
                   "Comma-separated activation specs (default: every elementwise registry entry)",
                   Check<std::string>([](const std::string& s) {
                       try {
                           parse_activation_list(s, "--acts");
                       } catch (const UsageError& e) {
                           return std::string(e.what());
                       }
                       return std::string();
                   }))
            .field("range", &Options::range, "x range LO:HI", Check<std::string>([](const std::string& s) {
                       double lo = 0, hi = 0;
                       return parse_range(s, &lo, &hi) ? std::string()
                                                       : "expected LO:HI with finite LO < HI, e.g. -6:6";
                   }))
            .field("points", &Options::points, "Evenly spaced points over the range, both ends included",
                   in_range(2, 100000))
            .field("out", &Options::out, "Output folder (default: outputs/activations/<YYYYmmdd-HHMMSS>)")
            .field("csv", &Options::csv, "Write activation,x,y,dy rows to this file (dy through autodiff)")
            .field("table", &Options::table, "Print and write table.md / table.csv of activation properties")
            .field("seed", &Options::seed, "Seed of the random inputs used for timing")
            .field("threads", &Options::threads, "Threads (0: OpenMP default)", in_range(0, 1024))
            .field("force", &Options::force,
                   "Replace an earlier genlab-activations output in --out and --csv (never other files)");
    return spec;
}

// --out and --csv follow a training run's rule (experiments/runner.cpp): a new or empty folder, a
// new file, or with --force an earlier output of this program; never a file that is not ours
// (a run's config.json, a user's table.md). Checked before anything is written.
void check_destinations(const Options& o, const std::string& out) {
    if (!o.out.empty())
        if (const std::optional<nlohmann::json> held = experiments::out_folder_config(out)) {
            if (!held->is_object() || !held->contains("tool") || (*held)["tool"] != kTool)
                usage_fail("--out ", out, ": a folder that is not empty and holds no earlier ", kTool,
                           " output; choose a new or empty folder");
            if (!o.force)
                usage_fail("--out ", out, ": holds an earlier ", kTool,
                           " output; replace it with --force, or choose another --out");
        }
    std::error_code ec;
    if (o.csv.empty() || !std::filesystem::exists(std::filesystem::symlink_status(o.csv, ec))) return;
    std::string head;
    try {
        head = read_file_part(o.csv, FilePart::Head, std::strlen(kCsvHeader), "--csv file", Links::Refuse);
    } catch (const Error&) {  // a link, a folder, a device: not ours either
    }
    if (head != kCsvHeader)
        usage_fail("--csv ", o.csv, ": exists and is not a CSV ", kTool, " wrote; choose another file");
    if (!o.force)
        usage_fail("--csv ", o.csv, ": holds an earlier ", kTool,
                   " CSV; replace it with --force, or choose another file");
}

int run(const Options& o) {
    double lo = 0, hi = 0;
    parse_range(o.range, &lo, &hi);
    const std::vector<Activation> acts = parse_activation_list(o.acts, "--acts");
    if (o.acts.empty())
        for (const ActivationDef& d : activation_table())
            if (!d.elementwise)
                std::cerr << "genlab-activations: note: skipping " << d.name
                          << " (not elementwise: a distribution over the last dim, nothing to plot per x)\n";
    set_num_threads(o.threads);
    const std::string out = o.out.empty() ? default_out_dir("activations") : o.out;
    check_destinations(o, out);
    nlohmann::ordered_json cfg;
    cfg["tool"] = kTool;
    cfg.update(options_spec().to_json(o));
    cfg["out"] = out;
    cfg["acts"] = nlohmann::json::array();
    for (const Activation& a : acts) cfg["acts"].push_back(a.spec);
    write_config_json(out, json_text(cfg));

    // f and f' per panel, through the autodiff op.
    Figure fig{.title = "Activation functions f(x) and derivatives f'(x) on [" + o.range + "]",
               .cols = acts.size() <= 4 ? static_cast<int>(acts.size()) : (acts.size() <= 8 ? 4 : 5),
               .panel_width = 280,
               .panel_height = 215,
               .svg_id = "activations"};
    std::string csv = kCsvHeader;
    for (const Activation& a : acts) {
        const ActivationCurve c = activation_curve(a, lo, hi, o.points);
        Series f{.label = "f(x)", .color = palette_color(0)}, df{.label = "f'(x)", .color = palette_color(1)};
        f.x.assign(c.x.begin(), c.x.end());
        f.y.assign(c.y.begin(), c.y.end());
        df.x = f.x;
        df.y.assign(c.dy.begin(), c.dy.end());
        fig.panels.push_back(Panel{.title = a.spec, .series = {std::move(f), std::move(df)}, .x_min = lo, .x_max = hi});
        for (size_t i = 0; i < c.x.size(); ++i)
            csv += str(a.spec, ",", value_text(c.x[i]), ",", value_text(c.y[i]), ",", value_text(c.dy[i]), "\n");
    }
    save_figure(fig, out + "/activations.png", out + "/activations.svg");
    std::cout << "wrote " << out << "/activations.png and activations.svg (" << acts.size()
              << (acts.size() == 1 ? " activation)\n" : " activations)\n");
    if (!o.csv.empty()) {
        const std::string dir = std::filesystem::path(o.csv).parent_path().string();
        if (!dir.empty()) make_out_dir(dir);
        write_file_atomic(o.csv, csv);
        std::cout << "wrote " << o.csv << " (" << o.points << " rows per activation)\n";
    }
    if (o.table) {
        const PropertyTable t = property_table(acts, o.seed);
        std::cout << t.markdown;
        write_file_atomic(out + "/table.md", t.markdown);
        write_file_atomic(out + "/table.csv", t.csv);
    }
    return 0;
}

}  // namespace
}  // namespace genlab

int main(int argc, char** argv) {
    genlab::Options o;
    return genlab::experiments::options_main(
        "genlab-activations",
        "Plot activation functions and their derivatives, export them as CSV, and tabulate their properties.",
        genlab::options_spec(), o, argc, argv, [&] { return genlab::run(o); });
}
