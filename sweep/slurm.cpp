// A planned sweep submitted to SLURM as a job array and a collect job (see slurm.h).
#include "sweep/slurm.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/memory.h"
#include "sweep/plan_file.h"
#include "sweep/subprocess.h"
#include "sweep/sweep_task.h"

namespace genlab::experiments {

namespace fs = std::filesystem;

namespace {

constexpr int kDefaultSignalBefore = 120;  // seconds, as Hydra's submitit launcher's default

int signal_before(const SlurmOptions& o) {
    return o.signal_before > 0 ? o.signal_before : std::min(kDefaultSignalBefore, o.time * 60 / 2);
}

void check_options(const SlurmOptions& o) {
    if (o.time < 1) usage_fail("--time ", o.time, ": minutes per task, at least 1");
    if (o.cpus_per_task < 1) usage_fail("--cpus-per-task ", o.cpus_per_task, ": at least 1");
    if (!(o.mem_gb >= 0) || o.mem_gb > 1e6) usage_fail("--mem-gb ", o.mem_gb, ": GB per task, 0 for genlab's estimate");
    if (o.array_parallelism < 0) usage_fail("--array-parallelism ", o.array_parallelism, ": at least 0 (0: no limit)");
    if (o.signal_before < 0 || o.signal_before >= o.time * 60)
        usage_fail("--signal-before ", o.signal_before, ": seconds before the time limit (", o.time * 60,
                   " s), so between 1 and ", o.time * 60 - 1, "; 0 for the default");
    for (const std::string& a : o.sbatch_args)
        if (a.empty() || a.front() != '-' || a.find('\n') != std::string::npos)
            usage_fail("--sbatch-arg '", clipped(a, 80), "': an sbatch option on one line, like --account=lab");
}

uint64_t memory_mb(const SweepPlan& plan, const SlurmOptions& o) {
    return o.mem_gb > 0 ? static_cast<uint64_t>(std::ceil(o.mem_gb * 1000)) : slurm_memory_mb(plan);
}

std::string job_name(const SweepPlan& plan) { return "genlab-" + fs::path(plan.opt.out).filename().string(); }

// The #SBATCH lines both scripts share.
std::string common_header(const SweepPlan& plan, const SlurmOptions& o) {
    std::string h = "#SBATCH --time=" + std::to_string(o.time) +
                    "\n#SBATCH --mem=" + std::to_string(memory_mb(plan, o)) + "M\n";
    if (!o.partition.empty()) h += "#SBATCH --partition=" + o.partition + "\n";
    for (const std::string& a : o.sbatch_args) h += "#SBATCH " + a + "\n";
    return h;
}

std::string absolute(const std::string& path) { return fs::absolute(path).lexically_normal().string(); }

std::string logs_dir(const SweepPlan& plan) { return (fs::path(absolute(plan.opt.out)) / "slurm" / "logs").string(); }

// sbatch --parsable prints "id" or "id;cluster".
std::string job_id(const std::string& out) {
    std::string id = out.substr(0, out.find_first_of(";\n"));
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) return {};
    return id;
}

std::string first_line(const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    return clipped(line.empty() ? std::string("(no message)") : line, 300);
}

// Runs one sbatch line; its job id, or UsageError with sbatch's words (after `done_so_far`).
std::string sbatch(const std::vector<std::string>& argv, const std::string& done_so_far) {
    const CommandResult r = run_command(argv);
    if (!r.started) usage_fail("--slurm: cannot run sbatch (", r.err, "): not on a SLURM cluster?", done_so_far);
    const std::string id = job_id(r.out);
    if (r.status != 0 || id.empty())
        usage_fail("--slurm: sbatch refused ", fs::path(argv.back()).filename().string(), ": ",
                   first_line(r.err.empty() ? r.out : r.err), done_so_far);
    return id;
}

std::string command_line(const std::vector<std::string>& argv) {
    std::string line;
    for (const std::string& a : argv) line += (line.empty() ? "" : " ") + shell_word(a);
    return line;
}

}  // namespace

uint64_t slurm_memory_mb(const SweepPlan& plan) {
    uint64_t most = 0;
    for (const auto& cfg : plan.configs) most = std::max(most, plan.def->memory(*cfg).training_bytes());
    const uint64_t bytes = most + kSlurmProcessAllowance;
    return (bytes + 99'999'999) / 100'000'000 * 100;
}

