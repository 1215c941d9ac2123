// Planning a sweep (see sweep_plan.h).
#include "sweep/sweep_plan.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/input_file.h"
#include "core/io/json_text.h"
#include "core/train/folder_lock.h"
#include "core/train/run_dir.h"

namespace genlab::experiments {

namespace fs = std::filesystem;

std::vector<ArmSeeds> SweepPlan::arm_seeds() const {
    std::vector<ArmSeeds> out;
    for (const Arm& a : arms) {
        ArmSeeds s{.label = a.label,
                   .act = a.act.spec,
                   .init = a.init,
                   .lr = a.lr,
                   .depth = a.depth,
                   .out = a.out,
                   .where = a.where,
                   .seeds = {}};
        for (int seed = 1; seed <= opt.seeds; ++seed) s.seeds.push_back(seed);
        out.push_back(std::move(s));
    }
    return out;
}

namespace {

// The sweep's identity, stored in ablation.json: a rerun into the same folder must match it
// (arms and seeds may change: rows are per arm and seed).
nlohmann::ordered_json sweep_identity(const SweepPlan& p) {
    nlohmann::ordered_json j;
    j["model"] = p.def->name;
    j["where"] = p.opt.where;
    j["steps"] = p.steps;
    j["eval_every"] = p.eval_every;
    j["diag_every"] = p.diag_every;
    j["config"] = p.base->to_json();
    return j;
}

}  // namespace

SweepPlan plan_sweep(const AblationOptions& opt, const ModelSettings& base) {
    SweepPlan p;
    p.opt = opt;
    ablation_options_spec().validate(p.opt);
    p.def = &swept_model(p.opt);
    p.opt.model = p.def->name;
    if (base.model != p.def->name)
        fail("plan_sweep: the model settings are for the ", base.model, " model, not ", p.def->name);
    p.settings = base;
    p.arms = ablation_arms(p.opt);
    // Every arm's config is built and validated before anything runs.
    p.base = arm_config(p.opt, base, nullptr);
    for (const Arm& arm : p.arms) p.configs.push_back(arm_config(p.opt, base, &arm));
    p.steps = p.opt.steps > 0 ? p.opt.steps : p.def->default_steps(*p.base);
    p.eval_every = p.opt.eval_every > 0 ? p.opt.eval_every : p.def->default_eval_every;
    p.diag_every = p.opt.diag_every > 0 ? p.opt.diag_every : std::max(1, p.steps / 10);
    p.quality = p.def->quality(*p.base);
    if (p.opt.out.empty()) p.opt.out = default_out_dir("ablate");
    p.identity = sweep_identity(p);
    for (size_t a = 0; a < p.arms.size(); ++a)
        for (int seed = 1; seed <= p.opt.seeds; ++seed)
            p.runs.push_back(
                {.arm = a,
                 .seed = seed,
                 .dir = (fs::path(p.opt.out) / "runs" / p.arms[a].label / ("seed" + std::to_string(seed))).string()});
    return p;
}

namespace {

// Why the sweep in `held` (an ablation.json's "sweep") is not this one; "" when it is. Compared
// key by key in the identity's own order (steps before the diag_every derived from it): the first
// difference named is the setting the user changed.
std::string identity_difference(const nlohmann::json& held, const nlohmann::ordered_json& identity) {
    for (const auto& [key, value] : identity.items()) {
        const nlohmann::json mine(value);
        const std::string d = !held.is_object() || !held.contains(key)
                                  ? flag_name(key) + " (absent on one side)"
                                  : first_difference(nlohmann::json{{key, held[key]}}, nlohmann::json{{key, mine}});
        if (!d.empty()) return d;
    }
    return first_difference(held, nlohmann::json(identity));
}

// An --out that holds a sweep: it must be this one.
void check_existing_sweep(const std::string& out, const fs::path& meta, const nlohmann::ordered_json& identity) {
    const nlohmann::json prev = read_json_file(meta.string(), kMaxJsonFileBytes, "sweep description (ablation.json)",
                                               Links::Refuse);
    if (!prev.is_object() || !prev.contains("sweep")) fail(meta.string(), ": not a genlab-ablate sweep description");
    if (const std::string d = identity_difference(prev["sweep"], identity); !d.empty())
        usage_fail("--out ", out, ": holds a sweep with other settings (", d,
                   "); use another --out or the flags of that sweep");
}

}  // namespace

void check_sweep_folder(const SweepPlan& p) {
    const fs::path meta = fs::path(p.opt.out) / "ablation.json";
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(meta, ec)))
        usage_fail("--out ", p.opt.out, ": not a genlab-ablate sweep folder (no ablation.json)");
    check_existing_sweep(p.opt.out, meta, p.identity);
}

void prepare_sweep_folder(const SweepPlan& p) {
    const std::string& out = p.opt.out;
    const fs::path meta = fs::path(out) / "ablation.json";
    std::error_code ec;
    if (fs::exists(meta, ec)) return check_existing_sweep(out, meta, p.identity);
    if (fs::exists(out, ec)) {
        if (!fs::is_directory(out, ec)) usage_fail("--out ", out, ": exists and is not a folder");
        if (!folder_is_empty(out))
            usage_fail("--out ", out,
                       ": a folder that is not empty and holds no genlab-ablate sweep (no ablation.json); "
                       "choose a new or empty folder");
    }
    // A new sweep: the model flags that only the data can judge (--data-dir, --class, a size the
    // images decide) are tried by building the first arm's experiment once, so that a bad flag
    // leaves no sweep folder behind. Its data and model are freed before any run.
    const RunOptions probe{
        .steps = p.steps, .seed = 1, .threads = p.opt.threads, .eval_every = p.eval_every, .quiet = true};
    if (!p.configs.empty()) p.def->create(*p.configs.front(), probe);
    nlohmann::ordered_json j;
    j["tool"] = "genlab-ablate";
    j["sweep"] = p.identity;
    for (const QualityMetric& q : p.quality)
        j["quality"].push_back({{"metric", q.name}, {"better", better_name(q.better)}});
    write_file_atomic(meta.string(), json_text(j, 2) + "\n");
}

}  // namespace genlab::experiments
