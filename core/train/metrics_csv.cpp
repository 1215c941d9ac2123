// metrics.csv reading and line formatting (see metrics_csv.h).
#include "core/train/metrics_csv.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.h"

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
        char* end = nullptr;
        const double v = std::strtod(cell.c_str(), &end);
        if (*end == '\0') out[i] = v;
    }
    return out;
}

MetricsTable read_metrics_csv(const std::string& path, long keep_until_step) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, ": cannot read: ", std::strerror(errno));
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    MetricsTable t;
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
            if (cells[0] != "step")
                fail(path, ": first column is '", cells[0].substr(0, 40),
                     "', expected 'step' (not a genlab metrics file? pass another --out)");
            t.columns = std::move(cells);
            header = false;
            continue;
        }
        char* end = nullptr;
        errno = 0;
        const long s = std::strtol(cells[0].c_str(), &end, 10);
        if (cells[0].empty() || *end != '\0' || errno == ERANGE)
            fail(path, ": row '", line.substr(0, 60), "' does not start with a step number (corrupted file?)");
        if (cells.size() > t.columns.size())
            fail(path, ": row starting '", cells[0], "' has ", cells.size(), " cells for ", t.columns.size(),
                 " columns (corrupted file?)");
        if (s > keep_until_step) continue;
        cells.resize(t.columns.size());
        t.rows.push_back(std::move(cells));
    }
    return t;
}

}  // namespace genlab
