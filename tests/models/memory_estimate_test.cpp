// Memory estimates from configs: the parameter count must be exact (load_run compares it with a
// checkpoint's weights before building anything), for every model and activation kind, and the
// estimate allocates nothing of the model's size. That a step's tape holds what the estimate says
// is checked on the experiments' real steps (tests/experiments/step_memory_test.cpp).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "core/memory.h"
#include "models/autoencoder.h"
#include "models/gan.h"
#include "models/text_model.h"
#include "tests/test_util.h"

namespace genlab::models {
namespace {

TEST(MemoryEstimate, GanParameterCountIsExact) {
    for (const char* act : {"leaky_relu:0.2", "prelu", "swish_learned", "gelu"})
        for (const std::vector<int>& d_hidden : std::vector<std::vector<int>>{{8}, {12, 8, 4}}) {
            GanConfig c;
            c.data_dim = 2;
            c.g_hidden = {16, 24};
            c.d_hidden = d_hidden;
            c.g_act = act;
            c.d_act = act;
            c.g_out = act == std::string("gelu") ? "tanh" : "identity";
            Rng rng(1);
            const Gan gan(c, rng);
            EXPECT_EQ(memory_estimate(c, 64, GanLoss::NonSaturating).parameters, gan.num_parameters())
                << act << " with " << d_hidden.size() << " hidden layers in D";
        }
    GanConfig images;  // the 784-pixel default
    Rng rng(1);
    EXPECT_EQ(memory_estimate(images, 64, GanLoss::Minimax).parameters, Gan(images, rng).num_parameters());
}

TEST(MemoryEstimate, AutoencoderParameterCountIsExact) {
    for (bool variational : {false, true})
        for (const char* act : {"gelu", "prelu"})
            for (const std::vector<int>& hidden : std::vector<std::vector<int>>{{}, {20, 10}, {30, 20, 10}}) {
                AutoencoderConfig c;
                c.input = 36;
                c.hidden = hidden;
                c.latent = 4;
                c.act = act;
                c.variational = variational;
                Rng rng(2);
                const Autoencoder ae(c, rng);
                EXPECT_EQ(memory_estimate(c, 32).parameters, ae.num_parameters())
                    << act << " variational " << variational << " with " << hidden.size() << " hidden layers";
            }
}

TEST(MemoryEstimate, TextModelParameterCountIsExact) {
    // Learnable activations (prelu) exist in the MLP only.
    const std::pair<const char*, const char*> cases[] = {
        {"mlp", "gelu"}, {"mlp", "prelu"}, {"transformer", "gelu"}, {"transformer", "relu"}};
    for (const auto& [arch, act] : cases)
        for (int depth : {1, 3}) {
            CharModelConfig c;
            c.vocab_size = 27;
            c.arch = arch;
            c.act = act;
            c.hidden = std::vector<int>(static_cast<size_t>(depth), 16 * depth);
            c.n_embd = 8 * depth;
            c.n_layer = depth;
            c.n_head = 2;
            c.block_size = 8;
            Rng rng(3);
            EXPECT_EQ(memory_estimate(c, 4).parameters, make_char_model(c, rng)->num_parameters())
                << arch << " " << act << " depth " << depth;
        }
}

// The point of an estimate is to refuse what does not fit before it exists: a GAN of 1.1 trillion
// parameters (4.4 TB of weights) is measured here without one of them being allocated.
TEST(MemoryEstimate, AModelFarLargerThanMemoryIsMeasuredWithoutAllocatingIt) {
    GanConfig c;
    c.data_dim = 1 << 24;
    c.latent = 64;
    c.g_hidden = {65536, 65536};
    c.d_hidden = {65536};
    const uint64_t g = 64ull * 65536 + 65536 + 65536ull * 65536 + 65536 + 65536ull * (1 << 24) + (1 << 24);
    const uint64_t d = (1ull << 24) * 65536 + 65536 + 65536 + 1;
    const MemoryEstimate m = memory_estimate(c, 1 << 20, GanLoss::NonSaturating);
    EXPECT_EQ(m.parameters, g + d);
    EXPECT_GT(m.step_floats, (1ull << 20) * 3 * (1 << 24)) << "D's input rows alone, real and fake, with G's output";
}

TEST(MemoryEstimate, StepFloatsAreAffineInTheBatch) {
    AutoencoderConfig c;
    const uint64_t one = memory_estimate(c, 1).step_floats, two = memory_estimate(c, 2).step_floats;
    EXPECT_GT(one, 0u);
    EXPECT_EQ(memory_estimate(c, 128).step_floats - memory_estimate(c, 64).step_floats, 64 * (two - one));
    // Training holds seven floats per parameter (value, gradient, Adam m and v, a save's copy of three).
    const MemoryEstimate m{.parameters = 1000, .step_floats = 500};
    EXPECT_EQ(m.training_bytes(), (7 * 1000 + 500) * 4u);
    EXPECT_EQ(m.inference_bytes(), (2 * 1000 + 250) * 4u);
    const MemoryEstimate huge{.parameters = UINT64_MAX / 2, .step_floats = UINT64_MAX};
    EXPECT_EQ(huge.training_bytes(), UINT64_MAX);  // saturates instead of wrapping to a small figure
}

TEST(Memory, LimitFromTheEnvironmentAndMessages) {
    EXPECT_EQ(bytes_text(999), "999 bytes");
    EXPECT_EQ(bytes_text(1), "1 byte");
    EXPECT_EQ(bytes_text(820'000'000), "820 MB");
    EXPECT_EQ(bytes_text(51'540'000'000), "51.5 GB");
    ASSERT_GT(available_memory(), 0u) << "Linux reports MemAvailable";
    ::setenv("GENLAB_MEMORY_LIMIT", "2M", 1);
    EXPECT_EQ(available_memory(), 2'000'000u);
    require_memory(1'000'000, "a small thing", "", true);  // fits: no error
    testing::expect_error([] { require_memory(3'000'000'000, "this model", "use less", true); },
                          {"this model needs about 3.0 GB of memory", "this machine has 2 MB available", "; use less"});
    try {
        require_memory(3'000'000, "x", "", true);
        ADD_FAILURE() << "no error";
    } catch (const UsageError&) {
    }
    {
        const MemoryReservation model(1'500'000);  // promised to a model about to be built
        EXPECT_EQ(available_memory(), 500'000u);
        testing::expect_error([] { require_memory(800'000, "the data", "", false); },
                              {"only 500 kB of the 2 MB this machine has available is left beside the 2 MB the model "
                               "will need"});
    }
    {
        const MemoryReservation model(2'500'000);  // more than there is: nothing left, said as such
        testing::expect_error([] { require_memory(10, "the data", "", false); }, {"only 0 bytes of the 2 MB"});
    }
    EXPECT_EQ(available_memory(), 2'000'000u);  // released with the reservation
    ::setenv("GENLAB_MEMORY_LIMIT", "12Q", 1);
    testing::expect_error([] { available_memory(); }, {"GENLAB_MEMORY_LIMIT=12Q", "K, M, G or T"});
    // Every unit in either case, as "1k" always was.
    for (const auto& [text, bytes] : std::vector<std::pair<const char*, uint64_t>>{{"4g", 4'000'000'000},
                                                                                   {"4G", 4'000'000'000},
                                                                                   {"3m", 3'000'000},
                                                                                   {"2k", 2'000},
                                                                                   {"2K", 2'000},
                                                                                   {"1.5t", 1'500'000'000'000},
                                                                                   {"1T", 1'000'000'000'000}}) {
        ::setenv("GENLAB_MEMORY_LIMIT", text, 1);
        EXPECT_LE(available_memory(), bytes) << text;
        EXPECT_NO_THROW(require_memory(1, "x", "", true)) << text;
    }
    ::setenv("GENLAB_MEMORY_LIMIT", "-5", 1);
    testing::expect_error([] { available_memory(); }, {"positive"});
    ::unsetenv("GENLAB_MEMORY_LIMIT");
}

// train() reserves a model's size from its config while the data loads; once the data has
// decided the model's shape, the exact size is checked against all but that same reservation.
TEST(Memory, ARefinedEstimateReplacesThisThreadsOwnReservation) {
    ::setenv("GENLAB_MEMORY_LIMIT", "10M", 1);
    {
        const MemoryReservation model(6'000'000);  // the estimate from the config alone
        EXPECT_NO_THROW(require_refined_memory(8'000'000, "the model", "", true)) << "8 MB of 10 MB: fits";
        EXPECT_THROW(require_memory(8'000'000, "the data", "", true), UsageError) << "beside the model, it does not";
        testing::expect_error(
            [] { require_refined_memory(12'000'000, "the model on 96x96 images", "use smaller images", true); },
            {"the model on 96x96 images needs about 12 MB", "this machine has 10 MB available", "use smaller images"});
        std::thread other([] {  // another job's reservation still counts
            EXPECT_THROW(require_refined_memory(8'000'000, "another model", "", true), UsageError);
        });
        other.join();
    }
    ::unsetenv("GENLAB_MEMORY_LIMIT");
}

}  // namespace
}  // namespace genlab::models
