// The convolutional nets (models/conv_nets.h) and the models built of them: shapes, parameter and
// buffer names, the recorded layers, finite-difference gradients through G and D at tiny widths,
// evaluation-mode sampling, and the image sizes they refuse.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/ops.h"
#include "models/autoencoder.h"
#include "models/conv_nets.h"
#include "models/gan.h"
#include "tests/gradcheck.h"

namespace genlab::models {
namespace {

// 8x8 images, two stages: 2x2 maps at the bottom.
GanConfig tiny_dcgan() {
    GanConfig c;
    c.arch = "conv";
    c.data_dim = 64;
    c.latent = 3;
    c.g_channels = {4, 2};
    c.d_channels = {2, 3};
    c.g_act = "gelu";  // smooth, so central differences see no kinks
    c.d_act = "gelu";
    c.init = "gpt2";
    return c;
}

TEST(ConvNets, TheDefaultDcganHasDcgansShapes) {
    GanConfig c;
    c.arch = "conv";
    Rng rng(1);
    Gan gan(c, rng);
    std::vector<std::string> names;
    for (const auto& [name, p] : gan.named_parameters()) names.push_back(name);
    EXPECT_EQ(names, (std::vector<std::string>{"g.fc.weight", "g.bn0.weight", "g.bn0.bias", "g.deconv1.weight",
                                               "g.bn1.weight", "g.bn1.bias", "g.deconv2.weight", "g.deconv2.bias",
                                               "d.conv0.weight", "d.conv0.bias", "d.conv1.weight", "d.bn1.weight",
                                               "d.bn1.bias", "d.fc.weight", "d.fc.bias"}));
    std::vector<std::string> buffers;
    for (const auto& [name, b] : gan.named_buffers()) buffers.push_back(name);
    EXPECT_EQ(buffers, (std::vector<std::string>{"g.bn0.running_mean", "g.bn0.running_var", "g.bn1.running_mean",
                                                 "g.bn1.running_var", "d.bn1.running_mean", "d.bn1.running_var"}));
    const size_t g0 = 128, g1 = 64, d0 = 32, d1 = 64;
    EXPECT_EQ(gan.num_parameters(), 64 * g0 * 49 + 2 * g0 + g0 * g1 * 16 + 2 * g1 + g1 * 16 + 1  // G
                                        + d0 * 16 + d0 + d0 * d1 * 16 + 2 * d1 + d1 * 49 + 1);   // D
    Tape t;
    Var x = gan.g(t, t.constant(Tensor(Shape{5, 64}, 0.5f)));
    EXPECT_EQ(t.shape(x), (Shape{5, 784}));
    EXPECT_EQ(t.shape(gan.d(t, x)), (Shape{5, 1}));
}

// --d-norm none: DCGAN's discriminator without its batch norm, a bias on every convolution instead.
TEST(ConvNets, TheDiscriminatorsBatchNormCanBeLeftOut) {
    GanConfig c = tiny_dcgan();
    c.d_norm = "none";
    Rng rng(1);
    Gan gan(c, rng);
    EXPECT_TRUE(gan.d.named_buffers().empty());
    std::vector<std::string> names;
    for (const auto& [name, p] : gan.d.named_parameters()) names.push_back(name);
    EXPECT_EQ(names, (std::vector<std::string>{"conv0.weight", "conv0.bias", "conv1.weight", "conv1.bias", "fc.weight",
                                               "fc.bias"}));
    c.d_norm = "layer";
    EXPECT_THROW(gan_config_spec().validate(c), UsageError);
}

TEST(ConvNets, RecordsEveryLayerWithConvolutionsAsImages) {
    Rng rng(2);
    Gan gan(tiny_dcgan(), rng);
    Tape t;
    LayerRecord g, d;
    Var x = gan.g(t, t.constant(Tensor(Shape{3, 3}, 0.3f)), &g);
    gan.d(t, x, &d);
    ASSERT_EQ(g.layers.size(), 3u);  // fc (+bn0), deconv1 (+bn1), deconv2 (output)
    EXPECT_EQ(t.shape(g.layers[0].pre), (Shape{3, 4, 2, 2}));
    EXPECT_EQ(t.shape(g.layers[1].pre), (Shape{3, 2, 4, 4}));
    EXPECT_EQ(t.shape(g.layers[2].pre), (Shape{3, 1, 8, 8}));
    EXPECT_TRUE(g.layers[1].hidden);
    EXPECT_FALSE(g.layers[2].hidden);
    ASSERT_EQ(d.layers.size(), 3u);  // conv0, conv1, fc (logit)
    EXPECT_EQ(t.shape(d.layers[0].pre), (Shape{3, 2, 4, 4}));
    EXPECT_EQ(t.shape(d.layers[1].pre), (Shape{3, 3, 2, 2}));
    EXPECT_EQ(t.shape(d.layers[2].pre), (Shape{3, 1}));
    EXPECT_FALSE(d.layers[2].hidden);
}

// d out / d input through every layer of G (batch norm on batch statistics) and of D.
TEST(ConvNets, GradientsThroughGAndDMatchFiniteDifferences) {
    Rng rng(3);
    Gan gan(tiny_dcgan(), rng);
    Tensor z(Shape{4, 3}), x(Shape{3, 64});
    rng.fill_normal(z);
    rng.fill_uniform(x, -1.f, 1.f);
    const testing::GradCheckOptions opt{.h = 1e-2, .tol = 3e-2};
    EXPECT_TRUE(testing::gradients_match([&](Tape& t, const std::vector<Var>& v) { return gan.g(t, v[0]); }, {z}, opt));
    EXPECT_TRUE(testing::gradients_match([&](Tape& t, const std::vector<Var>& v) { return gan.d(t, v[0]); }, {x}, opt));
}

// Evaluation mode: batch norm uses its running statistics, so a sample does not depend on the
// others drawn with it, and sampling leaves the model in training mode.
TEST(ConvNets, GenerateRunsInEvaluationMode) {
    Rng rng(4);
    Gan gan(tiny_dcgan(), rng);
    Tensor z = sample_latent(6, 3, rng);
    const Tensor all = generate(gan, z);
    const Tensor first = generate(gan, Tensor::view(z.data(), Shape{1, 3}));
    // Equal up to the GEMM's rounding, which may differ between a batch of 6 and of 1 (blocking);
    // in training mode the batch's statistics would change every value.
    float most = 0;
    for (size_t i = 0; i < 64; ++i) most = std::max(most, std::fabs(all[i] - first[i]));
    EXPECT_LT(most, 1e-5f);
    EXPECT_TRUE(gan.training());
}

TEST(ConvNets, ImagesTheNetsCannotTakeAreUsageErrorsNamingTheFlag) {
    for (const auto& [pixels, stages] : {std::pair{2, 2}, std::pair{28 * 30, 2}, std::pair{784, 3}}) {
        try {
            conv_image(pixels, stages, "--arch conv");
            ADD_FAILURE() << pixels << " pixels, " << stages << " stages";
        } catch (const UsageError& e) {
            EXPECT_NE(std::string(e.what()).find("--arch conv"), std::string::npos) << e.what();
        }
    }
    EXPECT_EQ(conv_image(784, 2, "f").height, 28);
    GanConfig c = tiny_dcgan();
    c.data_dim = 2;
    Rng rng(5);
    EXPECT_THROW(Gan(c, rng), UsageError);
    c = tiny_dcgan();
    c.d_channels = {2};
    EXPECT_THROW(Gan(c, rng), UsageError);  // G and D need as many stages
}

TEST(ConvNets, TheConvAutoencoderMirrorsItsEncoder) {
    AutoencoderConfig c;
    c.arch = "conv";
    c.input = 64;
    c.channels = {2, 3};
    c.latent = 5;
    c.variational = true;
    Rng rng(6);
    Autoencoder ae(c, rng);
    Tape t;
    LayerRecord rec;
    Rng noise(7);
    Tensor x(Shape{4, 64}, 0.25f);
    const AeLosses l = ae.loss(t, t.constant(x), &noise, &rec);
    EXPECT_EQ(t.shape(ae.encode(t, t.constant(x))), (Shape{4, 5}));
    ASSERT_EQ(rec.layers.size(), 6u);                            // conv0, conv1, fc [mu | logvar]; fc, deconv1, deconv2
    EXPECT_EQ(t.shape(rec.layers[2].pre), (Shape{4, 10}));       // 2Z
    EXPECT_EQ(t.shape(rec.layers[3].pre), (Shape{4, 3, 2, 2}));  // the decoder starts from the encoder's last maps
    EXPECT_EQ(t.shape(rec.layers[4].pre), (Shape{4, 2, 4, 4}));
    EXPECT_EQ(code_layer(c), 2u);
    EXPECT_TRUE(std::isfinite(t.item(l.objective)));
}

}  // namespace
}  // namespace genlab::models
