// results.csv, written and read through one row type (see results_table.h).
#include "sweep/results_table.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/number_text.h"

namespace genlab::experiments {

namespace {

// The lead columns, in the file's order; every row has each. Columns added since the first
// sweeps: an older table lacks them and reads them as empty.
const std::vector<std::string> kLead{"arm",          "activation", "init",   "lr",         "depth",
                                     "out",          "where",      "seed",   "status",     "diverged_step",
                                     "resumed_from", "steps",      "wall_s", "ms_per_step"};
const std::vector<std::string> kAdded{"depth", "out", "where"};

bool is_lead(const std::string& name) { return std::find(kLead.begin(), kLead.end(), name) != kLead.end(); }

// A number as the file holds it, and back: what add() keeps is what read() returns.
double as_written(double v) {
    double back = 0;
    parse_number(shortest_text(v), back);
    return back;
}

std::vector<std::string> lead_cells(const ResultRow& r) {
    return {r.arm,
            r.activation,
            r.init,
            r.lr,
            r.depth,
            r.out,
            r.where,
            std::to_string(r.seed),
            r.diverged ? "diverged" : "done",
            r.diverged ? std::to_string(r.diverged_step) : "",
            std::to_string(r.resumed_from),
            std::to_string(r.steps),
            shortest_text(r.wall_s),
            r.ms_per_step ? shortest_text(*r.ms_per_step) : ""};
}

// One line of the file as a row; Error naming the file, the line and the column otherwise.
// `at` maps each lead column to its index in the file's columns (npos: an added column it lacks).
ResultRow parse_row(const std::vector<std::string>& columns, const std::vector<size_t>& at,
                    const std::vector<std::string>& cells, const std::string& path, size_t line) {
    auto text = [&](size_t lead) { return at[lead] == std::string::npos ? std::string{} : cells[at[lead]]; };
    auto bad = [&](size_t lead, const char* what) {
        fail(path, ": line ", line, ", column ", kLead[lead], ": '", text(lead).substr(0, 40), "' is not ", what);
    };
    auto integer = [&](size_t lead) {
        int v = 0;
        if (!parse_number(text(lead), v)) bad(lead, "an integer");
        return v;
    };
    auto number = [&](size_t lead) {
        double v = 0;
        if (!parse_number(text(lead), v)) bad(lead, "a number");
        return v;
    };
    ResultRow r{.arm = text(0),
                .activation = text(1),
                .init = text(2),
                .lr = text(3),
                .depth = text(4),
                .out = text(5),
                .where = text(6),
                .seed = integer(7)};
    if (text(8) != "done" && text(8) != "diverged") bad(8, "done or diverged");
    r.diverged = text(8) == "diverged";
    r.diverged_step = r.diverged ? integer(9) : 0;
    r.resumed_from = integer(10);
    r.steps = integer(11);
    r.wall_s = number(12);
    if (!text(13).empty()) r.ms_per_step = number(13);
    for (size_t c = 0; c < cells.size(); ++c)
        if (!is_lead(columns[c]) && !cells[c].empty()) {
            double v = 0;
            if (!parse_number(cells[c], v))
                fail(path, ": line ", line, ", column ", columns[c], ": '", cells[c].substr(0, 40),
                     "' is not a number");
            r.metrics.emplace_back(columns[c], v);
        }
    return r;
}

}  // namespace

Metrics ResultRow::numbers() const {
    Metrics m{{"wall_s", wall_s}};
    if (ms_per_step) m.emplace_back("ms_per_step", *ms_per_step);
    m.insert(m.end(), metrics.begin(), metrics.end());
    return m;
}

std::vector<std::string> ResultsTable::number_columns() const {
    std::vector<std::string> c{"wall_s", "ms_per_step"};
    c.insert(c.end(), metric_columns_.begin(), metric_columns_.end());
    return c;
}

ResultsTable ResultsTable::open(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::symlink_status(path, ec))) {
        ResultsTable t;
        t.path_ = path;
        return t;
    }
    return read(path);
}

ResultsTable ResultsTable::read(const std::string& path) {
    const CsvTable csv = read_csv(path);
    const std::vector<std::string>& c = csv.columns;
    std::vector<size_t> at;  // per lead column, its index in the file
    for (const std::string& name : kLead) {
        const auto it = std::find(c.begin(), c.end(), name);
        const bool added = std::find(kAdded.begin(), kAdded.end(), name) != kAdded.end();
        if (it == c.end() && !added)
            fail(path, ": not a genlab-ablate results.csv (no column ", name,
                 "; its header starts with arm,activation,...)");
        at.push_back(it == c.end() ? std::string::npos : static_cast<size_t>(it - c.begin()));
    }
    ResultsTable t;
    t.path_ = path;
    for (const std::string& name : c)
        if (!is_lead(name)) t.metric_columns_.push_back(name);
    for (size_t i = 0; i < csv.rows.size(); ++i) t.rows_.push_back(parse_row(c, at, csv.rows[i], path, i + 2));
    return t;
}

const ResultRow* ResultsTable::find(const std::string& arm, int seed) const {
    for (const ResultRow& r : rows_)
        if (r.arm == arm && r.seed == seed) return &r;
    return nullptr;
}

void ResultsTable::add(ResultRow row) {
    append(std::move(row));
    save();
}

ResultsTable ResultsTable::write(const std::string& path, std::vector<ResultRow> rows) {
    ResultsTable t;
    t.path_ = path;
    for (ResultRow& r : rows) t.append(std::move(r));
    t.save();
    return t;
}

void ResultsTable::append(ResultRow row) {
    if (row.ms_per_step) row.ms_per_step = as_written(*row.ms_per_step);
    row.wall_s = as_written(row.wall_s);
    for (auto& [name, v] : row.metrics) {
        if (is_lead(name)) name = "final_" + name;
        v = as_written(v);
        if (std::find(metric_columns_.begin(), metric_columns_.end(), name) == metric_columns_.end())
            metric_columns_.push_back(name);
    }
    rows_.push_back(std::move(row));
}

void ResultsTable::save() const {
    std::vector<std::string> header = kLead;
    header.insert(header.end(), metric_columns_.begin(), metric_columns_.end());
    std::string text = csv_line(header);
    for (const ResultRow& r : rows_) {
        std::vector<std::string> cells = lead_cells(r);
        cells.resize(header.size());
        for (const auto& [name, v] : r.metrics)
            cells[kLead.size() + static_cast<size_t>(std::find(metric_columns_.begin(), metric_columns_.end(), name) -
                                                     metric_columns_.begin())] = shortest_text(v);
        text += csv_line(cells);
    }
    write_file_atomic(path_, text);
}

}  // namespace genlab::experiments
