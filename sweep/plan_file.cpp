// A sweep's plan.json and tasks.txt (see plan_file.h).
#include "sweep/plan_file.h"

#include <filesystem>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/input_file.h"
#include "core/io/json_text.h"
#include "sweep/run_status.h"

namespace genlab::experiments {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxModelFlags = 1000;  // far more than any model has

bool plan_file_present(const fs::path& path) {
    std::error_code ec;
    return fs::exists(fs::symlink_status(path, ec));
}

std::string plan_json(const SweepPlan& plan) {
    AblationOptions stored = plan.opt;
    stored.out.clear();  // the folder is where the file is, wherever it has moved
    nlohmann::ordered_json j;
    j["tool"] = "genlab-ablate";
    j["options"] = ablation_options_spec().to_json(stored);
    j["model"] = nlohmann::ordered_json::object();
    for (const auto& [key, value] : plan.settings.values) j["model"][key] = value;
    return json_text(j, 2) + "\n";
}

std::string tasks_text(const SweepPlan& plan) {
    std::string t = "# genlab-ablate plan: " + std::to_string(plan.runs.size()) + " runs in " + plan.opt.out +
                    "; tab-separated: index, arm, seed, the command that trains the run\n";
    for (size_t k = 0; k < plan.runs.size(); ++k)
        t += std::to_string(k) + "\t" + plan.arms[plan.runs[k].arm].label + "\t" + std::to_string(plan.runs[k].seed) +
             "\t" + task_command(plan.opt.out, std::to_string(k)) + "\n";
    return t;
}

// Writes `text` to `path` unless the file already holds exactly it: planning a sweep again with
// the same flags changes nothing.
void write_if_changed(const fs::path& path, const std::string& text) {
    if (plan_file_present(path)) {
        try {
            if (read_whole_file(path.string(), kMaxPlanFileBytes + text.size(), "plan file", "", Links::Refuse) == text)
                return;
        } catch (const Error&) {  // unreadable or not a regular file: write_file_atomic says why
        }
    }
    write_file_atomic(path.string(), text);
}

// The model's flags of plan.json: an object of key -> text.
ModelSettings model_flags(const nlohmann::ordered_json& j, const std::string& model) {
    if (!j.is_object() || j.size() > kMaxModelFlags) fail("\"model\" is not an object of the model's flags");
    std::vector<std::pair<std::string, std::string>> values;
    for (const auto& [key, value] : j.items()) {
        if (!value.is_string()) fail("\"model\": the flag ", clipped(key), " is not text");
        values.emplace_back(key, value.get<std::string>());
    }
    return model_settings(model, values);
}

// The plan from plan.json's contents; Error (or UsageError) for anything that is not a plan.
SweepPlan plan_of(const nlohmann::ordered_json& j, const std::string& dir, const std::string& path) {
    if (j.is_discarded()) fail("not JSON");
    if (!j.is_object() || !j.contains("tool") || j["tool"] != "genlab-ablate" || !j.contains("options") ||
        !j.contains("model"))
        fail("not a genlab-ablate plan (it needs \"tool\", \"options\" and \"model\")");
    AblationOptions opt = ablation_options_spec().from_json(nlohmann::json(j["options"]), path);
    opt.out = dir;
    SweepPlan plan = plan_sweep(opt, model_flags(j["model"], swept_model(opt).name));
    check_sweep_folder(plan);
    return plan;
}

}  // namespace

std::string shell_word(const std::string& text) {
    const bool plain = !text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                               "0123456789_./:=+-@%,") == std::string::npos;
    if (plain) return text;
    std::string q = "'";
    for (char c : text) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string task_command(const std::string& dir, const std::string& index) {
    return "genlab-ablate task --out " + shell_word(dir) + " --index " + index;
}

void write_plan(const SweepPlan& plan) {
    prepare_sweep_folder(plan);
    adopt_results_rows(plan);
    write_if_changed(fs::path(plan.opt.out) / kPlanFileName, plan_json(plan));
    write_if_changed(fs::path(plan.opt.out) / kTasksFileName, tasks_text(plan));
}

SweepPlan read_plan(const std::string& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) usage_fail("--out ", dir, ": no such folder");
    const fs::path path = fs::path(dir) / kPlanFileName;
    if (!plan_file_present(path)) {
        if (plan_file_present(fs::path(dir) / "ablation.json"))
            usage_fail("--out ", dir,
                       ": a sweep without plan.json (run before genlab-ablate plan existed); plan it first with its "
                       "flags: genlab-ablate plan ... --out ",
                       dir);
        usage_fail("--out ", dir, ": not a planned genlab-ablate sweep (no plan.json); write one with: genlab-ablate ",
                   "plan ... --out ", dir);
    }
    try {
        return plan_of(read_json_file(path.string(), kMaxPlanFileBytes, "sweep plan (plan.json)", Links::Refuse), dir,
                       path.string());
    } catch (const Error& e) {
        usage_fail(path.string(), ": not a plan this genlab-ablate can run (", e.what(),
                   "); plan the sweep again with genlab-ablate plan ... --out ", dir);
    }
}

}  // namespace genlab::experiments
