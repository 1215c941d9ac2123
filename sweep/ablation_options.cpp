// genlab-ablate's settings, presets and arms (see ablation_options.h). Every list of models,
// presets and networks here is read from the experiment registry.
#include "sweep/ablation_options.h"

#include <algorithm>

#include "core/error.h"
#include "core/nn/layers.h"
#include "core/number_text.h"

namespace genlab::experiments {

namespace {

// What every model's "quick" preset shares; the model's own preset adds its steps and data.
const std::vector<std::pair<std::string, std::string>> kQuickShared{
    {"acts", "relu,leaky_relu:0.2,prelu,elu,selu,gelu,swish,mish,sigmoid,tanh"}, {"seeds", "2"}, {"jobs", "2"}};

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
        help += " " + name + " (" + (name == "quick" ? "ten activations x 2 seeds: " : "");
        bool first = true;
        for (const ExperimentDef* d : experiments())
            if (const SweepPreset* p = d->sweep.preset(name)) {
                help += (first ? "" : "; --model " + d->name + ": ") + p->about;
                first = false;
            }
        help += ")";
    }
    return help;
}

// --where's choices: both, or a network of some model ("g, d" of the GAN).
std::string where_help() {
    std::string t = "Which networks' hidden activation is swept: both";
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
            .field("where", &A::where, where_help(), listed([] {
                       std::vector<std::string> names{"both"};
                       for (const ExperimentDef* d : experiments())
                           for (const Network& n : d->sweep.networks)
                               if (!n.name.empty() && std::find(names.begin(), names.end(), n.name) == names.end())
                                   names.push_back(n.name);
                       return names;
                   }))
            .field("seeds", &A::seeds, "Seeds per arm (1..N)", in_range(1, 1000))
            .field("steps", &A::steps, "Steps per run (0: the model's default)", in_range(0, 100'000'000))
            .field("eval_every", &A::eval_every, "Quality metrics every N steps (0: the model's default)",
                   in_range(0, 100'000'000))
            .field("diag_every", &A::diag_every, "Diagnostics every N steps and at the end (0: steps / 10)",
                   in_range(0, 100'000'000))
            .field("jobs", &A::jobs, "Runs trained at once", in_range(1, 256))
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
    const SweepPreset& own = *def->sweep.preset(name);
    AblationPreset p{.name = name, .sweep = {{"model", def->name}}, .model = own.model};
    if (name == "quick") p.sweep.insert(p.sweep.end(), kQuickShared.begin(), kQuickShared.end());
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
    const ExperimentDef& def = find_experiment(model);
    ModelSettings m;
    for (const auto& [key, value] : settings) m.given.insert(key);
    m.make = [&def, settings] {
        std::unique_ptr<ConfigBox> box = def.new_config();
        for (const auto& [key, value] : settings) box->set(key, value);
        return box;
    };
    return m;
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

std::vector<Arm> ablation_arms(const AblationOptions& opt) {
    const std::vector<std::string> inits = crossed_list(opt.inits, "--inits", [](const std::string& name) {
        parse_init(name);  // UsageError naming the known inits
        return name;
    });
    const std::vector<std::string> lrs = crossed_list(opt.lrs, "--lrs", learning_rate_text);
    std::vector<Arm> arms;
    for (const Activation& a : parse_activation_list(opt.acts, "--acts"))
        for (const std::string& init : inits)
            for (const std::string& lr : lrs) {
                Arm arm{.label = a.spec, .act = a, .init = init, .lr = lr};
                if (!init.empty()) arm.label += "-" + init;
                if (!lr.empty()) arm.label += "-lr" + lr;
                for (const Arm& other : arms)
                    if (other.label == arm.label) usage_fail("--acts: '", a.spec, "' is listed twice");
                arms.push_back(std::move(arm));
            }
    return arms;
}

namespace {

// The config keys an arm's activation goes to: every network's, or the one --where names.
std::vector<std::string> act_keys(const AblationOptions& opt, const ExperimentDef& def) {
    if (opt.where == "both") return {def.sweep.act_key};
    for (const Network& n : def.sweep.networks)
        if (n.name == opt.where && def.sweep.networks.size() > 1) return {n.act_key};
    if (def.sweep.networks.size() < 2)
        usage_fail("--where ", opt.where, ": the ", def.name, " model has one network (leave --where out)");
    std::string names;
    for (const Network& n : def.sweep.networks) names += (names.empty() ? "" : ", ") + n.name;
    usage_fail("--where ", opt.where, ": the ", def.name, " model's networks are ", names, " (or both)");
}

}  // namespace

std::unique_ptr<ConfigBox> arm_config(const AblationOptions& opt, const ModelSettings& base, const Arm* arm) {
    const std::vector<std::string> keys = act_keys(opt, swept_model(opt));
    std::unique_ptr<ConfigBox> box = base.make();
    std::set<std::string> given = base.given;
    auto set = [&](const std::string& key, const std::string& value) {
        box->set(key, value);
        given.insert(key);
    };
    if (arm) {
        for (const std::string& key : keys) set(key, arm->act.spec);
        if (!arm->init.empty()) set("init", arm->init);
        if (!arm->lr.empty()) set("lr", arm->lr);
    }
    box->resolve([&](const std::string& key) { return given.count(key) > 0; });
    return box;
}

}  // namespace genlab::experiments
