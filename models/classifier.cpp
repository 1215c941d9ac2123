// The feature classifier for GAN metrics (see classifier.h): an MLP trained with Adam and
// cross-entropy through the shared Trainer, cached as safetensors with a fingerprint.
#include "models/classifier.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/io/json_text.h"
#include "core/io/safetensors.h"
#include "core/number_text.h"
#include "core/ops.h"
#include "core/optim/optimizer.h"
#include "core/train/trainer.h"
#include "data/batch_sampler.h"

namespace genlab::models {

namespace {

std::vector<int> classifier_sizes(const ClassifierConfig& cfg) {
    if (cfg.input <= 0 || cfg.classes <= 0 || cfg.hidden.empty())
        fail("Classifier: input, classes and at least one hidden width must be positive");
    std::vector<int> s{cfg.input};
    s.insert(s.end(), cfg.hidden.begin(), cfg.hidden.end());
    s.push_back(cfg.classes);
    return s;
}

std::string config_json(const ClassifierConfig& c) {
    nlohmann::ordered_json j;
    j["input"] = c.input;
    j["hidden"] = c.hidden;
    j["act"] = c.act;
    j["classes"] = c.classes;
    j["steps"] = c.steps;
    j["batch"] = c.batch;
    j["lr"] = c.lr;
    j["seed"] = c.seed;
    return json_text(j);
}

// What a cached classifier must match: the dataset's name, test size and image size.
std::string fingerprint(const data::ImageDataset& test) {
    return str(test.name, " ", test.rows, "x", test.cols, " classes=", test.num_classes, " test=", test.size());
}

double accuracy(const Classifier& c, const data::ImageDataset& test) {
    const std::vector<int> pred = c.predict(test.images());
    size_t ok = 0;
    for (size_t i = 0; i < pred.size(); ++i) ok += pred[i] == static_cast<int>(test.labels[i]);
    return pred.empty() ? 0.0 : static_cast<double>(ok) / static_cast<double>(pred.size());
}

}  // namespace

Classifier::Classifier(const ClassifierConfig& cfg, Rng& rng)
    : net(register_module("net", std::make_unique<MLP>(classifier_sizes(cfg), parse_activation(cfg.act),
                                                       parse_activation("identity"), rng))),
      cfg_(cfg) {}

void Classifier::evaluate(const RowSource& images, Tensor* features, Tensor* logits) const {
    if (images.cols() != cfg_.input)
        fail("Classifier: images (", images.rows(), ", ", images.cols(), ") do not match the classifier (expected (N, ",
             cfg_.input, "))");
    const int n = static_cast<int>(images.rows()), f = cfg_.hidden.back(), k = cfg_.classes;
    if (features) *features = Tensor(Shape{n, f});  // (N, F)
    if (logits) *logits = Tensor(Shape{n, k});      // (N, K)
    constexpr int kChunk = 1000;
    Tape t;
    NoGradGuard no_grad(t);
    LayerRecord rec;
    Tensor scratch;  // a chunk decoded from bytes
    for (int r0 = 0; r0 < n; r0 += kChunk) {
        const int rows = std::min(kChunk, n - r0);
        t.reset();
        rec.clear();
        Tensor x = images.block(static_cast<size_t>(r0), static_cast<size_t>(rows), scratch);  // (rows, P)
        Var out = net(t, t.constant(x), &rec);                                                 // (rows, K)
        if (features) {
            Var feat = rec.layers[rec.layers.size() - 2].post;  // last hidden layer, (rows, F)
            std::memcpy(features->data() + static_cast<size_t>(r0) * f, t.value(feat).data(),
                        static_cast<size_t>(rows) * f * sizeof(float));
        }
        if (logits)
            std::memcpy(logits->data() + static_cast<size_t>(r0) * k, t.value(out).data(),
                        static_cast<size_t>(rows) * k * sizeof(float));
    }
}

std::vector<int> Classifier::predict(const RowSource& images) const {
    Tensor logits;
    evaluate(images, nullptr, &logits);
    const int n = logits.shape()[0], k = cfg_.classes;
    std::vector<int> out(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        const float* row = logits.data() + static_cast<size_t>(i) * k;
        out[static_cast<size_t>(i)] = static_cast<int>(std::max_element(row, row + k) - row);
    }
    return out;
}

ClassifierCache load_or_train_classifier(const std::string& path, const std::function<data::ImageDataset()>& load_train,
                                         const data::ImageDataset& test, ClassifierConfig cfg, bool quiet) {
    // Runs of a sweep build their experiments concurrently: one trains the classifier, the
    // others then find it cached.
    static std::mutex one_at_a_time;
    const std::lock_guard<std::mutex> lock(one_at_a_time);
    cfg.input = test.pixels();
    cfg.classes = test.num_classes;
    const std::string fp = fingerprint(test), cj = config_json(cfg);
    ClassifierCache out;
    Rng rng(cfg.seed);
    out.model = std::make_unique<Classifier>(cfg, rng);

    // An existing file is only ever replaced when it is a classifier cache of ours (trained for
    // another dataset or config); anything else at that path is the user's and stays untouched.
    std::error_code ec;
    if (!path.empty() && std::filesystem::exists(path, ec)) {
        StateDict sd;
        try {
            sd = load_safetensors(path);
        } catch (const Error& e) {
            fail("--classifier ", path, ": exists and is not a readable classifier cache (", e.what(),
                 "); it is left as it is: pass another --classifier path, or remove the file");
        }
        const auto kind = sd.metadata.find("kind");
        if (kind == sd.metadata.end() || kind->second != "classifier")
            fail("--classifier ", path, ": exists and is not a classifier cache (",
                 kind == sd.metadata.end() ? std::string("no 'kind' in it")
                                           : "a '" + kind->second.substr(0, 40) + "' file",
                 "); it is left as it is: pass another --classifier path, or remove the file");
        const auto meta = [&](const char* key) {
            const auto it = sd.metadata.find(key);
            return it == sd.metadata.end() ? std::string{} : it->second;
        };
        if (meta("dataset") == fp && meta("config") == cj) {
            try {
                // A matching fingerprint says what the cache was trained for, not that it is
                // sound: NaN weights would turn every fd_features into NaN and make a healthy
                // run look diverged.
                if (const std::string* bad = sd.first_non_finite()) fail("tensor '", *bad, "' holds nan or inf values");
                const std::string acc = meta("test_accuracy");
                double a = 0;
                if (!parse_number(acc, a) || !(a >= 0.0 && a <= 1.0))
                    fail("its test_accuracy '", acc.substr(0, 20), "' is not a fraction in [0, 1]");
                out.model->load_state(sd, "");
                out.test_accuracy = a;
                return out;
            } catch (const std::exception& e) {
                if (!quiet)
                    std::cerr << "note: cannot use cached classifier " << path << " (" << e.what() << "); retraining\n";
                Rng fresh(cfg.seed);  // a half-loaded model must not seed the retraining
                out.model = std::make_unique<Classifier>(cfg, fresh);
            }
        } else if (!quiet) {
            std::cerr << "note: " << path << " was trained for another dataset or config; retraining\n";
        }
    }

    const data::ImageDataset train = load_train();
    // Said in terms the user can act on: the classifier's batch and classes are not flags.
    if (train.pixels() != cfg.input)
        fail("the feature classifier behind fd_features: training images have ", train.pixels(),
             " pixels but the test images ", cfg.input, "; use a data set whose two splits match, or --fd-samples 0");
    if (train.size() < static_cast<size_t>(cfg.batch))
        fail("the feature classifier behind fd_features trains on the full training split in batches of ", cfg.batch,
             ", but it holds only ", train.size(),
             " images; use a larger data set, or --fd-samples 0 to skip fd_features");
    if (train.num_classes > cfg.classes)
        fail("the feature classifier behind fd_features: the training labels go up to ", train.num_classes - 1,
             " but the test split has only ", cfg.classes,
             " classes; use a data set whose two splits share their "
             "classes, or --fd-samples 0");
    if (!quiet)
        std::cerr << "training the feature classifier for fd_features (" << cfg.steps << " steps, once; cached in "
                  << (path.empty() ? "memory" : path) << ")\n";
    Classifier& model = *out.model;
    Adam opt(model.named_parameters(), AdamOptions{.lr = cfg.lr});
    data::BatchSampler sampler(train.size(), cfg.seed + 1);
    Tensor x(Shape{cfg.batch, cfg.input});  // (B, P)
    Tensor y(Shape{cfg.batch});             // (B) class ids
    Tape t;
    TrainerOptions to;  // no out_dir: nothing written but the cache below
    to.steps = cfg.steps;
    to.log_every = std::max(1, cfg.steps / 4);
    to.quiet = quiet;
    Trainer trainer(to);
    trainer.run([&](int) -> Metrics {
        sampler.next(train, x, y);
        t.reset();
        Var logits = model.net(t, t.constant(x));  // (B, K)
        Var loss = cross_entropy(t, logits, t.constant(y));
        opt.zero_grad();
        t.backward(loss);
        opt.step();
        return {{"classifier_loss", t.item(loss)}};
    });
    out.test_accuracy = accuracy(model, test);
    out.trained_now = true;
    if (!path.empty()) {
        const std::filesystem::path dir = std::filesystem::path(path).parent_path();
        if (!dir.empty()) std::filesystem::create_directories(dir, ec);
        StateDict sd;
        model.save_state(sd, "");
        sd.metadata["kind"] = "classifier";
        sd.metadata["dataset"] = fp;
        sd.metadata["config"] = cj;
        sd.metadata["test_accuracy"] = str(out.test_accuracy);
        save_safetensors(path, sd);
    }
    return out;
}

}  // namespace genlab::models
