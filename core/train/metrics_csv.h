// metrics.csv, the per-step log of a run: "step" then one column per metric, one row per logged
// step, empty cells where a metric was not computed at that step (an eval metric between evals).
// The one reader and the line format, used by the Trainer (which appends and resumes it) and by
// everything that plots or summarises a run.
//
//     MetricsTable m = read_metrics_csv(out + "/metrics.csv");
//     std::vector<double> steps = m.steps(), loss = m.column("val_loss");   // NaN where empty
#pragma once
#include <climits>
#include <string>
#include <vector>

namespace genlab {

struct MetricsTable {
    std::vector<std::string> columns;             // "step" first
    std::vector<std::vector<std::string>> rows;   // cells as written; each row has columns.size() cells

    bool has(const std::string& column) const;
    std::vector<double> steps() const;
    // The column's values, NaN where a cell is empty; all NaN when there is no such column.
    std::vector<double> column(const std::string& name) const;
};

// Header + rows whose step is <= keep_until_step. A last line without its newline (a kill while
// it was written) is dropped. Error naming the file when it cannot be read, its first column is
// not "step", a row's step is not an integer or a row has more cells than the header.
MetricsTable read_metrics_csv(const std::string& path, long keep_until_step = LONG_MAX);

// One CSV line (with '\n'); cells holding ',', '"' or a newline are quoted.
std::string csv_line(const std::vector<std::string>& cells);
// The cells of one line (without its newline), quotes undone.
std::vector<std::string> csv_split(const std::string& line);

}  // namespace genlab
