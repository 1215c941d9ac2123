// The demo page (see demo_page.h).
#include "sweep/demo_page.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/io/input_file.h"
#include "core/train/metrics_csv.h"
#include "core/train/trainer.h"
#include "sweep/report.h"
#include "sweep/scoreboard.h"
#include "sweep/sweep_data.h"
#include "viz/html.h"

namespace genlab::experiments {

namespace fs = std::filesystem;

namespace {

// A regular file, not a link to one: the page shows what a genlab program wrote into the folder,
// never what a link planted there points at (a root-only file would end up in a readable page).
bool is_regular(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(fs::symlink_status(p, ec));
}

nlohmann::ordered_json read_json_object(const fs::path& p) {
    nlohmann::ordered_json j = read_json_file(p.string(), kMaxJsonFileBytes, "JSON file", Links::Refuse);
    if (!j.is_object()) fail(p.string(), ": not a JSON object");
    return j;
}

// The folder relative to the page's folder, with a trailing '/', for links.
std::string link_to(const fs::path& dir, const fs::path& page_dir) {
    std::error_code ec;
    fs::path rel = fs::relative(dir, page_dir, ec);
    if (ec || rel.empty()) rel = fs::absolute(dir, ec);
    return rel.generic_string();
}

std::string figure(const std::string& src, const std::string& alt, const std::string& caption) {
    return "<figure><img src=\"" + html_escape(src) + "\" alt=\"" + html_escape(alt) + "\"><figcaption><b>" +
           html_escape(alt) + "</b>: " + html_escape(caption) + "</figcaption></figure>\n";
}

std::string first_lines(const fs::path& p, size_t lines) {
    const std::string head = read_file_part(p.string(), FilePart::Head, kMaxShownTextBytes, "text output",
                                            Links::Refuse);
    std::string text;
    for (size_t at = 0, i = 0; i < lines && at < head.size(); ++i) {
        const size_t nl = std::min(head.find('\n', at), head.size());
        text += head.substr(at, std::min<size_t>(nl - at, 200)) + "\n";
        at = nl + 1;
    }
    return text;
}

std::string run_title(const ExperimentDef& def, const nlohmann::json& cfg) {
    return def.sweep.title ? def.sweep.title(cfg) : def.name;
}

// A quality metric a run's metrics.json names ("quality": [{"metric", "better"}]), with its value
// when the file holds one.
struct QualityMetric {
    std::string name, better;
    std::optional<double> value;
};

std::vector<QualityMetric> quality_metrics(const nlohmann::ordered_json& m) {
    std::vector<QualityMetric> q;
    if (m.contains("quality") && m["quality"].is_array())
        for (const auto& e : m["quality"])
            if (e.is_object() && e.contains("metric") && e["metric"].is_string()) {
                QualityMetric r{.name = e["metric"], .better = "", .value = std::nullopt};
                if (e.contains("better") && e["better"].is_string()) r.better = e["better"];
                if (m.contains(r.name) && m[r.name].is_number()) r.value = m[r.name].get<double>();
                q.push_back(std::move(r));
            }
    return q;
}

// What a folder given to the page is, by what it holds (demo_page.h).
enum class FolderKind { Sweep, Study, Activations, Run, Unknown };

FolderKind folder_kind(const fs::path& dir) {
    if (is_regular(dir / "ablation.json")) return FolderKind::Sweep;
    if (is_regular(dir / "scoreboard.html")) return FolderKind::Study;
    if (is_regular(dir / "table.csv")) return FolderKind::Activations;
    if (is_regular(dir / "config.json")) return FolderKind::Run;
    return FolderKind::Unknown;
}

// A run folder given to the page: its experiment, config.json's "config" and "run" objects, and
// its metrics.json when it has one.
struct RunFolder {
    fs::path dir;
    const ExperimentDef* def;
    nlohmann::json cfg, run;
    std::optional<nlohmann::ordered_json> metrics;

