// A small MLP image classifier whose penultimate layer is the feature space of the GAN's
// Fréchet distance (fd_features) and whose predictions give class_histogram_kl. Trained once
// through the shared Trainer and cached as a safetensors file; a cache that does not match the
// dataset or the config is retrained.
//
//     ClassifierCache c = load_or_train_classifier("outputs/cache/classifier-fashion-mnist.safetensors",
//                                                  train, test, {}, /*quiet=*/false);
//     Tensor f = c.model->features(images);    // (N, F) in the data's [-1, 1] pixel range
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/nn/layers.h"
#include "data/image_dataset.h"

namespace genlab::models {

struct ClassifierConfig {
    int input = 784;                    // P: pixels per image
    std::vector<int> hidden{256, 128};  // hidden widths; the last one is the feature size F
    std::string act = "relu";           // hidden activation
    int classes = 10;                   // K
    int steps = 2000;                   // Adam steps of training (~4 epochs of Fashion-MNIST at batch 128)
    int batch = 128;                    // training batch
    float lr = 1e-3f;                   // Adam learning rate
    uint64_t seed = 1234;               // init and batch order: the cache is the same on every machine
};

class Classifier : public Module {
public:
    Classifier(const ClassifierConfig& cfg, Rng& rng);
    const ClassifierConfig& config() const { return cfg_; }
    MLP& net;  // (N, P) -> (N, K) logits

    // Penultimate (last hidden, post-activation) features (N, F) and logits (N, K) of images (N, P)
    // in [-1, 1], without gradients, in chunks.
    void evaluate(const RowSource& images, Tensor* features, Tensor* logits) const;
    std::vector<int> predict(const RowSource& images) const;  // argmax class per row

private:
    ClassifierConfig cfg_;
};

struct ClassifierCache {
    std::unique_ptr<Classifier> model;
    double test_accuracy = 0;  // on the test split, measured when trained (stored in the cache)
    bool trained_now = false;  // false: loaded from the cache file
};

// Loads `path` when it holds a classifier for this dataset (name, image size, class count) and
// config; otherwise trains one on load_train() (all classes, images in [-1, 1]; called only then),
// measures accuracy on `test`, and writes `path` atomically (creating its folder). An empty path
// trains without caching.
ClassifierCache load_or_train_classifier(const std::string& path, const std::function<data::ImageDataset()>& load_train,
                                         const data::ImageDataset& test, ClassifierConfig cfg, bool quiet);

}  // namespace genlab::models
