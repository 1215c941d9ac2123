// Figure layout and drawing, written once against Surface. Layout is in whole pixels and 1-px
// lines sit on pixel centres, so the PNG stays crisp; text is measured with text_width (the
// Canvas font), which the SVG's sans-serif roughly matches.
#include "viz/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "core/number_text.h"
#include "viz/canvas.h"
#include "viz/svg.h"

namespace genlab {

namespace {

constexpr Rgb kInk{30, 30, 30};
constexpr Rgb kTickText{70, 70, 70};
constexpr Rgb kFrame{150, 150, 150};
constexpr Rgb kGrid{232, 232, 232};
constexpr Rgb kZero{165, 165, 165};
constexpr Rgb kWhite{255, 255, 255};
constexpr int kMargin = 10;  // around the whole figure
constexpr int kPad = 8;      // inside a panel cell
constexpr float kTickLen = 4.f;
constexpr float kSwatch = 22.f;  // legend line sample

float crisp(float v) { return std::floor(v) + 0.5f; }  // a 1-px line on a pixel centre

struct AxisRange {
    double lo = 0.0, hi = 1.0;
};

struct Axis {
    AxisRange range;  // in data units
    bool log = false;
    std::vector<double> ticks;  // data units
    std::vector<std::string> labels;
    // data -> [0, 1] along the axis
    double unit(double v) const {
        if (log) return (std::log10(v) - std::log10(range.lo)) / (std::log10(range.hi) - std::log10(range.lo));
        return (v - range.lo) / (range.hi - range.lo);
    }
};

bool usable(double v, bool log) { return std::isfinite(v) && (!log || v > 0.0); }

// Data extent of one axis over all series; explicit limits win, the rest gets `margin` of the span.
bool has_band(const Series& s) {
    return s.mark == Mark::Line && !s.band_lo.empty() && s.band_lo.size() == s.x.size() &&
           s.band_hi.size() == s.x.size();
}

AxisRange axis_range(const Panel& p, bool is_x, double margin) {
    const bool log = !is_x && p.log_y;
    double lo = INFINITY, hi = -INFINITY;
    for (const Series& s : p.series) {
        const size_t n = std::min(s.x.size(), s.y.size());
        const bool band = has_band(s);
        for (size_t i = 0; i < n; ++i) {
            if (!usable(s.x[i], false) || !usable(s.y[i], log)) continue;
            const double v = is_x ? s.x[i] : s.y[i];
            lo = std::min(lo, v);
            hi = std::max(hi, v);
            if (band && !is_x && usable(s.band_lo[i], log) && usable(s.band_hi[i], log)) {
                lo = std::min(lo, s.band_lo[i]);
                hi = std::max(hi, s.band_hi[i]);
            }
        }
    }
    const double fixed_lo = is_x ? p.x_min : p.y_min, fixed_hi = is_x ? p.x_max : p.y_max;
    if (!(lo <= hi)) {  // no data
        lo = log ? 1.0 : 0.0;
        hi = log ? 10.0 : 1.0;
    }
    if (log) {
        lo = std::log10(lo);
        hi = std::log10(hi);
    }
    if (hi - lo < 1e-12 * std::max(1.0, std::abs(lo))) {  // a flat line: give it room
        const double d = std::max(0.5, std::abs(lo) * 0.1);
        lo -= d;
        hi += d;
    } else {
        const double m = (hi - lo) * margin;
        lo -= m;
        hi += m;
    }
    if (log) {
        lo = std::pow(10.0, lo);
        hi = std::pow(10.0, hi);
    }
    if (usable(fixed_lo, log)) lo = fixed_lo;
    if (usable(fixed_hi, log)) hi = fixed_hi;
    if (!(hi > lo))
        fail("plot: panel '", p.title, "' has an empty ", is_x ? "x" : "y", " range [", lo, ", ", hi,
             "] (check x_min/x_max/y_min/y_max)");
    return {lo, hi};
}

Axis make_axis(AxisRange r, bool log, int target) {
    Axis a;
    a.range = r;
    a.log = log;
    if (!log) {
        a.ticks = nice_ticks(r.lo, r.hi, target);
        const double step = a.ticks.size() > 1 ? a.ticks[1] - a.ticks[0] : (r.hi - r.lo);
        for (double t : a.ticks) a.labels.push_back(tick_label(t, step));
        return a;
    }
    const double decades = std::log10(r.hi) - std::log10(r.lo);
    if (decades < 1.0) {
        // Less than a decade: round linear values, placed logarithmically.
        a.ticks = nice_ticks(r.lo, r.hi, target);
        const double step = a.ticks.size() > 1 ? a.ticks[1] - a.ticks[0] : (r.hi - r.lo);
        for (double t : a.ticks) a.labels.push_back(tick_label(t, step));
        return a;
    }
    const int every = std::max(1, static_cast<int>(std::ceil(decades / target)));
    const bool with_25 = decades <= 2.5;  // few decades: 1, 2, 5 per decade
    for (int e = static_cast<int>(std::floor(std::log10(r.lo))); e <= static_cast<int>(std::ceil(std::log10(r.hi)));
         ++e) {
        if (e % every != 0) continue;
        for (double m : {1.0, 2.0, 5.0}) {
            if (m != 1.0 && !with_25) continue;
            const double v = m * std::pow(10.0, e);
            if (v < r.lo * (1 - 1e-9) || v > r.hi * (1 + 1e-9)) continue;
            a.ticks.push_back(v);
            a.labels.push_back(tick_label(v, v));
        }
    }
    return a;
}

// The densest round ticks whose labels keep `gap` px apart along an axis `length` px long.
// extent(label) is a label's size along the axis (its width on x, its cap height on y).
template <class Extent>
Axis fit_axis(AxisRange r, bool log, float length, Extent extent, float gap) {
    for (int target = 10; target > 2; --target) {
        Axis a = make_axis(r, log, target);
        bool fits = true;
        for (size_t i = 1; i < a.ticks.size() && fits; ++i) {
            const double space = std::abs(a.unit(a.ticks[i]) - a.unit(a.ticks[i - 1])) * length;
            fits = space >= (extent(a.labels[i]) + extent(a.labels[i - 1])) / 2.f + gap;
        }
        if (fits) return a;
    }
    return make_axis(r, log, 2);
}

struct LegendItem {
    std::string label;
    Rgb color;
    float width;
    float dash;
    Mark mark;
};

std::vector<LegendItem> legend_items(const std::vector<const Series*>& series) {
    std::vector<LegendItem> items;
    for (const Series* s : series) {
        if (s->label.empty()) continue;
        bool seen = false;
        for (const LegendItem& it : items) seen = seen || (it.label == s->label && it.color == s->color);
        if (!seen) items.push_back({s->label, s->color, s->width, s->dash, s->mark});
    }
    return items;
}

float legend_item_width(const LegendItem& it, const TextStyle& st) { return kSwatch + 6.f + text_width(it.label, st); }

// Rows of items that fit in max_width; returns the rows' item index ranges.
std::vector<std::pair<size_t, size_t>> legend_rows(const std::vector<LegendItem>& items, const TextStyle& st,
                                                   float max_width, float gap) {
    std::vector<std::pair<size_t, size_t>> rows;
    size_t begin = 0;
    float w = 0.f;
    for (size_t i = 0; i < items.size(); ++i) {
        const float iw = legend_item_width(items[i], st);
        if (i > begin && w + gap + iw > max_width) {
            rows.push_back({begin, i});
            begin = i;
            w = 0.f;
        }
        w += (i > begin ? gap : 0.f) + iw;
    }
    if (begin < items.size()) rows.push_back({begin, items.size()});
    return rows;
}

void draw_cross(Surface& s, Point p, float half, Rgb color, float opacity) {
    const Stroke st{.color = color, .width = 1.5f, .opacity = opacity};
    s.line({p.x - half, p.y - half}, {p.x + half, p.y + half}, st);
    s.line({p.x - half, p.y + half}, {p.x + half, p.y - half}, st);
}

void draw_legend_item(Surface& s, const LegendItem& it, float x, float baseline, const TextStyle& st) {
    const float mid = baseline - text_cap_height(st) / 2.f;
    const Point centre{x + kSwatch / 2.f, mid};
    if (it.mark == Mark::Dots)
        s.fill_circle(centre, 4.f, it.color);  // legend marks at a readable size
    else if (it.mark == Mark::Crosses)
        draw_cross(s, centre, 4.f, it.color, 1.f);
    else
        s.line({x, mid}, {x + kSwatch, mid},
               {.color = it.color, .width = std::max(2.f, it.width), .dash = it.dash > 0.f ? 5.f : 0.f});
    s.text({x + kSwatch + 6.f, baseline}, it.label, st);
}

struct Header {
    float title_baseline = 0.f;
    std::vector<LegendItem> items;
    std::vector<std::pair<size_t, size_t>> rows;
    float legend_top = 0.f, row_height = 0.f;
    float height = 0.f;  // everything above the panel grid
};

int grid_cols(const Figure& f) {
    const int n = static_cast<int>(f.panels.size());
    if (f.cols > 0) return std::min(f.cols, n);
    return std::max(1, static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n)))));
}

