// Optimizers, gradient clipping and schedules against torch.optim / nanoGPT reference numbers.
//
// The reference numbers below were produced once with Debian's PyTorch 1.13 (/usr/bin/python3)
// by this script (float32 throughout; rows are W.flatten() + b after steps 1, 3 and 5):
//
//   W0 = [0.5, -0.3, 0.8, 0.1, -0.7, 0.2, 0.4, -0.9, 0.6, -0.1, 0.3, -0.4]; B0 = [0.05, -0.2, 0.15]
//   SW = [1.0, 2.0, 0.5, 3.0, 1.5, 0.25, 2.5, 1.0, 0.75, 4.0, 1.25, 2.0];  SB = [1.0, 3.0, 0.5]
//   def run(make):
//       W = torch.tensor(W0).reshape(3, 4).requires_grad_(); b = torch.tensor(B0).requires_grad_()
//       sw = torch.tensor(SW).reshape(3, 4); sb = torch.tensor(SB); opt = make(W, b); out = []
//       for step in range(1, 6):
//           with torch.no_grad(): W.grad = sw * (W - 0.25); b.grad = sb * (b - 0.25)
//           opt.step()
//           if step in (1, 3, 5): out.append(W.detach().flatten().tolist() + b.detach().tolist())
//       return out
//   run(lambda W, b: torch.optim.SGD([W, b], lr=0.1, momentum=0.9, weight_decay=0.01))
//   run(lambda W, b: torch.optim.Adam([W, b], lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1))
//   run(lambda W, b: torch.optim.AdamW([{"params": [W], "weight_decay": 0.1},
//                                       {"params": [b], "weight_decay": 0.0}], lr=0.1, betas=(0.9, 0.99), eps=1e-8))
//   # clipping: grads G[:8] on a (2, 4) and G[8:] on a (4) parameter
//   G = [3.0, -4.0, 1.0, 2.0, 0.5, -1.5, 2.5, -0.5, 1.0, 0.25, -2.0, 1.0]
//   n = torch.nn.utils.clip_grad_norm_([p1, p2], 1.0)
//   # schedule: nanoGPT's get_lr(it) with lr=1e-3, min_lr=1e-4, warmup_iters=10, lr_decay_iters=100
//
// All printed with "%.9g". genlab and torch differ only in float rounding order (FMA
// contraction, vector widths), so values are compared to a few float ulps, not bitwise.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "core/error.h"
#include "core/optim/optimizer.h"

