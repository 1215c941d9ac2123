// The fd_features classifier's checks on its data, in words the user can act on: too few
// training images for its batch, and a test split with fewer classes than the training split.
#include <gtest/gtest.h>

#include "models/classifier.h"
#include "tests/test_util.h"

namespace genlab::models {
namespace {

data::ImageDataset images(size_t n, int classes) {
    data::ImageDataset d;
    d.name = "test";
    d.rows = d.cols = 4;
    d.pixel_bytes.assign(n * 16, 0);
    for (size_t i = 0; i < n; ++i) d.labels.push_back(static_cast<uint8_t>(i % static_cast<size_t>(classes)));
    d.num_classes = classes;
    return d;
}

TEST(Classifier, DataProblemsAreNamedInTheUsersTerms) {
    const data::ImageDataset test = images(50, 3);
    ClassifierConfig cfg;
    cfg.steps = 1;
    testing::expect_error([&] { load_or_train_classifier("", [] { return images(100, 3); }, test, cfg, true); },
                          {"only 100 images", "batches of 128", "--fd-samples 0"});
    testing::expect_error([&] { load_or_train_classifier("", [] { return images(200, 10); }, test, cfg, true); },
                          {"labels go up to 9", "only 3 classes", "--fd-samples 0"});
    const ClassifierCache ok = load_or_train_classifier("", [] { return images(200, 3); }, test, cfg, true);
    EXPECT_TRUE(ok.trained_now);
}

}  // namespace
}  // namespace genlab::models
