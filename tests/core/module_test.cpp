// Module naming, parameter counting, save/load, and the building blocks' inits and wiring.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/nn/layers.h"
#include "tests/gradcheck.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

// Two levels of nesting plus a parameter of its own: the keys must read "a.fc1.weight".
class Inner : public Module {
public:
    explicit Inner(Rng& rng)
        : fc1(register_module("fc1", std::make_unique<Linear>(2, 3, rng))),
          fc2(register_module("fc2", std::make_unique<Linear>(3, 1, rng, LinearOptions{.bias = false}))) {}
    Linear& fc1;
    Linear& fc2;
};

class Outer : public Module {
public:
    explicit Outer(uint64_t seed)
        : rng(seed),
          scale(register_parameter("scale", Tensor(Shape{1}, 1.f))),
          a(register_module("a", std::make_unique<Inner>(rng))),
          norm(register_module("norm", std::make_unique<LayerNorm>(3))) {}
    Rng rng;
    Parameter& scale;
    Inner& a;
    LayerNorm& norm;

    // For the name-validation test: register_* are protected.
    void add_parameter(const std::string& name) { register_parameter(name, Tensor(Shape{1})); }
    void add_module(const std::string& name) { register_module(name, std::make_unique<LayerNorm>(2)); }
};

std::vector<std::string> names_of(const Module& m, const std::string& prefix = "") {
    std::vector<std::string> out;
    for (auto& [name, p] : m.named_parameters(prefix)) out.push_back(name);
    return out;
}

TEST(Module, NamedParametersAreDottedAndRecursive) {
    Outer m(1);
    const std::vector<std::string> want = {"scale",        "a.fc1.weight", "a.fc1.bias",
                                           "a.fc2.weight", "norm.weight",  "norm.bias"};
    EXPECT_EQ(names_of(m), want);
    EXPECT_EQ(names_of(m, "model.").front(), "model.scale");
    EXPECT_EQ(names_of(m, "model.")[1], "model.a.fc1.weight");
    EXPECT_EQ(m.named_parameters()[1].second, &m.a.fc1.weight);
}

TEST(Module, CountsParameters) {
    Outer m(1);
    EXPECT_EQ(m.parameters().size(), 6u);
    EXPECT_EQ(m.num_parameters(), 1u + (2 * 3 + 3) + 3 + (3 + 3));
    Rng rng(1);
    EXPECT_EQ(Linear(4, 3, rng).num_parameters(), 15u);
    EXPECT_EQ(Linear(4, 3, rng, {.bias = false}).num_parameters(), 12u);
    MLP mlp({2, 8, 1}, parse_activation("relu"), parse_activation("identity"), rng);
    EXPECT_EQ(mlp.num_parameters(), 2u * 8 + 8 + 8 + 1);
}

TEST(Module, RejectsDuplicateAndDottedNames) {
    Outer m(1);
    EXPECT_NE(testing::error_of([&] { m.add_parameter("scale"); }).find("'scale'"), std::string::npos);
    EXPECT_NE(testing::error_of([&] { m.add_module("a"); }).find("'a'"), std::string::npos);
    EXPECT_NE(testing::error_of([&] { m.add_parameter("x.y"); }).find("'x.y'"), std::string::npos);
    EXPECT_THROW(m.add_parameter(""), Error);
}

TEST(Module, ZeroGradClearsEveryParameter) {
    Outer m(1);
    for (Parameter* p : m.parameters()) p->grad.fill(3.f);
    m.zero_grad();
    for (Parameter* p : m.parameters())
        for (size_t i = 0; i < p->grad.numel(); ++i) ASSERT_EQ(p->grad[i], 0.f);
}

