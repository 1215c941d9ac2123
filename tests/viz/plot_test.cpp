// Plots, canvas and SVG: a Figure renders to a PNG of figure_size() with its curves inside the
// panels, the SVG of the same Figure carries the polylines and labels, ticks are round numbers,
// and the raster primitives respect colours, clipping and text metrics.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/error.h"
#include "tests/test_util.h"
#include "viz/canvas.h"
#include "viz/plot.h"
#include "viz/svg.h"

namespace genlab {
namespace {

namespace fs = std::filesystem;

// Pixels of exactly colour c inside [x0, x1) x [y0, y1).
int count_color(const Image& img, Rgb c, int x0, int y0, int x1, int y1) {
    int n = 0;
    for (int y = std::max(0, y0); y < std::min(img.height, y1); ++y)
        for (int x = std::max(0, x0); x < std::min(img.width, x1); ++x) n += img.get(x, y) == c ? 1 : 0;
    return n;
}

Series sine(Rgb color, const std::string& label, double phase) {
    Series s{.label = label, .color = color};
    for (int i = 0; i <= 100; ++i) {
        const double x = -3.0 + 6.0 * i / 100.0;
        s.x.push_back(x);
        s.y.push_back(std::sin(x + phase));
    }
    return s;
}

Figure two_panels() {
    Figure fig{.title = "waves"};
    fig.cols = 2;
    fig.panels.push_back(Panel{.title = "left panel",
                               .series = {sine({200, 0, 0}, "sin", 0.0), sine({0, 0, 200}, "cos", 1.5708)}});
    fig.panels.push_back(Panel{.title = "right panel"});  // no series: axes only
    return fig;
}

TEST(Plot, PngHasTheFigureSizeAndCurvesInTheRightPanel) {
    const Figure fig = two_panels();
    const FigureSize size = figure_size(fig);
    EXPECT_GE(size.width, 2 * fig.panel_width);
    EXPECT_GE(size.height, fig.panel_height);
    const Image img = render_png(fig);
    ASSERT_EQ(img.width, size.width);
    ASSERT_EQ(img.height, size.height);
    const int mid = img.width / 2;
    // The 1.8-px strokes have fully covered pixels of exactly the series colour.
    EXPECT_GT(count_color(img, {200, 0, 0}, 0, 0, mid, img.height), 100);
    EXPECT_GT(count_color(img, {0, 0, 200}, 0, 0, mid, img.height), 100);
    EXPECT_EQ(count_color(img, {200, 0, 0}, mid, 70, img.width, img.height), 0);  // right panel: no curve
    // The background is white, and the right panel still has its frame, ticks and labels.
    EXPECT_EQ(img.get(0, 0), (Rgb{255, 255, 255}));
    int ink = 0;
    for (int y = 70; y < img.height; ++y)
        for (int x = mid; x < img.width; ++x) ink += img.get(x, y).r < 200 ? 1 : 0;
    EXPECT_GT(ink, 200);
}

TEST(Plot, SvgCarriesPolylinesLabelsAndLegend) {
    const std::string svg = render_svg(two_panels());
    EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
    EXPECT_EQ(testing::occurrences(svg, "<polyline"), 2u);
    EXPECT_NE(svg.find(">left panel</text>"), std::string::npos);
    EXPECT_NE(svg.find(">right panel</text>"), std::string::npos);
    EXPECT_NE(svg.find(">waves</text>"), std::string::npos);
    EXPECT_NE(svg.find(">sin</text>"), std::string::npos);  // shared legend
    EXPECT_NE(svg.find(">cos</text>"), std::string::npos);
    EXPECT_NE(svg.find(">0</text>"), std::string::npos);  // a tick label
    EXPECT_NE(svg.find("stroke=\"#c80000\""), std::string::npos);
    EXPECT_EQ(testing::occurrences(svg, "<g clip-path"), testing::occurrences(svg, "</g>"));
}

TEST(Plot, SaveFigureWritesBothFiles) {
    const fs::path dir = fs::temp_directory_path() / ("genlab-plot-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    save_figure(two_panels(), (dir / "f.png").string(), (dir / "f.svg").string());
    std::ifstream png((dir / "f.png").string(), std::ios::binary);
    char sig[4] = {};
    png.read(sig, 4);
    EXPECT_EQ(std::string(sig + 1, 3), "PNG");
    std::ifstream svg((dir / "f.svg").string());
    std::stringstream ss;
    ss << svg.rdbuf();
    EXPECT_EQ(ss.str().rfind("<?xml", 0), 0u);
    EXPECT_THROW(save_figure(two_panels(), (dir / "no/such/f.png").string(), ""), Error);
    fs::remove_all(dir);
}

TEST(Plot, RejectsInconsistentFigures) {
    Figure empty;
    EXPECT_THROW(render_png(empty), Error);
    Figure bad;
    Series s{.label = "s", .x = {1, 2, 3}, .y = {1, 2}};
    bad.panels.push_back(Panel{.series = {s}});
    EXPECT_THROW(render_svg(bad), Error);
    Figure flat;
    flat.panels.push_back(Panel{.x_min = 1.0, .x_max = 1.0});
    EXPECT_THROW(render_png(flat), Error);
}

TEST(Plot, NonFiniteValuesBreakTheLine) {
    Figure fig;
    Series s{.label = "gap", .x = {0, 1, 2, 3, 4, 5}, .y = {0, 1, NAN, 3, 4, INFINITY}};
    fig.panels.push_back(Panel{.series = {s}});
    const std::string svg = render_svg(fig);
    EXPECT_EQ(testing::occurrences(svg, "<polyline"), 2u);  // (0,1) and (3,4); the NaN and the Inf are gaps
    EXPECT_EQ(svg.find("nan"), std::string::npos);
    EXPECT_EQ(svg.find("inf"), std::string::npos);
}

TEST(Plot, LogAxisTicksArePowersOfTen) {
    Figure fig;
    Series s{.label = "loss"};
    for (int i = 0; i <= 50; ++i) {
        s.x.push_back(i);
        s.y.push_back(std::pow(10.0, 2.0 - 0.1 * i));  // 100 .. 1e-3
    }
    fig.panels.push_back(Panel{.series = {s}, .log_y = true});
    const std::string svg = render_svg(fig);
    EXPECT_NE(svg.find(">100</text>"), std::string::npos);
    EXPECT_NE(svg.find(">1</text>"), std::string::npos);
    EXPECT_NE(svg.find(">0.01</text>"), std::string::npos);
    EXPECT_NE(svg.find(">0.001</text>"), std::string::npos);
}

// Scatter series: one mark per point, where the axes put it, in its colour; a square panel has a
// square plot area, so equal x and y spans draw a circle as a circle.
TEST(Plot, ScatterSeriesDrawMarksAtTheirPoints) {
    const Rgb dot{200, 0, 0}, cross{0, 0, 200};
    Panel p{.x_min = -1, .x_max = 1, .y_min = -1, .y_max = 1, .zero_lines = false, .square = true};
    Series dots{.label = "dots", .color = dot, .width = 3.f, .mark = Mark::Dots};
    for (int i = 0; i < 8; ++i) {  // 8 points on a circle of radius 0.8
        dots.x.push_back(0.8 * std::cos(i * M_PI / 4));
        dots.y.push_back(0.8 * std::sin(i * M_PI / 4));
    }
    p.series.push_back(dots);
    p.series.push_back(Series{
        .label = "cross", .x = {0.0}, .y = {0.0}, .color = cross, .width = 5.f, .mark = Mark::Crosses});
    Figure fig{.cols = 1, .panel_width = 400, .panel_height = 300, .shared_legend = false};
    fig.panels.push_back(p);
    const Image img = render_png(fig);
    // Every dot is a blob of its colour; find their extents.
    int x0 = img.width, x1 = 0, y0 = img.height, y1 = 0, n = 0;
    for (int y = 0; y < img.height; ++y)
        for (int x = 0; x < img.width; ++x)
            if (img.get(x, y) == dot) {
                x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
                ++n;
            }
    EXPECT_GT(n, 8 * 10);                              // 8 filled discs, not 8 pixels
    EXPECT_NEAR(x1 - x0, y1 - y0, 2);                  // square plot area: the circle stays round
    const int cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;  // the cross sits at the centre, (0, 0)
    EXPECT_GT(count_color(img, cross, cx - 6, cy - 6, cx + 7, cy + 7), 8);
    EXPECT_EQ(count_color(img, cross, 0, 0, cx - 10, img.height), 0);
    // The SVG carries one circle per dot.
    EXPECT_GE(testing::occurrences(render_svg(fig), "<circle"), 8u);
}

TEST(Plot, BandIsShadedBetweenItsBoundsUnderTheCurve) {
    const Rgb c{0, 0, 200};
    Series s{.label = "mean", .x = {0, 1, 2}, .y = {0.5, 0.5, 0.5}, .color = c};
    s.band_lo = {0.0, 0.0, 0.0};
    s.band_hi = {2.0, 2.0, 2.0};
    Figure fig{.cols = 1, .panel_width = 400, .panel_height = 300, .shared_legend = false};
    fig.panels.push_back(Panel{.series = {s}, .zero_lines = false});
    const Image img = render_png(fig);
    // The y axis reaches the band's top (2), not only the curve's 0.5; the band's pixels are a
    // light tint of the curve's colour, above and below the curve.
    int tint_rows = 0;
    for (int y = 0; y < img.height; ++y) {
        const Rgb p = img.get(img.width / 2, y);
        tint_rows += (p.b > 200 && p.r > 180 && p.r < 240) ? 1 : 0;
    }
    EXPECT_GT(tint_rows, 150);
    const std::string svg = render_svg(fig);
    EXPECT_EQ(testing::occurrences(svg, "<polygon"), 1u);
    EXPECT_NE(svg.find("fill-opacity=\"0.18\""), std::string::npos);
    // A band whose length does not match x is ignored, not read past its end.
    s.band_lo.pop_back();
    fig.panels[0].series = {s};
    EXPECT_EQ(testing::occurrences(render_svg(fig), "<polygon"), 0u);
}

TEST(NiceTicks, AreRoundEvenlySpacedAndInsideTheRange) {
    const std::vector<double> t = nice_ticks(-6.0, 6.0, 6);
    ASSERT_EQ(t.size(), 7u);  // -6 -4 ... 6
    EXPECT_DOUBLE_EQ(t.front(), -6.0);
    EXPECT_DOUBLE_EQ(t[3], 0.0);
    EXPECT_DOUBLE_EQ(t.back(), 6.0);
    const std::vector<double> u = nice_ticks(0.013, 0.087, 5);
    ASSERT_GE(u.size(), 3u);
    const double step = u[1] - u[0];
    for (size_t i = 0; i < u.size(); ++i) {
        EXPECT_GE(u[i], 0.013);
        EXPECT_LE(u[i], 0.087);
        if (i) {
            EXPECT_NEAR(u[i] - u[i - 1], step, 1e-12);
        }
    }
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
    EXPECT_TRUE(std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 || std::abs(mantissa - 5) < 1e-9);
    EXPECT_TRUE(nice_ticks(1.0, 1.0).empty());
    EXPECT_TRUE(nice_ticks(0.0, NAN).empty());
}

TEST(TickLabel, UsesTheDecimalsItsStepNeeds) {
    EXPECT_EQ(tick_label(2.0, 1.0), "2");
    EXPECT_EQ(tick_label(-0.5, 0.5), "-0.5");
    EXPECT_EQ(tick_label(0.5, 0.25), "0.50");
    EXPECT_EQ(tick_label(0.3, 0.1), "0.3");  // not 0.30000000000000004
    EXPECT_EQ(tick_label(1e-17, 0.1), "0");  // round-off next to zero
    EXPECT_EQ(tick_label(2e6, 1e6), "2e+06");
}

TEST(Canvas, PolylineIsClippedAndColoured) {
    Canvas c(40, 40);
    c.push_clip(0, 0, 20, 40);
    c.polyline({{2, 20}, {38, 20}}, {.color = {0, 128, 0}, .width = 3});
    c.pop_clip();
    EXPECT_EQ(c.image().get(10, 20), (Rgb{0, 128, 0}));
    EXPECT_EQ(c.image().get(30, 20), (Rgb{255, 255, 255}));  // outside the clip
    EXPECT_EQ(c.image().get(10, 10), (Rgb{255, 255, 255}));
    EXPECT_THROW(c.pop_clip(), Error);
}

TEST(Canvas, FillRectUsesAreaCoverage) {
    Canvas c(10, 10, {0, 0, 0});
    c.fill_rect(2.f, 2.f, 3.5f, 2.f, {255, 255, 255});
    EXPECT_EQ(c.image().get(3, 3), (Rgb{255, 255, 255}));
    EXPECT_EQ(c.image().get(5, 3), (Rgb{128, 128, 128}));  // half covered
    EXPECT_EQ(c.image().get(6, 3), (Rgb{0, 0, 0}));
}

TEST(Canvas, CircleAndDashedLineDraw) {
    Canvas c(60, 30);
    c.fill_circle({15, 15}, 6, {255, 0, 0});
    EXPECT_EQ(c.image().get(15, 15), (Rgb{255, 0, 0}));
    EXPECT_EQ(c.image().get(15, 25), (Rgb{255, 255, 255}));
    c.line({30, 15}, {58, 15}, {.color = {0, 0, 0}, .width = 2, .dash = 6});
    int on = 0, off = 0;  // round caps take 1 px of each gap: 8 px on, 4 px off per period
    for (int x = 31; x < 57; ++x) (c.image().get(x, 15).r < 64 ? on : off) += 1;
    EXPECT_GT(on, 10);
    EXPECT_GT(off, 5);
}

TEST(Canvas, PolygonIsFilledByAreaWithHoles) {
    Canvas c(20, 20, {0, 0, 0});
    c.fill_polygon({{2, 2}, {12, 2}, {12, 12}, {2, 12}}, {255, 255, 255});
    EXPECT_EQ(c.image().get(5, 5), (Rgb{255, 255, 255}));
    EXPECT_EQ(c.image().get(14, 5), (Rgb{0, 0, 0}));
    Canvas h(20, 20, {0, 0, 0});  // a half-pixel edge: half coverage
    h.fill_polygon({{2, 2}, {10.5f, 2}, {10.5f, 10}, {2, 10}}, {255, 255, 255});
    EXPECT_EQ(h.image().get(10, 5), (Rgb{128, 128, 128}));
    Canvas t(20, 20, {0, 0, 0});  // a triangle: nothing right of its slanted edge
    t.fill_polygon({{0, 0}, {19, 0}, {0, 19}}, {255, 255, 255});
    EXPECT_EQ(t.image().get(2, 2), (Rgb{255, 255, 255}));
    EXPECT_EQ(t.image().get(17, 17), (Rgb{0, 0, 0}));
    Canvas n(10, 10, {0, 0, 0});  // degenerate input draws nothing
    n.fill_polygon({{1, 1}, {5, 5}}, {255, 255, 255});
    n.fill_polygon({{1, 1}, {NAN, 5}, {8, 8}}, {255, 255, 255});
    for (int y = 0; y < 10; ++y)
        for (int x = 0; x < 10; ++x) EXPECT_EQ(n.image().get(x, y), (Rgb{0, 0, 0}));
}

TEST(Canvas, TextIsDrawnInsideItsMeasuredBox) {
    Canvas c(200, 40);
    const TextStyle st{.color = {0, 0, 0}, .size = 20.f};
    const float w = text_width("Hello 42", st);
    EXPECT_NEAR(w, 2.f * text_width("Hello 42", {.size = 10.f}), 1e-4);
    c.text({10, 30}, "Hello 42", st);
    int x_min = 1000, x_max = -1, y_min = 1000, y_max = -1, dark = 0;
    for (int y = 0; y < 40; ++y)
        for (int x = 0; x < 200; ++x)
            if (c.image().get(x, y).r < 128) {
                ++dark;
                x_min = std::min(x_min, x);
                x_max = std::max(x_max, x);
                y_min = std::min(y_min, y);
                y_max = std::max(y_max, y);
            }
    EXPECT_GT(dark, 100);
    EXPECT_GE(x_min, 10);
    EXPECT_LE(x_max, 10 + static_cast<int>(std::ceil(w)) + 1);
    EXPECT_GE(y_min, 30 - static_cast<int>(text_cap_height(st)) - 1);  // caps rise from the baseline
    EXPECT_LE(y_max, 30);                                              // no descenders in "Hello 42"
    // Right alignment ends the text at the anchor.
    Canvas r(200, 40);
    r.text({190, 30}, "Hello 42", {.color = {0, 0, 0}, .size = 20.f, .align = Align::Right});
    int last = -1;
    for (int y = 0; y < 40; ++y)
        for (int x = 0; x < 200; ++x)
            if (r.image().get(x, y).r < 128) last = std::max(last, x);
    EXPECT_GE(last, 186);
    EXPECT_LE(last, 190);
}

TEST(Svg, EscapesTextAndReplacesInvalidBytes) {
    EXPECT_EQ(xml_escape("a<b & \"c\">'"), "a&lt;b &amp; &quot;c&quot;&gt;&apos;");
    Svg s(10, 10, std::nullopt, "t");
    s.text({1, 1}, std::string("x\xff<y") + "\x01", {});
    s.push_clip(0, 0, 5, 5);
    s.line({0, 0}, {9, 9}, {.dash = 3});
    const std::string out = s.str();  // closes the open clip group
    EXPECT_NE(out.find(">x?&lt;y?</text>"), std::string::npos) << out;
    EXPECT_NE(out.find("id=\"t-clip0\""), std::string::npos);
    EXPECT_NE(out.find("stroke-dasharray=\"3\""), std::string::npos);
    EXPECT_EQ(testing::occurrences(out, "<g "), testing::occurrences(out, "</g>"));
    EXPECT_EQ(testing::occurrences(out, "<rect"), 1u);  // the clip path's; no background was requested
}

}  // namespace
}  // namespace genlab
