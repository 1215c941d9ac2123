// The drawing vocabulary shared by the raster Canvas (PNG) and the Svg builder: a Surface takes
// lines, polylines, rectangles, circles and text in pixel coordinates (origin top-left, y down),
// so a picture such as a plot is described once and rendered to either.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "viz/image.h"

namespace genlab {

struct Point {
    float x = 0.f, y = 0.f;
};

enum class Align { Left, Center, Right };

struct Stroke {
    Rgb color{};
    float width = 1.f;    // px
    float dash = 0.f;     // dash and gap length in px; 0 = solid
    float opacity = 1.f;  // 0..1
};

struct TextStyle {
    Rgb color{};
    float size = 12.f;          // nominal font size in px (cap height ~ 0.7 * size)
    Align align = Align::Left;  // of the anchor point along the text direction
    bool bold = false;
    bool vertical = false;  // rotated 90 degrees counter-clockwise (a y-axis label)
};

// The text metric both back ends lay out with, so the PNG and the SVG agree on spacing.
// Only printable ASCII is drawn; other bytes count (and draw) as '?'.
float text_width(std::string_view text, const TextStyle& style);
inline float text_cap_height(const TextStyle& style) { return 0.7f * style.size; }

class Surface {
public:
    virtual ~Surface() = default;
    virtual int width() const = 0;
    virtual int height() const = 0;

    virtual void fill_rect(float x, float y, float w, float h, Rgb color, float opacity = 1.f) = 0;
    virtual void stroke_rect(float x, float y, float w, float h, const Stroke& stroke) = 0;
    virtual void line(Point a, Point b, const Stroke& stroke) = 0;
    // Consecutive points joined; callers split a curve at gaps (non-finite values) themselves.
    virtual void polyline(const std::vector<Point>& points, const Stroke& stroke) = 0;
    virtual void fill_circle(Point center, float radius, Rgb color, float opacity = 1.f) = 0;
    // A closed polygon (the last point joins the first), filled by the even-odd rule: a shaded
    // band between two curves. Fewer than 3 points, or any non-finite point, draws nothing.
    virtual void fill_polygon(const std::vector<Point>& points, Rgb color, float opacity = 1.f) = 0;
    // `at` is the baseline point of the text (as SVG), aligned by style.align.
    virtual void text(Point at, std::string_view text, const TextStyle& style) = 0;

    // Clip every later primitive to a rectangle (intersected with the enclosing clip) until pop.
    virtual void push_clip(float x, float y, float w, float h) = 0;
    virtual void pop_clip() = 0;
};

}  // namespace genlab