TextStyle title_style(const Figure& f) {
    return {.color = kInk, .size = f.font_size * 1.55f, .align = Align::Center, .bold = true};
}
TextStyle legend_style(const Figure& f) { return {.color = kInk, .size = f.font_size}; }

Header layout_header(const Figure& f, float width) {
    Header h;
    float y = kMargin;
    if (!f.title.empty()) {
        h.title_baseline = y + text_cap_height(title_style(f)) + 2.f;
        y = h.title_baseline + 10.f;
    }
    if (f.shared_legend) {
        std::vector<const Series*> all;
        for (const Panel& p : f.panels)
            for (const Series& s : p.series) all.push_back(&s);
        h.items = legend_items(all);
        if (!h.items.empty()) {
            h.row_height = f.font_size * 1.6f;
            h.rows = legend_rows(h.items, legend_style(f), width - 2.f * kMargin, 24.f);
            h.legend_top = y;
            y += h.row_height * static_cast<float>(h.rows.size()) + 4.f;
        }
    }
    h.height = std::ceil(y);
    return h;
}

void validate(const Figure& f) {
    if (f.panels.empty()) fail("plot: figure '", f.title, "' has no panels");
    if (f.panel_width < 120 || f.panel_height < 100 || f.panel_width > 4000 || f.panel_height > 4000)
        fail("plot: panel size ", f.panel_width, "x", f.panel_height, " out of range (expected 120..4000 x 100..4000)");
    if (!(f.font_size >= 6.f && f.font_size <= 64.f)) fail("plot: font_size ", f.font_size, " out of range (6..64)");
    for (const Panel& p : f.panels)
        for (const Series& s : p.series) {
            if (s.x.size() != s.y.size())
                fail("plot: series '", s.label, "' in panel '", p.title, "' has ", s.x.size(), " x values but ",
                     s.y.size(), " y values");
            if (!(s.opacity >= 0.f && s.opacity <= 1.f))
                fail("plot: series '", s.label, "' opacity ", s.opacity, " outside 0..1");
        }
}

