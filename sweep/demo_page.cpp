// The demo page (see demo_page.h).
#include "sweep/demo_page.h"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/io/input_file.h"
#include "core/train/metrics_csv.h"
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

std::string run_section(const fs::path& dir, const fs::path& page_dir, const nlohmann::ordered_json& config) {
    const std::string kind = config["experiment"].get<std::string>();
    const ExperimentDef& def = find_experiment(kind);
    const nlohmann::json cfg = config.contains("config") ? nlohmann::json(config["config"]) : nlohmann::json::object();
    const nlohmann::json run = config.contains("run") ? nlohmann::json(config["run"]) : nlohmann::json::object();
    const std::string rel = link_to(dir, page_dir);
    std::string h = "<h2>" + html_escape(run_title(def, cfg)) + "</h2>\n<p class=\"meta\">" +
                    html_escape(def.program()) + ", " + std::to_string(run.value("steps", 0)) + " steps, seed " +
                    std::to_string(run.value("seed", 0)) + ". Folder: <a href=\"" + html_escape(rel) + "/\">" +
                    html_escape(rel) + "</a></p>\n";
    if (is_regular(dir / "metrics.json")) {
        const nlohmann::ordered_json m = read_json_object(dir / "metrics.json");
        HtmlTable t({"metric", "value", "note"});
        std::vector<std::string> quality;
        if (m.contains("quality") && m["quality"].is_array())
            for (const auto& q : m["quality"])
                if (q.is_object() && q.contains("metric") && q["metric"].is_string()) {
                    const std::string name = q["metric"];
                    quality.push_back(name);
                    if (m.contains(name) && m[name].is_number())
                        t.row({name, metric_text(m[name].get<double>()),
                               "quality: " + q.value("better", "") + " is better"});
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

}  // namespace

void write_demo_page(const std::string& path, const std::vector<std::string>& dirs) {
    const fs::path page_dir = fs::absolute(fs::path(path)).parent_path();
    std::string body = "<h1>genlab demo</h1>\n<p class=\"meta\">Written " + utc_now_text() +
                       " by <code>./genlab.sh demo</code>: small generative models trained from scratch on this "
                       "machine, and an ablation of their hidden activation.</p>\n";
    for (const std::string& d : dirs) {
        const fs::path dir = fs::absolute(fs::path(d));
        if (is_regular(dir / "ablation.json"))
            body += sweep_section(dir, page_dir);
        else if (is_regular(dir / "scoreboard.html"))
            body += study_section(dir, page_dir);
        else if (is_regular(dir / "table.csv"))
            body += activations_section(dir, page_dir);
        else if (is_regular(dir / "config.json")) {
            const nlohmann::ordered_json config = read_json_object(dir / "config.json");
            if (!config.contains("experiment") || !config["experiment"].is_string())
                fail(d, ": config.json names no experiment (not a genlab run folder)");
            body += run_section(dir, page_dir, config);
        } else {
            fail(d, ": not a genlab output folder (no config.json, table.csv, ablation.json or scoreboard.html)");
        }
    }
    // No more readable than the folders it shows: their files' contents are on it.
    write_html_page(path, "genlab demo", body, page_mode(dirs));
}

}  // namespace genlab::experiments
