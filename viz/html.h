// Self-contained HTML pages (report.html, outputs/index.html): one stylesheet in the page, images
// as data: URIs or relative links, tables built from cells. Nothing is fetched from the network.
//
//     HtmlTable t({"activation", "test_loss"});
//     t.row({"gelu", "0.0123"});
//     std::string body = "<h1>" + html_escape(title) + "</h1>" + t.str();
//     write_html_page("out/report.html", "sweep", body);
#pragma once
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/input_file.h"

namespace genlab {

// & < > " ' escaped: safe in text and in attribute values.
std::string html_escape(std::string_view s);

// RFC 4648 base64 (with padding).
std::string base64(std::string_view bytes);
// "data:image/png;base64,..." of a file (at most max_bytes, Error beyond that, when unreadable or
// when it is not a regular file: a symbolic link is refused too).
std::string data_uri(const std::string& path, const std::string& mime, size_t max_bytes = kMaxEmbeddedFileBytes);

// A table of text cells; each cell is escaped unless given through raw().
class HtmlTable {
public:
    explicit HtmlTable(std::vector<std::string> header, std::string css_class = {});
    struct Cell {
        std::string html;
        std::string css_class{};  // "num": right-aligned figures
    };
    static Cell raw(std::string html, std::string css_class = {}) { return {std::move(html), std::move(css_class)}; }

    // A row of plain-text cells, or of cells already in HTML; row_class styles the whole row.
    void row(const std::vector<std::string>& cells, const std::string& row_class = {});
    void html_row(const std::vector<Cell>& cells, const std::string& row_class = {});
    bool empty() const { return rows_.empty(); }
    std::string str() const;

private:
    std::vector<std::string> header_;
    std::string class_;
    std::string rows_;
};

// "2026-11-30 10:05 UTC": when a page was written, or any moment (utc_text).
std::string utc_now_text();
std::string utc_text(std::time_t t);

// <!doctype html> ... with genlab's stylesheet, `title` in <title>, then `body`; written atomically,
// with at most `mode`'s permissions and never more than its folder's (page_mode).
void write_html_page(const std::string& path, const std::string& title, const std::string& body, unsigned mode = 0666);

// Permission bits for a page showing what `folders` hold: the read and write bits every one of
// them grants (0755 -> 0644, 0700 -> 0600), so no one may read the page who may not read the
// folders; a page of a private folder stays private when it is copied out of it.
unsigned page_mode(const std::vector<std::string>& folders);

// Whether `path` holds a page write_html_page wrote (its generator mark near the start), so a
// page may be written over it; false for any other file, a link or a non-regular file included.
bool is_genlab_page(const std::string& path);

}  // namespace genlab
