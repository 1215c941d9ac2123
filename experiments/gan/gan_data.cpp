// The one place that tells the GAN's kinds of data apart: by the toy registry's names.
#include "experiments/gan/gan_data.h"

#include <algorithm>

#include "data/toy2d.h"

namespace genlab::experiments {

const GanDataKind& gan_data_kind(const std::string& data) {
    const std::vector<std::string>& toys = data::toy2d_names();
    return std::find(toys.begin(), toys.end(), data) != toys.end() ? toy_data_kind() : image_data_kind();
}

}  // namespace genlab::experiments
