// Learning-rate schedules. Cosine follows nanoGPT's get_lr (train.py) as used by the PyTorch
// reference in tools/bench/torch_ref.py, so both see the same rate at every step:
//   step < warmup           -> base * (step + 1) / (warmup + 1)   (never 0, and < base at the last warmup step)
//   step > total            -> min_lr
//   otherwise               -> min + 0.5 * (1 + cos(pi * (step - warmup) / max(1, total - warmup))) * (base - min)
// Older nanoGPT (base * step / warmup) starts at lr 0 and llm.c uses (step + 1) / warmup; we keep
// the current nanoGPT form. Arithmetic in double as Python, rounded once to float.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/optim/optimizer.h"

namespace genlab {

float LrSchedule::at(int step) const {
    if (kind == Kind::Constant) return base_lr;
    const double base = base_lr, lo = min_lr;
    if (step < warmup) return static_cast<float>(base * (step + 1) / (warmup + 1));
    if (step > total) return min_lr;
    const double ratio = static_cast<double>(step - warmup) / std::max(1, total - warmup);
    const double coeff = 0.5 * (1.0 + std::cos(std::numbers::pi * ratio));
    return static_cast<float>(lo + coeff * (base - lo));
}

}  // namespace genlab
