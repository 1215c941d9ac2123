// CharTransformer pieces: the causal mask seen through the whole model, the tied output layer's
// gradient, the per-block activation record, config validation and generation's cropping.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/ops.h"
#include "core/rng.h"
#include "models/char_transformer.h"

namespace genlab::models {
namespace {

CharModelConfig tiny_gpt() {
    return {.vocab_size = 7,
            .arch = "transformer",
            .block_size = 8,
            .n_layer = 2,
            .n_head = 2,
            .n_embd = 16,
            .act = "gelu",
            .dropout = 0.f,
            .init = "gpt2"};
}

Var ids(Tape& t, const std::vector<int>& v, int b) {
    const int len = static_cast<int>(v.size()) / b;
    Var x = t.input(Shape{b, len});  // (B, T)
    for (size_t i = 0; i < v.size(); ++i) t.value(x)[i] = static_cast<float>(v[i]);
    return x;
}

TEST(CharTransformer, FutureCharactersDoNotChangeEarlierLogits) {
    Rng rng(1);
    CharTransformer m(tiny_gpt(), rng);
    std::vector<int> a{1, 4, 2, 6, 0, 3, 5, 2};
    std::vector<int> b = a;
    b[5] = 6;  // change position 5 only
    Tape t;
    Tensor la = t.value(m.logits(t, ids(t, a, 1)));  // (1, T, V)
    t.reset();
    Tensor lb = t.value(m.logits(t, ids(t, b, 1)));
    const int v = 7;
    for (int pos = 0; pos < 5; ++pos)
        for (int k = 0; k < v; ++k) EXPECT_EQ(la[pos * v + k], lb[pos * v + k]) << "position " << pos;
    float diff = 0.f;
    for (int k = 0; k < v; ++k) diff += std::abs(la[5 * v + k] - lb[5 * v + k]);
    EXPECT_GT(diff, 1e-4f) << "position 5 must see its own (changed) character";
}

TEST(CharTransformer, ShorterSequencesGiveTheSameLogitsAsAPrefix) {
    Rng rng(2);
    CharTransformer m(tiny_gpt(), rng);
    const std::vector<int> full{3, 1, 4, 1, 5, 2, 6, 0};
    Tape t;
    Tensor lf = t.value(m.logits(t, ids(t, full, 1)));
    t.reset();
    Tensor lp = t.value(m.logits(t, ids(t, {3, 1, 4}, 1)));  // (1, 3, V)
    for (size_t i = 0; i < lp.numel(); ++i) EXPECT_NEAR(lp[i], lf[i], 1e-5f);
}

TEST(CharTransformer, InitialLossIsNearLogVocab) {
    Rng rng(3), data(4);
    CharTransformer m(tiny_gpt(), rng);
    std::vector<int> x(4 * 8), y(4 * 8);
    for (size_t i = 0; i < x.size(); ++i) {
        x[i] = static_cast<int>(data.below(7));
        y[i] = static_cast<int>(data.below(7));
    }
    Tape t;
    const float l = t.item(m.loss(t, ids(t, x, 4), ids(t, y, 4)));
    EXPECT_NEAR(l, std::log(7.f), 0.05f);  // GPT-2 init: near-uniform predictions
}

TEST(CharTransformer, TiedEmbeddingGradientMatchesFiniteDifferences) {
    Rng rng(5);
    CharModelConfig c = tiny_gpt();
    CharTransformer m(c, rng);
    // Larger weights than the 0.02 init, so the logits actually depend on them.
    for (auto& [name, p] : m.named_parameters())
        if (p->value.shape().rank == 2) p->value.flat() *= 10.f;
    const std::vector<int> x{1, 4, 2, 6, 0, 3, 1, 2, 5, 5, 0, 6}, y{4, 2, 6, 0, 3, 1, 2, 5, 5, 0, 6, 1};
    auto loss = [&]() {
        Tape t;
        return static_cast<double>(t.item(m.loss(t, ids(t, x, 2), ids(t, y, 2))));
    };
    Tape t;
    m.zero_grad();
    t.backward(m.loss(t, ids(t, x, 2), ids(t, y, 2)));
    for (const char* key : {"wte", "h1.c_fc.weight", "h0.c_attn.weight", "wpe"}) {
        Parameter* p = nullptr;
        for (auto& [name, q] : m.named_parameters())
            if (name == key) p = q;
        ASSERT_NE(p, nullptr) << key;
        Rng pick(6);
        for (int trial = 0; trial < 6; ++trial) {
            const size_t i = pick.below(p->value.numel());
            const float orig = p->value[i];
            const float h = 1e-2f;
            p->value[i] = orig + h;
            const double lp = loss();
            p->value[i] = orig - h;
            const double lm = loss();
            p->value[i] = orig;
            const double num = (lp - lm) / (2.0 * h), a = p->grad[i];
            EXPECT_LE(std::abs(a - num), 0.05 * std::max({std::abs(a), std::abs(num), 2e-3})) << key << "[" << i << "]";
        }
    }
}

TEST(CharTransformer, LayerRecordHoldsEachBlocksMlpActivationsAndGradients) {
    Rng rng(7);
    CharTransformer m(tiny_gpt(), rng);
    Tape t;
    LayerRecord rec;
    Var l = m.loss(t, ids(t, {1, 2, 3, 4, 5, 6}, 2), ids(t, {2, 3, 4, 5, 6, 0}, 2), &rec);
    t.backward(l);
    ASSERT_EQ(rec.layers.size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(t.shape(rec.layers[i].pre), (Shape{2, 3, 64}));
        EXPECT_GT(t.grad(rec.layers[i].pre).flat().abs().sum(), 0.f) << "block " << i;
        EXPECT_NE(rec.layers[i].pre.id, rec.layers[i].post.id);
        EXPECT_TRUE(rec.layers[i].hidden);
        ASSERT_NE(rec.layers[i].weight, nullptr);
        EXPECT_EQ(rec.layers[i].weight->value.shape(), (Shape{64, 16}));  // c_fc: (4C, C)
    }
}

TEST(CharTransformer, ParameterNamesFollowNanoGpt) {
    Rng rng(8);
    CharTransformer m(tiny_gpt(), rng);
    std::vector<std::string> names;
    for (auto& [n, p] : m.named_parameters()) names.push_back(n);
    for (const char* k : {"wte", "wpe", "h0.ln_1.weight", "h0.c_attn.weight", "h0.attn_proj.bias", "h1.c_fc.weight",
                          "h1.mlp_proj.weight", "ln_f.bias", "head_bias"})
        EXPECT_NE(std::find(names.begin(), names.end(), k), names.end()) << k;
    // Tied: no separate output matrix. V*C + T*C + 2*(4C + 3C²+3C + C²+C + 2C + 4C²+4C + 4C²+C) + 2C + V
    const size_t c = 16, v = 7, tt = 8;
    EXPECT_EQ(m.num_parameters(), v * c + tt * c + 2 * (12 * c * c + 13 * c) + 2 * c + v);
}

TEST(CharTransformer, ConfigRoundTripsThroughJsonAndRejectsBadValues) {
    const ConfigSpec<CharModelConfig>& spec = char_model_config_spec();
    CharModelConfig c = tiny_gpt();
    c.dropout = 0.25f;
    EXPECT_EQ(spec.to_json(spec.from_json(spec.to_json(c), "test")), spec.to_json(c));
    c.n_head = 3;  // does not divide 16
    EXPECT_THROW(spec.validate(c), UsageError);
    c = tiny_gpt();
    c.act = "nope";
    EXPECT_THROW(spec.validate(c), UsageError);
    c = tiny_gpt();
    c.act = "prelu";  // learnable activations: MLP only
    EXPECT_THROW(spec.validate(c), UsageError);
    c = tiny_gpt();
    c.init = "bogus";
    EXPECT_THROW(spec.validate(c), UsageError);
    EXPECT_THROW(spec.from_json(nlohmann::json{{"vocab_size", 3}}, "ckpt"), Error);
}

// gpt2: N(0, 0.02) weights (residual projections 0.02 / sqrt(2 n_layer)), zero biases; torch:
// nn.Linear's U(+-1/sqrt(fan_in)) weights and biases.
TEST(CharTransformer, InitChoosesTheLinearLayersInit) {
    auto stats = [](const CharModelConfig& c, const std::string& key) {
        Rng rng(12);
        CharTransformer m(c, rng);
        for (auto& [n, p] : m.named_parameters())
            if (n == key) {
                const Eigen::ArrayXf v = p->value.flat();
                return std::pair<double, double>{std::sqrt(v.square().cast<double>().mean()), v.abs().maxCoeff()};
            }
        ADD_FAILURE() << "no parameter " << key;
        return std::pair<double, double>{0, 0};
    };
    const CharModelConfig g = tiny_gpt();
    EXPECT_NEAR(stats(g, "h0.c_fc.weight").first, 0.02, 0.003);
    EXPECT_NEAR(stats(g, "h0.mlp_proj.weight").first, 0.02 / std::sqrt(4.0), 0.002);
    EXPECT_EQ(stats(g, "h0.c_fc.bias").second, 0.0);
    CharModelConfig t = tiny_gpt();
    t.init = "torch";
    EXPECT_LE(stats(t, "h0.c_fc.weight").second, 1.0 / std::sqrt(16.0));
    EXPECT_GT(stats(t, "h0.c_fc.weight").second, 0.9 / std::sqrt(16.0));
    EXPECT_GT(stats(t, "h0.c_fc.bias").second, 0.0);
}

TEST(CharTransformer, RejectsSequencesLongerThanTheBlock) {
    Rng rng(9);
    CharTransformer m(tiny_gpt(), rng);
    Tape t;
    EXPECT_THROW(m.logits(t, ids(t, std::vector<int>(9, 1), 1)), Error);
}

TEST(CharTransformer, GenerationCropsLongPromptsAndIsSeeded) {
    Rng rng(10);
    CharTransformer m(tiny_gpt(), rng);
    const std::vector<int> prompt(20, 3);  // longer than the block of 8
    Rng a(1), b(1);
    const std::vector<int> ga = generate(m, prompt, {.max_tokens = 30}, a);
    const std::vector<int> gb = generate(m, prompt, {.max_tokens = 30}, b);
    EXPECT_EQ(ga.size(), 30u);
    EXPECT_EQ(ga, gb);
    for (int id : ga) EXPECT_TRUE(id >= 0 && id < 7);
}

TEST(CharTransformer, DropoutOnlyWhileTraining) {
    Rng rng(11);
    CharModelConfig c = tiny_gpt();
    c.dropout = 0.5f;
    CharTransformer m(c, rng);
    const std::vector<int> x{1, 2, 3, 4};
    Tape t;
    m.set_training(false);
    Tensor e1 = t.value(m.logits(t, ids(t, x, 1)));
    t.reset();
    Tensor e2 = t.value(m.logits(t, ids(t, x, 1)));
    for (size_t i = 0; i < e1.numel(); ++i) EXPECT_EQ(e1[i], e2[i]);
    m.set_training(true);
    t.reset();
    Tensor tr = t.value(m.logits(t, ids(t, x, 1)));
    float diff = 0.f;
    for (size_t i = 0; i < e1.numel(); ++i) diff += std::abs(tr[i] - e1[i]);
    EXPECT_GT(diff, 0.f);
}

}  // namespace
}  // namespace genlab::models
