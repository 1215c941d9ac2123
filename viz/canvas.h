// Canvas: a raster Surface over an RGB8 Image, for plots saved as PNG. Lines and circles are
// anti-aliased by pixel-centre distance, rectangles by exact area coverage, and text is
// stb_easy_font's segment font rasterised the same way (scaled to TextStyle::size, readable from
// size ~10 up). Colours blend in sRGB space, which is what every viewer of these PNGs assumes.
//
//     Canvas c(320, 240);
//     c.polyline({{10, 200}, {160, 40}, {310, 200}}, {.color = {31, 119, 180}, .width = 2});
//     c.text({160, 230}, "x", {.size = 14, .align = Align::Center});
//     save_png("plot.png", c.image());
#pragma once
#include <vector>

#include "viz/draw.h"
#include "viz/image.h"

namespace genlab {

class Canvas final : public Surface {
public:
    explicit Canvas(int width, int height, Rgb background = {255, 255, 255});

    int width() const override { return image_.width; }
    int height() const override { return image_.height; }
    const Image& image() const { return image_; }

    void fill_rect(float x, float y, float w, float h, Rgb color, float opacity = 1.f) override;
    // Centred on the rectangle's edges; dashes are not drawn for rectangles (solid).
    void stroke_rect(float x, float y, float w, float h, const Stroke& stroke) override;
    void line(Point a, Point b, const Stroke& stroke) override;
    void polyline(const std::vector<Point>& points, const Stroke& stroke) override;
    void fill_circle(Point center, float radius, Rgb color, float opacity = 1.f) override;
    void fill_polygon(const std::vector<Point>& points, Rgb color, float opacity = 1.f) override;
    void text(Point at, std::string_view text, const TextStyle& style) override;

    void push_clip(float x, float y, float w, float h) override;
    void pop_clip() override;

private:
    struct Box {
        int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // half-open pixel bounds
        bool empty() const { return x1 <= x0 || y1 <= y0; }
    };
    struct Segment {
        Point a, b;
    };
    // Coverage mask over a box: primitives of one stroke take the max (not the sum), so joints
    // and overlapping glyph segments are not blended twice; blending happens once, at the end.
    struct Mask {
        Box box;
        std::vector<float> cov;  // (box height, box width)
        float& at(int x, int y) {
            const size_t row = static_cast<size_t>(y - box.y0), stride = static_cast<size_t>(box.x1 - box.x0);
            return cov[row * stride + static_cast<size_t>(x - box.x0)];
        }
    };

    Box clip_box(float x0, float y0, float x1, float y1) const;  // float bounds -> pixels inside the clip
    Mask make_mask(Box box) const;
    void add_segment(Mask& m, Point a, Point b, float half_width) const;
    void add_rect(Mask& m, float x0, float y0, float x1, float y1) const;
    void blend_mask(const Mask& m, Rgb color, float opacity);
    void stroke_segments(const std::vector<Segment>& segments, const Stroke& stroke);

    Image image_;
    Box clip_;
    std::vector<Box> clip_stack_;
};

}  // namespace genlab
