// genlab-ablate's settings, presets and arms (see ablation_options.h). Every list of models,
// presets and networks here is read from the experiment registry.
#include "sweep/ablation_options.h"

#include <algorithm>

#include "core/error.h"
#include "core/nn/layers.h"
#include "core/number_text.h"

namespace genlab::experiments {

namespace {

// The preset names the registered models offer, in registry order, each once.
std::vector<std::string> preset_names() {
    std::vector<std::string> names;
    for (const ExperimentDef* d : experiments())
        for (const SweepPreset& p : d->sweep.presets)
            if (std::find(names.begin(), names.end(), p.name) == names.end()) names.push_back(p.name);
    return names;
}

// "--model ae" or "--model gan or ae": the models offering a preset.
std::string models_offering(const std::string& preset) {
    std::string t;
    for (const ExperimentDef* d : experiments())
        if (d->sweep.preset(preset)) t += (t.empty() ? "--model " : " or ") + d->name;
    return t;
}

// --preset's help: "quick (ten activations x 2 seeds: the ring8 GAN, 3,000 steps unless --model:
// ...) or paper (...)".
std::string preset_help() {
    std::string help = "A whole sweep, flags given still apply:";
    for (const std::string& name : preset_names()) {
        help += std::string(name == preset_names().front() ? " " : "; ") + name + " (" +
                (name == "quick" ? "ten activations x 2 seeds: " : "") +
                (is_study(name) ? "a study of several sweeps, 3 seeds each, ending in scoreboard.html: " : "");
        bool first = true;
        for (const ExperimentDef* d : experiments())
            for (const SweepPreset& p : d->sweep.presets)
                if (p.name == name) {
                    if (!p.part.empty())
                        help += std::string(first ? "" : "; ") + d->name + "-" + p.part + ": " + p.about;
                    else
                        help += (first ? "" : "; --model " + d->name + ": ") + p.about;
                    first = false;
                }
        help += ")";
    }
    return help;
}

// --where's choices: both, or a network of some model ("g, d" of the GAN).
std::string where_help() {
    std::string t = "Which networks' hidden activation is swept, a list crosses them: both";
    for (const ExperimentDef* d : experiments())
        if (d->sweep.networks.size() > 1) {
            t += "; " + d->name + ":";
            for (const Network& n : d->sweep.networks) t += " " + n.name;
        }
    return t;
}

// A check against a list read when it runs, so experiments added later count.
Check<std::string> listed(std::function<std::vector<std::string>()> choices) {
    return [choices = std::move(choices)](const std::string& v) -> std::string {
        const std::vector<std::string> c = choices();
        if (std::find(c.begin(), c.end(), v) != c.end()) return {};
        std::string t = "expected ";
        for (size_t i = 0; i < c.size(); ++i)
            t += (i == 0 ? "" : i + 1 == c.size() ? " or " : ", ") + (c[i].empty() ? "\"\"" : c[i]);
        return t;
    };
}

}  // namespace

std::vector<std::pair<std::string, std::string>> shared_preset_settings(const std::string& name) {
    // quick: ten activations x 2 seeds, whichever model; claims: every sweep of the study 3 seeds.
    if (name == "quick")
        return {
            {"acts", "relu,leaky_relu:0.2,prelu,elu,selu,gelu,swish,mish,sigmoid,tanh"}, {"seeds", "2"}, {"jobs", "2"}};
    if (name == "claims") return {{"seeds", "3"}, {"jobs", "2"}};
    return {};
}

bool is_study(const std::string& preset) {
    for (const ExperimentDef* d : experiments())
        for (const SweepPreset& p : d->sweep.presets)
            if (p.name == preset && !p.part.empty()) return true;
    return false;
}

const ConfigSpec<AblationOptions>& ablation_options_spec() {
    using A = AblationOptions;
    static const ConfigSpec<A> spec =
        ConfigSpec<A>()
            .field("model", &A::model, "Model to sweep: " + experiment_names() + " (default: the first)", listed([] {
                       std::vector<std::string> names{""};
                       for (const ExperimentDef* d : experiments()) names.push_back(d->name);
                       return names;
                   }))
            .field("acts", &A::acts, "Hidden activations, one arm each (default: every elementwise activation)")
            .field("inits", &A::inits,
                   "Linear inits to cross with the activations, e.g. torch,gain (default: the model's)")
            .field("lrs", &A::lrs,
                   "Learning rates to cross with the activations, e.g. 1e-3,1e-4 (default: the model's --lr)")
            .field("preset", &A::preset, preset_help(), listed([] {
                       std::vector<std::string> names = preset_names();
                       names.insert(names.begin(), "");
                       return names;
                   }))
            .field("depths", &A::depths,
                   "Numbers of hidden layers to cross with the activations, e.g. 2,8: every MLP network of the "
                   "model gets that many, each as wide as its first (default: the model's)")
            .field("outs", &A::outs,
                   "Output activations to cross with the activations, e.g. tanh,sigmoid,identity (default: the "
                   "model's)")
            .field("where", &A::where, where_help(), Check<std::string>([](const std::string& list) -> std::string {
                       std::vector<std::string> names{"both"};
                       for (const ExperimentDef* d : experiments())
                           for (const Network& n : d->sweep.networks)
                               if (!n.name.empty() && std::find(names.begin(), names.end(), n.name) == names.end())
                                   names.push_back(n.name);
                       for (size_t at = 0; at <= list.size();) {
                           const size_t comma = std::min(list.find(',', at), list.size());
                           if (const std::string e = listed([&] { return names; })(list.substr(at, comma - at));
                               !e.empty())
                               return e;
                           at = comma + 1;
                       }
                       return {};
                   }))
            .field("seeds", &A::seeds, "Seeds per arm (1..N)", in_range(1, 1000))
            .field("steps", &A::steps, "Steps per run (0: the model's default)", in_range(0, 100'000'000))
            .field("eval_every", &A::eval_every, "Quality metrics every N steps (0: the model's default)",
                   in_range(0, 100'000'000))
            .field("diag_every", &A::diag_every, "Diagnostics every N steps and at the end (0: steps / 10)",
                   in_range(0, 100'000'000))
            .field("jobs", &A::jobs, "Runs trained at once", in_range(1, 256))
            .field("cost_steps", &A::cost_steps,
                   "After the runs, time each arm alone for N steps on one thread: its cost (0: skip)",
                   in_range(0, 100'000))
            .field("threads", &A::threads, "Threads in all, divided between the jobs (0: the OpenMP default)",
                   in_range(0, 1024))
            .field("out", &A::out, "Output folder (default: outputs/ablate/<YYYYmmdd-HHMMSS>)")
            .field("quiet", &A::quiet, "No line per finished run");
    return spec;
}

const ExperimentDef& swept_model(const AblationOptions& opt) {
    return opt.model.empty() ? *experiments().front() : find_experiment(opt.model);
}

AblationPreset find_preset(const std::string& name, const std::string& model) {
    if (is_study(name))
        usage_fail("--preset ", name, ": a study of several sweeps (run_study), not the settings of one sweep");
    const ExperimentDef* def = nullptr;
    for (const ExperimentDef* d : experiments())
        if (d->sweep.preset(name) && (model.empty() ? !def : d->name == model)) def = d;
    if (!def) {
        const std::string offered = models_offering(name);
        if (offered.empty()) {
            std::string known;
            for (const std::string& n : preset_names()) known += (known.empty() ? "" : ", ") + n;
            usage_fail("--preset ", name, ": unknown (", known, ")");
        }
        find_experiment(model);  // an unknown --model is named as such
        usage_fail("--preset ", name, " sweeps ", offered, ", not --model ", model, " (leave --model out)");
    }
    return preset_of(*def, *def->sweep.preset(name));
}

AblationPreset preset_of(const ExperimentDef& def, const SweepPreset& own) {
    AblationPreset p{.name = own.name, .sweep = {{"model", def.name}}, .model = own.model};
    const auto shared = shared_preset_settings(own.name);
    p.sweep.insert(p.sweep.end(), shared.begin(), shared.end());
    p.sweep.insert(p.sweep.end(), own.sweep.begin(), own.sweep.end());
    return p;
}

std::vector<std::pair<std::string, std::string>> apply_preset(AblationOptions& opt,
                                                              const std::set<std::string>& given) {
    if (opt.preset.empty()) return {};
    const AblationPreset p = find_preset(opt.preset, given.count("model") ? opt.model : "");
    for (const auto& [key, value] : p.sweep)
        if (!given.count(key)) ablation_options_spec().set(opt, key, value);
    return p.model;
}

ModelSettings model_settings(const std::string& model,
                             const std::vector<std::pair<std::string, std::string>>& settings) {
    find_experiment(model);  // UsageError naming the registered ones
    return {.model = model, .values = settings};
}

std::unique_ptr<ConfigBox> ModelSettings::make() const {
    std::unique_ptr<ConfigBox> box = find_experiment(model).new_config();
    for (const auto& [key, value] : values) box->set(key, value);
    return box;
}

std::set<std::string> ModelSettings::given() const {
    std::set<std::string> keys;
    for (const auto& [key, value] : values) keys.insert(key);
    return keys;
}

namespace {

// "a,b,c" -> {"a", "b", "c"}, each checked; {""} for an empty list (the model's own setting).
std::vector<std::string> crossed_list(const std::string& list, const std::string& flag,
                                      const std::function<std::string(const std::string&)>& check) {
    std::vector<std::string> items;
    for (size_t at = 0; !list.empty() && at <= list.size();) {
        const size_t comma = std::min(list.find(',', at), list.size());
        const std::string item = check(list.substr(at, comma - at));
        if (std::find(items.begin(), items.end(), item) != items.end())
            usage_fail(flag, ": '", item, "' is listed twice");
        items.push_back(item);
        at = comma + 1;
    }
    if (items.empty()) items.push_back("");
    return items;
}

// One spelling per rate, as a person writes it: 1e-3 and 0.001 are one arm, "0.001".
std::string learning_rate_text(const std::string& text) {
    double v = 0;
    if (!parse_number(text, v) || !(v > 0.0 && v < 1e3))
        usage_fail("--lrs: '", text, "' is not a learning rate (a number in (0, 1000), e.g. 1e-3)");
    return significant_text(v, 6);
}

}  // namespace

namespace {

std::string depth_text(const std::string& text) {
    int v = 0;
    if (!parse_number(text, v) || v < 0 || v > 64)
        usage_fail("--depths: '", text, "' is not a number of hidden layers (0 to 64)");
    return std::to_string(v);
}

std::string out_text(const std::string& spec) {
    return parse_activation_list(spec, "--outs").front().spec;  // UsageError naming the known activations
}

// The arms' settings of every crossed axis, in label order: init, lr, depth, out, where.
struct Axes {
    std::vector<std::string> inits, lrs, depths, outs, wheres;
    size_t combinations() const { return inits.size() * lrs.size() * depths.size() * outs.size() * wheres.size(); }
};

Axes crossed_axes(const AblationOptions& opt) {
    Axes x;
    x.inits = crossed_list(opt.inits, "--inits", [](const std::string& name) {
        parse_init(name);  // UsageError naming the known inits
        return name;
    });
    x.lrs = crossed_list(opt.lrs, "--lrs", learning_rate_text);
    x.depths = crossed_list(opt.depths, "--depths", depth_text);
    x.outs = crossed_list(opt.outs, "--outs", out_text);
    x.wheres = crossed_list(opt.where, "--where", [](const std::string& w) { return w; });
    if (x.wheres.size() == 1) x.wheres = {""};  // one --where: the sweep's, not an arm's
    return x;
}

// The k-th combination of the axes (the last one varying fastest) for activation `a`.
Arm arm_at(const Activation& a, const Axes& x, size_t k) {
    auto pick = [&k](const std::vector<std::string>& values) -> const std::string& {
        const std::string& v = values[k % values.size()];
        k /= values.size();
        return v;
    };
    Arm arm{.label = a.spec, .act = a};
    arm.where = pick(x.wheres);
    arm.out = pick(x.outs);
    arm.depth = pick(x.depths);
    arm.lr = pick(x.lrs);
    arm.init = pick(x.inits);
    if (!arm.init.empty()) arm.label += "-" + arm.init;
    if (!arm.lr.empty()) arm.label += "-lr" + arm.lr;
    if (!arm.depth.empty()) arm.label += "-depth" + arm.depth;
    if (!arm.out.empty()) arm.label += "-out-" + arm.out;
    if (!arm.where.empty()) arm.label += "-in-" + arm.where;
    return arm;
}

}  // namespace

std::vector<Arm> ablation_arms(const AblationOptions& opt) {
    const Axes axes = crossed_axes(opt);
    std::vector<Arm> arms;
    for (const Activation& a : parse_activation_list(opt.acts, "--acts"))
        for (size_t k = 0; k < axes.combinations(); ++k) {
            Arm arm = arm_at(a, axes, k);
            for (const Arm& other : arms)
                if (other.label == arm.label) usage_fail("--acts: '", a.spec, "' is listed twice");
            arms.push_back(std::move(arm));
        }
    return arms;
}

namespace {

// The config keys an arm's activation goes to: every network's, or the one `where` names.
std::vector<std::string> act_keys(const std::string& where, const ExperimentDef& def) {
    if (where == "both") return {def.sweep.act_key};
    for (const Network& n : def.sweep.networks)
        if (n.name == where && def.sweep.networks.size() > 1) return {n.act_key};
    if (def.sweep.networks.size() < 2)
        usage_fail("--where ", where, ": the ", def.name, " model has one network (leave --where out)");
    std::string names;
    for (const Network& n : def.sweep.networks) names += (names.empty() ? "" : ", ") + n.name;
    usage_fail("--where ", where, ": the ", def.name, " model's networks are ", names, " (or both)");
}

// The settings of an arm's depth and output activation, as the model names them.
std::vector<std::pair<std::string, std::string>> shape_settings(const Arm& arm, const ExperimentDef& def,
                                                                const ConfigBox& box) {
    std::vector<std::pair<std::string, std::string>> set;
    if (!arm.depth.empty()) {
        if (!def.sweep.depth_settings)
            usage_fail("--depths: the ", def.name, " model has no MLP hidden layers to set (leave --depths out)");
        int depth = 0;
        parse_number(arm.depth, depth);  // checked by ablation_arms
        set = def.sweep.depth_settings(nlohmann::json(box.to_json()), depth);
    }
    if (!arm.out.empty()) {
        if (def.sweep.out_key.empty())
            usage_fail("--outs: the ", def.name, " model has no output activation to swap (leave --outs out)");
        set.emplace_back(def.sweep.out_key, arm.out);
    }
    return set;
}

}  // namespace

std::unique_ptr<ConfigBox> arm_config(const AblationOptions& opt, const ModelSettings& base, const Arm* arm) {
    const ExperimentDef& def = swept_model(opt);
    std::unique_ptr<ConfigBox> box = base.make();
    std::set<std::string> given = base.given();
    auto set = [&](const std::string& key, const std::string& value) {
        box->set(key, value);
        given.insert(key);
    };
    const auto resolve = [&] { box->resolve([&](const std::string& key) { return given.count(key) > 0; }); };
    if (!arm) {
        for (size_t at = 0; at <= opt.where.size();) {  // every --where names a network of this model
            const size_t comma = std::min(opt.where.find(',', at), opt.where.size());
            act_keys(opt.where.substr(at, comma - at), def);
            at = comma + 1;
        }
        resolve();
        return box;
    }
    for (const std::string& key : act_keys(arm->where.empty() ? opt.where : arm->where, def)) set(key, arm->act.spec);
    if (!arm->init.empty()) set("init", arm->init);
    if (!arm->lr.empty()) set("lr", arm->lr);
    if (!arm->depth.empty() || !arm->out.empty()) {
        std::unique_ptr<ConfigBox> resolved = arm_config(opt, base, nullptr);  // the widths the model decides
        for (const auto& [key, value] : shape_settings(*arm, def, *resolved)) {
            try {
                set(key, value);
            } catch (const UsageError& e) {
                const bool is_out = key == def.sweep.out_key;
                usage_fail(is_out ? "--outs " + arm->out : "--depths " + arm->depth, ": ", e.what());
            }
        }
    }
    try {
        resolve();
    } catch (const UsageError& e) {  // a setting the model refuses with this arm's crossing: name the arm
        if (arm->depth.empty() && arm->out.empty()) throw;
        usage_fail("arm ", arm->label, " (", arm->out.empty() ? "--depths " + arm->depth : "--outs " + arm->out,
                   "): ", e.what());
    }
    return box;
}

}  // namespace genlab::experiments
