// Raster back end of Surface. Every primitive first builds a coverage mask (0..1 per pixel) and
// then blends it once, so anti-aliased joints of a polyline or overlapping glyph segments never
// darken where they overlap.
#include "viz/canvas.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wsign-compare"
#endif
#include <stb_easy_font.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace genlab {

namespace {

// stb_easy_font draws capitals 7 units tall on a baseline at y = 7; TextStyle::size says the cap
// height is 0.7 * size, so one font unit is size / 10 px.
constexpr float kFontBaseline = 7.f;
constexpr float kUnitsPerSize = 0.1f;
constexpr size_t kFontBytesPerChar = 11 * 64;  // at most 11 segments per glyph, 64 bytes per quad

// Only printable ASCII has glyphs; anything else (UTF-8 bytes, tabs) would index past the table.
std::string printable(std::string_view s) {
    std::string out(s);
    for (char& ch : out)
        if (ch < 32 || ch > 126) ch = '?';
    return out;
}

float width_units(std::string& s) {
    if (s.empty()) return 0.f;
    return static_cast<float>(stb_easy_font_width(s.data())) - 1.f;  // without the trailing gap
}

float clamp01(float v) { return v < 0.f ? 0.f : (v > 1.f ? 1.f : v); }

// Liang–Barsky: clip segment a-b to [x0, x1] x [y0, y1]; false when nothing is left. Done in
// double so far-away endpoints (a curve leaving a panel with fixed limits) keep their direction.
bool clip_segment(Point& a, Point& b, double x0, double y0, double x1, double y1) {
    const double dx = static_cast<double>(b.x) - a.x, dy = static_cast<double>(b.y) - a.y;
    double t0 = 0.0, t1 = 1.0;
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {a.x - x0, x1 - a.x, a.y - y0, y1 - a.y};
    for (int i = 0; i < 4; ++i) {
        if (p[i] == 0.0) {
            if (q[i] < 0.0) return false;
            continue;
        }
        const double r = q[i] / p[i];
        if (p[i] < 0.0)
            t0 = std::max(t0, r);
        else
            t1 = std::min(t1, r);
        if (t0 > t1) return false;
    }
    const Point a0 = a;
    a = {static_cast<float>(a0.x + t0 * dx), static_cast<float>(a0.y + t0 * dy)};
    b = {static_cast<float>(a0.x + t1 * dx), static_cast<float>(a0.y + t1 * dy)};
    return true;
}

bool finite(Point p) { return std::isfinite(p.x) && std::isfinite(p.y); }

}  // namespace

float text_width(std::string_view text, const TextStyle& style) {
    std::string s = printable(text);
    return width_units(s) * style.size * kUnitsPerSize;
}

Canvas::Canvas(int width, int height, Rgb background) : image_(width, height, background) {
    if (width < 1 || height < 1) fail("Canvas: size ", width, "x", height, " must be at least 1x1");
    clip_ = {0, 0, width, height};
}

// ---------------------------------------------------------------- masks

Canvas::Box Canvas::clip_box(float x0, float y0, float x1, float y1) const {
    Box b;
    b.x0 = std::max(clip_.x0, static_cast<int>(std::floor(std::max(x0, -1e6f))));
    b.y0 = std::max(clip_.y0, static_cast<int>(std::floor(std::max(y0, -1e6f))));
    b.x1 = std::min(clip_.x1, static_cast<int>(std::ceil(std::min(x1, 1e6f))));
    b.y1 = std::min(clip_.y1, static_cast<int>(std::ceil(std::min(y1, 1e6f))));
    return b;
}

Canvas::Mask Canvas::make_mask(Box box) const {
    Mask m;
    m.box = box;
    if (!box.empty()) m.cov.assign(static_cast<size_t>(box.x1 - box.x0) * static_cast<size_t>(box.y1 - box.y0), 0.f);
    return m;
}

