// SVG back end of Surface: each primitive appends one element to the body. Numbers are written
// with at most two decimals (sub-pixel precision is invisible and bloats report.html).
#include "viz/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/number_text.h"

namespace genlab {

namespace {

std::string num(double v, int decimals = 2) {
    if (!std::isfinite(v)) v = 0.0;
    std::string s = fixed_text(v, decimals);
    // "12.50" -> "12.5", "3.00" -> "3", "-0.00" -> "0"
    if (s.find('.') != std::string::npos) s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
    if (s == "-0") s = "0";
    return s;
}

std::string opacity_attr(const char* name, float opacity) {
    if (opacity >= 1.f) return {};
    return std::string(" ") + name + "=\"" + num(std::max(0.f, opacity)) + "\"";
}

std::string stroke_attrs(const Stroke& s) {
    std::string a = " fill=\"none\" stroke=\"" + svg_color(s.color) + "\" stroke-width=\"" + num(s.width) + "\"";
    if (s.dash >= 1.f) a += " stroke-dasharray=\"" + num(s.dash) + "\"";
    a += opacity_attr("stroke-opacity", s.opacity);
    return a;
}

// XML 1.0 forbids control characters and invalid UTF-8 would make the whole document unreadable:
// keep valid UTF-8 sequences, replace anything else by '?'.
std::string sanitize_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        bool ok = len > 0 && i + len <= s.size();
        for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 0x2;
        if (!ok || (len == 1 && c < 32)) {
            out += '?';
            ++i;
            continue;
        }
        out.append(s.substr(i, len));
        i += len;
    }
    return out;
}

}  // namespace

std::string svg_color(Rgb c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c.r, c.g, c.b);
    return buf;
}

std::string xml_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
        switch (ch) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default: out += ch;
        }
    }
    return out;
}

Svg::Svg(int width, int height, std::optional<Rgb> background, std::string id_prefix)
    : width_(width), height_(height), id_prefix_(std::move(id_prefix)) {
    if (width < 1 || height < 1) fail("Svg: size ", width, "x", height, " must be at least 1x1");
    if (background) fill_rect(0.f, 0.f, static_cast<float>(width), static_cast<float>(height), *background);
}

void Svg::fill_rect(float x, float y, float w, float h, Rgb color, float opacity) {
    if (!(w > 0.f && h > 0.f)) return;
    body_ += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" + num(h) +
             "\" fill=\"" + svg_color(color) + "\"" + opacity_attr("fill-opacity", opacity) + "/>\n";
}

void Svg::stroke_rect(float x, float y, float w, float h, const Stroke& s) {
    body_ += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" + num(h) + "\"" +
             stroke_attrs(s) + "/>\n";
}

void Svg::line(Point a, Point b, const Stroke& s) {
    body_ += "<line x1=\"" + num(a.x) + "\" y1=\"" + num(a.y) + "\" x2=\"" + num(b.x) + "\" y2=\"" + num(b.y) + "\"" +
             stroke_attrs(s) + " stroke-linecap=\"round\"/>\n";
}

void Svg::polyline(const std::vector<Point>& points, const Stroke& s) {
    // Non-finite points would make the attribute unparsable: they split the curve instead.
    size_t i = 0;
    while (i < points.size()) {
        while (i < points.size() && !(std::isfinite(points[i].x) && std::isfinite(points[i].y))) ++i;
        std::string pts;
        size_t count = 0;
        for (; i < points.size() && std::isfinite(points[i].x) && std::isfinite(points[i].y); ++i, ++count) {
            if (count) pts += ' ';
            pts += num(points[i].x, 1) + "," + num(points[i].y, 1);  // a tenth of a pixel is plenty
        }
        if (count >= 2)
            body_ += "<polyline points=\"" + pts + "\"" + stroke_attrs(s) +
                     " stroke-linejoin=\"round\" stroke-linecap=\"round\"/>\n";
    }
}

void Svg::fill_circle(Point c, float r, Rgb color, float opacity) {
    if (!(r > 0.f)) return;
    body_ += "<circle cx=\"" + num(c.x) + "\" cy=\"" + num(c.y) + "\" r=\"" + num(r) + "\" fill=\"" + svg_color(color) +
             "\"" + opacity_attr("fill-opacity", opacity) + "/>\n";
}

void Svg::fill_polygon(const std::vector<Point>& points, Rgb color, float opacity) {
    if (points.size() < 3) return;
    std::string pts;
    for (const Point& q : points) {
        if (!(std::isfinite(q.x) && std::isfinite(q.y))) return;
        if (!pts.empty()) pts += ' ';
        pts += num(q.x, 1) + "," + num(q.y, 1);
    }
    body_ += "<polygon points=\"" + pts + "\" fill=\"" + svg_color(color) + "\" fill-rule=\"evenodd\"" +
             opacity_attr("fill-opacity", opacity) + "/>\n";
}

void Svg::text(Point at, std::string_view text, const TextStyle& st) {
    if (text.empty()) return;
    const char* anchor = st.align == Align::Left ? "start" : (st.align == Align::Center ? "middle" : "end");
    body_ += "<text x=\"" + num(at.x) + "\" y=\"" + num(at.y) + "\" font-size=\"" + num(st.size) + "\" fill=\"" +
             svg_color(st.color) + "\" text-anchor=\"" + anchor + "\"";
    if (st.bold) body_ += " font-weight=\"bold\"";
    if (st.vertical) body_ += " transform=\"rotate(-90 " + num(at.x) + " " + num(at.y) + ")\"";
    // Appended piecewise: `">" + std::string` trips a GCC 12 -Wrestrict false positive.
    body_ += '>';
    body_ += xml_escape(sanitize_utf8(text));
    body_ += "</text>\n";
}

void Svg::push_clip(float x, float y, float w, float h) {
    const std::string id = id_prefix_ + "-clip" + std::to_string(next_clip_++);
    body_ += "<clipPath id=\"" + xml_escape(id) + "\"><rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" +
             num(std::max(0.f, w)) + "\" height=\"" + num(std::max(0.f, h)) + "\"/></clipPath>\n";
    body_ += "<g clip-path=\"url(#" + xml_escape(id) + ")\">\n";
    ++open_groups_;
}

void Svg::pop_clip() {
    if (open_groups_ == 0) fail("Svg::pop_clip: no clip to pop (unbalanced push_clip/pop_clip)");
    body_ += "</g>\n";
    --open_groups_;
}

std::string Svg::str() const {
    std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + std::to_string(width_) +
                      "\" height=\"" + std::to_string(height_) + "\" viewBox=\"0 0 " + std::to_string(width_) + " " +
                      std::to_string(height_) + "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n";
    out += body_;
    for (int i = 0; i < open_groups_; ++i) out += "</g>\n";
    out += "</svg>\n";
    return out;
}

void Svg::save(const std::string& path) const {
    write_file_atomic(path, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + str());
}

}  // namespace genlab