void draw_panel(const Figure& f, const Panel& p, Surface& s, float cx, float cy) {
    const float pw = static_cast<float>(f.panel_width), ph = static_cast<float>(f.panel_height);
    const TextStyle tick_st{.color = kTickText, .size = f.font_size};
    const TextStyle ptitle_st{.color = kInk, .size = f.font_size * 1.2f, .align = Align::Center, .bold = true};
    const float cap = text_cap_height(tick_st);

    // Vertical layout first: it fixes the plot height, which sets how many y ticks fit.
    float top = cy + kPad;
    if (!p.title.empty())
        top += text_cap_height(ptitle_st) + 10.f;
    else
        top += 4.f;
    float bottom = cy + ph - kPad - (cap + 8.f);
    if (!p.x_label.empty()) bottom -= cap + 8.f;
    top = std::round(top);
    bottom = std::round(bottom);

    const AxisRange xr = axis_range(p, true, 0.0);
    const AxisRange yr = axis_range(p, false, 0.06);
    Axis ya = fit_axis(
        yr, p.log_y, bottom - top, [&](const std::string&) { return cap; }, 1.6f * cap);
    float ylabel_w = 0.f;
    for (const std::string& l : ya.labels) ylabel_w = std::max(ylabel_w, text_width(l, tick_st));
    float left = cx + kPad + ylabel_w + kTickLen + 4.f;
    if (!p.y_label.empty()) left += cap + 8.f;
    left = std::round(left);
    float right = std::round(cx + pw - kPad - 8.f);
    if (p.square) {  // shrink the longer side, keeping the plot area centred in its cell
        const float side = std::min(right - left, bottom - top);
        const float dx = std::floor((right - left - side) / 2.f), dy = std::floor((bottom - top - side) / 2.f);
        left += dx;
        right = left + side;
        top += dy;
        bottom = top + side;
        ya = fit_axis(
            yr, p.log_y, side, [&](const std::string&) { return cap; }, 1.6f * cap);
    }
    Axis xa = fit_axis(
        xr, false, right - left, [&](const std::string& l) { return text_width(l, tick_st); }, 14.f);
    if (p.integer_x)
        for (size_t i = xa.ticks.size(); i-- > 0;)
            if (xa.ticks[i] != std::round(xa.ticks[i])) {
                xa.ticks.erase(xa.ticks.begin() + static_cast<long>(i));
                xa.labels.erase(xa.labels.begin() + static_cast<long>(i));
            }
    const float w = right - left, h = bottom - top;
    auto px = [&](double v) { return left + static_cast<float>(xa.unit(v)) * w; };
    auto py = [&](double v) { return bottom - static_cast<float>(ya.unit(v)) * h; };

    if (!p.title.empty()) s.text({(left + right) / 2.f, cy + kPad + text_cap_height(ptitle_st)}, p.title, ptitle_st);

    // Grid, zero lines, then the frame over them.
    s.fill_rect(left, top, w, h, kWhite);
    for (double t : xa.ticks) s.line({crisp(px(t)), top}, {crisp(px(t)), bottom}, {.color = kGrid});
    for (double t : ya.ticks) s.line({left, crisp(py(t))}, {right, crisp(py(t))}, {.color = kGrid});
    if (p.zero_lines) {
        if (xr.lo < 0.0 && xr.hi > 0.0) s.line({crisp(px(0.0)), top}, {crisp(px(0.0)), bottom}, {.color = kZero});
        if (!p.log_y && yr.lo < 0.0 && yr.hi > 0.0)
            s.line({left, crisp(py(0.0))}, {right, crisp(py(0.0))}, {.color = kZero});
    }
    s.stroke_rect(left + 0.5f, top + 0.5f, w - 1.f, h - 1.f, {.color = kFrame});

    // Ticks and their labels.
    for (size_t i = 0; i < xa.ticks.size(); ++i) {
        const float x = crisp(px(xa.ticks[i]));
        s.line({x, bottom}, {x, bottom + kTickLen}, {.color = kFrame});
        TextStyle st = tick_st;
        st.align = Align::Center;
        s.text({x, bottom + kTickLen + 4.f + cap}, xa.labels[i], st);
    }
    for (size_t i = 0; i < ya.ticks.size(); ++i) {
        const float y = crisp(py(ya.ticks[i]));
        s.line({left - kTickLen, y}, {left, y}, {.color = kFrame});
        TextStyle st = tick_st;
        st.align = Align::Right;
        s.text({left - kTickLen - 4.f, std::round(y + cap / 2.f)}, ya.labels[i], st);
    }
    if (!p.x_label.empty()) {
        TextStyle st = tick_st;
        st.align = Align::Center;
        st.color = kInk;
        s.text({(left + right) / 2.f, bottom + kTickLen + 4.f + 2.f * cap + 8.f}, p.x_label, st);
    }
    if (!p.y_label.empty()) {
        TextStyle st = tick_st;
        st.align = Align::Center;
        st.color = kInk;
        st.vertical = true;
        s.text({cx + kPad + cap, (top + bottom) / 2.f}, p.y_label, st);
    }

    // The curves and marks, clipped to the plot area; gaps where values are unusable.
    s.push_clip(left, top, w, h);
    for (const Series& sr : p.series) {  // bands first, under every curve
        if (!has_band(sr)) continue;
        std::vector<Point> upper, lower;
        auto flush = [&] {
            upper.insert(upper.end(), lower.rbegin(), lower.rend());
            s.fill_polygon(upper, sr.color, sr.band_opacity);
            upper.clear();
            lower.clear();
        };
        for (size_t i = 0; i < sr.x.size(); ++i) {
            if (!usable(sr.x[i], false) || !usable(sr.band_lo[i], p.log_y) || !usable(sr.band_hi[i], p.log_y)) {
                flush();
                continue;
            }
            upper.push_back({px(sr.x[i]), py(sr.band_hi[i])});
            lower.push_back({px(sr.x[i]), py(sr.band_lo[i])});
        }
        flush();
    }
    for (const Series& sr : p.series) {
        if (sr.mark != Mark::Line) {
            for (size_t i = 0; i < sr.x.size(); ++i) {
                if (!usable(sr.x[i], false) || !usable(sr.y[i], p.log_y)) continue;
                const Point at{px(sr.x[i]), py(sr.y[i])};
                if (sr.mark == Mark::Dots)
                    s.fill_circle(at, sr.width, sr.color, sr.opacity);
                else
                    draw_cross(s, at, sr.width, sr.color, sr.opacity);
            }
            continue;
        }
        std::vector<Point> run;
        auto flush = [&] {
            if (run.size() >= 2)
                s.polyline(run, {.color = sr.color, .width = sr.width, .dash = sr.dash, .opacity = sr.opacity});
            else if (run.size() == 1)
                s.fill_circle(run[0], sr.width, sr.color, sr.opacity);
            run.clear();
        };
        for (size_t i = 0; i < sr.x.size(); ++i) {
            if (!usable(sr.x[i], false) || !usable(sr.y[i], p.log_y)) {
                flush();
                continue;
            }
            run.push_back({px(sr.x[i]), py(sr.y[i])});
        }
        flush();
    }
    s.pop_clip();

    if (p.legend) {
        std::vector<const Series*> mine;
        for (const Series& sr : p.series) mine.push_back(&sr);
        const std::vector<LegendItem> items = legend_items(mine);
        if (!items.empty()) {
            const TextStyle st = legend_style(f);
            const float row = f.font_size * 1.5f;
            float bw = 0.f;
            for (const LegendItem& it : items) bw = std::max(bw, legend_item_width(it, st));
            const float bx = left + 6.f, by = top + 6.f, bh = row * static_cast<float>(items.size()) + 6.f;
            s.fill_rect(bx, by, bw + 12.f, bh, kWhite, 0.85f);
            s.stroke_rect(bx + 0.5f, by + 0.5f, bw + 11.f, bh - 1.f, {.color = kGrid});
            for (size_t i = 0; i < items.size(); ++i)
                draw_legend_item(s, items[i], bx + 6.f,
                                 by + 3.f + row * static_cast<float>(i) + (row + text_cap_height(st)) / 2.f, st);
        }
    }
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
    if (!(std::isfinite(lo) && std::isfinite(hi)) || !(hi > lo)) return {};
    target = std::max(1, target);
    const double raw = (hi - lo) / target;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double norm = raw / mag;
    const double step = mag * (norm < 1.5 ? 1.0 : norm < 3.0 ? 2.0 : norm < 7.0 ? 5.0 : 10.0);  // Heckbert's rounding
    std::vector<double> ticks;
    // Integer multiples of step (not repeated addition), so 0.1 * 3 prints as 0.3 and 0 is exact.
    const double first = std::ceil(lo / step - 1e-9), last = std::floor(hi / step + 1e-9);
    for (double k = first; k <= last && ticks.size() < 64; k += 1.0) ticks.push_back(k == 0.0 ? 0.0 : k * step);
    return ticks;
}

