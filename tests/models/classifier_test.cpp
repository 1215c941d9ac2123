// The fd_features classifier's checks on its data, in words the user can act on: too few
// training images for its batch, and a test split with fewer classes than the training split;
// and the checks on its cache: a matching fingerprint over unusable contents is retrained.
#include <gtest/gtest.h>

#include <limits>

#include "core/io/safetensors.h"
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
    testing::expect_error(
        [&] {
            load_or_train_classifier(
                "", [] { return images(100, 3); }, test, cfg, true);
        },
        {"only 100 images", "batches of 128", "--fd-samples 0"});
    testing::expect_error(
        [&] {
            load_or_train_classifier(
                "", [] { return images(200, 10); }, test, cfg, true);
        },
        {"labels go up to 9", "only 3 classes", "--fd-samples 0"});
    const ClassifierCache ok = load_or_train_classifier(
        "", [] { return images(200, 3); }, test, cfg, true);
    EXPECT_TRUE(ok.trained_now);
}

// A cache whose fingerprint matches but whose contents are unusable (NaN weights, an accuracy
// that is no fraction) would make every fd_features NaN and a healthy GAN run look diverged: it
// is retrained, and the file replaced by a sound one.
TEST(Classifier, ACacheWithNanWeightsOrANonsenseAccuracyIsRetrained) {
    testing::TempDir dir;
    const std::string cache = dir.file("clf.safetensors");
    const data::ImageDataset test = images(50, 3);
    ClassifierConfig cfg;
    cfg.steps = 2;
    const auto train = [] { return images(200, 3); };
    ASSERT_TRUE(load_or_train_classifier(cache, train, test, cfg, true).trained_now);
    EXPECT_FALSE(load_or_train_classifier(cache, train, test, cfg, true).trained_now) << "a sound cache is used";

    for (int broken = 0; broken < 3; ++broken) {
        StateDict sd = load_safetensors(cache);
        if (broken == 0) sd.tensors.front().second[0] = std::numeric_limits<float>::quiet_NaN();
        if (broken == 1) sd.metadata["test_accuracy"] = "nan";
        if (broken == 2) sd.metadata["test_accuracy"] = "1.5";
        save_safetensors(cache, sd);
        const ClassifierCache c = load_or_train_classifier(cache, train, test, cfg, true);
        EXPECT_TRUE(c.trained_now) << "case " << broken;
        EXPECT_GE(c.test_accuracy, 0.0);
        EXPECT_LE(c.test_accuracy, 1.0);
        EXPECT_EQ(load_safetensors(cache).first_non_finite(), nullptr) << "case " << broken;
    }
}

}  // namespace
}  // namespace genlab::models