void Canvas::add_segment(Mask& m, Point a, Point b, float hw) const {
    if (m.box.empty()) return;
    const float pad = hw + 1.f;
    if (!clip_segment(a, b, m.box.x0 - pad, m.box.y0 - pad, m.box.x1 + pad, m.box.y1 + pad)) return;
    const int x0 = std::max(m.box.x0, static_cast<int>(std::floor(std::min(a.x, b.x) - pad)));
    const int x1 = std::min(m.box.x1, static_cast<int>(std::ceil(std::max(a.x, b.x) + pad)));
    const int y0 = std::max(m.box.y0, static_cast<int>(std::floor(std::min(a.y, b.y) - pad)));
    const int y1 = std::min(m.box.y1, static_cast<int>(std::ceil(std::max(a.y, b.y) + pad)));
    const float dx = b.x - a.x, dy = b.y - a.y;
    const float len2 = dx * dx + dy * dy;
    for (int y = y0; y < y1; ++y) {
        for (int x = x0; x < x1; ++x) {
            // Distance from the pixel centre to the segment: the stroke is a capsule (round caps
            // and joins), and coverage ramps over one pixel across its edge.
            const float px = static_cast<float>(x) + 0.5f - a.x, py = static_cast<float>(y) + 0.5f - a.y;
            const float t = len2 > 0.f ? std::clamp((px * dx + py * dy) / len2, 0.f, 1.f) : 0.f;
            const float ex = px - t * dx, ey = py - t * dy;
            const float c = clamp01(hw + 0.5f - std::sqrt(ex * ex + ey * ey));
            float& cell = m.at(x, y);
            cell = std::max(cell, c);
        }
    }
}

void Canvas::add_rect(Mask& m, float x0, float y0, float x1, float y1) const {
    const int ix0 = std::max(m.box.x0, static_cast<int>(std::floor(x0)));
    const int ix1 = std::min(m.box.x1, static_cast<int>(std::ceil(x1)));
    const int iy0 = std::max(m.box.y0, static_cast<int>(std::floor(y0)));
    const int iy1 = std::min(m.box.y1, static_cast<int>(std::ceil(y1)));
    for (int y = iy0; y < iy1; ++y) {
        const float cy = clamp01(std::min(y1, static_cast<float>(y + 1)) - std::max(y0, static_cast<float>(y)));
        for (int x = ix0; x < ix1; ++x) {
            const float cx = clamp01(std::min(x1, static_cast<float>(x + 1)) - std::max(x0, static_cast<float>(x)));
            float& cell = m.at(x, y);
            cell = std::max(cell, cx * cy);
        }
    }
}

void Canvas::blend_mask(const Mask& m, Rgb color, float opacity) {
    if (m.box.empty()) return;
    opacity = clamp01(opacity);
    const float src[3] = {static_cast<float>(color.r), static_cast<float>(color.g), static_cast<float>(color.b)};
    for (int y = m.box.y0; y < m.box.y1; ++y) {
        const float* row = m.cov.data() + static_cast<size_t>(y - m.box.y0) * static_cast<size_t>(m.box.x1 - m.box.x0);
        for (int x = m.box.x0; x < m.box.x1; ++x) {
            const float a = row[x - m.box.x0] * opacity;
            if (a <= 0.f) continue;
            uint8_t* p = image_.at(x, y);
            for (int ch = 0; ch < 3; ++ch)
                p[ch] = static_cast<uint8_t>(static_cast<float>(p[ch]) + (src[ch] - static_cast<float>(p[ch])) * a +
                                             0.5f);
        }
    }
}

// ---------------------------------------------------------------- primitives

void Canvas::fill_rect(float x, float y, float w, float h, Rgb color, float opacity) {
    if (!(w > 0.f && h > 0.f)) return;
    Mask m = make_mask(clip_box(x, y, x + w, y + h));
    add_rect(m, x, y, x + w, y + h);
    blend_mask(m, color, opacity);
}

void Canvas::stroke_rect(float x, float y, float w, float h, const Stroke& s) {
    const float hw = s.width / 2.f;
    Mask m = make_mask(clip_box(x - hw, y - hw, x + w + hw, y + h + hw));
    add_rect(m, x - hw, y - hw, x + w + hw, y + hw);          // top
    add_rect(m, x - hw, y + h - hw, x + w + hw, y + h + hw);  // bottom
    add_rect(m, x - hw, y + hw, x + hw, y + h - hw);          // left
    add_rect(m, x + w - hw, y + hw, x + w + hw, y + h - hw);  // right
    blend_mask(m, s.color, s.opacity);
}

