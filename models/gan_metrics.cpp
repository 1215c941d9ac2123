// Mode coverage, Fréchet distance and class-histogram KL (see gan_metrics.h). The Fréchet
// distance needs a symmetric eigendecomposition, so this file uses Eigen internally; the
// interface stays Tensor-only.
#include "models/gan_metrics.h"

#include <Eigen/Dense>
#include <cmath>
#include <limits>

#include "core/error.h"

namespace genlab::models {

ModeCoverage mode_coverage(const Tensor& samples, const std::vector<std::array<float, 2>>& centres, float sigma) {
    if (samples.shape().rank != 2 || samples.shape()[1] != 2)
        fail("mode_coverage: samples must be (N, 2), got ", samples.shape().str());
    if (centres.empty()) fail("mode_coverage: no mode centres");
    if (!(sigma > 0.f)) fail("mode_coverage: sigma must be positive, got ", sigma);
    ModeCoverage mc;
    mc.per_mode.assign(centres.size(), 0);
    const int n = samples.shape()[0];
    const double limit = 3.0 * static_cast<double>(sigma);
    int hq = 0;
    for (int i = 0; i < n; ++i) {
        const double x = samples[2 * static_cast<size_t>(i)], y = samples[2 * static_cast<size_t>(i) + 1];
        double best = std::numeric_limits<double>::infinity();
        size_t arg = 0;
        for (size_t k = 0; k < centres.size(); ++k) {
            const double dx = x - centres[k][0], dy = y - centres[k][1];
            const double d2 = dx * dx + dy * dy;
            if (d2 < best) {
                best = d2;
                arg = k;
            }
        }
        if (std::sqrt(best) <= limit) {  // NaN samples compare false: never high quality
            ++hq;
            ++mc.per_mode[arg];
        }
    }
    for (int c : mc.per_mode) mc.modes_covered += c > 0;
    mc.high_quality_fraction = n ? static_cast<double>(hq) / n : 0.0;
    return mc;
}

namespace {

using MatD = Eigen::MatrixXd;
using VecD = Eigen::VectorXd;

// Mean (F) and unbiased covariance (F, F) of the rows of x (N, F), in double.
void moments(const Tensor& x, VecD& mu, MatD& cov) {
    const Eigen::Index n = x.shape()[0], f = x.shape()[1];
    const MatD d = x.matrix().cast<double>();  // (N, F)
    mu = d.colwise().mean().transpose();
    const MatD c = d.rowwise() - mu.transpose();  // (N, F)
    cov.noalias() = c.transpose() * c;
    cov /= static_cast<double>(n - 1);
    (void)f;
}

}  // namespace

double frechet_distance(const Tensor& a, const Tensor& b) {
    if (a.shape().rank != 2 || b.shape().rank != 2 || a.shape()[1] != b.shape()[1])
        fail("frechet_distance: expected (N, F) and (M, F), got ", a.shape().str(), " and ", b.shape().str());
    if (a.shape()[0] < 2 || b.shape()[0] < 2)
        fail("frechet_distance: need at least 2 rows in each set, got ", a.shape()[0], " and ", b.shape()[0]);
    VecD mu_a, mu_b;
    MatD s_a, s_b;
    moments(a, mu_a, s_a);
    moments(b, mu_b, s_b);
    // S_a^½ from its eigendecomposition (negative eigenvalues from rounding clamp to 0).
    Eigen::SelfAdjointEigenSolver<MatD> ea(s_a);
    const VecD la = ea.eigenvalues().cwiseMax(0.0).cwiseSqrt();
    const MatD sqrt_a = ea.eigenvectors() * la.asDiagonal() * ea.eigenvectors().transpose();
    // (S_a S_b)^½ is similar to (S_a^½ S_b S_a^½)^½, so their traces agree.
    const MatD m = sqrt_a * s_b * sqrt_a;
    Eigen::SelfAdjointEigenSolver<MatD> em(0.5 * (m + m.transpose()), Eigen::EigenvaluesOnly);
    const double tr_sqrt = em.eigenvalues().cwiseMax(0.0).cwiseSqrt().sum();
    const double fd = (mu_a - mu_b).squaredNorm() + s_a.trace() + s_b.trace() - 2.0 * tr_sqrt;
    return std::max(fd, 0.0);  // tiny negative values are rounding (identical sets)
}

double class_histogram_kl(const std::vector<int>& predicted, int num_classes) {
    if (num_classes < 1) fail("class_histogram_kl: num_classes must be positive, got ", num_classes);
    if (predicted.empty()) fail("class_histogram_kl: no predictions");
    std::vector<double> counts(static_cast<size_t>(num_classes), 0.0);
    for (int c : predicted) {
        if (c < 0 || c >= num_classes) fail("class_histogram_kl: class ", c, " outside [0, ", num_classes, ")");
        counts[static_cast<size_t>(c)] += 1.0;
    }
    double kl = 0.0;
    const double n = static_cast<double>(predicted.size());
    for (double c : counts)
        if (c > 0) kl += (c / n) * std::log(c / n * num_classes);
    return std::max(kl, 0.0);
}

}  // namespace genlab::models
