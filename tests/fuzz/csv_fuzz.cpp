// libFuzzer target for the CSV tables genlab reads back from its folders: a run's metrics.csv and a
// sweep run's diagnostics.csv (read to plot, summarise and resume) and a sweep's results.csv (read
// by a rerun and by the report). The input is the file's text, read as each of them:
//   - as a table (parse_csv): one written back with csv_line must read back the same (for the cells
//     genlab writes: no line breaks inside a cell);
//   - as a metrics table: every kept row's step is an integer no later than the step asked for;
//   - as results.csv of a small sweep folder, through load_sweep and the ranking and claims it feeds.
// Anything but a genlab::Error is a bug: a crash, UB, an exception of another type.
#include <unistd.h>

#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/fuzz/fuzz_target.h"
#include "core/error.h"
#include "core/train/metrics_csv.h"
#include "sweep/report.h"
#include "sweep/sweep_data.h"

using namespace genlab;

namespace {

// A sweep folder with a fixed description and summary, made once (and removed at exit); each
// input becomes its results.csv.
struct CsvFuzzSweep {
    std::string dir;
    ~CsvFuzzSweep() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

const std::string& csv_fuzz_sweep() {
    static const CsvFuzzSweep sweep{[] {
        std::string tmpl = (std::filesystem::temp_directory_path() / "genlab-csv-fuzz-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) __builtin_trap();
        std::ofstream(tmpl + "/ablation.json")
            << R"({"tool":"genlab-ablate","sweep":{"model":"gan","where":"both","steps":10,"eval_every":5,)"
               R"("diag_every":5,"config":{"data":"ring8"}},"quality":[{"metric":"fd","better":"lower"},)"
               R"({"metric":"modes","better":"higher"}]})";
        std::ofstream(tmpl + "/summary.json")
            << R"({"arms":[{"arm":"relu","activation":"relu","init":"","lr":"","seeds":[1,2],"diverged_seeds":[],"rank":1},)"
               R"({"arm":"tanh","activation":"tanh","init":"","lr":"","seeds":[1],"diverged_seeds":[2],"rank":2}]})";
        return tmpl;
    }()};
    return sweep.dir;
}

bool writes_back(const CsvTable& t) {
    auto plain = [](const std::vector<std::string>& cells) {
        if (cells.size() == 1 && cells[0].empty()) return false;  // written as an empty line, which readers skip
        for (const std::string& c : cells)
            if (c.find_first_of("\r\n") != std::string::npos) return false;
        return true;
    };
    if (t.columns.empty() || !plain(t.columns)) return false;
    for (const auto& r : t.rows)
        if (!plain(r)) return false;
    return true;
}

}  // namespace

GENLAB_FUZZ_TARGET(csv) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const CsvTable t = parse_csv(text, "fuzz.csv");
        if (writes_back(t)) {
            std::string back = csv_line(t.columns);
            for (const auto& r : t.rows) back += csv_line(r);
            const CsvTable again = parse_csv(back, "fuzz.csv");
            if (again.columns != t.columns || again.rows != t.rows) __builtin_trap();
        }
        for (const long keep : {LONG_MAX, 5L}) {
            try {
                const MetricsTable m = metrics_table(t, "fuzz.csv", keep);
                for (const double s : m.steps())
                    if (!(s == std::floor(s)) || s > static_cast<double>(keep)) __builtin_trap();
                for (const std::string& c : m.columns) (void)m.column(c);
            } catch (const Error&) {
            }
        }
    } catch (const Error&) {
    }
    try {
        const std::string dir = csv_fuzz_sweep();
        std::ofstream(dir + "/results.csv", std::ios::binary | std::ios::trunc) << text;
        const experiments::SweepData s = experiments::load_sweep(dir);
        (void)experiments::ranking_table_html(s);
        (void)experiments::claims_html(s);
    } catch (const Error&) {
    }
    return 0;
}