void Canvas::stroke_segments(const std::vector<Segment>& segments, const Stroke& s) {
    if (segments.empty()) return;
    // Strokes thinner than a pixel are drawn one pixel wide and fainter, which reads the same.
    const float width = std::max(s.width, 1.f);
    const float opacity = s.opacity * std::min(s.width, 1.f);
    const float hw = width / 2.f, pad = hw + 1.f;
    float x0 = 1e30f, y0 = 1e30f, x1 = -1e30f, y1 = -1e30f;
    for (const Segment& g : segments) {
        x0 = std::min({x0, g.a.x, g.b.x});
        y0 = std::min({y0, g.a.y, g.b.y});
        x1 = std::max({x1, g.a.x, g.b.x});
        y1 = std::max({y1, g.a.y, g.b.y});
    }
    Mask m = make_mask(clip_box(x0 - pad, y0 - pad, x1 + pad, y1 + pad));
    for (const Segment& g : segments) add_segment(m, g.a, g.b, hw);
    blend_mask(m, s.color, opacity);
}

void Canvas::line(Point a, Point b, const Stroke& s) { polyline({a, b}, s); }

void Canvas::polyline(const std::vector<Point>& points, const Stroke& s) {
    std::vector<Segment> segments;
    double total = 0.0;
    for (size_t i = 1; i < points.size(); ++i) {
        Point a = points[i - 1], b = points[i];
        if (!finite(a) || !finite(b)) continue;
        // Clip first: a far-away point must not make the mask (or the dash count) huge.
        const float pad = s.width + 2.f;
        if (!clip_segment(a, b, clip_.x0 - pad, clip_.y0 - pad, clip_.x1 + pad, clip_.y1 + pad)) continue;
        segments.push_back({a, b});
        total += std::hypot(b.x - a.x, b.y - a.y);
    }
    if (s.dash >= 1.f && total / s.dash < 1e5) {
        // The dash pattern runs along the whole curve (arc length), not restarting per segment.
        std::vector<Segment> dashed;
        bool on = true;
        float left = s.dash;
        for (const Segment& g : segments) {
            const float len = std::hypot(g.b.x - g.a.x, g.b.y - g.a.y);
            float t = 0.f;
            while (len - t > 1e-4f) {
                const float step = std::min(left, len - t);
                if (on) {
                    const float u0 = t / len, u1 = (t + step) / len;
                    dashed.push_back({{g.a.x + (g.b.x - g.a.x) * u0, g.a.y + (g.b.y - g.a.y) * u0},
                                      {g.a.x + (g.b.x - g.a.x) * u1, g.a.y + (g.b.y - g.a.y) * u1}});
                }
                t += step;
                left -= step;
                if (left <= 1e-4f) {
                    on = !on;
                    left = s.dash;
                }
            }
        }
        segments.swap(dashed);
    }
    stroke_segments(segments, s);
}

void Canvas::fill_circle(Point c, float r, Rgb color, float opacity) {
    if (!(r > 0.f) || !finite(c)) return;
    Mask m = make_mask(clip_box(c.x - r - 1.f, c.y - r - 1.f, c.x + r + 1.f, c.y + r + 1.f));
    for (int y = m.box.y0; y < m.box.y1; ++y)
        for (int x = m.box.x0; x < m.box.x1; ++x)
            m.at(x, y) = clamp01(r + 0.5f -
                                 std::hypot(static_cast<float>(x) + 0.5f - c.x, static_cast<float>(y) + 0.5f - c.y));
    blend_mask(m, color, opacity);
}

