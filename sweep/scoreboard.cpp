// The claims scoreboard (see scoreboard.h).
#include "sweep/scoreboard.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "sweep/report.h"
#include "sweep/sweep_data.h"
#include "viz/html.h"

namespace genlab::experiments {

namespace fs = std::filesystem;

Verdict ScoreboardRow::verdict() const {
    if (findings.empty()) return Verdict::NotTested;
    const Verdict first = findings.front().claim.verdict;
    for (const Finding& f : findings)
        if (f.claim.verdict != first) return Verdict::Partly;
    return first;
}

std::vector<ScoreboardRow> scoreboard(const std::vector<std::string>& sweep_dirs) {
    std::vector<ScoreboardRow> rows;
    for (const std::string& dir : sweep_dirs)
        for (Claim& c : sweep_claims(load_sweep(dir))) {
            auto row = std::find_if(rows.begin(), rows.end(),
                                    [&](const ScoreboardRow& r) { return r.claim == c.claim; });
            if (row == rows.end())
                row = rows.insert(rows.end(), ScoreboardRow{.claim = c.claim, .findings = {}, .untested = {}});
            if (c.verdict == Verdict::NotTested) {
                if (row->untested.empty()) row->untested = c.evidence;
            } else {
                row->findings.push_back({dir, std::move(c)});
            }
        }
    return rows;
}

namespace {

std::string verdict_html(Verdict v, const std::string& text) {
    return "<span class=\"verdict " + std::string(verdict_class(v)) + "\">" + html_escape(text) + "</span>";
}

// A sweep's name and link, relative to the page: "gan-acts" -> gan-acts/report.html.
std::string sweep_link(const std::string& dir, const fs::path& page_dir) {
    std::error_code ec;
    const fs::path rel = fs::relative(fs::absolute(dir, ec), fs::absolute(page_dir, ec), ec);
    const std::string name = fs::path(dir).filename().string();
    return "<a href=\"" + html_escape((rel / "report.html").generic_string()) + "\">" + html_escape(name) + "</a>";
}

std::string row_html(const ScoreboardRow& r, const fs::path& page_dir) {
    const Verdict v = r.verdict();
    const std::string overall = r.findings.size() > 1 && v == Verdict::Partly ? "differs by sweep" : verdict_text(v);
    std::string evidence;
    if (r.findings.empty()) evidence = html_escape(r.untested);
    for (const ScoreboardRow::Finding& f : r.findings)
        evidence += "<p>" + sweep_link(f.sweep_dir, page_dir) + ": " +
                    verdict_html(f.claim.verdict, verdict_text(f.claim.verdict)) + ". " +
                    html_escape(f.claim.evidence) + "</p>";
    return "<tr><td><b>" + html_escape(r.claim) + "</b></td><td>" + verdict_html(v, overall) + "</td><td>" + evidence +
           "</td></tr>\n";
}

}  // namespace

std::string write_scoreboard(const std::string& path, const std::vector<std::string>& sweep_dirs) {
    const std::vector<ScoreboardRow> rows = scoreboard(sweep_dirs);
    const fs::path page_dir = fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
    int tested = 0;
    for (const ScoreboardRow& r : rows) tested += r.findings.empty() ? 0 : 1;
    std::string b = "<h1>Claims about activations: the scoreboard</h1>\n<p class=\"meta\">Written " + utc_now_text() +
                    " by genlab from " + std::to_string(sweep_dirs.size()) + " sweeps; " + std::to_string(tested) +
                    " of " + std::to_string(rows.size()) +
                    " claims tested. Each verdict is the sweep's own (its report shows the numbers); a claim "
                    "several sweeps test shows each.</p>\n";
    b += "<table class=\"scoreboard\"><tr><th>claim</th><th>verdict</th><th>evidence, by sweep</th></tr>\n";
    for (const ScoreboardRow& r : rows) b += row_html(r, page_dir);
    b += "</table>\n<h2>Sweeps</h2>\n<ul>\n";
    for (const std::string& d : sweep_dirs)
        b += "<li>" + sweep_link(d, page_dir) + ": " + html_escape(sweep_title(load_sweep(d))) + "</li>\n";
    b += "</ul>\n";
    std::error_code ec;
    if (fs::exists(fs::symlink_status(path, ec)) && !is_genlab_page(path))
        fail(path,
             ": exists and is not a page genlab wrote; it is left as it is (move it away to write the scoreboard)");
    write_html_page(path, "genlab claims scoreboard", b);
    return path;
}

}  // namespace genlab::experiments
