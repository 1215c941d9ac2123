// Small-multiples line and scatter plots. A Figure is a grid of Panels; each Panel has a title,
// axes with ticks and numeric labels, and any number of Series (x, y, colour, label), drawn as a
// line or as marks (dots, crosses). The same Figure is drawn through the Surface interface, so
// the PNG (Canvas) and the SVG (Svg) show one picture.
//
//     Figure fig{.title = "loss"};
//     Panel& p = fig.panels.emplace_back(Panel{.title = "gan d_loss", .x_label = "step"});
//     p.series.push_back({.label = "relu", .x = steps, .y = losses, .color = palette_color(0)});
//     save_figure(fig, out + "/loss.png", out + "/loss.svg");
//     std::string inline_svg = render_svg(fig);   // for report.html
#pragma once
#include <limits>
#include <string>
#include <vector>

#include "viz/draw.h"
#include "viz/image.h"

namespace genlab {

enum class Mark { Line, Dots, Crosses };

struct Series {
    std::string label{};           // legend text; empty: left out of the legend
    std::vector<double> x{}, y{};  // same length; a non-finite y (or y <= 0 on a log axis) breaks the line
    Rgb color{31, 119, 180};
    float width = 1.8f;      // Line: stroke width; Dots: radius; Crosses: half the arm length (px)
    float dash = 0.f;        // Line: dash length in px; 0 = solid
    Mark mark = Mark::Line;  // a curve, or one mark per point (a scatter plot)
    float opacity = 1.f;     // 0..1, so dense scatters show their density
    // Line: a shaded band from band_lo to band_hi (both x.size() long; empty: none) under the
    // curve, in its colour at band_opacity: the spread over seeds around their mean.
    std::vector<double> band_lo{}, band_hi{};
    float band_opacity = 0.18f;
};

struct Panel {
    static constexpr double kAuto = std::numeric_limits<double>::quiet_NaN();

    std::string title{};
    std::string x_label{}, y_label{};  // empty: no axis label (saves room)
    std::vector<Series> series{};
    double x_min = kAuto, x_max = kAuto;  // NaN: from the data (x exactly, y with a small margin)
    double y_min = kAuto, y_max = kAuto;
    bool log_y = false;      // loss curves over orders of magnitude
    bool legend = false;     // a legend inside this panel (top-left corner)
    bool zero_lines = true;  // darker lines through x = 0 and y = 0 when in range
    bool integer_x = false;  // x ticks only at whole numbers (layer indices, counts)
    bool square = false;     // plot area square (with equal x and y spans: equal aspect, a 2-D scatter)
};

struct Figure {
    std::string title{};
    std::vector<Panel> panels{};
    int cols = 0;           // panels per row; 0: about square
    int panel_width = 300;  // px, a panel's whole cell: title, tick labels and plot area
    int panel_height = 230;
    bool shared_legend = true;    // one legend under the title: each distinct (label, colour) once
    float font_size = 13.f;       // tick labels and legend; titles are drawn larger
    std::string svg_id = "plot";  // prefix of SVG ids: unique per figure within one HTML page
};

struct FigureSize {
    int width = 0, height = 0;
};

FigureSize figure_size(const Figure& fig);
void draw_figure(const Figure& fig, Surface& surface);  // surface must be figure_size(fig) big
Image render_png(const Figure& fig);
std::string render_svg(const Figure& fig);  // the <svg> element
// Either path may be empty to skip that format. Throws Error (files are written atomically).
void save_figure(const Figure& fig, const std::string& png_path, const std::string& svg_path);

// Distinct colours for series i = 0, 1, ... (Tableau 10, the matplotlib default cycle).
Rgb palette_color(size_t i);

// About `target` round ticks (1, 2 or 5 times a power of ten) inside [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int target = 5);
// "0.5", "-2", "1e+03": as few digits as the spacing `step` of its neighbours needs.
std::string tick_label(double v, double step);

}  // namespace genlab
