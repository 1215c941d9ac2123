// metrics.csv reading and line formatting (see metrics_csv.h).
#include "core/train/metrics_csv.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/input_file.h"
#include "core/number_text.h"

namespace genlab {

namespace {

std::string csv_cell(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += (c == '"') ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

}  // namespace

std::string csv_line(const std::vector<std::string>& cells) {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
        if (i) line += ',';
        line += csv_cell(cells[i]);
    }
    line += '\n';
    return line;
}

std::vector<std::string> csv_split(const std::string& line) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                cells.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cells.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            cells.emplace_back();
        } else {
            cells.back() += c;
        }
    }
    return cells;
}

bool MetricsTable::has(const std::string& column) const {
    for (const std::string& c : columns)
        if (c == column) return true;
    return false;
}

std::vector<double> MetricsTable::steps() const { return column("step"); }

std::vector<double> MetricsTable::column(const std::string& name) const {
    std::vector<double> out(rows.size(), std::nan(""));
    size_t k = 0;
    while (k < columns.size() && columns[k] != name) ++k;
    if (k == columns.size()) return out;
    for (size_t i = 0; i < rows.size(); ++i) {
        const std::string& cell = rows[i][k];
        if (cell.empty()) continue;
        double v = 0;
        if (parse_number(cell, v)) out[i] = v;
    }
    return out;
}

CsvTable parse_csv(const std::string& text, const std::string& name) {
    CsvTable t;
    bool header = true;
    for (size_t pos = 0; pos < text.size();) {
        const size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) break;  // an unfinished last line
        std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        std::vector<std::string> cells = csv_split(line);
        if (header) {
            t.columns = std::move(cells);
            header = false;
            continue;
        }
        if (cells.size() > t.columns.size())
            fail(name, ": row starting '", cells[0].substr(0, 40), "' has ", cells.size(), " cells for ",
                 t.columns.size(), " columns (corrupted file?)");
        cells.resize(t.columns.size());
        t.rows.push_back(std::move(cells));
    }
    return t;
}

CsvTable read_csv(const std::string& path) {
    return parse_csv(read_whole_file(path, kMaxCsvFileBytes, "CSV table", "", Links::Refuse), path);
}

MetricsTable metrics_table(CsvTable csv, const std::string& name, long keep_until_step) {
    MetricsTable t;
    if (csv.columns.empty()) return t;
    if (csv.columns[0] != "step")
        fail(name, ": first column is '", csv.columns[0].substr(0, 40),
             "', expected 'step' (not a genlab metrics file? pass another --out)");
    t.columns = std::move(csv.columns);
    for (std::vector<std::string>& cells : csv.rows) {
        int64_t s = 0;
        if (!parse_number(cells[0], s))
            fail(name, ": row starting '", cells[0].substr(0, 40),
                 "' does not start with a step number (corrupted file?)");
        if (s <= keep_until_step) t.rows.push_back(std::move(cells));
    }
    return t;
}

MetricsTable read_metrics_csv(const std::string& path, long keep_until_step) {
    return metrics_table(read_csv(path), path, keep_until_step);
}

// --- writing

void MetricsCsvWriter::resume(int keep_until_step) {
    std::error_code ec;
    if (!enabled() || !std::filesystem::exists(path_, ec)) return;
    MetricsTable t = read_metrics_csv(path_, keep_until_step);
    if (t.columns.empty()) return;
    rewrite(t);
}

void MetricsCsvWriter::write(int step, const Metrics& m, const Metrics& ev) {
    if (!enabled()) return;
    std::vector<std::string> missing;
    auto add_columns = [&](const Metrics& ms) {
        for (const auto& [name, v] : ms)
            if (std::find(columns_.begin(), columns_.end(), name) == columns_.end() &&
                std::find(missing.begin(), missing.end(), name) == missing.end())
                missing.push_back(name);
    };
    add_columns(m);
    add_columns(ev);
    if (!missing.empty() || !f_) {  // new columns, or the very first row of a fresh file
        MetricsTable t;
        if (f_) {
            close();
            t = read_metrics_csv(path_);
        }
        if (t.columns.empty()) t.columns = {"step"};  // a fresh file
        t.columns.insert(t.columns.end(), missing.begin(), missing.end());
        rewrite(t);
    }
    std::vector<std::string> cells(columns_.size());
    cells[0] = std::to_string(step);
    for (const Metrics* ms : {&m, &ev})
        for (const auto& [name, v] : *ms)
            cells[static_cast<size_t>(std::find(columns_.begin(), columns_.end(), name) - columns_.begin())] =
                shortest_text(v);
    std::string line = csv_line(cells);
    if (std::fwrite(line.data(), 1, line.size(), f_) != line.size() || std::fflush(f_) != 0)
        fail(path_, ": cannot append a row: ", std::strerror(errno), " (disk full?)");
}

void MetricsCsvWriter::roll_back(int step) {
    close();
    std::error_code ec;
    if (!enabled() || !std::filesystem::exists(path_, ec)) return;
    const MetricsTable t = read_metrics_csv(path_, step);
    if (t.columns.empty()) return;
    std::string text = csv_line(t.columns);
    for (const std::vector<std::string>& r : t.rows) text += csv_line(r);
    shorten_file(path_, text);
}

// Atomic, so a failure here never loses the rows already logged.
void MetricsCsvWriter::rewrite(MetricsTable& t) {
    columns_ = t.columns;
    std::string text = csv_line(columns_);
    for (std::vector<std::string>& r : t.rows) {
        r.resize(columns_.size());
        text += csv_line(r);
    }
    write_file_atomic(path_, text);
    f_ = open_for_append(path_);
}

void MetricsCsvWriter::close() {
    if (f_) std::fclose(f_);
    f_ = nullptr;
}

}  // namespace genlab