std::string tick_label(double v, double step) {
    if (v == 0.0 || std::abs(v) < std::abs(step) * 1e-9) return "0";
    const double a = std::abs(v);
    if (a >= 1e5 || a < 1e-3) return significant_text(v, 3);
    // The fewest decimals that write `step` exactly: 2.5 -> 1, 0.25 -> 2, 5 -> 0.
    step = std::abs(step);
    int decimals = 0;
    while (decimals < 6) {
        const double scaled = step * std::pow(10.0, decimals);
        if (std::abs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled)) break;
        ++decimals;
    }
    return fixed_text(v, decimals);
}

Rgb palette_color(size_t i) {
    static constexpr Rgb kTab10[] = {{31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
                                     {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
    return kTab10[i % 10];
}

FigureSize figure_size(const Figure& f) {
    validate(f);
    const int cols = grid_cols(f);
    const int rows = (static_cast<int>(f.panels.size()) + cols - 1) / cols;
    // A long title widens the figure rather than running off it; the panel grid is then centred.
    const int title_w = f.title.empty() ? 0 : static_cast<int>(std::ceil(text_width(f.title, title_style(f))));
    const int width = 2 * kMargin + std::max(cols * f.panel_width, title_w);
    const Header h = layout_header(f, static_cast<float>(width));
    return {width, static_cast<int>(h.height) + rows * f.panel_height + kMargin};
}

void draw_figure(const Figure& f, Surface& s) {
    const FigureSize size = figure_size(f);
    if (s.width() < size.width || s.height() < size.height)
        fail("plot: surface ", s.width(), "x", s.height(), " is smaller than the figure ", size.width, "x",
             size.height);
    const Header h = layout_header(f, static_cast<float>(size.width));
    const float center = static_cast<float>(size.width) / 2.f;
    if (!f.title.empty()) s.text({center, h.title_baseline}, f.title, title_style(f));

    const TextStyle lst = legend_style(f);
    constexpr float kGap = 24.f;
    for (size_t r = 0; r < h.rows.size(); ++r) {
        float row_w = 0.f;
        for (size_t i = h.rows[r].first; i < h.rows[r].second; ++i)
            row_w += legend_item_width(h.items[i], lst) + (i > h.rows[r].first ? kGap : 0.f);
        float x = std::round(center - row_w / 2.f);
        const float baseline = h.legend_top + h.row_height * static_cast<float>(r) +
                               (h.row_height + text_cap_height(lst)) / 2.f;
        for (size_t i = h.rows[r].first; i < h.rows[r].second; ++i) {
            draw_legend_item(s, h.items[i], x, std::round(baseline), lst);
            x += legend_item_width(h.items[i], lst) + kGap;
        }
    }

    const int cols = grid_cols(f);
    const int grid_x = (size.width - cols * f.panel_width) / 2;
    for (size_t i = 0; i < f.panels.size(); ++i) {
        const float cx = static_cast<float>(grid_x + static_cast<int>(i % static_cast<size_t>(cols)) * f.panel_width);
        const float cy = h.height +
                         static_cast<float>(static_cast<int>(i / static_cast<size_t>(cols)) * f.panel_height);
        draw_panel(f, f.panels[i], s, cx, cy);
    }
}

Image render_png(const Figure& f) {
    const FigureSize size = figure_size(f);
    Canvas c(size.width, size.height);
    draw_figure(f, c);
    return c.image();
}

std::string render_svg(const Figure& f) {
    const FigureSize size = figure_size(f);
    Svg svg(size.width, size.height, Rgb{255, 255, 255}, f.svg_id);
    draw_figure(f, svg);
    return svg.str();
}

void save_figure(const Figure& f, const std::string& png_path, const std::string& svg_path) {
    if (!png_path.empty()) save_png(png_path, render_png(f));
    if (!svg_path.empty()) {
        const FigureSize size = figure_size(f);
        Svg svg(size.width, size.height, Rgb{255, 255, 255}, f.svg_id);
        draw_figure(f, svg);
        svg.save(svg_path);
    }
}

}  // namespace genlab
