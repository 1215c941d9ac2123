// Scheduling a sweep's runs (see schedule.h).
#include "sweep/schedule.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "core/parallel.h"
#include "core/train/trainer.h"

namespace genlab::experiments {

Schedule schedule_sweep(const SweepPlan& plan, const SweepStatus& status) {
    Schedule s;
    for (size_t k = 0; k < plan.runs.size(); ++k) {
        if (status.runs[k].row)
            ++s.skipped;
        else
            s.todo.push_back(k);
    }
    if (plan.opt.threads == 0) set_num_threads(0);  // the OpenMP default, capped at the cores: divided below
    s.jobs = std::min<int>(plan.opt.jobs, std::max<size_t>(1, s.todo.size()));
    s.threads_per_job = std::max(1, (plan.opt.threads > 0 ? plan.opt.threads : num_threads()) / s.jobs);
    return s;
}

void run_parallel(size_t count, int jobs, const std::function<void(size_t)>& job) {
    std::mutex mu;  // the first error
    std::exception_ptr error;
    std::atomic<size_t> next{0};
    auto worker = [&] {
        for (size_t i = next++; i < count; i = next++) {
            {
                const std::lock_guard<std::mutex> lock(mu);
                if (error) return;
            }
            try {
                job(i);
            } catch (...) {
                const std::lock_guard<std::mutex> lock(mu);
                if (!error) error = std::current_exception();
                return;
            }
        }
    };
    if (jobs <= 1) {
        worker();
    } else {
        std::vector<std::thread> pool;
        for (int j = 0; j < jobs; ++j) pool.emplace_back(worker);
        for (std::thread& t : pool) t.join();
    }
    if (error) std::rethrow_exception(error);
}

std::string SweepProgress::finished(const std::string& what, double run_seconds) {
    ++done_;
    busy_s_ += run_seconds;
    const double left = busy_s_ / static_cast<double>(done_) * static_cast<double>(total_ - done_) / jobs_;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    return "[" + std::to_string(done_) + "/" + std::to_string(total_) + "] " + what + " (" +
           duration_text(run_seconds) + ") | elapsed " + duration_text(elapsed) + ", ETA " + duration_text(left);
}

}  // namespace genlab::experiments
