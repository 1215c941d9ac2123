// CharMlp: shapes, the hidden-layer record, init, config validation and lines-mode generation.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/ops.h"
#include "core/rng.h"
#include "models/char_mlp.h"

#include <nlohmann/json.hpp>

namespace genlab::models {
namespace {

CharModelConfig tiny_mlp() {
    return {.vocab_size = 5, .arch = "mlp", .context = 3, .hidden = {16, 12}, .n_embd = 4, .act = "gelu"};
}

Var ids(Tape& t, const std::vector<int>& v, Shape s) {
    Var x = t.input(s);
    for (size_t i = 0; i < v.size(); ++i) t.value(x)[i] = static_cast<float>(v[i]);
    return x;
}

TEST(CharMlp, LogitsShapeAndLayerRecord) {
    Rng rng(1);
    CharMlp m(tiny_mlp(), rng);
    Tape t;
    LayerRecord rec;
    Var l = m.loss(t, ids(t, {0, 0, 1, 2, 3, 4}, Shape{2, 3}), ids(t, {2, 0}, Shape{2}), &rec);
    EXPECT_EQ(t.shape(m.logits(t, ids(t, {0, 0, 1}, Shape{1, 3}))), (Shape{1, 5}));
    t.backward(l);
    ASSERT_EQ(rec.layers.size(), 3u);  // two hidden layers and the logit layer
    EXPECT_EQ(t.shape(rec.layers[0].pre), (Shape{2, 16}));
    EXPECT_EQ(t.shape(rec.layers[1].pre), (Shape{2, 12}));
    EXPECT_TRUE(rec.layers[1].hidden);
    EXPECT_FALSE(rec.layers[2].hidden);
    EXPECT_GT(t.grad(rec.layers[0].pre).flat().abs().sum(), 0.f);
}

TEST(CharMlp, InitialLossIsNearLogVocab) {
    Rng rng(2), data(3);
    CharModelConfig c = tiny_mlp();
    c.vocab_size = 27;
    CharMlp m(c, rng);
    std::vector<int> x(64 * 3), y(64);
    for (int& v : x) v = static_cast<int>(data.below(27));
    for (int& v : y) v = static_cast<int>(data.below(27));
    Tape t;
    EXPECT_NEAR(t.item(m.loss(t, ids(t, x, Shape{64, 3}), ids(t, y, Shape{64}))), std::log(27.f), 0.3f);
}

TEST(CharMlp, RejectsWrongContextWidth) {
    Rng rng(4);
    CharMlp m(tiny_mlp(), rng);
    Tape t;
    EXPECT_THROW(m.logits(t, ids(t, {1, 2}, Shape{1, 2})), Error);
}

TEST(CharMlp, ConfigRoundTripsAndRejectsBadValues) {
    const ConfigSpec<CharModelConfig>& spec = char_model_config_spec();
    const CharModelConfig c = tiny_mlp();
    EXPECT_EQ(spec.to_json(spec.from_json(spec.to_json(c), "t")), spec.to_json(c));
    CharModelConfig bad = tiny_mlp();
    bad.hidden = {};
    EXPECT_THROW(spec.validate(bad), UsageError);
    bad = tiny_mlp();
    bad.context = 0;
    EXPECT_THROW(spec.validate(bad), UsageError);
    bad = tiny_mlp();
    bad.act = "relu:3";  // relu takes no parameter
    EXPECT_THROW(spec.validate(bad), UsageError);
    Rng rng(1);
    EXPECT_THROW(make_char_model(bad, rng), UsageError);
    EXPECT_THROW(spec.from_json(nlohmann::json::object(), "ckpt"), Error);
}

TEST(CharMlp, LearnableActivationGetsItsParameter) {
    Rng rng(5);
    CharModelConfig c = tiny_mlp();
    c.act = "prelu";
    CharMlp m(c, rng);
    bool found = false;
    for (auto& [n, p] : m.named_parameters()) found |= n == "mlp.act0.alpha";
    EXPECT_TRUE(found);
}

TEST(CharMlp, GenerationStopsAtTheEndTokenAndIsSeeded) {
    Rng rng(6);
    CharMlp m(tiny_mlp(), rng);
    // Make id 0 (the end token) overwhelmingly likely after two steps: bias the logit layer.
    GenerateOptions g{.max_tokens = 50, .eos = 0, .pad = 0};
    Rng a(3), b(3);
    EXPECT_EQ(generate(m, {}, g, a), generate(m, {}, g, b));
    for (auto& [n, p] : m.named_parameters())
        if (n == "mlp.fc2.bias") p->value[0] = 100.f;
    Rng c(3);
    EXPECT_TRUE(generate(m, {}, g, c).empty());
}

}  // namespace
}  // namespace genlab::models