    std::string title() const { return run_title(*def, cfg); }
    std::string steps_and_seed() const {
        const auto number = [&](const char* key) {
            return run.contains(key) && run[key].is_number_integer() ? std::to_string(run[key].get<long>()) : "?";
        };
        return number("steps") + " steps, seed " + number("seed");
    }
};

RunFolder read_run_folder(const std::string& d) {
    const fs::path dir = fs::absolute(fs::path(d));
    const nlohmann::ordered_json config = read_json_object(dir / "config.json");
    if (!config.contains("experiment") || !config["experiment"].is_string())
        fail(d, ": config.json names no experiment (not a genlab run folder)");
    const auto object = [&](const char* key) {
        return config.contains(key) && config[key].is_object() ? nlohmann::json(config[key]) : nlohmann::json::object();
    };
    return {.dir = dir,
            .def = &find_experiment(config["experiment"].get<std::string>()),
            .cfg = object("config"),
            .run = object("run"),
            .metrics = is_regular(dir / "metrics.json")
                           ? std::optional<nlohmann::ordered_json>(read_json_object(dir / "metrics.json"))
                           : std::nullopt};
}

std::string run_section(const RunFolder& r, const fs::path& page_dir) {
    const fs::path& dir = r.dir;
    const ExperimentDef& def = *r.def;
    const std::string rel = link_to(dir, page_dir);
    std::string h = "<h2>" + html_escape(r.title()) + "</h2>\n<p class=\"meta\">" + html_escape(def.program()) + ", " +
                    r.steps_and_seed() + ". Folder: <a href=\"" + html_escape(rel) + "/\">" + html_escape(rel) +
                    "</a></p>\n";
    if (r.metrics) {
        const nlohmann::ordered_json& m = *r.metrics;
        HtmlTable t({"metric", "value", "note"});
        std::vector<std::string> quality;
        for (const QualityMetric& q : quality_metrics(m)) {
            quality.push_back(q.name);
            if (q.value) t.row({q.name, metric_text(*q.value), "quality: " + q.better + " is better"});
        }
        for (const auto& [name, v] : m.items())
            if (v.is_number() && std::find(quality.begin(), quality.end(), name) == quality.end() && name != "steps" &&
                name != "start_step")
                t.row({name, metric_text(v.get<double>()),
                       name == "steps_per_s" ? "training speed, evaluation included"
                       : name == "elapsed_s" ? "wall time of the run"
                                             : ""});
        h += t.str();
    }
    for (const OutputDoc& doc : def.outputs) {
        const fs::path p = dir / doc.file;
        if (!is_regular(p)) continue;
        if (p.extension() == ".png")
            h += figure(rel + "/" + doc.file, doc.file, doc.caption);
        else
            h += "<h3>" + html_escape(doc.file) + "</h3><p class=\"note\">" + html_escape(doc.caption) + "</p><pre>" +
                 html_escape(first_lines(p, 40)) + "</pre>\n";
    }
    return h;
}

std::string activations_section(const fs::path& dir, const fs::path& page_dir) {
    const std::string rel = link_to(dir, page_dir);
    std::string h = "<h2>Activation functions</h2>\n<p class=\"meta\">genlab-activations. Folder: <a href=\"" +
                    html_escape(rel) + "/\">" + html_escape(rel) + "</a></p>\n";
    if (is_regular(dir / "activations.png"))
        h += figure(rel + "/activations.png", "activations.png",
                    "Every registered activation f (solid) and its derivative f' computed by autodiff (dashed).");
    const CsvTable t = read_csv((dir / "table.csv").string());
    HtmlTable table(t.columns);
    for (const auto& row : t.rows) table.row(row);
    h +=
        "<p class=\"note\">Properties measured on wide sweeps (range, zero-centred, monotonic, smooth, saturation, f'(0)) "
        "and the forward + backward kernel cost per element, relative to relu.</p>\n" +
        table.str();
    return h;
}

std::string sweep_section(const fs::path& dir, const fs::path& page_dir) {
    const SweepData s = load_sweep(dir.string());
    const std::string rel = link_to(dir, page_dir);
    std::string h = "<h2>Activation ablation</h2>\n<p class=\"meta\">genlab-ablate: " + html_escape(sweep_title(s)) +
                    ". <a href=\"" + html_escape(rel) +
                    "/report.html\"><b>Open the full report</b></a> (learning curves, "
                    "dead units, saturation, gradient flow, samples per activation).</p>\n";
    return h + ranking_table_html(s) + "<h3>Claims</h3>\n" + claims_html(s);
}

// A study folder (genlab-ablate --preset claims): its scoreboard's verdicts and a link to it.
std::string study_section(const fs::path& dir, const fs::path& page_dir) {
    std::vector<std::string> sweeps;  // its sweeps: the folders in it holding ablation.json (links not followed)
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec))
        if (fs::is_directory(e.symlink_status(ec)) && is_regular(e.path() / "ablation.json"))
            sweeps.push_back(e.path().string());
    std::sort(sweeps.begin(), sweeps.end());
    HtmlTable t({"claim", "verdict", "sweeps that test it"});
    for (const ScoreboardRow& r : scoreboard(sweeps)) {
        std::string which;
        for (const ScoreboardRow::Finding& f : r.findings)
            which += (which.empty() ? "" : ", ") + fs::path(f.sweep_dir).filename().string();
        t.row({r.claim,
               r.findings.size() > 1 && r.verdict() == Verdict::Partly ? "differs by sweep" : verdict_text(r.verdict()),
               which.empty() ? "\u2013" : which});
    }
    return "<h2>Claims about activations</h2>\n<p class=\"meta\">A study of " + std::to_string(sweeps.size()) +
           " sweeps. <a href=\"" + html_escape(link_to(dir, page_dir)) +
           "/scoreboard.html\"><b>Open the scoreboard</b></a> (every claim with its evidence, by sweep).</p>\n" +
           t.str();
}

