// One run of a planned sweep as a task (see sweep_task.h).
#include "sweep/sweep_task.h"

#include <algorithm>
#include <new>
#include <optional>

#include "core/error.h"
#include "core/train/folder_lock.h"
#include "core/train/stop_request.h"
#include "sweep/run_status.h"
#include "sweep/sweep_run.h"

namespace genlab::experiments {

namespace {

// What an exception says, on one line.
std::string message_of(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const std::bad_alloc&) {
        return "out of memory: an allocation failed";
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "an unknown error";
    }
}

}  // namespace

TaskOutcome run_task(const SweepPlan& plan, size_t index, int threads) {
    const PlannedRun& run = plan.runs.at(index);
    if (RunStatus s = run_status(plan, run); s.row)
        return {.result = TaskResult::Skipped, .row = s.row, .detail = {}, .error = {}};
    std::optional<FolderLock> claim;
    try {
        claim.emplace(run.dir, "--index");
    } catch (const FolderInUse& e) {
        return {.result = TaskResult::Claimed,
                .row = {},
                .detail = str("host ", clipped(e.holder.host, 80), " pid ", e.holder.pid),
                .error = {}};
    }
    // It may have finished between the look above and the claim.
    if (RunStatus s = run_status(plan, run); s.row)
        return {.result = TaskResult::Skipped, .row = s.row, .detail = {}, .error = {}};
    clear_run_error(run);
    try {
        const SweepRunOutcome r = train_sweep_run(plan, run, threads, *claim);
        write_run_result(run, r.row);
        return {.result = TaskResult::Trained, .row = r.row, .detail = r.summary, .error = {}};
    } catch (const Interrupted& e) {  // not a failure: the checkpoint holds the step reached
        return {.result = TaskResult::Interrupted, .row = {}, .detail = e.what(), .error = std::current_exception()};
    } catch (...) {
        TaskOutcome failed{.result = TaskResult::Failed,
                           .row = {},
                           .detail = message_of(std::current_exception()),
                           .error = std::current_exception()};
        try {
            write_run_error(run, failed.detail);
        } catch (const Error& e) {  // a full disk: the message still reaches the caller
            failed.detail += str(" (and error.txt could not be written: ", e.what(), ")");
        }
        return failed;
    }
}

int task_threads(const AblationOptions& opt) { return opt.threads > 0 ? std::max(1, opt.threads / opt.jobs) : 0; }

}  // namespace genlab::experiments
