// Curves (spiral, moons) are mixtures too, with modes about 2 sigma apart: a sample is then
// within a few sigma of some centre exactly when it lies near the curve, so "high quality" and
// "modes covered" mean the same thing for every toy distribution.
#include "data/toy2d.h"

#include <cmath>

#include "core/error.h"

namespace genlab::data {

namespace {

using Point = std::array<float, 2>;

std::vector<Point> ring(int k, double radius) {
    std::vector<Point> c;
    for (int i = 0; i < k; ++i) {
        const double a = 2.0 * M_PI * i / k;
        c.push_back({static_cast<float>(radius * std::cos(a)), static_cast<float>(radius * std::sin(a))});
    }
    return c;
}

std::vector<Point> grid(int k, double spacing) {
    std::vector<Point> c;
    const double half = (k - 1) / 2.0;
    for (int i = 0; i < k; ++i)
        for (int j = 0; j < k; ++j)
            c.push_back({static_cast<float>((i - half) * spacing), static_cast<float>((j - half) * spacing)});
    return c;
}

// k points evenly spaced by arc length along curve(t), t in [t0, t1].
template <class Curve>
std::vector<Point> along(const Curve& curve, double t0, double t1, int k) {
    constexpr int kSteps = 20000;
    std::vector<double> s(kSteps + 1, 0.0);  // cumulative arc length at t0 + i * dt
    const double dt = (t1 - t0) / kSteps;
    std::array<double, 2> prev = curve(t0);
    for (int i = 1; i <= kSteps; ++i) {
        const std::array<double, 2> p = curve(t0 + i * dt);
        s[static_cast<size_t>(i)] = s[static_cast<size_t>(i - 1)] + std::hypot(p[0] - prev[0], p[1] - prev[1]);
        prev = p;
    }
    std::vector<Point> c;
    size_t i = 0;
    for (int j = 0; j < k; ++j) {
        const double target = s.back() * j / (k - 1);
        while (i < kSteps && s[i + 1] < target) ++i;
        const double frac = s[i + 1] > s[i] ? std::min(1.0, (target - s[i]) / (s[i + 1] - s[i])) : 0.0;
        const std::array<double, 2> p = curve(t0 + (static_cast<double>(i) + frac) * dt);
        c.push_back({static_cast<float>(p[0]), static_cast<float>(p[1])});
    }
    return c;
}

}  // namespace

void Toy2d::sample(Rng& rng, Tensor& out) const {
    if (out.shape().rank != 2 || out.shape()[1] != 2)
        fail("Toy2d::sample(", name, "): expected an (N, 2) tensor, got ", out.shape().str());
    const size_t n = static_cast<size_t>(out.shape()[0]);
    float* p = out.data();
    for (size_t i = 0; i < n; ++i) {
        const Point& c = centres[rng.below(centres.size())];
        p[2 * i] = c[0] + sigma * rng.normal();
        p[2 * i + 1] = c[1] + sigma * rng.normal();
    }
}

namespace {

// make_moons: outer (cos t, sin t), inner (1 - cos t, 0.5 - sin t); centred at the origin, doubled.
std::vector<Point> moons() {
    std::vector<Point> c = along(
        [](double t) {
            return std::array<double, 2>{2.0 * (std::cos(t) - 0.5), 2.0 * (std::sin(t) - 0.25)};
        },
        0.0, M_PI, 32);
    const std::vector<Point> inner = along(
        [](double t) {
            return std::array<double, 2>{2.0 * (0.5 - std::cos(t)), 2.0 * (0.25 - std::sin(t))};
        },
        0.0, M_PI, 32);
    c.insert(c.end(), inner.begin(), inner.end());
    return c;
}

// The one list of toys (toy2d.h describes each): name, mode centres, sigma.
struct ToyEntry {
    const char* name;
    std::vector<Point> (*centres)();
    float sigma;
};

const std::vector<ToyEntry>& toy_table() {
    static const std::vector<ToyEntry> toys{
        {"ring8", [] { return ring(8, 2.0); }, 0.02f},
        {"grid25", [] { return grid(5, 2.0); }, 0.05f},
        {"spiral",
         [] {
             return along(
                 [](double t) {
                     return std::array<double, 2>{t / 5.0 * std::cos(t), t / 5.0 * std::sin(t)};
                 },
                 1.5 * M_PI, 4.5 * M_PI, 100);
         },
         0.1f},
        {"moons", moons, 0.1f}};
    return toys;
}

}  // namespace

const std::vector<std::string>& toy2d_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const ToyEntry& t : toy_table()) n.push_back(t.name);
        return n;
    }();
    return names;
}

std::string toy2d_names_text() {
    std::string text;
    for (const std::string& n : toy2d_names()) text += (text.empty() ? "" : ", ") + n;
    return text;
}

Toy2d make_toy2d(const std::string& name) {
    for (const ToyEntry& t : toy_table())
        if (name == t.name) return Toy2d{.name = name, .centres = t.centres(), .sigma = t.sigma};
    usage_fail("unknown 2-D dataset '", name, "' (known: ", toy2d_names_text(), ")");
}

}  // namespace genlab::data
