// HTML building blocks (see html.h).
#include "viz/html.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <iterator>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/input_file.h"
#include "viz/svg.h"

namespace genlab {

std::string html_escape(std::string_view s) { return xml_escape(s); }  // the same five characters

std::string base64(std::string_view bytes) {
    static constexpr char kDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (size_t i = 0; i < bytes.size(); i += 3) {
        const size_t n = std::min<size_t>(3, bytes.size() - i);
        uint32_t v = 0;
        for (size_t k = 0; k < 3; ++k) v = (v << 8) | (k < n ? static_cast<uint8_t>(bytes[i + k]) : 0u);
        for (size_t k = 0; k < 4; ++k) out += k <= n ? kDigits[(v >> (18 - 6 * k)) & 63] : '=';
    }
    return out;
}

std::string data_uri(const std::string& path, const std::string& mime, size_t max_bytes) {
    // Not through a link: a page published from an output folder shows what genlab wrote there.
    const std::string bytes = read_whole_file(path, max_bytes, "file to embed in a page", "", Links::Refuse);
    return "data:" + mime + ";base64," + base64(bytes);
}

HtmlTable::HtmlTable(std::vector<std::string> header, std::string css_class)
    : header_(std::move(header)), class_(std::move(css_class)) {}

void HtmlTable::row(const std::vector<std::string>& cells, const std::string& row_class) {
    std::vector<Cell> html;
    for (const std::string& c : cells) html.push_back(HtmlTable::raw(html_escape(c)));
    html_row(html, row_class);
}

void HtmlTable::html_row(const std::vector<Cell>& cells, const std::string& row_class) {
    rows_ += row_class.empty() ? "<tr>" : "<tr class=\"" + html_escape(row_class) + "\">";
    for (const Cell& c : cells)
        rows_ += (c.css_class.empty() ? "<td>" : "<td class=\"" + html_escape(c.css_class) + "\">") + c.html + "</td>";
    rows_ += "</tr>\n";
}

std::string HtmlTable::str() const {
    std::string s = class_.empty() ? "<table>\n" : "<table class=\"" + html_escape(class_) + "\">\n";
    s += "<thead><tr>";
    for (const std::string& h : header_) s += "<th>" + html_escape(h) + "</th>";
    s += "</tr></thead>\n<tbody>\n" + rows_ + "</tbody></table>\n";
    return s;
}

std::string utc_now_text() { return utc_text(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())); }

std::string utc_text(std::time_t t) {
    std::tm utc{};
    ::gmtime_r(&t, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M UTC", &utc);
    return stamp;
}

namespace {

const char* const kPageHead = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
// The mark is_genlab_page looks for, second line of every page.
const char* const kGeneratorMark = "<meta name=\"generator\" content=\"genlab\">\n";
// Pages written before the mark existed went on with the viewport line, the title and this style.
const char* const kEarlierPageHead =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta name=\"viewport\" "
    "content=\"width=device-width, initial-scale=1\">\n<title>";
const char* const kStyleStart = "</title>\n<style>\nbody{font-family:system-ui,-apple-system,";

}  // namespace

unsigned page_mode(const std::vector<std::string>& folders) {
    unsigned mode = 0666;
    for (const std::string& f : folders) {
        struct stat st {};
        if (::stat(f.empty() ? "." : f.c_str(), &st) == 0) mode &= static_cast<unsigned>(st.st_mode) & 0666;
    }
    return mode;
}

bool is_genlab_page(const std::string& path) {
    std::string head;
    try {
        head = read_file_part(path, FilePart::Head, 4096, "page", Links::Refuse);
    } catch (const Error&) {
        return false;
    }
    if (head.rfind(std::string(kPageHead) + kGeneratorMark, 0) == 0) return true;
    return head.rfind(kEarlierPageHead, 0) == 0 && head.find(kStyleStart) != std::string::npos;
}

void write_html_page(const std::string& path, const std::string& title, const std::string& body, unsigned mode) {
    static constexpr const char* kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1180px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}h3{margin-top:1.4em}
p.meta,figcaption,.note{color:#555;font-size:90%}
img{max-width:100%;border:1px solid #ddd;image-rendering:pixelated}
figure{margin:1em 0}svg{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:90%;margin:.6em 0}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.tie td{background:#fff8e1}tr.diverged td{color:#a00}
pre{background:#f6f6f6;padding:.8em;overflow:auto;font-size:90%;white-space:pre-wrap}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(270px,1fr));gap:1em}
.side{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:1.5em}.side figure{margin:0}
.card{border:1px solid #ddd;border-radius:6px;padding:.6em}.card h3{margin:.1em 0 .4em}
.verdict{font-weight:600}.supported{color:#1a7f37}.contradicted{color:#b42318}.disagree{color:#9a6700}.tie{color:#0969da}.partly{color:#8250df}.untested{color:#666}
code{background:#f3f3f3;padding:0 .25em;border-radius:3px}
.warning{background:#fff8e1;border-left:4px solid #9a6700;padding:.5em .8em}
)";
    std::string page = std::string(kPageHead) + kGeneratorMark +
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
                       html_escape(title) + "</title>\n<style>" + kStyle + "</style></head>\n<body>\n" + body +
                       "\n</body></html>\n";
    const std::string dir = std::filesystem::path(path).parent_path().string();
    write_file_atomic(path, page, mode & page_mode({dir.empty() ? "." : dir}));
}

}  // namespace genlab