TEST(Module, SaveLoadRoundTripIsBitIdentical) {
    Outer a(1), b(2);
    a.norm.gamma.value[1] = 1.5f;  // not the default, so a no-op load would fail
    StateDict sd;
    a.save_state(sd, "model.");
    ASSERT_EQ(sd.tensors.size(), 6u);
    EXPECT_EQ(sd.tensors[1].first, "model.a.fc1.weight");
    b.load_state(sd, "model.");
    NamedParameters pa = a.named_parameters(), pb = b.named_parameters();
    for (size_t i = 0; i < pa.size(); ++i) {
        const Tensor& x = pa[i].second->value;
        const Tensor& y = pb[i].second->value;
        ASSERT_EQ(x.shape(), y.shape());
        EXPECT_EQ(std::memcmp(x.data(), y.data(), x.numel() * sizeof(float)), 0) << pa[i].first;
    }
    // The saved tensors are copies: later training does not change the checkpoint.
    a.a.fc1.weight.value[0] += 1.f;
    EXPECT_NE(sd.find("model.a.fc1.weight")->data()[0], a.a.fc1.weight.value[0]);
}

TEST(Module, LoadNamesTheMissingKey) {
    Outer a(1), b(2);
    StateDict sd;
    a.save_state(sd, "");
    sd.tensors.erase(sd.tensors.begin() + 3);  // a.fc2.weight
    const float before = b.a.fc1.weight.value[0];
    const std::string msg = testing::error_of([&] { b.load_state(sd, ""); });
    EXPECT_NE(msg.find("missing"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'a.fc2.weight'"), std::string::npos) << msg;
    EXPECT_EQ(b.a.fc1.weight.value[0], before) << "a failed load must not change the module";
}

TEST(Module, LoadNamesExpectedAndFoundShape) {
    Outer a(1);
    StateDict sd;
    a.save_state(sd, "");
    sd.tensors[1].second = Tensor(Shape{3, 5});  // a.fc1.weight is (3, 2)
    const std::string msg = testing::error_of([&] { a.load_state(sd, ""); });
    EXPECT_NE(msg.find("'a.fc1.weight'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(3, 5)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("expected (3, 2)"), std::string::npos) << msg;
}

// --- Linear / Embedding / LayerNorm

// max |w| of a large uniform sample lies just below the bound.
void expect_uniform_bound(const Tensor& w, float bound, const std::string& what) {
    float max_abs = 0.f;
    for (size_t i = 0; i < w.numel(); ++i) max_abs = std::max(max_abs, std::abs(w[i]));
    EXPECT_LE(max_abs, bound) << what;
    EXPECT_GT(max_abs, 0.95f * bound) << what;
}

TEST(Linear, InitBoundFollowsGain) {
    Rng rng(3);
    const float gain = std::sqrt(2.f);  // relu
    Linear fc(100, 80, rng, {.init = Init::Gain, .gain = gain});
    expect_uniform_bound(fc.weight.value, gain * std::sqrt(3.f / 100.f), "weight");
    expect_uniform_bound(fc.bias->value, 1.f / std::sqrt(100.f), "bias");
    double var = fc.weight.value.flat().square().cast<double>().mean();
    EXPECT_NEAR(var, 2.0 / 100.0, 0.1 * 2.0 / 100.0);  // Var(w) = gain² / fan_in
}

TEST(Linear, DefaultInitIsTorchLinears) {
    Rng rng(4);
    Linear fc(64, 200, rng);
    expect_uniform_bound(fc.weight.value, 1.f / 8.f, "weight");  // 1/sqrt(fan_in)
    expect_uniform_bound(fc.bias->value, 1.f / 8.f, "bias");
}

TEST(Linear, Gpt2InitIsNormalWithZeroBias) {
    Rng rng(5);
    Linear fc(64, 400, rng, {.init = Init::Gpt2, .std = 0.02f});
    for (size_t i = 0; i < 400; ++i) EXPECT_EQ(fc.bias->value[i], 0.f);
    const double var = fc.weight.value.flat().square().cast<double>().mean();
    EXPECT_NEAR(std::sqrt(var), 0.02, 0.02 * 0.02);                   // 25,600 draws: the sample std is within 2%
    EXPECT_GT(fc.weight.value.flat().abs().maxCoeff(), 3.f * 0.02f);  // a normal's tails, not a uniform's bound
}

TEST(Linear, InitNamesRoundTrip) {
    for (const std::string& n : init_names()) EXPECT_EQ(init_name(parse_init(n)), n);
    EXPECT_THROW(parse_init("xavier"), UsageError);
}

TEST(Linear, RejectsBadSizes) {
    Rng rng(1);
    EXPECT_THROW(Linear(0, 3, rng), Error);
    EXPECT_THROW(Linear(3, -1, rng), Error);
}

TEST(Linear, ForwardIsXWtPlusB) {
    Rng rng(5);
    Linear fc(3, 2, rng);
    Tensor x(Shape{1, 3}, {1.f, -2.f, 0.5f});
    Tape t;
    Var y = fc(t, t.constant(x));
    ASSERT_EQ(t.shape(y), Shape({1, 2}));
    for (int o = 0; o < 2; ++o) {
        float want = fc.bias->value[static_cast<size_t>(o)];
        for (int i = 0; i < 3; ++i) want += x[static_cast<size_t>(i)] * fc.weight.value[static_cast<size_t>(o * 3 + i)];
        EXPECT_NEAR(t.value(y)[static_cast<size_t>(o)], want, 1e-6f);
    }
}

TEST(LayerNorm, UsesTorchKeyNamesAndInit) {
    LayerNorm ln(4);
    const std::vector<std::string> want = {"weight", "bias"};
    EXPECT_EQ(names_of(ln), want);
    EXPECT_EQ(&ln.named_parameters()[0].second->value, &ln.gamma.value);
    for (size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(ln.gamma.value[i], 1.f);
        EXPECT_EQ(ln.beta.value[i], 0.f);
    }
}

TEST(Embedding, InitHasRequestedStd) {
    Rng rng(6);
    Embedding emb(100, 50, rng, {.std = 0.02f});
    EXPECT_EQ(emb.weight.value.shape(), Shape({100, 50}));
    double var = emb.weight.value.flat().square().cast<double>().mean();
    EXPECT_NEAR(std::sqrt(var), 0.02, 0.002);
    EXPECT_EQ(names_of(emb), std::vector<std::string>{"weight"});
}

// --- MLP

TEST(MLP, NamesLayersAndInitGainFollowsNextActivation) {
    Rng rng(7);
    MLP mlp({64, 64, 64, 10}, parse_activation("relu"), parse_activation("identity"), rng);
    const std::vector<std::string> want = {"fc0.weight", "fc0.bias",   "fc1.weight",
                                           "fc1.bias",   "fc2.weight", "fc2.bias"};
    EXPECT_EQ(names_of(mlp), want);
    NamedParameters p = mlp.named_parameters();
    const float b = std::sqrt(3.f / 64.f);
    expect_uniform_bound(p[0].second->value, std::sqrt(2.f) * b, "fc0 (relu)");
    expect_uniform_bound(p[2].second->value, std::sqrt(2.f) * b, "fc1 (relu)");
    expect_uniform_bound(p[4].second->value, 1.f * b, "fc2 (identity)");
}

TEST(MLP, TanhOutputLayerGetsTanhGain) {
    Rng rng(8);
    MLP mlp({32, 200}, parse_activation("relu"), parse_activation("tanh"), rng);
    expect_uniform_bound(mlp.named_parameters()[0].second->value, 5.f / 3.f * std::sqrt(3.f / 32.f), "fc0 (tanh)");
}

TEST(MLP, LearnableActivationGetsOneParameterPerLayer) {
    Rng rng(9);
    const Activation prelu = parse_activation("prelu");
    MLP mlp({3, 5, 5, 2}, prelu, parse_activation("identity"), rng);
    NamedParameters p = mlp.named_parameters();
    std::vector<std::string> names = names_of(mlp);
    const std::string pname = prelu.def->learnable.front().first;  // "alpha"
    for (const std::string& key : {"act0." + pname, "act1." + pname}) {
        auto it = std::find(names.begin(), names.end(), key);
        ASSERT_NE(it, names.end()) << key;
        const Parameter* a = p[static_cast<size_t>(it - names.begin())].second;
        EXPECT_EQ(a->value.shape(), Shape({1}));
        EXPECT_EQ(a->value[0], prelu.learnable_init());
    }
    EXPECT_EQ(std::count_if(names.begin(), names.end(), [](const std::string& n) { return n.rfind("act", 0) == 0; }),
              2);
    EXPECT_EQ(mlp.num_parameters(), (3u * 5 + 5) + (5 * 5 + 5) + (5 * 2 + 2) + 2);
}

TEST(MLP, ForwardMatchesLayerByLayerAndRecords) {
    Rng rng(10);
    const Activation tanh_act = parse_activation("tanh");
    MLP mlp({3, 4, 2}, tanh_act, parse_activation("sigmoid"), rng);
    Tensor x(Shape{2, 3}, {0.5f, -1.f, 2.f, 0.1f, 0.2f, -0.3f});
    Tape t;
    LayerRecord rec;
    Var y = mlp(t, t.constant(x), &rec);  // (2, 2)
    ASSERT_EQ(t.shape(y), Shape({2, 2}));
    ASSERT_EQ(rec.layers.size(), 2u);
    EXPECT_EQ(t.shape(rec.layers[0].pre), Shape({2, 4}));
    EXPECT_EQ(rec.layers[1].post.id, y.id);
    EXPECT_TRUE(rec.layers[0].hidden);
    EXPECT_FALSE(rec.layers[1].hidden);
    EXPECT_EQ(rec.layers[0].act->name(), "tanh");
    EXPECT_EQ(rec.layers[1].act->name(), "sigmoid");
    NamedParameters named = mlp.named_parameters();
    EXPECT_EQ(rec.layers[0].weight, named[0].second);  // fc0.weight
    EXPECT_EQ(rec.layers[1].weight, named[2].second);  // fc1.weight
    EXPECT_EQ(rec.layers[0].act_param, nullptr);
    // Reference in double from the parameters.
    NamedParameters p = mlp.named_parameters();
    const Tensor &w0 = p[0].second->value, &b0 = p[1].second->value, &w1 = p[2].second->value, &b1 = p[3].second->value;
    for (int n = 0; n < 2; ++n) {
        double h[4];
        for (int j = 0; j < 4; ++j) {
            double s = b0[static_cast<size_t>(j)];
            for (int i = 0; i < 3; ++i)
                s += double(x[static_cast<size_t>(n * 3 + i)]) * w0[static_cast<size_t>(j * 3 + i)];
            EXPECT_NEAR(t.value(rec.layers[0].pre)[static_cast<size_t>(n * 4 + j)], s, 1e-5);
            h[j] = std::tanh(s);
        }
        for (int o = 0; o < 2; ++o) {
            double s = b1[static_cast<size_t>(o)];
            for (int j = 0; j < 4; ++j) s += h[j] * w1[static_cast<size_t>(o * 4 + j)];
            EXPECT_NEAR(t.value(y)[static_cast<size_t>(n * 2 + o)], 1.0 / (1.0 + std::exp(-s)), 1e-5);
        }
    }
}

TEST(MLP, IdentityOutputReturnsTheLogitsThemselves) {
    Rng rng(11);
    MLP mlp({3, 4, 2}, parse_activation("relu"), parse_activation("identity"), rng);
    Tensor x(Shape{1, 3}, 0.5f);
    Tape t;
    LayerRecord rec;
    Var y = mlp(t, t.constant(x), &rec);
    EXPECT_EQ(rec.layers[1].pre.id, y.id);  // no copy through an identity op
    EXPECT_EQ(rec.layers[1].post.id, y.id);
}

TEST(MLP, GradientReachesActivationParameter) {
    // d(loss)/d(alpha) from the tape against central differences on alpha itself.
    Rng rng(12);
    MLP mlp({3, 6, 1}, parse_activation("prelu"), parse_activation("identity"), rng);
    Tensor x(Shape{4, 3});
    rng.fill_normal(x);
    Parameter* alpha = nullptr;
    for (auto& [name, p] : mlp.named_parameters())
        if (name.rfind("act0.", 0) == 0) alpha = p;
    ASSERT_NE(alpha, nullptr);
    auto loss_at = [&](Tape& t) { return sum(t, mlp(t, t.constant(x))); };
    Tape t;
    mlp.zero_grad();
    t.backward(loss_at(t));
    const double analytic = alpha->grad[0];
    const float a0 = alpha->value[0];
    const float h = 1e-2f;
    alpha->value[0] = a0 + h;
    t.reset();
    const double lp = t.item(loss_at(t));
    alpha->value[0] = a0 - h;
    t.reset();
    const double lm = t.item(loss_at(t));
    alpha->value[0] = a0;
    const double numeric = (lp - lm) / (2.0 * h);
    EXPECT_GT(std::abs(numeric), 1e-3) << "alpha should matter for some negative pre-activations";
    EXPECT_NEAR(analytic, numeric, 1e-3 * std::max(1.0, std::abs(numeric)));
}

TEST(MLP, TorchInitIgnoresTheActivation) {
    Rng rng(13);
    MLP mlp({64, 200, 10}, parse_activation("relu"), parse_activation("identity"), rng, Init::Torch);
    NamedParameters p = mlp.named_parameters();
    expect_uniform_bound(p[0].second->value, 1.f / 8.f, "fc0 (torch)");
    expect_uniform_bound(p[1].second->value, 1.f / 8.f, "fc0 bias (torch)");
}

TEST(MLP, LearnableActivationIsRecordedWithItsParameter) {
    Rng rng(14);
    MLP mlp({3, 5, 2}, parse_activation("prelu"), parse_activation("identity"), rng);
    Tensor x(Shape{4, 3}, 0.5f);
    Tape t;
    LayerRecord rec;
    mlp(t, t.constant(x), &rec);
    ASSERT_EQ(rec.layers.size(), 2u);
    ASSERT_NE(rec.layers[0].act_param, nullptr);
    EXPECT_EQ(rec.layers[0].act_param->value[0], 0.25f);  // torch.nn.PReLU's init
}

TEST(Frozen, ParametersEnterTheTapeAsConstantsButInputsStillGetGradients) {
    Rng rng(15);
    MLP mlp({3, 4, 1}, parse_activation("tanh"), parse_activation("identity"), rng);
    Parameter x("x", Tensor(Shape{2, 3}, 0.3f));
    auto run = [&] {
        Tape t;
        mlp.zero_grad();
        x.zero_grad();
        t.backward(sum(t, mlp(t, t.param(x))));
        double w = 0, dx = 0;
        for (const auto& [name, p] : mlp.named_parameters()) w += p->grad.flat().abs().sum();
        dx = x.grad.flat().abs().sum();
        return std::pair{w, dx};
    };
    const auto [w_free, dx_free] = run();
    EXPECT_GT(w_free, 0.0);
    std::pair<double, double> frozen;
    {
        FreezeGuard guard(mlp);
        frozen = run();
    }
    EXPECT_EQ(frozen.first, 0.0);       // no weight gradients while frozen
    EXPECT_EQ(frozen.second, dx_free);  // the input's gradient is unchanged
    EXPECT_EQ(run().first, w_free);     // the guard unfroze it
}

TEST(MLP, RejectsDegenerateSizes) {
    Rng rng(1);
    EXPECT_THROW(MLP({4}, parse_activation("relu"), parse_activation("identity"), rng), Error);
    EXPECT_THROW(MLP({4, 0, 2}, parse_activation("relu"), parse_activation("identity"), rng), Error);
}

}  // namespace
}  // namespace genlab
