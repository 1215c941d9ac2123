// results.csv: one row per finished run of a sweep, the one place its layout is stated. Each run
// writes its own one-row table (runs/<arm>/seed<k>/result.csv), the sweep gathers them into its
// results.csv in plan order, and reports read it back.
//
//     ResultsTable t = ResultsTable::open("outputs/ablate/ring8/results.csv");  // or a new one
//     if (!t.find("relu", 2)) t.add(row);  // row: a ResultRow of a finished run
//     ResultsTable::write(dir + "/result.csv", {row});  // a table of these rows, replacing the file
//
// Columns: the lead cells of every row (arm ... ms_per_step), then the runs' final metrics in the
// order they first appear; a run without one of them leaves its cell empty. A table written
// before the depth, out and where axes existed reads with them empty.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/train/metrics_csv.h"

namespace genlab::experiments {

struct ResultRow {
    std::string arm;         // the arm's label: its folder under runs/
    std::string activation;  // the arm's hidden activation spec
    std::string init;        // "" when the sweep keeps the model's default
    std::string lr;          // "" when the sweep keeps the model's --lr
    std::string depth{};     // the arm's hidden layers; "" when the sweep keeps the model's
    std::string out{};       // the arm's output activation; "" when the sweep keeps the model's
    std::string where{};     // the arm's networks when the sweep crosses --where; else ""
    int seed = 0;
    bool diverged = false;                // status "diverged" (else "done")
    int diverged_step = 0;                // when diverged
    int resumed_from = 0;                 // the checkpoint's step this call started from; 0: a fresh run
    int steps = 0;                        // the run's steps in all
    double wall_s = 0;                    // seconds this call trained it
    std::optional<double> ms_per_step{};  // wall_s per step trained; none when nothing was trained or it diverged
    // Final metrics in order: quality first, then the rest, then the diagnostics. A metric named
    // like a lead column is stored as "final_<name>" (the text model's scheduled "lr").
    Metrics metrics{};

    // The numbers a report computes statistics of: wall_s, ms_per_step (when there) and the metrics.
    Metrics numbers() const;
};

class ResultsTable {
public:
    // The table in `path`: read back when the file exists (Error naming it when it is not a
    // results.csv genlab wrote), empty otherwise. add() writes to `path`.
    static ResultsTable open(const std::string& path);
    // The table in `path`, which must exist.
    static ResultsTable read(const std::string& path);

    const std::vector<ResultRow>& rows() const { return rows_; }
    // The columns of ResultRow::numbers(): wall_s, ms_per_step, then the metrics in file order.
    std::vector<std::string> number_columns() const;
    const ResultRow* find(const std::string& arm, int seed) const;
    // Appends a row and rewrites the file atomically. Its numbers are kept as the file holds them
    // (the shortest text that reads back as the same value), so a row added and a row read back
    // are equal.
    void add(ResultRow row);
    // A table of `rows` in this order, written to `path` atomically over whatever is there: a
    // run's own result (one row), or a sweep's results.csv gathered from its runs'.
    static ResultsTable write(const std::string& path, std::vector<ResultRow> rows);

private:
    void append(ResultRow row);
    void save() const;

    std::string path_;
    std::vector<std::string> metric_columns_;  // in order of first appearance
    std::vector<ResultRow> rows_;
};

}  // namespace genlab::experiments
