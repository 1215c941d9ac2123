// The command lines of the sweep tools (sweep_cli.h), in the frame of experiments/cli.h.
#include "sweep/sweep_cli.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "core/number_text.h"
#include "core/train/folder_lock.h"
#include "core/train/run_dir.h"
#include "core/train/stop_request.h"
#include "core/train/trainer.h"
#include "experiments/cli.h"
#include "sweep/ablation.h"
#include "sweep/collect.h"
#include "sweep/demo_page.h"
#include "sweep/plan_file.h"
#include "sweep/report.h"
#include "sweep/scoreboard.h"
#include "sweep/slurm.h"
#include "sweep/study.h"
#include "sweep/sweep_task.h"
#include "viz/html.h"

namespace genlab::experiments {

namespace {

const char* const kProgram = "genlab-ablate";

// The keys of the options given on `app` (AblationOptions keys).
std::set<std::string> given_keys(const CLI::App& app) {
    std::set<std::string> given;
    for (const CLI::Option* o : app.get_options())
        if (o->count() > 0) given.insert(key_of(o));
    return given;
}

// The model's flags among the command line's extras, parsed by its own config (so a wrong one
// fails here, once), with a preset's model settings where the user gave none.
ModelSettings model_flags(const ExperimentDef& def, const std::vector<std::string>& extras,
                          const std::vector<std::pair<std::string, std::string>>& preset) {
    std::unique_ptr<ConfigBox> box = def.new_config();
    CLI::App model_app{def.program()};
    box->add_flags(model_app);
    std::vector<std::string> args(extras.rbegin(), extras.rend());  // CLI11 takes them reversed
    try {
        model_app.parse(args);
    } catch (const CLI::ParseError& e) {
        usage_fail(e.what(), " (genlab-ablate --model ", def.name, " takes the flags of ", def.program(), ")");
    }
    std::vector<std::pair<std::string, std::string>> values;
    for (const CLI::Option* o : model_app.get_options())
        if (o->count() > 0) values.emplace_back(key_of(o), o->as<std::string>());
    for (const auto& setting : preset)
        if (std::none_of(values.begin(), values.end(), [&](const auto& v) { return v.first == setting.first; }))
            values.push_back(setting);
    ModelSettings settings = model_settings(def.name, values);
    settings.make();  // a value its field cannot take is named here
    return settings;
}

// The sweep a command line asks for: its settings with the preset applied, and the model's flags.
ModelSettings sweep_request(const CLI::App& app, AblationOptions& opt) {
    const std::vector<std::pair<std::string, std::string>> preset = apply_preset(opt, given_keys(app));
    return model_flags(swept_model(opt), app.remaining(), preset);
}

// The sweep planned into its folder (plan.json, tasks.txt), under the folder's lock.
SweepPlan plan_into_folder(const AblationOptions& opt, const ModelSettings& base) {
    SweepPlan plan = plan_sweep(opt, base);
    const FolderLock lock(plan.opt.out, "--out");
    write_plan(plan);
    return plan;
}

// The flags of --slurm: the sweep's runs as a SLURM job array (slurm.h).
CLI::Option* add_slurm_flags(CLI::App& app, bool& on, SlurmOptions& o) {
    const std::string group = "On a SLURM cluster";
    CLI::Option* slurm = app.add_flag("--slurm", on,
                                      "Plan the sweep into --out, then submit its runs as a SLURM job array (one task "
                                      "per run) and a collect job after it, instead of training here")
                             ->group(group);
    auto opt = [&](const std::string& name, auto& field, const std::string& help) {
        app.add_option(name, field, help)->group(group)->needs(slurm)->capture_default_str();
    };
    opt("--partition", o.partition, "sbatch --partition (default: the cluster's default)");
    opt("--time", o.time, "Minutes per task (sbatch --time); a task stopped by it is requeued and resumes");
    opt("--cpus-per-task", o.cpus_per_task, "Threads each run trains on");
    opt("--mem-gb", o.mem_gb, "Memory per task in GB; 0: genlab's estimate of the largest arm, plus 1 GB");
    opt("--array-parallelism", o.array_parallelism, "Tasks running at once (--array=0-N%M); 0: no limit");
    opt("--signal-before", o.signal_before,
        "Seconds before the time limit at which a task saves its checkpoint and requeues itself; 0: 120, or half "
        "the limit when that is shorter");
    app.add_option("--sbatch-arg", o.sbatch_args, "Another sbatch option for both jobs, e.g. --account=lab (repeat it)")
        ->group(group)
        ->needs(slurm)
        ->allow_extra_args(false);
    app.add_flag("--dry-run", o.dry_run, "Write the batch scripts into --out and print the sbatch lines only")
        ->group(group)
        ->needs(slurm);
    return slurm;
}

// genlab-ablate --slurm [flags] --out DIR: planned here, trained by the cluster.
int submit_main(const AblationOptions& opt, const ModelSettings& base, const SlurmOptions& o) {
    const SweepPlan plan = plan_into_folder(opt, base);
    const SlurmSubmission s = submit_to_slurm(plan, o);
    const std::string status = "genlab-ablate status --out " + shell_word(plan.opt.out);
    if (o.dry_run) {
        std::cout << "genlab-ablate: planned " << plan.runs.size() << " runs in " << plan.opt.out << "; wrote "
                  << s.tasks_script << " and " << s.collect_script << ". To submit them:\n";
        for (const std::string& c : s.commands) std::cout << "  " << c << "\n";
        return 0;
    }
    std::cout << "genlab-ablate: submitted " << plan.runs.size() << " runs of " << plan.opt.out << " as job array "
              << s.array_job << " and their collect as job " << s.collect_job
              << " (after the array); progress: " << status << "\n";
    return 0;
}

// genlab-ablate [flags]: a whole sweep here, or a study (--preset claims).
int sweep_main(int argc, char** argv) {
    CLI::App app{"genlab-ablate: train one model with each hidden activation over seeds, measure every run the same "
                 "way (quality, dead units, saturation, gradient flow, speed) and summarise. Flags not listed here "
                 "go to the model (see genlab-<model> --help), e.g. --data ring8 or --loss mse. The same sweep in "
                 "steps anyone can drive (a cluster's tasks): genlab-ablate plan|task|collect|status --help."};
    AblationOptions opt;
    ablation_options_spec().add_flags(app, opt);
    SlurmOptions slurm;
    bool on_slurm = false;
    add_slurm_flags(app, on_slurm, slurm);
    app.allow_extras();
    return guarded_main(kProgram, app, argc, argv, [&] {
        if (on_slurm) {
            if (is_study(opt.preset)) usage_fail("--slurm: --preset ", opt.preset, " is a study; submit one sweep");
            if (app.count("--out") == 0)
                usage_fail("--slurm: give the sweep a folder on the shared file system (--out)");
            return submit_main(opt, sweep_request(app, opt), slurm);
        }
        if (is_study(opt.preset)) {
            if (!app.remaining().empty())
                usage_fail("--preset ", opt.preset,
                           " runs several models' sweeps with their own settings: ", app.remaining().front(),
                           " is not a genlab-ablate flag");
            const std::string page = run_study(opt, given_keys(app));
            std::cout << "genlab-ablate: wrote " << page << "\n";
            return 0;
        }
        const ModelSettings base = sweep_request(app, opt);
        const SweepResult r = run_ablation(opt, base);
        std::cout << "genlab-ablate: " << r.trained << " runs trained, " << r.skipped << " already done, " << r.diverged
                  << " diverged";
        if (r.claimed > 0) std::cout << ", " << r.claimed << " left to the other processes training them";
        std::cout << "; wrote " << r.out_dir << "\n";
        return 0;
    });
}

// genlab-ablate plan [flags] --out DIR: the sweep's plan.json and tasks.txt, nothing trained.
int plan_main(int argc, char** argv) {
    CLI::App app{"genlab-ablate plan: write a sweep's plan into --out DIR without training anything: plan.json (the "
                 "settings and model flags every task rebuilds the sweep from) and tasks.txt (one line per run: "
                 "index, arm, seed, the command that trains it). Takes the flags of a sweep (genlab-ablate --help) "
                 "and the model's. Planning again with the same flags changes nothing; other settings on the same "
                 "folder are refused.",
                 "genlab-ablate plan"};
    AblationOptions opt;
    ablation_options_spec().add_flags(app, opt);
    app.get_option("--out")->required();
    app.allow_extras();
    return guarded_main(kProgram, app, argc, argv, [&] {
        if (is_study(opt.preset))
            usage_fail("--preset ", opt.preset, " is a study of several sweeps; plan is for one sweep at a time");
        const SweepPlan plan = plan_into_folder(opt, sweep_request(app, opt));
        const size_t n = plan.runs.size();
        std::cout << "genlab-ablate: planned " << n << " runs in " << plan.opt.out
                  << "; run each with: " << task_command(plan.opt.out, "K") << " (K = 0.." << n - 1 << ")\n";
        return 0;
    });
}

// The run index of `genlab-ablate task`: --index, else $SLURM_ARRAY_TASK_ID.
size_t task_index(const CLI::App& app, const std::string& index) {
    std::string text = index, from = "--index";
    if (app.count("--index") == 0) {
        const char* env = std::getenv("SLURM_ARRAY_TASK_ID");
        if (!env) usage_fail("task: which run? give --index K (or set SLURM_ARRAY_TASK_ID)");
        text = env;
        from = "SLURM_ARRAY_TASK_ID";
    }
    uint64_t k = 0;
    if (!parse_number(text, k)) usage_fail(from, " ", clipped(text), ": not a run index (0, 1, 2 ...)");
    return static_cast<size_t>(k);
}

// What `genlab-ablate task` says of its run; its exit status.
int report_task(const SweepPlan& plan, size_t k, const TaskOutcome& t) {
    const PlannedRun& run = plan.runs[k];
    const std::string what = "genlab-ablate: run " + std::to_string(k) + " (" + run_name(plan, run) + ")";
    switch (t.result) {
        case TaskResult::Trained:
            std::cout << what << ":" << t.detail << " (" << duration_text(t.row->wall_s) << "); wrote "
                      << (std::filesystem::path(run.dir) / kRunResultName).string() << "\n";
            return 0;
        case TaskResult::Skipped: std::cout << what << " already done\n"; return 0;
        case TaskResult::Claimed: std::cout << what << " is claimed by " << t.detail << "; leaving it\n"; return 0;
        case TaskResult::Failed:
            std::cerr << what << " failed: " << t.detail << " (kept in "
                      << (std::filesystem::path(run.dir) / kRunErrorName).string() << ")\n";
            return 1;
        case TaskResult::Interrupted: std::cerr << what << ": " << t.detail << "\n"; return kTaskInterrupted;
    }
    return 1;
}

// genlab-ablate task --out DIR --index K: one run of a planned sweep.
int task_main(int argc, char** argv) {
    CLI::App app{"genlab-ablate task: train one run of a sweep that genlab-ablate plan wrote into --out DIR, into "
                 "its own folder runs/<arm>/seed<k>/, ending in that folder's result.csv (error.txt if it fails). "
                 "A finished run is skipped; a run another process is training (its folder's lock held) is left "
                 "to it; a stopped one resumes from its checkpoint. Nothing outside the run's folder is written: "
                 "genlab-ablate collect gathers the results. SIGUSR1 or SIGTERM (a scheduler's warning before "
                 "its time limit, a cancel) stops the run at its next step with a checkpoint there. Exit status: "
                 "0 trained, already done or left to another process; 1 the run failed; 2 usage error; 75 "
                 "stopped by a signal, to be run again (it resumes).",
                 "genlab-ablate task"};
    std::string out, index;
    app.add_option("--out", out, "The sweep folder (holding plan.json)")->required()->type_name("DIR");
    app.add_option("--index", index,
                   "The run, 0..N-1, as tasks.txt numbers them (default: $SLURM_ARRAY_TASK_ID, a SLURM array's task)")
        ->type_name("K");
    return guarded_main(kProgram, app, argc, argv, [&] {
        const size_t k = task_index(app, index);
        const SweepPlan plan = read_plan(out);
        if (k >= plan.runs.size())
            usage_fail("--index ", k, ": the sweep in ", out, " has ", plan.runs.size(), " runs (0..",
                       plan.runs.size() - 1, ")");
        stop_on_signals({SIGUSR1, SIGTERM});
        return report_task(plan, k, run_task(plan, k, task_threads(plan.opt)));
    });
}

// genlab-ablate collect --out DIR: the runs' results into results.csv, summary.json, report.html.
int collect_main(int argc, char** argv) {
    CLI::App app{"genlab-ablate collect: gather the results of a planned sweep's runs in --out DIR into its "
                 "results.csv, summary.json and report.html (and cost.csv once every run has finished). Runs not "
                 "finished are listed, in the report too. Collecting again gives the same files.",
                 "genlab-ablate collect"};
    std::string out;
    app.add_option("--out", out, "The sweep folder (holding plan.json)")->required()->type_name("DIR");
    return guarded_main(kProgram, app, argc, argv, [&] {
        const SweepPlan plan = read_plan(out);
        const FolderLock lock(plan.opt.out, "--out");
        const SweepStatus s = collect_sweep(plan);
        std::cout << "genlab-ablate: collected " << s.finished() << " of " << s.runs.size() << " runs into " << out
                  << " (results.csv, summary.json, report.html)" << (s.complete() ? "" : "; the sweep is partial")
                  << "\n";
        return 0;
    });
}

// genlab-ablate status --out DIR: how many runs are done, running, pending, failed, diverged.
int status_main(int argc, char** argv) {
    CLI::App app{"genlab-ablate status: count the runs of a planned sweep in --out DIR that are done, diverged, "
                 "running, pending and failed, with each failed run's error. Writes nothing.",
                 "genlab-ablate status"};
    std::string out;
    app.add_option("--out", out, "The sweep folder (holding plan.json)")->required()->type_name("DIR");
    return guarded_main(kProgram, app, argc, argv, [&] {
        const SweepPlan plan = read_plan(out);
        const SweepStatus s = sweep_status(plan);
        std::cout << "genlab-ablate: " << out << ": " << s.runs.size() << " runs:";
        for (RunState state :
             {RunState::Done, RunState::Diverged, RunState::Running, RunState::Pending, RunState::Failed})
            std::cout << (state == RunState::Done ? " " : ", ") << s.count(state) << " " << state_name(state);
        std::cout << "\n";
        for (size_t k = 0; k < s.runs.size(); ++k)
            if (s.runs[k].state == RunState::Failed || s.runs[k].state == RunState::Running)
                std::cout << "  " << state_name(s.runs[k].state) << ": run " << k << " ("
                          << run_name(plan, plan.runs[k]) << "): " << s.runs[k].detail << "\n";
        return 0;
    });
}

}  // namespace

int ablate_main(int argc, char** argv) {
    // A step's name first selects it; anything else is a whole sweep, as it always was.
    const std::string first = argc > 1 ? argv[1] : "";
    if (first == "plan") return plan_main(argc - 1, argv + 1);
    if (first == "task") return task_main(argc - 1, argv + 1);
    if (first == "collect") return collect_main(argc - 1, argv + 1);
    if (first == "status") return status_main(argc - 1, argv + 1);
    return sweep_main(argc, argv);
}

int report_main(int argc, char** argv) {
    CLI::App app{"genlab-report: the HTML pages of genlab's outputs"};
    app.require_subcommand(1, 1);
    std::string sweep_dir;
    CLI::App* sweep = app.add_subcommand("sweep", "Rewrite a sweep folder's report.html from its results");
    sweep->add_option("dir", sweep_dir, "The folder genlab-ablate wrote (holding ablation.json)")->required();
    std::string board_out;
    std::vector<std::string> board_dirs;
    CLI::App* board = app.add_subcommand("scoreboard", "Write the claims scoreboard of several sweeps");
    board->add_option("--out", board_out, "The page to write")->required();
    board->add_option("dirs", board_dirs, "Sweep folders (holding ablation.json)")->required();
    std::string out = "outputs/index.html";
    std::vector<std::string> dirs;
    CLI::App* page = app.add_subcommand("page", "Write one page showing runs, activation tables and sweeps");
    page->add_option("--out", out, "The page to write")->capture_default_str();
    std::string programs;
    for (const ExperimentDef* d : experiments()) programs += d->program() + ", ";
    page->add_option("dirs", dirs, "Output folders of " + programs + "genlab-activations or genlab-ablate")->required();
    return guarded_main("genlab-report", app, argc, argv, [&] {
        if (board->parsed()) {
            for (const std::string& d : board_dirs) require_folder("scoreboard", d, "sweep folder");
            std::cout << "genlab-report: wrote " << write_scoreboard(board_out, board_dirs) << "\n";
            return 0;
        }
        if (sweep->parsed()) {
            require_folder("sweep", sweep_dir, "sweep folder");
            std::cout << "genlab-report: wrote " << write_sweep_report(sweep_dir) << "\n";
            return 0;
        }
        for (const std::string& d : dirs) require_folder("page", d, "output folder");
        // Only a new file or an earlier page is written: --out naming a run's config.json or any
        // other file of the user's must not replace it.
        std::error_code ec;
        if (std::filesystem::exists(std::filesystem::symlink_status(out, ec)) && !is_genlab_page(out))
            usage_fail("--out ", out,
                       ": exists and is not a page genlab wrote; genlab-report writes a new file or over "
                       "its own page only: choose another --out");
        if (page->count("--out") == 0) make_out_dir(std::filesystem::path(out).parent_path().string());  // outputs/
        write_demo_page(out, dirs);
        std::cout << "genlab-report: wrote " << out << "\n";
        return 0;
    });
}

}  // namespace genlab::experiments