void Canvas::fill_polygon(const std::vector<Point>& points, Rgb color, float opacity) {
    if (points.size() < 3 || !std::all_of(points.begin(), points.end(), finite)) return;
    float x0 = points[0].x, y0 = points[0].y, x1 = x0, y1 = y0;
    for (const Point& q : points) {
        x0 = std::min(x0, q.x), y0 = std::min(y0, q.y), x1 = std::max(x1, q.x), y1 = std::max(y1, q.y);
    }
    Mask m = make_mask(clip_box(x0, y0, x1, y1));
    // Scanlines at kSub heights per pixel row; along each, the inside spans (even-odd) add their
    // exact overlap with every pixel, so coverage is exact across and kSub-level along y.
    constexpr int kSub = 4;
    std::vector<float> cross;
    for (int y = m.box.y0; y < m.box.y1; ++y) {
        for (int k = 0; k < kSub; ++k) {
            const float sy = static_cast<float>(y) + (static_cast<float>(k) + 0.5f) / kSub;
            cross.clear();
            for (size_t i = 0; i < points.size(); ++i) {
                const Point a = points[i], b = points[(i + 1) % points.size()];
                if ((a.y <= sy) == (b.y <= sy)) continue;  // the edge does not cross this scanline
                cross.push_back(a.x + (sy - a.y) / (b.y - a.y) * (b.x - a.x));
            }
            std::sort(cross.begin(), cross.end());
            for (size_t i = 0; i + 1 < cross.size(); i += 2) {
                const float lo = std::max(cross[i], static_cast<float>(m.box.x0));
                const float hi = std::min(cross[i + 1], static_cast<float>(m.box.x1));
                for (int x = static_cast<int>(std::floor(lo)); x < static_cast<int>(std::ceil(hi)); ++x) {
                    const float c = std::min(hi, static_cast<float>(x + 1)) - std::max(lo, static_cast<float>(x));
                    if (c > 0.f) m.at(x, y) += c / kSub;
                }
            }
        }
    }
    for (float& c : m.cov) c = clamp01(c);
    blend_mask(m, color, opacity);
}

void Canvas::text(Point at, std::string_view text, const TextStyle& style) {
    std::string s = printable(text);
    if (s.empty() || !finite(at) || !(style.size > 0.f)) return;
    const float scale = style.size * kUnitsPerSize;
    const float w = width_units(s);
    const float shift = style.align == Align::Left ? 0.f : (style.align == Align::Center ? w / 2.f : w);
    const float bold = style.bold ? 0.6f : 0.f;  // extra stroke width in font units

    std::vector<char> quads(s.size() * kFontBytesPerChar);
    const int n = stb_easy_font_print(0.f, 0.f, s.data(), nullptr, quads.data(), static_cast<int>(quads.size()));

    // Glyph space (u along the text, v down, baseline v = 7) -> pixels, rotated for vertical text.
    auto to_px = [&](float u, float v) -> Point {
        if (style.vertical) return {at.x + (v - kFontBaseline) * scale, at.y - (u - shift) * scale};
        return {at.x + (u - shift) * scale, at.y + (v - kFontBaseline) * scale};
    };
    const Point c0 = to_px(-1.f, -2.f), c1 = to_px(w + 2.f, 12.f);
    Mask m = make_mask(clip_box(std::min(c0.x, c1.x), std::min(c0.y, c1.y), std::max(c0.x, c1.x),
                                std::max(c0.y, c1.y)));
    for (int q = 0; q < n; ++q) {
        const float* v0 = reinterpret_cast<const float*>(quads.data() + static_cast<size_t>(q) * 64);  // top-left
        const float* v2 = reinterpret_cast<const float*>(quads.data() + static_cast<size_t>(q) * 64 +
                                                         32);  // bottom-right
        const Point p0 = to_px(v0[0], v0[1]), p1 = to_px(v2[0] + bold, v2[1]);
        add_rect(m, std::min(p0.x, p1.x), std::min(p0.y, p1.y), std::max(p0.x, p1.x), std::max(p0.y, p1.y));
    }
    blend_mask(m, style.color, 1.f);
}

// ---------------------------------------------------------------- clipping

void Canvas::push_clip(float x, float y, float w, float h) {
    clip_stack_.push_back(clip_);
    clip_ = clip_box(x, y, x + w, y + h);
    if (clip_.empty()) clip_ = {0, 0, 0, 0};
}

void Canvas::pop_clip() {
    if (clip_stack_.empty()) fail("Canvas::pop_clip: no clip to pop (unbalanced push_clip/pop_clip)");
    clip_ = clip_stack_.back();
    clip_stack_.pop_back();
}

}  // namespace genlab
