// report.html of a sweep (see report.h): read the sweep back, draw its figures as inline SVG
// through the plot module, and lay them out as one page.
#include "sweep/report.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "bench/activation_properties.h"
#include "core/error.h"
#include "core/io/input_file.h"
#include "core/io/json_text.h"
#include "core/number_text.h"
#include "sweep/claims.h"
#include "sweep/convergence.h"
#include "sweep/run_status.h"
#include "sweep/significance.h"
#include "viz/html.h"
#include "viz/plot.h"
#include "viz/svg.h"

namespace genlab::experiments {

namespace fs = std::filesystem;

namespace {

std::string mean_std(const Stats& s) {
    if (s.n() == 0) return "";
    if (s.n() == 1) return metric_text(s.mean);
    return metric_text(s.mean) + " \u00b1 " + significant_text(s.std, 2);  // two digits of the spread are plenty
}

HtmlTable::Cell number_cell(const std::string& text) { return HtmlTable::raw(html_escape(text), "num"); }

// Arms in rank order (unranked ones, every run diverged or missing, last), with their index in
// sweep.arms (which fixes their colour).
std::vector<size_t> rank_order(const SweepData& s) {
    std::vector<size_t> order(s.arms.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const int ra = s.arms[a].rank > 0 ? s.arms[a].rank : 1 << 30,
                  rb = s.arms[b].rank > 0 ? s.arms[b].rank : 1 << 30;
        return ra < rb;
    });
    return order;
}

bool crossed(const SweepData& s, std::string SweepArm::*field) {
    return std::any_of(s.arms.begin(), s.arms.end(), [&](const SweepArm& a) { return !(a.*field).empty(); });
}

// ------------------------------------------------------------------ curves over training

// Mean over runs with a min-max band, at the steps every run logged a value.
Series mean_band(const std::vector<MetricsTable>& tables, const std::string& column, const std::string& label,
                 Rgb color) {
    Series s{.label = label, .color = color, .width = 1.8f};
    std::map<double, std::vector<double>> at;  // step -> values
    for (const MetricsTable& t : tables) {
        if (!t.has(column)) return s;
        const std::vector<double> steps = t.steps(), v = t.column(column);
        for (size_t i = 0; i < steps.size(); ++i)
            if (std::isfinite(v[i])) at[steps[i]].push_back(v[i]);
    }
    for (const auto& [step, vals] : at) {
        if (vals.size() != tables.size()) continue;
        const Stats st = stats_of(vals);
        s.x.push_back(step);
        s.y.push_back(st.mean);
        s.band_lo.push_back(st.min);
        s.band_hi.push_back(st.max);
    }
    return s;
}

struct ArmTables {
    std::vector<MetricsTable> metrics, diagnostics;  // of the arm's finished runs
};

std::vector<ArmTables> read_tables(const SweepData& s) {
    std::vector<ArmTables> out;
    for (const SweepArm& a : s.arms) {
        ArmTables t;
        for (const SweepRun* r : a.done()) {
            t.metrics.push_back(run_metrics(*r));
            t.diagnostics.push_back(run_diagnostics(*r));
        }
        out.push_back(std::move(t));
    }
    return out;
}

// Columns of metrics.csv worth a learning curve: the losses, and the quality metrics measured at
// more than one step.
std::vector<std::string> curve_columns(const SweepData& s, const std::vector<ArmTables>& tables) {
    std::vector<std::string> cols;
    auto add = [&](const std::string& c) {
        if (std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
    };
    for (const QualityMetric& q : s.quality)
        for (const ArmTables& t : tables)
            for (const MetricsTable& m : t.metrics) {
                const std::vector<double> v = m.column(q.name);
                if (std::count_if(v.begin(), v.end(), [](double x) { return std::isfinite(x); }) > 1) add(q.name);
            }
    for (const ArmTables& t : tables)
        for (const MetricsTable& m : t.metrics)
            for (const std::string& c : m.columns)
                if (c.find("loss") != std::string::npos) add(c);
    return cols;
}

std::string curves_figure(const SweepData& s, const std::vector<ArmTables>& tables) {
    const std::vector<std::string> cols = curve_columns(s, tables);
    if (cols.empty()) return {};
    Figure fig{.cols = static_cast<int>(std::min<size_t>(cols.size(), 3)),
               .panel_width = 370,
               .panel_height = 270,
               .svg_id = "curves"};
    for (const std::string& c : cols) {
        Panel p{.title = c, .x_label = "step"};
        for (size_t a = 0; a < s.arms.size(); ++a)
            if (!tables[a].metrics.empty())
                p.series.push_back(mean_band(tables[a].metrics, c, s.arms[a].label, palette_color(a)));
        fig.panels.push_back(std::move(p));
    }
    return render_svg(fig);
}

struct Layers {
    std::string prefix, name;  // "d_", "D"; "" and "" for a model's only network
    int count = 0;             // hidden layers l0 .. l<count-1>
};

std::vector<Layers> diagnosed_layers(const SweepData& s, const std::vector<ArmTables>& tables) {
    std::vector<Layers> nets;
    const std::vector<Network>& networks = s.facts().networks;
    for (const Network& n : networks) nets.push_back({n.prefix, networks.size() > 1 ? n.label : "", 0});
    for (Layers& n : nets)
        for (const ArmTables& t : tables)
            for (const MetricsTable& d : t.diagnostics)
                while (d.has(n.prefix + "dead_fraction_l" + std::to_string(n.count))) ++n.count;
    nets.erase(std::remove_if(nets.begin(), nets.end(), [](const Layers& n) { return n.count == 0; }), nets.end());
    return nets;
}

// One row of panels per (network, metric): that metric of each hidden layer over training.
std::string diagnostics_over_training(const SweepData& s, const std::vector<ArmTables>& tables,
                                      const std::string& metric, const std::string& what, const std::string& id) {
    const std::vector<Layers> nets = diagnosed_layers(s, tables);
    if (nets.empty()) return {};
    int cols = 0;
    for (const Layers& n : nets) cols = std::max(cols, n.count);
    Figure fig{.cols = std::min(cols, 4), .panel_width = 280, .panel_height = 220, .svg_id = id};
    for (const Layers& n : nets)
        for (int k = 0; k < n.count; ++k) {
            const std::string col = n.prefix + metric + "_l" + std::to_string(k);
            Panel p{.title = (n.name.empty() ? "" : n.name + " ") + "layer " + std::to_string(k) + ": " + what,
                    .x_label = "step",
                    .y_min = 0.0};
            for (size_t a = 0; a < s.arms.size(); ++a)
                if (!tables[a].diagnostics.empty())
                    p.series.push_back(mean_band(tables[a].diagnostics, col, s.arms[a].label, palette_color(a)));
            fig.panels.push_back(std::move(p));
        }
    return render_svg(fig);
}

// Per network: the final weight-gradient norm of each hidden layer against its depth (log scale).
std::string gradient_by_depth(const SweepData& s, const std::vector<ArmTables>& tables) {
    const std::vector<Layers> nets = diagnosed_layers(s, tables);
    if (nets.empty()) return {};
    Figure fig{.cols = static_cast<int>(nets.size()), .panel_width = 420, .panel_height = 300, .svg_id = "depth"};
    for (const Layers& n : nets) {
        Panel p{.title = (n.name.empty() ? "" : n.name + ": ") + "weight-gradient norm by layer (end)",
                .x_label = "hidden layer (0 = nearest the input)",
                .x_min = -0.2,
                .x_max = n.count - 0.8,
                .log_y = true,
                .integer_x = true};
        for (size_t a = 0; a < s.arms.size(); ++a) {
            Series sr{.label = s.arms[a].label, .color = palette_color(a)};
            for (int k = 0; k < n.count; ++k) {
                const Stats st = s.arms[a].stats(n.prefix + "grad_norm_l" + std::to_string(k));
                if (st.n() == 0) continue;
                sr.x.push_back(k);
                sr.y.push_back(st.mean);
                sr.band_lo.push_back(st.min);
                sr.band_hi.push_back(st.max);
            }
            if (!sr.x.empty()) p.series.push_back(std::move(sr));
        }
        fig.panels.push_back(std::move(p));
    }
    return render_svg(fig);
}

// ------------------------------------------------------------------ per activation

std::string activation_thumbnail(const std::string& spec, size_t index) {
    Activation act;
    try {
        act = parse_activation(spec);
    } catch (const UsageError& e) {  // from the sweep's files, not from a flag
        fail("summary.json: activation '", spec, "' of an arm: ", e.what());
    }
    const ActivationCurve c = activation_curve(act, -4.0, 4.0, 161);
    Series f{.label = "f", .color = palette_color(index), .width = 2.f};
    Series df{.label = "f'", .color = {90, 90, 90}, .width = 1.4f, .dash = 4.f};
    for (size_t i = 0; i < c.x.size(); ++i) {
        f.x.push_back(c.x[i]), f.y.push_back(c.y[i]);
        df.x.push_back(c.x[i]), df.y.push_back(c.dy[i]);
    }
    Figure fig{.cols = 1,
               .panel_width = 250,
               .panel_height = 170,
               .shared_legend = false,
               .font_size = 11.f,
               .svg_id = "act" + std::to_string(index)};
    fig.panels.push_back(Panel{.series = {f, df}, .y_min = -1.5, .y_max = 4.0, .legend = true});
    return render_svg(fig);
}

// The last "# step" block of a samples.txt (within its last kMaxShownTextBytes), at most `lines` lines.
std::string last_samples(const std::string& path, size_t lines) {
    const std::string tail = read_file_part(path, FilePart::Tail, kMaxShownTextBytes, "samples file", Links::Refuse);
    std::vector<std::string> block;
    for (size_t at = 0; at < tail.size();) {
        const size_t nl = std::min(tail.find('\n', at), tail.size());
        std::string line = tail.substr(at, nl - at);
        at = nl + 1;
        if (line.rfind("# step", 0) == 0) block.clear();
        block.push_back(std::move(line));
    }
    std::string text;
    for (size_t i = 0; i < block.size() && i < lines; ++i) text += block[i].substr(0, 160) + "\n";
    return text;
}

// The arm's sample: the first output of the experiment's list that its first finished run has.
std::string arm_sample(const SweepData& s, const SweepArm& a) {
    const std::vector<const SweepRun*> done = a.done();
    if (done.empty()) return "<p class=\"note\">No finished run.</p>";
    for (const OutputDoc& doc : find_experiment(s.model).outputs) {
        const fs::path path = fs::path(done.front()->dir) / doc.file;
        std::error_code ec;
        if (!fs::is_regular_file(fs::symlink_status(path, ec))) continue;  // a link is not the run's output: not shown
        const std::string rel = "runs/" + a.label + "/seed" + std::to_string(done.front()->seed) + "/" + doc.file;
        std::string html = "<figure>";
        if (path.extension() == ".png")
            html += "<img src=\"" + data_uri(path.string(), "image/png") + "\" alt=\"" + html_escape(doc.file) + "\">";
        else
            html += "<pre>" + html_escape(last_samples(path.string(), 14)) + "</pre>";
        return html + "<figcaption>" + html_escape(rel) + ": " + html_escape(doc.caption) + "</figcaption></figure>";
    }
    return "<p class=\"note\">The run wrote no picture or sample.</p>";
}

std::string data_name(const SweepData& s) { return s.facts().data_name ? s.facts().data_name(s.config()) : ""; }

// The sweep's model config as key / value rows ("model.hidden" for nested keys).
void flatten(const nlohmann::json& j, const std::string& prefix, HtmlTable& t) {
    for (const auto& [key, v] : j.items()) {
        if (v.is_object())
            flatten(v, prefix + key + ".", t);
        else
            t.row({prefix + key, v.is_string() ? v.get<std::string>() : json_text(v)});
    }
}

}  // namespace

std::string sweep_title(const SweepData& s) {
    size_t seeds = 0;
    for (const SweepArm& a : s.arms) seeds = std::max(seeds, a.runs.size());
    const int steps = s.sweep.contains("steps") && s.sweep["steps"].is_number_integer() ? s.sweep["steps"].get<int>()
                                                                                        : 0;
    const std::string data = data_name(s);
    return s.model + (data.empty() ? "" : " on " + data) + ": " + std::to_string(s.arms.size()) + " arms \u00d7 " +
           std::to_string(seeds) + " seeds, " + std::to_string(steps) + " steps each";
}

namespace {

using ArmAxis = std::pair<std::string, std::string SweepArm::*>;

// The axes the sweep crosses its activations with, a ranking column each.
std::vector<ArmAxis> crossed_axes(const SweepData& s) {
    std::vector<ArmAxis> axes;
    for (const ArmAxis& axis : std::vector<ArmAxis>{{"init", &SweepArm::init},
                                                    {"lr", &SweepArm::lr},
                                                    {"depth", &SweepArm::depth},
                                                    {"out", &SweepArm::out},
                                                    {"networks", &SweepArm::where}})
        if (crossed(s, axis.second)) axes.push_back(axis);
    return axes;
}

// "1 of 3 (step 120)": the arm's diverged runs and where.
std::string diverged_text(const SweepArm& arm) {
    int diverged = 0;
    std::string at;
    for (const SweepRun& r : arm.runs)
        if (r.diverged) {
            ++diverged;
            at += (at.empty() ? " (step " : ", ") + std::to_string(r.diverged_step);
        }
    return std::to_string(diverged) + " of " + std::to_string(arm.runs.size()) + (diverged ? at + ")" : "");
}

// The ranking's adjacent pairs (rank k against rank k + 1, among the arms with the first quality
// metric) compared on that metric as one Holm family (significance.h), and per arm (its index in
// sweep.arms) the neighbours it is not separable from.
struct RankingTies {
    std::vector<std::string> with;        // HTML: "prelu (p = 0.62, |g| = 0.41)", the comparison as its title
    std::vector<Comparison> comparisons;  // one per adjacent pair
};
RankingTies ranking_ties(const SweepData& s, const std::vector<size_t>& order) {
    const QualityMetric& q0 = s.quality.front();
    std::vector<size_t> ranked;
    for (size_t a : order)
        if (s.arms[a].stats(q0.name).n() > 0) ranked.push_back(a);
    std::vector<std::pair<Stats, Stats>> pairs;
    for (size_t k = 0; k + 1 < ranked.size(); ++k)
        pairs.emplace_back(s.arms[ranked[k]].stats(q0.name), s.arms[ranked[k + 1]].stats(q0.name));
    RankingTies t{.with = std::vector<std::string>(s.arms.size()), .comparisons = compare_family(pairs, q0.better)};
    for (size_t k = 0; k + 1 < ranked.size(); ++k) {
        const Comparison& c = t.comparisons[k];
        if (c.separation != Separation::Overlap) continue;
        // The whole comparison (its interval too) on hover; a tested one shows its adjusted p and |g|.
        const std::string title = html_escape(s.arms[ranked[k]].label + " against " + s.arms[ranked[k + 1]].label +
                                              ": " + c.text);
        std::string stat;
        if (c.rule == Rule::Welch)
            stat = " (p = " + significant_text(c.p_adjusted, 2) +
                   (std::isfinite(c.g) ? ", |g| = " + significant_text(std::abs(c.g), 2) : std::string{}) + ")";
        for (const auto& [arm, other] : {std::pair{ranked[k], ranked[k + 1]}, std::pair{ranked[k + 1], ranked[k]}})
            t.with[arm] += (t.with[arm].empty() ? "" : ", ") + ("<span title=\"" + title + "\">") +
                           html_escape(s.arms[other].label + stat) + "</span>";
    }
    return t;
}

// The ranking table's note: what its numbers are, and how ties are decided.
std::string ranking_note(bool any_tie, const std::vector<Comparison>& cs) {
    std::string note =
        "<p class=\"note\">Mean \u00b1 standard deviation over the seeds that finished; per-seed values in "
        "seed order. ms/step alone: the median optimisation step of the arm timed after the runs, on one thread "
        "with nothing else running (its cost); in the sweep: wall time per step, evaluation included, with the "
        "sweep's jobs sharing the machine.";
    if (cs.empty()) return note + "</p>";
    note += " Each arm is compared with the next in rank on the first quality metric, by " + rules_text(cs);
    const auto tested = std::find_if(cs.begin(), cs.end(), [](const Comparison& c) { return c.rule == Rule::Welch; });
    if (tested != cs.end())
        note += " (Holm's family: the " + std::to_string(tested->family) + " tested adjacent pairs of the ranking)";
    note += ".";
    if (any_tie)
        note += " Highlighted arms are not separable from the neighbours listed (with the adjusted p and the size of "
                "Hedges' g where tested; hover for the difference and its 95% interval), so this sweep cannot order "
                "them (more seeds may).";
    return note + "</p>";
}

}  // namespace

std::string ranking_table_html(const SweepData& s) {
    if (s.quality.empty()) return "<p class=\"note\">This model reports no quality metric: nothing to rank.</p>";
    const QualityMetric& q0 = s.quality.front();
    const std::vector<ArmAxis> axes = crossed_axes(s);
    std::vector<std::string> header{"rank", "arm"};
    for (const auto& axis : axes) header.push_back(axis.first);
    header.push_back(q0.name + " (" + better_name(q0.better) + " is better)");
    header.push_back("per seed");
    for (size_t i = 1; i < s.quality.size(); ++i) header.push_back(s.quality[i].name);
    header.insert(header.end(),
                  {"ms/step alone", "ms/step in the sweep", "diverged", "not separable from (next in rank)"});
    HtmlTable t(header, "ranking");
    const std::vector<size_t> order = rank_order(s);
    const RankingTies ties = ranking_ties(s, order);
    bool any_tie = false;
    for (size_t a : order) {
        const SweepArm& arm = s.arms[a];
        const Stats q = arm.stats(q0.name);
        const std::string& overlaps = ties.with[a];
        any_tie = any_tie || !overlaps.empty();
        std::vector<HtmlTable::Cell> row;
        row.push_back(number_cell(arm.rank > 0 ? std::to_string(arm.rank) : "\u2013"));
        row.push_back(HtmlTable::raw("<span style=\"color:" + svg_color(palette_color(a)) + "\">\u25a0</span> <b>" +
                                     html_escape(arm.label) + "</b>"));
        for (const auto& axis : axes) row.push_back({html_escape(arm.*axis.second)});
        row.push_back(number_cell(mean_std(q)));
        row.push_back(number_cell(values_text(q)));
        for (size_t i = 1; i < s.quality.size(); ++i)
            row.push_back(number_cell(mean_std(arm.stats(s.quality[i].name))));
        row.push_back(number_cell(arm.cost ? metric_text(arm.cost->step_ms) : "\u2013"));
        row.push_back(number_cell(mean_std(arm.stats("ms_per_step"))));
        row.push_back({html_escape(diverged_text(arm))});
        row.push_back({overlaps.empty() ? "\u2013" : overlaps});
        const bool all_diverged = arm.done().empty() && !arm.runs.empty();
        t.html_row(row, all_diverged ? "diverged" : (overlaps.empty() ? "" : "tie"));
    }
    return t.str() + ranking_note(any_tie, ties.comparisons) + "\n";
}

std::string claims_html(const SweepData& s) {
    std::string h = "<ul>\n";
    for (const Claim& c : sweep_claims(s))
        h += "<li><b>" + html_escape(c.claim) + "</b> \u2014 <span class=\"verdict " + verdict_class(c.verdict) +
             "\">" + verdict_text(c.verdict) + "</span>. " + html_escape(c.evidence) + "</li>\n";
    return h + "</ul>\n";
}

namespace {

// When the newest result was written: a run's own result.csv, or results.csv in a sweep older than
// those. Not the time of writing the page, so that collecting a sweep again writes the same page.
std::string results_time_text(const SweepData& s) {
    std::error_code ec;
    std::optional<fs::file_time_type> newest;
    for (const SweepArm& a : s.arms)
        for (const SweepRun& r : a.runs)
            if (const auto t = fs::last_write_time(fs::path(r.dir) / kRunResultName, ec); !ec)
                newest = std::max(newest.value_or(t), t);
    if (!newest)
        if (const auto t = fs::last_write_time(fs::path(s.dir) / "results.csv", ec); !ec) newest = t;
    if (!newest) return "an unknown time";
    const auto sys = std::chrono::file_clock::to_sys(*newest);
    return utc_text(
        std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::system_clock::duration>(sys)));
}

// The title, how the sweep was made, and every setting.
std::string header_html(const SweepData& s) {
    const nlohmann::json& cfg = s.config();
    std::string init = cfg.contains("model") && cfg["model"].is_object() ? cfg["model"].value("init", "") : "";
    if (init.empty() && cfg.contains("init") && cfg["init"].is_string()) init = cfg["init"].get<std::string>();
    std::string b = "<h1>Activation ablation</h1>\n<p><b>" + html_escape(sweep_title(s)) + "</b></p>\n";
    if (s.partial)
        b += "<p class=\"warning\"><b>" + html_escape(s.partial->text()) +
             "</b>. Everything below is computed from the finished runs only; collect again when the others have "
             "finished (genlab-ablate status lists them).</p>\n";
    b += "<p class=\"meta\">Results as of " + results_time_text(s) +
         ", written by genlab-ablate from <code>results.csv</code>, "
         "<code>summary.json</code> and each run's <code>metrics.csv</code> and <code>diagnostics.csv</code>. ";
    b += "Weight init: <b>" + html_escape(crossed(s, &SweepArm::init) ? "crossed, see the arms" : init) +
         "</b> (part of the result: another init can reorder the arms). ";
    if (s.facts().networks.size() > 1)
        b += "Swept networks: <b>" + html_escape(s.sweep.value("where", "both")) +
             "</b>; the output activation stays the model's. ";
    b += "Seeds are 1..N; every arm sees the same data order and evaluation batch for a given seed.</p>\n";

    HtmlTable settings({"setting", "value"});
    for (const char* key : {"steps", "eval_every", "diag_every", "where"})
        if (s.sweep.contains(key))
            settings.row({key, s.sweep[key].is_string() ? s.sweep[key].get<std::string>() : json_text(s.sweep[key])});
    flatten(s.config(), "", settings);
    return b +
           "<details><summary>Every setting of the sweep (the model's config; an arm changes its activation, init or "
           "learning rate)</summary>\n" +
           settings.str() + "</details>\n";
}

// What the convergence table's note says the target is: "modes_covered >= 7.6 (within 5% of the
// best final value, 8)".
std::string target_text(const Convergence& c) {
    if (!c.target) return "none (no run finished with a quality metric)";
    const Target& t = *c.target;
    return t.metric + (t.better == Better::Lower ? " \u2264 " : " \u2265 ") + metric_text(t.bound()) + " (within " +
           metric_text(100 * kTargetTolerance) + "% of the best final value over the finished runs, " +
           metric_text(t.best) + ")";
}

// A run's steps to target as the table shows it: "1500", "\u2013" (not reached), "diverged".
std::string steps_text(const RunConvergence& r) {
    if (r.diverged) return "diverged";
    return r.steps_to_target ? std::to_string(*r.steps_to_target) : "\u2013";
}

// Per arm, best first: how soon it got near the sweep's best final value, its quality over
// training, training-loss spikes and divergence.
std::string convergence_html(const SweepData& s) {
    if (s.quality.empty()) return {};
    const Convergence c = convergence_of(s);
    const QualityMetric& q0 = s.quality.front();
    HtmlTable t({"arm", "steps to target (median)", "reached", "per seed",
                 "curve AUC (" + std::string(better_name(q0.better)) + " is better)", "loss spikes",
                 "diverged fraction"},
                "convergence");
    for (size_t a : rank_order(s)) {
        const SweepArm& arm = s.arms[a];
        const ArmConvergence& ac = c.arms[a];
        std::string per_seed;
        for (const RunConvergence& r : ac.runs) per_seed += (per_seed.empty() ? "" : ", ") + steps_text(r);
        t.html_row({HtmlTable::raw("<span style=\"color:" + svg_color(palette_color(a)) + "\">\u25a0</span> <b>" +
                                   html_escape(arm.label) + "</b>"),
                    number_cell(ac.median_steps ? metric_text(*ac.median_steps) : "\u2013"),
                    {html_escape(std::to_string(ac.reached) + " of " + std::to_string(ac.runs.size()))},
                    number_cell(per_seed),
                    number_cell(mean_std(arm.stats("curve_auc"))),
                    number_cell(mean_std(arm.stats("loss_spikes"))),
                    number_cell(ac.runs.empty() ? "\u2013" : significant_text(ac.diverged_fraction, 2))},
                   !ac.runs.empty() && ac.diverged_fraction == 1 ? "diverged" : "");
    }
    return "<h2>Convergence and stability</h2>\n" + t.str() +
           "<p class=\"note\">Target: " + html_escape(target_text(c)) +
           ". Steps to target: the first evaluation step at which a run meets it; the median is over the runs that "
           "did (\u2013: not reached), and a diverged run counts as not reached. Curve AUC: the area under " +
           html_escape(q0.name) +
           " over its evaluation steps divided by their span, i.e. its mean over training (none with a single "
           "evaluation: set --eval-every). Loss spikes: logged steps at which a training loss exceeded " +
           metric_text(kSpikeFactor) + "\u00d7 the median of its previous " + std::to_string(kSpikeWindow) +
           " logged values (from the " + std::to_string(kSpikeWarmup + 1) +
           "th on); mean \u00b1 std over the finished seeds.</p>\n";
}

// Dead units, saturation and gradient flow per layer.
std::string diagnostics_html(const SweepData& s, const std::vector<ArmTables>& tables) {
    std::string b =
        "<h2>Diagnostics</h2>\n<p class=\"note\">Measured on a fixed batch of at least 256 evaluation examples, the same "
        "for every arm, every " +
        std::to_string(s.sweep.value("diag_every", 0)) +
        " steps. Dead: the unit's derivative is "
        "exactly 0 for every example. Saturated: |f\u2032(pre-activation)| below 1% of f\u2032's largest magnitude.</p>\n";
    b += "<h3>Dead units per layer</h3>\n" + diagnostics_over_training(s, tables, "dead_fraction", "dead", "dead");
    b += "<h3>Saturation per layer</h3>\n" +
         diagnostics_over_training(s, tables, "saturated_fraction", "saturated", "sat");
    return b +
           "<h3>Gradient flow by depth</h3>\n<p class=\"note\">The norm of the loss gradient with respect to each "
           "hidden layer's weights at the end of training; falling towards layer 0 means gradients vanish on their way "
           "back.</p>\n" +
           gradient_by_depth(s, tables);
}

// One card per arm, best first: its activation's curve and its first run's sample.
std::string samples_html(const SweepData& s) {
    std::string b = "<h2>Activations and samples</h2>\n<div class=\"grid\">\n";
    for (size_t a : rank_order(s)) {
        const SweepArm& arm = s.arms[a];
        b += "<div class=\"card\"><h3>" + html_escape(arm.label) + "</h3>\n" + activation_thumbnail(arm.act, a) +
             "<p class=\"note\">f (solid) and f\u2032 (dashed) on [\u22124, 4]</p>\n" + arm_sample(s, arm) + "</div>\n";
    }
    return b + "</div>\n";
}

}  // namespace