namespace {

// The task script's #SBATCH lines.
std::string tasks_header(const SweepPlan& plan, const SlurmOptions& o) {
    const size_t n = plan.runs.size();
    std::string s = "#!/bin/bash\n"
                    "# The runs of the genlab sweep in " +
                    absolute(plan.opt.out) +
                    " as a SLURM job array: task K trains run K of tasks.txt.\n"
                    "# Written by genlab-ablate --slurm; edit it if you like, and submit it with\n"
                    "#   sbatch " +
                    shell_word(absolute(plan.opt.out) + "/slurm/tasks.sbatch") + "\n";
    s += "#SBATCH --job-name=" + job_name(plan) + "\n#SBATCH --array=0-" + std::to_string(n - 1) +
         (o.array_parallelism > 0 ? "%" + std::to_string(o.array_parallelism) : "") + "\n";
    s += "#SBATCH --cpus-per-task=" + std::to_string(o.cpus_per_task) + "\n" + common_header(plan, o);
    s += "#SBATCH --output=" + logs_dir(plan) +
         "/task-%a.out\n"
         "#SBATCH --open-mode=append\n"
         "#SBATCH --signal=B:USR1@" +
         std::to_string(signal_before(o)) + "\n#SBATCH --requeue\n";
    return s;
}

// What a task does: the run, with SLURM's warning passed on, and a requeue when it stopped there.
std::string tasks_body(const SweepPlan& plan, const SlurmOptions& o, const std::string& ablate_path) {
    return "set -u\n"
           "export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}\n"
           "ablate=" +
           shell_word(ablate_path) + "\ndir=" + shell_word(absolute(plan.opt.out)) +
           "\nsignal_before=" + std::to_string(signal_before(o)) + "\nlimit=" + std::to_string(o.time * 60) +
           "\n\n"
           "# Seconds left before the time limit, from squeue's %L ([days-][hours:]minutes:seconds).\n"
           "seconds_left() {\n"
           "    local left days=0 h=0 m=0 s=0\n"
           "    left=$(squeue -h -j \"$SLURM_JOB_ID\" -o %L 2>/dev/null) || { echo 0; return; }\n"
           "    [[ $left == *-* ]] && { days=${left%%-*}; left=${left#*-}; }\n"
           "    IFS=: read -r -a f <<<\"$left\"\n"
           "    case ${#f[@]} in 3) h=${f[0]} m=${f[1]} s=${f[2]} ;; 2) m=${f[0]} s=${f[1]} ;; *) echo 0; return ;; esac\n"
           "    echo $(( ((10#$days * 24 + 10#$h) * 60 + 10#$m) * 60 + 10#$s ))\n"
           "}\n\n"
           "# SLURM's warning before the limit: the task saves its checkpoint and stops. A requeued task\n"
           "# may get a stale warning as it starts again, with its whole limit left: that one is ignored.\n"
           "warned=0\n"
           "on_warning() {\n"
           "    if (( $(seconds_left) <= (signal_before + limit) / 2 )); then\n"
           "        warned=1\n"
           "        echo \"genlab: the time limit is near; task $SLURM_ARRAY_TASK_ID stops at its next step\"\n"
           "        kill -USR1 \"$task\" 2>/dev/null\n"
           "    fi\n"
           "}\n"
           "trap on_warning USR1\n"
           "trap 'kill -TERM \"$task\" 2>/dev/null' TERM\n\n"
           "\"$ablate\" task --out \"$dir\" --index \"$SLURM_ARRAY_TASK_ID\" &\n"
           "task=$!\n"
           "while :; do  # wait returns early for each trapped signal while the task still runs\n"
           "    wait \"$task\"\n"
           "    status=$?\n"
           "    kill -0 \"$task\" 2>/dev/null || break\n"
           "done\n"
           "if (( status == " +
           std::to_string(kTaskInterrupted) +
           " && warned )); then  # stopped at the warning, its checkpoint saved: run it again\n"
           "    echo \"genlab: requeueing task $SLURM_ARRAY_TASK_ID to resume it\"\n"
           "    scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\" && exit 0\n"
           "fi\n"
           "exit \"$status\"\n";
}

}  // namespace

std::string tasks_script(const SweepPlan& plan, const SlurmOptions& o, const std::string& ablate_path) {
    return tasks_header(plan, o) + tasks_body(plan, o, ablate_path);
}

std::string collect_script(const SweepPlan& plan, const SlurmOptions& o, const std::string& ablate_path) {
    return "#!/bin/bash\n"
           "# Collects the genlab sweep in " +
           absolute(plan.opt.out) +
           " once its job array has ended (results.csv, summary.json,\n"
           "# report.html; unfinished runs listed). Written by genlab-ablate --slurm.\n"
           "#SBATCH --job-name=" +
           job_name(plan) + "-collect\n#SBATCH --cpus-per-task=1\n" + common_header(plan, o) +
           "#SBATCH --output=" + logs_dir(plan) +
           "/collect.out\n"
           "#SBATCH --open-mode=append\n"
           "export OMP_NUM_THREADS=1\n"
           "# A task requeued at its time limit can release this job (afterany) before it has run again:\n"
           "# given the array's job id, wait while any of its tasks is still queued or running.\n"
           "array=${1:-}\n"
           "while [[ -n $array && -n $(squeue -h -j \"$array\" -o %i 2>/dev/null) ]]; do sleep 5; done\n"
           "exec " +
           shell_word(ablate_path) + " collect --out " + shell_word(absolute(plan.opt.out)) + "\n";
}

SlurmSubmission submit_to_slurm(const SweepPlan& plan, const SlurmOptions& o) {
    check_options(o);
    std::error_code ec;
    const std::string ablate = fs::read_symlink("/proc/self/exe", ec).string();
    if (ec) throw Error("--slurm: cannot find this program's own path (/proc/self/exe): " + ec.message());
    const fs::path dir = fs::path(absolute(plan.opt.out)) / "slurm";
    fs::create_directories(dir / "logs");
    SlurmSubmission s;
    s.tasks_script = (dir / "tasks.sbatch").string();
    s.collect_script = (dir / "collect.sbatch").string();
    write_file_atomic(s.tasks_script, tasks_script(plan, o, ablate), 0777);
    write_file_atomic(s.collect_script, collect_script(plan, o, ablate), 0777);

    const std::vector<std::string> array = {"sbatch", "--parsable", s.tasks_script};
    auto collect = [&](const std::string& after) {
        return std::vector<std::string>{"sbatch", "--parsable", "--dependency=afterany:" + after, s.collect_script,
                                        after};
    };
    s.commands = {command_line(array), command_line(collect("<tasks job>"))};
    if (o.dry_run) return s;
    s.array_job = sbatch(array, "");
    s.collect_job = sbatch(collect(s.array_job), "; the runs were submitted as job " + s.array_job +
                                                     ": once they end, collect them with genlab-ablate collect --out " +
                                                     shell_word(plan.opt.out));
    return s;
}

}  // namespace genlab::experiments