// Runs of one experiment given one after another (the demo's MLP GAN and DCGAN): the first picture
// of the experiment's outputs that every one of them holds, side by side, each captioned with its
// run's title, steps, quality metrics and wall time, so the difference shows at a glance.
std::string side_by_side(const std::vector<RunFolder>& runs, const fs::path& page_dir) {
    const ExperimentDef& def = *runs.front().def;
    const auto held_by_all = [&](const OutputDoc& doc) {
        return doc.file.ends_with(".png") &&
               std::all_of(runs.begin(), runs.end(), [&](const RunFolder& r) { return is_regular(r.dir / doc.file); });
    };
    const auto doc = std::find_if(def.outputs.begin(), def.outputs.end(), held_by_all);
    if (doc == def.outputs.end()) return {};
    std::string h = "<h2>Side by side: " + html_escape(doc->file) + " of " + std::to_string(runs.size()) + " " +
                    html_escape(def.program()) + " runs</h2>\n<div class=\"side\">\n";
    for (const RunFolder& r : runs) {
        std::string caption = r.steps_and_seed();
        if (r.metrics) {
            const nlohmann::ordered_json& m = *r.metrics;
            for (const QualityMetric& q : quality_metrics(m))
                if (q.value) caption += ", " + q.name + " " + metric_text(*q.value);
            if (m.contains("elapsed_s") && m["elapsed_s"].is_number())
                caption += ", trained in " + duration_text(m["elapsed_s"].get<double>());
        }
        h += figure(link_to(r.dir, page_dir) + "/" + doc->file, r.title(), caption + ".");
    }
    return h + "</div>\n<p class=\"note\">" + html_escape(doc->caption) + " Details of each run follow.</p>\n";
}

}  // namespace

void write_demo_page(const std::string& path, const std::vector<std::string>& dirs) {
    const fs::path page_dir = fs::absolute(fs::path(path)).parent_path();
    std::string body = "<h1>genlab demo</h1>\n<p class=\"meta\">Written " + utc_now_text() +
                       " by <code>./genlab.sh demo</code>: small generative models trained from scratch on this "
                       "machine, and an ablation of their hidden activation.</p>\n";
    for (size_t i = 0; i < dirs.size(); ++i) {
        const fs::path dir = fs::absolute(fs::path(dirs[i]));
        switch (folder_kind(dir)) {
            case FolderKind::Sweep: body += sweep_section(dir, page_dir); break;
            case FolderKind::Study: body += study_section(dir, page_dir); break;
            case FolderKind::Activations: body += activations_section(dir, page_dir); break;
            case FolderKind::Run: {
                std::vector<RunFolder> runs{read_run_folder(dirs[i])};  // this run and the next ones of its experiment
                for (; i + 1 < dirs.size() && folder_kind(fs::absolute(fs::path(dirs[i + 1]))) == FolderKind::Run;
                     ++i) {
                    RunFolder next = read_run_folder(dirs[i + 1]);
                    if (next.def != runs.front().def) break;
                    runs.push_back(std::move(next));
                }
                if (runs.size() > 1) body += side_by_side(runs, page_dir);
                for (const RunFolder& r : runs) body += run_section(r, page_dir);
                break;
            }
            case FolderKind::Unknown:
                fail(dirs[i],
                     ": not a genlab output folder (no config.json, table.csv, ablation.json or scoreboard.html)");
        }
    }
    // No more readable than the folders it shows: their files' contents are on it.
    write_html_page(path, "genlab demo", body, page_mode(dirs));
}

}  // namespace genlab::experiments
