// The state of a sweep's runs, from their folders (see run_status.h).
#include "sweep/run_status.h"

#include <filesystem>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/input_file.h"
#include "core/train/folder_lock.h"

namespace genlab::experiments {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kErrorShownBytes = 4096;  // error.txt is one line; a longer file is cut
constexpr size_t kErrorShownChars = 300;     // of it, in messages and the report

bool run_file_present(const fs::path& path) {
    std::error_code ec;
    return fs::exists(fs::symlink_status(path, ec));
}

// The first line of error.txt, or why it cannot be read.
std::string error_line(const fs::path& path) {
    try {
        const std::string text = read_file_part(path.string(), FilePart::Head, kErrorShownBytes,
                                                "run error (error.txt)", Links::Refuse);
        const std::string line = text.substr(0, text.find('\n'));
        return line.empty() ? "(error.txt is empty)" : clipped(line, kErrorShownChars);
    } catch (const Error& e) {
        return e.what();
    }
}

// The run's result.csv read back: its one row, which must be this run's.
RunStatus finished_status(const SweepPlan& plan, const PlannedRun& run, const fs::path& path) {
    try {
        const ResultsTable t = ResultsTable::read(path.string());
        const std::string& arm = plan.arms[run.arm].label;
        if (t.rows().size() != 1 || !t.find(arm, run.seed))
            fail(path.string(), ": not the one-row result of ", run_name(plan, run));
        const ResultRow& row = t.rows().front();
        return {.state = row.diverged ? RunState::Diverged : RunState::Done, .row = row, .detail = {}};
    } catch (const Error& e) {
        return {.state = RunState::Failed, .row = {}, .detail = clipped(e.what(), kErrorShownChars)};
    }
}

}  // namespace

const char* state_name(RunState s) {
    switch (s) {
        case RunState::Done: return "done";
        case RunState::Diverged: return "diverged";
        case RunState::Failed: return "failed";
        case RunState::Running: return "running";
        case RunState::Pending: return "pending";
    }
    return "?";
}

std::string run_name(const SweepPlan& plan, const PlannedRun& run) {
    return plan.arms[run.arm].label + " seed " + std::to_string(run.seed);
}

RunStatus run_status(const SweepPlan& plan, const PlannedRun& run) {
    const fs::path dir(run.dir);
    if (run_file_present(dir / kRunResultName)) return finished_status(plan, run, dir / kRunResultName);
    LockHolder holder;
    if (read_lock_holder((dir / kFolderLockName).string(), holder) && lock_holder_alive(holder))
        return {.state = RunState::Running,
                .row = {},
                .detail = str("host ", clipped(holder.host, 80), " pid ", holder.pid)};
    if (run_file_present(dir / kRunErrorName))
        return {.state = RunState::Failed, .row = {}, .detail = error_line(dir / kRunErrorName)};
    return {};
}

void write_run_result(const PlannedRun& run, const ResultRow& row) {
    if (row.seed != run.seed) fail("write_run_result: the row of seed ", row.seed, " is not run ", run.dir, "'s");
    ResultsTable::write((fs::path(run.dir) / kRunResultName).string(), {row});
}

void write_run_error(const PlannedRun& run, const std::string& message) {
    std::string line = message;
    for (char& c : line)
        if (c == '\n' || c == '\r') c = ' ';
    write_file_atomic((fs::path(run.dir) / kRunErrorName).string(), line + "\n");
}

void clear_run_error(const PlannedRun& run) {
    std::error_code ec;
    fs::remove(fs::path(run.dir) / kRunErrorName, ec);
}

size_t SweepStatus::count(RunState s) const {
    size_t n = 0;
    for (const RunStatus& r : runs) n += r.state == s ? 1 : 0;
    return n;
}

std::vector<ResultRow> SweepStatus::rows() const {
    std::vector<ResultRow> out;
    for (const RunStatus& r : runs)
        if (r.row) out.push_back(*r.row);
    return out;
}

SweepStatus sweep_status(const SweepPlan& plan) {
    SweepStatus s;
    for (const PlannedRun& run : plan.runs) s.runs.push_back(run_status(plan, run));
    return s;
}

void adopt_results_rows(const SweepPlan& plan) {
    const fs::path table = fs::path(plan.opt.out) / "results.csv";
    if (!run_file_present(table)) return;
    const ResultsTable older = ResultsTable::read(table.string());
    for (const ResultRow& row : older.rows()) {
        // The label names a folder under runs/: nothing that could lead out of the sweep.
        if (row.arm.empty() || row.arm == "." || row.arm == ".." || row.arm.find('/') != std::string::npos ||
            row.seed < 1)
            continue;
        const fs::path dir = fs::path(plan.opt.out) / "runs" / row.arm / ("seed" + std::to_string(row.seed));
        std::error_code ec;
        if (fs::is_directory(fs::symlink_status(dir, ec)) && !run_file_present(dir / kRunResultName))
            ResultsTable::write((dir / kRunResultName).string(), {row});
    }
}

}  // namespace genlab::experiments