std::string write_sweep_report(const std::string& dir) {
    const SweepData s = load_sweep(dir);
    const std::vector<ArmTables> tables = read_tables(s);
    std::string b = header_html(s);
    b += "<h2>Ranking</h2>\n" + ranking_table_html(s);
    b +=
        "<h2>Claims</h2>\n<p class=\"note\">Each verdict is computed from this sweep's final measurements; it holds for "
        "this model, data, init and training length only.</p>\n" +
        claims_html(s);
    if (const std::string svg = curves_figure(s, tables); !svg.empty())
        b += "<h2>Learning curves</h2>\n<p class=\"note\">Mean over seeds (line) and min\u2013max over seeds (band), "
             "at every logged step.</p>\n" +
             svg;
    b += convergence_html(s);
    b += diagnostics_html(s, tables) + samples_html(s);
    b += "<h2>Files</h2>\n<p><a href=\"results.csv\">results.csv</a> (one row per run), "
         "<a href=\"summary.json\">summary.json</a> (statistics per arm), <a href=\"ablation.json\">ablation.json</a> "
         "(the sweep's settings), <a href=\"runs/\">runs/</a> (every run's own outputs).</p>\n";

    const std::string path = (fs::path(dir) / "report.html").string();
    std::error_code ec;
    if (fs::exists(fs::symlink_status(path, ec)) && !is_genlab_page(path))
        fail(path, ": exists and is not a page genlab wrote; it is left as it is (move it away to write the report)");
    write_html_page(path, "genlab ablation: " + sweep_title(s), b);
    return path;
}

}  // namespace genlab::experiments
