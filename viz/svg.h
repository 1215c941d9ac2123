// Svg: a minimal SVG 1.1 builder implementing Surface (polyline, line, rect, circle, text, clip),
// producing one self-contained document: no external fonts, styles or images.
//
//     Svg svg(320, 240);
//     svg.polyline({{10, 200}, {160, 40}, {310, 200}}, {.color = {31, 119, 180}, .width = 2});
//     svg.text({160, 230}, "x", {.size = 14, .align = Align::Center});
//     svg.save("plot.svg");          // atomic; svg.str() is the <svg> element, for inline HTML
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "viz/draw.h"

namespace genlab {

class Svg final : public Surface {
public:
    // background: a full-size rectangle drawn first; nullopt keeps the document transparent.
    // id_prefix names clip paths ("<prefix>-clip0"); give every SVG inlined in one HTML page its own.
    Svg(int width, int height, std::optional<Rgb> background = Rgb{255, 255, 255}, std::string id_prefix = "svg");

    int width() const override { return width_; }
    int height() const override { return height_; }

    void fill_rect(float x, float y, float w, float h, Rgb color, float opacity = 1.f) override;
    void stroke_rect(float x, float y, float w, float h, const Stroke& stroke) override;
    void line(Point a, Point b, const Stroke& stroke) override;
    void polyline(const std::vector<Point>& points, const Stroke& stroke) override;
    void fill_circle(Point center, float radius, Rgb color, float opacity = 1.f) override;
    void fill_polygon(const std::vector<Point>& points, Rgb color, float opacity = 1.f) override;
    void text(Point at, std::string_view text, const TextStyle& style) override;

    void push_clip(float x, float y, float w, float h) override;
    void pop_clip() override;

    std::string str() const;                   // the <svg> element (open clip groups closed)
    void save(const std::string& path) const;  // XML declaration + str(), written atomically

private:
    int width_, height_;
    std::string id_prefix_;
    std::string body_;
    int next_clip_ = 0;
    int open_groups_ = 0;
};

// "#1f77b4"
std::string svg_color(Rgb c);
// Escapes & < > " ' for text content and attribute values.
std::string xml_escape(std::string_view s);

}  // namespace genlab