namespace genlab {
namespace {

using Row = std::array<float, 15>;

const std::vector<float> kW0 = {0.5f, -0.3f, 0.8f, 0.1f, -0.7f, 0.2f, 0.4f, -0.9f, 0.6f, -0.1f, 0.3f, -0.4f};
const std::vector<float> kB0 = {0.05f, -0.2f, 0.15f};
const std::vector<float> kSW = {1.0f, 2.0f, 0.5f, 3.0f, 1.5f, 0.25f, 2.5f, 1.0f, 0.75f, 4.0f, 1.25f, 2.0f};
const std::vector<float> kSB = {1.0f, 3.0f, 0.5f};

const std::array<Row, 3> kSgdRef = {{
    {0.4745f, -0.189700007f, 0.771700025f, 0.144900009f, -0.556800008f, 0.201049998f, 0.362100005f, -0.784099996f,
     0.573150039f, 0.0401000045f, 0.293449998f, -0.269600004f, 0.0699499995f, -0.0648000166f, 0.154850006f},
    {0.369047254f, 0.216821775f, 0.648091257f, 0.291085482f, 0.0028257654f, 0.205760166f, 0.230655178f, -0.304807037f,
     0.459011346f, 0.438824743f, 0.267111957f, 0.21100238f, 0.152451247f, 0.375384301f, 0.17603384f},
    {0.238229856f, 0.569205701f, 0.470916241f, 0.36534977f, 0.591403127f, 0.212972879f, 0.14052999f, 0.289770871f,
     0.306472778f, 0.503574073f, 0.236938089f, 0.627601445f, 0.254796624f, 0.599004209f, 0.206397757f},
}};

const std::array<Row, 3> kAdamL2Ref = {{
    {0.400000006f, -0.200000018f, 0.699999988f, 0.199999988f, -0.600000024f, 0.100000143f, 0.300000012f, -0.799999952f,
     0.5f, -7.4505806e-09f, 0.200000018f, -0.300000012f, 0.149999976f, -0.100000009f, 0.24999997f},
    {0.216327488f, -0.0042745769f, 0.503626883f, 0.330658376f, -0.401753306f, 0.212626159f, 0.154319957f, -0.601335108f,
     0.30820179f, 0.190007433f, 0.192640498f, -0.103193551f, 0.306874454f, 0.0938871503f, 0.230284601f},
    {0.102603704f, 0.176021129f, 0.319908977f, 0.311119974f, -0.208879262f, 0.223014042f, 0.152259588f, -0.406611383f,
     0.150072932f, 0.337830603f, 0.264066964f, 0.0827498138f, 0.330487996f, 0.264007479f, 0.169406593f},
}};

const std::array<Row, 3> kAdamWRef = {{
    {0.395000011f, -0.197000027f, 0.691999972f, 0.199000001f, -0.592999995f, 0.297999918f, 0.296000004f, -0.790999949f,
     0.494000047f, 0.00100000203f, 0.197000027f, -0.296000004f, 0.150000006f, -0.100000001f, 0.249999985f},
    {0.209677786f, 0.00179839879f, 0.48372066f, 0.334290415f, -0.38397646f, 0.253721863f, 0.157634974f, -0.577631652f,
     0.295657247f, 0.190504849f, 0.241031274f, -0.0942414552f, 0.317541271f, 0.0942988396f, 0.324516296f},
    {0.116961509f, 0.181893185f, 0.295988351f, 0.322608769f, -0.184541047f, 0.211732551f, 0.171635538f, -0.372548521f,
     0.145954221f, 0.336552799f, 0.289209604f, 0.0929143429f, 0.367364794f, 0.266245723f, 0.260724217f},
}};

// The fixed problem: W (3, 4) and b (3) with gradient s * (p - 0.25) (no FMA can form here).
struct Problem {
    Parameter w{"weight", Tensor(Shape{3, 4})};
    Parameter b{"bias", Tensor(Shape{3})};
    Problem() {
        std::copy(kW0.begin(), kW0.end(), w.value.data());
        std::copy(kB0.begin(), kB0.end(), b.value.data());
    }
    NamedParameters named() { return {{"fc.weight", &w}, {"fc.bias", &b}}; }
    void set_grads() {
        for (size_t i = 0; i < kSW.size(); ++i) w.grad[i] = kSW[i] * (w.value[i] - 0.25f);
        for (size_t i = 0; i < kSB.size(); ++i) b.grad[i] = kSB[i] * (b.value[i] - 0.25f);
    }
    Row row() const {
        Row r{};
        std::copy(w.value.data(), w.value.data() + 12, r.begin());
        std::copy(b.value.data(), b.value.data() + 3, r.begin() + 12);
        return r;
    }
};

// Within a few float ulps of the reference (relative to 1, the scale of the parameters).
::testing::AssertionResult rows_match(const Row& got, const Row& want, int step) {
    float max_diff = 0.f;
    int worst = 0;
    for (int i = 0; i < 15; ++i) {
        float d = std::abs(got[static_cast<size_t>(i)] - want[static_cast<size_t>(i)]);
        if (d > max_diff) max_diff = d, worst = i;
    }
    if (max_diff <= 5e-7f) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "step " << step << ": element " << worst << " got "
                                         << got[static_cast<size_t>(worst)] << " want "
                                         << want[static_cast<size_t>(worst)] << " (max diff " << max_diff << ")";
}

void expect_trajectory(Problem& pb, Optimizer& opt, const std::array<Row, 3>& ref) {
    size_t k = 0;
    for (int step = 1; step <= 5; ++step) {
        pb.set_grads();
        opt.step();
        EXPECT_EQ(opt.steps(), step);
        if (step == 1 || step == 3 || step == 5) {
            EXPECT_TRUE(rows_match(pb.row(), ref[k++], step));
        }
    }
}

TEST(Sgd, MomentumAndWeightDecayMatchTorch) {
    Problem pb;
    Sgd opt(pb.named(), {.lr = 0.1f, .momentum = 0.9f, .weight_decay = 0.01f});
    expect_trajectory(pb, opt, kSgdRef);
}

TEST(Sgd, PlainStepIsLrTimesGradient) {
    Parameter p("p", Tensor(Shape{2}, {1.f, -2.f}));
    p.grad = Tensor(Shape{2}, {0.5f, 4.f});
    Sgd opt({{"p", &p}}, {.lr = 0.25f});
    opt.step();
    EXPECT_FLOAT_EQ(p.value[0], 1.f - 0.125f);
    EXPECT_FLOAT_EQ(p.value[1], -2.f - 1.f);
}

TEST(Adam, L2WeightDecayMatchesTorch) {
    Problem pb;
    Adam opt(pb.named(), {.lr = 0.1f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f, .weight_decay = 0.1f});
    expect_trajectory(pb, opt, kAdamL2Ref);
}

TEST(AdamW, DecoupledDecayOnMatricesOnlyMatchesTorch) {
    Problem pb;
    AdamW opt(
        pb.named(),
        {.lr = 0.1f, .beta1 = 0.9f, .beta2 = 0.99f, .eps = 1e-8f, .weight_decay = 0.1f, .decay_matrices_only = true});
    expect_trajectory(pb, opt, kAdamWRef);
}

TEST(AdamW, DecaysWeightsWithZeroGradient) {
    // With g = 0 the Adam term vanishes and only p *= 1 - lr*wd remains (decoupled decay).
    Parameter w("w", Tensor(Shape{1, 2}, {2.f, -1.f}));
    AdamW opt({{"w", &w}}, {.lr = 0.5f, .weight_decay = 0.1f});
    opt.step();
    EXPECT_FLOAT_EQ(w.value[0], 2.f * 0.95f);
    EXPECT_FLOAT_EQ(w.value[1], -1.f * 0.95f);
}

TEST(Adam, RejectsBadHyperparameters) {
    Parameter w("w", Tensor(Shape{2}));
    EXPECT_THROW(Adam({{"w", &w}}, {.beta1 = 1.5f}), Error);
    EXPECT_THROW(Adam({{"w", &w}}, {.lr = -1.f}), Error);
    EXPECT_THROW(Sgd({{"w", &w}}, {.momentum = -0.1f}), Error);
}

TEST(ClipGradNorm, ScalesToMaxNormAsTorch) {
    const std::vector<float> g = {3.0f, -4.0f, 1.0f, 2.0f, 0.5f, -1.5f, 2.5f, -0.5f, 1.0f, 0.25f, -2.0f, 1.0f};
    const std::vector<float> want = {0.446903318f,  -0.595871091f, 0.148967773f,  0.297935545f,
                                     0.0744838864f, -0.223451659f, 0.372419417f,  -0.0744838864f,
                                     0.148967773f,  0.0372419432f, -0.297935545f, 0.148967773f};
    Parameter p1("a", Tensor(Shape{2, 4})), p2("b", Tensor(Shape{4}));
    std::copy(g.begin(), g.begin() + 8, p1.grad.data());
    std::copy(g.begin() + 8, g.end(), p2.grad.data());
    NamedParameters params = {{"a", &p1}, {"b", &p2}};
    EXPECT_NEAR(grad_norm(params), 6.71286058f, 1e-6f);
    EXPECT_NEAR(clip_grad_norm(params, 1.f), 6.71286058f, 1e-6f);  // the norm before clipping
    for (size_t i = 0; i < 8; ++i) EXPECT_NEAR(p1.grad[i], want[i], 1e-7f) << i;
    for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(p2.grad[i], want[8 + i], 1e-7f) << i;
    EXPECT_NEAR(grad_norm(params), 1.f, 1e-6f);
}

TEST(ClipGradNorm, LeavesSmallGradientsUntouched) {
    Parameter p("p", Tensor(Shape{3}));
    p.grad = Tensor(Shape{3}, {0.1f, -0.2f, 0.3f});
    NamedParameters params = {{"p", &p}};
    clip_grad_norm(params, 1.f);
    EXPECT_EQ(p.grad[0], 0.1f);
    EXPECT_EQ(p.grad[1], -0.2f);
    EXPECT_EQ(p.grad[2], 0.3f);
    EXPECT_THROW(clip_grad_norm(params, 0.f), Error);
}

TEST(ClipGradNorm, NormOfLargeTensorIsAccurate) {
    // Spans several summation blocks: sum of i² in closed form.
    const int n = 10000;
    Parameter p("p", Tensor(Shape{n}));
    for (int i = 0; i < n; ++i) p.grad[static_cast<size_t>(i)] = static_cast<float>(i % 100) * 0.01f;
    double ss = 0;
    for (int i = 0; i < n; ++i) ss += std::pow(static_cast<double>(static_cast<float>(i % 100) * 0.01f), 2);
    EXPECT_NEAR(grad_norm({{"p", &p}}), std::sqrt(ss), 1e-5 * std::sqrt(ss));
}

TEST(LrSchedule, CosineWithWarmupMatchesNanoGpt) {
    LrSchedule s{.kind = LrSchedule::Kind::Cosine, .base_lr = 1e-3f, .min_lr = 1e-4f, .warmup = 10, .total = 100};
    const std::vector<std::pair<int, float>> ref = {{0, 9.09090909e-05f},  {1, 0.000181818182f}, {5, 0.000545454545f},
                                                    {9, 0.000909090909f},  {10, 0.001f},         {11, 0.000999725872f},
                                                    {30, 0.000894719999f}, {55, 0.00055f},       {99, 0.000100274128f},
                                                    {100, 0.0001f},        {101, 0.0001f},       {500, 0.0001f}};
    for (auto [step, want] : ref) EXPECT_NEAR(s.at(step), want, 1e-6f * want) << "step " << step;
}

TEST(LrSchedule, ConstantIgnoresStep) {
    LrSchedule s{.base_lr = 3e-4f};
    EXPECT_EQ(s.at(0), 3e-4f);
    EXPECT_EQ(s.at(12345), 3e-4f);
}

// --- state round trip

template <class Opt, class Options>
void expect_resume_is_bit_identical(Options opts) {
    // Uninterrupted: 7 steps.
    Problem a;
    Opt opt_a(a.named(), opts);
    // Interrupted after 3 steps: save, build everything afresh from the saved state, continue.
    Problem b;
    auto opt_b = std::make_unique<Opt>(b.named(), opts);
    for (int s = 0; s < 3; ++s) {
        a.set_grads();
        opt_a.step();
        b.set_grads();
        opt_b->step();
    }
    opt_b->set_lr(0.05f);  // as a schedule would; the saved lr must come back
    opt_a.set_lr(0.05f);
    StateDict sd;
    opt_b->save_state(sd, "opt.");
    Problem c;
    c.w.value = b.w.value;
    c.b.value = b.b.value;
    opt_b.reset();
    Opt opt_c(c.named(), opts);
    opt_c.load_state(sd, "opt.");
    EXPECT_EQ(opt_c.steps(), 3);
    EXPECT_EQ(opt_c.lr(), 0.05f);
    for (int s = 0; s < 4; ++s) {
        a.set_grads();
        opt_a.step();
        c.set_grads();
        opt_c.step();
    }
    EXPECT_EQ(std::memcmp(a.w.value.data(), c.w.value.data(), 12 * sizeof(float)), 0);
    EXPECT_EQ(std::memcmp(a.b.value.data(), c.b.value.data(), 3 * sizeof(float)), 0);
}

TEST(OptimizerState, AdamWResumesBitIdentically) {
    expect_resume_is_bit_identical<AdamW>(AdamOptions{.lr = 0.1f, .weight_decay = 0.1f, .decay_matrices_only = true});
}

TEST(OptimizerState, SgdMomentumResumesBitIdentically) {
    expect_resume_is_bit_identical<Sgd>(SgdOptions{.lr = 0.1f, .momentum = 0.9f});
}

TEST(OptimizerState, StoresMomentsUnderParameterNames) {
    Problem pb;
    Adam opt(pb.named());
    StateDict sd;
    opt.save_state(sd, "opt_d.");
    ASSERT_NE(sd.find("opt_d.fc.weight.exp_avg"), nullptr);
    ASSERT_NE(sd.find("opt_d.fc.bias.exp_avg_sq"), nullptr);
    EXPECT_EQ(sd.find("opt_d.fc.weight.exp_avg_sq")->shape(), Shape({3, 4}));
    EXPECT_EQ(sd.metadata.at("opt_d.step"), "0");
}

TEST(OptimizerState, LoadNamesTheMissingKey) {
    Problem pb;
    Adam opt(pb.named());
    StateDict sd;
    opt.save_state(sd, "");
    sd.tensors.erase(sd.tensors.begin());  // drop fc.weight.exp_avg
    Adam fresh(pb.named());
    try {
        fresh.load_state(sd, "");
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("'fc.weight.exp_avg'"), std::string::npos) << e.what();
    }
}

TEST(OptimizerState, LoadNamesExpectedAndFoundShape) {
    Problem pb;
    StateDict sd;
    Adam(pb.named()).save_state(sd, "");
    Parameter bigger("weight", Tensor(Shape{3, 5}));
    Adam other({{"fc.weight", &bigger}, {"fc.bias", &pb.b}});
    try {
        other.load_state(sd, "");
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("(3, 4)"), std::string::npos) << msg;
        EXPECT_NE(msg.find("(3, 5)"), std::string::npos) << msg;
    }
}

}  // namespace
}  // namespace genlab
