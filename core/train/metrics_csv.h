// metrics.csv, the per-step log of a run: "step" then one column per metric, one row per logged
// step, empty cells where a metric was not computed at that step (an eval metric between evals).
// The one reader and the line format, used by the Trainer (which appends and resumes it) and by
// everything that plots or summarises a run.
//
//     MetricsTable m = read_metrics_csv(out + "/metrics.csv");
//     std::vector<double> steps = m.steps(), loss = m.column("val_loss");   // NaN where empty
#pragma once
#include <climits>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace genlab {

// Named figures of one step or evaluation, in the order they are reported.
using Metrics = std::vector<std::pair<std::string, double>>;

// A CSV file with a header line, as genlab writes them (metrics.csv, a sweep's results.csv).
struct CsvTable {
    std::vector<std::string> columns;            // the header's cells
    std::vector<std::vector<std::string>> rows;  // cells as written; each row has columns.size() cells
};

// Header and rows. Blank lines and a last line without its newline (a kill while it was written)
// are dropped; an empty file gives no columns. Error naming the file when it cannot be read (not
// a regular file, a symbolic link, over kMaxCsvFileBytes: core/io/input_file.h) or a row has more
// cells than the header.
CsvTable read_csv(const std::string& path);
// The same from text already read; `name` names it in errors.
CsvTable parse_csv(const std::string& text, const std::string& name);

struct MetricsTable : CsvTable {  // columns: "step" first

    bool has(const std::string& column) const;
    std::vector<double> steps() const;
    // The column's values, NaN where a cell is empty; all NaN when there is no such column.
    std::vector<double> column(const std::string& name) const;
};

// read_csv(), keeping the rows whose step is <= keep_until_step. Error naming the file also when
// its first column is not "step" or a row's step is not an integer.
MetricsTable read_metrics_csv(const std::string& path, long keep_until_step = LONG_MAX);
// The same from a table already read; `name` names it in errors.
MetricsTable metrics_table(CsvTable csv, const std::string& name, long keep_until_step = LONG_MAX);

// A metrics.csv being written, appended row by row and flushed, so a crash or a kill keeps every
// logged row. Columns are "step" then metric names in order of first appearance; a name that
// appears later (an eval metric, first computed at the end) adds a column, and the file is
// rewritten once (atomically) with the new header and empty cells in the earlier rows. Used for
// a run's metrics.csv (the Trainer) and a sweep run's diagnostics.csv.
class MetricsCsvWriter {
public:
    explicit MetricsCsvWriter(std::string path) : path_(std::move(path)) {}  // "": writes nothing
    ~MetricsCsvWriter() { close(); }
    MetricsCsvWriter(const MetricsCsvWriter&) = delete;
    MetricsCsvWriter& operator=(const MetricsCsvWriter&) = delete;

    bool enabled() const { return !path_.empty(); }
    // A resumed run keeps the rows up to the checkpoint's step and drops later ones (logged after
    // the checkpoint by the interrupted run, and about to be logged again), so the file ends up
    // as an uninterrupted run's.
    void resume(int keep_until_step);
    // One row: `step`, then the cells of m and ev (a metric in neither stays empty).
    void write(int step, const Metrics& m, const Metrics& ev = {});
    // After a failed run: the file keeps the rows up to `step` (its surviving checkpoint's) and is
    // closed. Cut in place when possible, so it works on a full disk.
    void roll_back(int step);

private:
    void rewrite(MetricsTable& t);
    void close();

    std::string path_;
    std::vector<std::string> columns_;
    std::FILE* f_ = nullptr;
};

// One CSV line (with '\n'); cells holding ',', '"' or a newline are quoted.
std::string csv_line(const std::vector<std::string>& cells);
// The cells of one line (without its newline), quotes undone.
std::vector<std::string> csv_split(const std::string& line);

}  // namespace genlab
