// Toy 2-D distributions for GANs. Each is an equal-weight mixture of isotropic Gaussians whose
// centres and sigma are exposed, so GAN metrics can count covered modes (VEEGAN's protocol).
#pragma once
#include <array>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/tensor.h"

namespace genlab::data {

struct Toy2d {
    std::string name;
    std::vector<std::array<float, 2>> centres;  // mode centres (x, y)
    float sigma = 0.f;                          // per-coordinate std of every mode

    // Fills every row of `out` (N, 2) with a uniformly chosen centre plus N(0, sigma^2) noise.
    void sample(Rng& rng, Tensor& out) const;
};

// ring8:  8 modes on a circle of radius 2, sigma 0.02 (VEEGAN, Srivastava et al. 2017).
// grid25: 5x5 modes at {-4, -2, 0, 2, 4}^2, sigma 0.05.
// spiral: 100 modes evenly spaced by arc length on r = theta / 5, theta in [1.5 pi, 4.5 pi]
//         (the 2-D Swiss roll of the WGAN-GP toy code), sigma 0.1: dense enough to look continuous.
// moons:  two interleaved half circles of radius 2 (sklearn's make_moons, doubled and centred),
//         32 modes each, sigma 0.1.
// Unknown names are a UsageError listing toy2d_names().
Toy2d make_toy2d(const std::string& name);
const std::vector<std::string>& toy2d_names();
std::string toy2d_names_text();  // "ring8, grid25, spiral, moons": for help and error text

}  // namespace genlab::data
