// GAN quality metrics. 2-D toys: VEEGAN's mode coverage and high-quality fraction (Srivastava et
// al. 2017). Images: the Fréchet distance between two feature sets (FID's formula, here on a small
// classifier's features) and the KL divergence of a predicted-class histogram from uniform.
#pragma once
#include <array>
#include <vector>

#include "core/tensor.h"

namespace genlab::models {

struct ModeCoverage {
    int modes_covered = 0;             // modes that are the nearest mode of >= 1 high-quality sample
    double high_quality_fraction = 0;  // samples within 3 sigma (Euclidean) of their nearest centre
    std::vector<int> per_mode;         // high-quality samples per mode
};

// samples (N, 2). A sample is high quality when its distance to the nearest centre is at most
// 3 * sigma; a mode is covered when it is the nearest centre of at least one such sample.
// VEEGAN's protocol draws N = 2,500 samples.
ModeCoverage mode_coverage(const Tensor& samples, const std::vector<std::array<float, 2>>& centres, float sigma);

// Fréchet distance between Gaussians fitted to the rows of a (N, F) and b (M, F):
// |mu_a - mu_b|² + tr(S_a + S_b - 2 (S_a S_b)^½). Computed in double; tr (S_a S_b)^½ comes from
// the eigenvalues of the symmetric S_a^½ S_b S_a^½, so it is exact for PSD inputs (no complex sqrtm).
// Sample covariances use N - 1 (numpy.cov, as FID implementations). Needs N, M >= 2.
double frechet_distance(const Tensor& a, const Tensor& b);

// KL(p || uniform) = Σ p_k log(K p_k) of the histogram p of predicted classes (N) in [0, K):
// 0 when the classes are balanced, log K when every sample falls in one class (mode collapse).
double class_histogram_kl(const std::vector<int>& predicted, int num_classes);

}  // namespace genlab::models
