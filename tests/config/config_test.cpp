// ConfigSpec: one declaration per field gives the flags (with defaults in --help and our own
// parsing), the JSON both ways, and validation naming the flag; nested configs keep their flags
// flat and their JSON nested.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include <algorithm>

#include "config/config.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

struct SubConfig {
    int latent = 32;
    std::vector<int> hidden{64, 32};
    int size = 0;  // derived
};

struct TopConfig {
    float lr = 2e-4f;
    uint64_t seed = 1;
    std::string act = "gelu";
    bool fast = false;
    SubConfig model;
};

const ConfigSpec<SubConfig>& inner_spec() {
    static const ConfigSpec<SubConfig> s = ConfigSpec<SubConfig>()
                                               .field("latent", &SubConfig::latent, "Code size", in_range(1, 100))
                                               .field("hidden", &SubConfig::hidden, "Widths", widths(0, 1, 512))
                                               .derived("size", &SubConfig::size, in_range(1, 1000));
    return s;
}

const ConfigSpec<TopConfig>& outer_spec() {
    static const ConfigSpec<TopConfig> s = ConfigSpec<TopConfig>()
                                               .field("lr", &TopConfig::lr, "Learning rate", positive())
                                               .field("seed", &TopConfig::seed, "Seed")
                                               .field("act", &TopConfig::act, "Activation", elementwise_activation())
                                               .field("fast", &TopConfig::fast, "Go fast")
                                               .nest("model", &TopConfig::model, inner_spec())
                                               .rule([](const TopConfig& o) {
                                                   if (o.fast && o.model.latent > 50)
                                                       usage_fail("--fast needs --latent <= 50");
                                               });
    return s;
}

// Parses args (without the program name) into a fresh TopConfig; the CLI11 error text on failure.
std::string parse(std::vector<std::string> args, TopConfig& o) {
    CLI::App app;
    outer_spec().add_flags(app, o);
    std::reverse(args.begin(), args.end());
    try {
        app.parse(args);
    } catch (const CLI::ParseError& e) {
        return e.what();
    }
    return {};
}

TEST(ConfigSpec, FlagsComeFromTheKeysAndSetTheFields) {
    TopConfig o;
    ASSERT_EQ(parse({"--lr", "1e-3", "--seed", "42", "--act", "relu", "--fast", "--latent", "8", "--hidden", "16,8"},
                    o),
              "");
    EXPECT_EQ(o.lr, 1e-3f);
    EXPECT_EQ(o.seed, 42u);
    EXPECT_EQ(o.act, "relu");
    EXPECT_TRUE(o.fast);
    EXPECT_EQ(o.model.latent, 8);
    EXPECT_EQ(o.model.hidden, (std::vector<int>{16, 8}));
    TopConfig none;
    ASSERT_EQ(parse({"--hidden", "none"}, none), "");
    EXPECT_TRUE(none.model.hidden.empty());
}

TEST(ConfigSpec, HelpShowsTypesAndDefaults) {
    TopConfig o;
    CLI::App app;
    outer_spec().add_flags(app, o);
    const std::string help = app.help();
    for (const char* part :
         {"--lr FLOAT=0.0002", "--seed UINT=1", "--latent INT=32", "--hidden INT,...=64,32", "--fast"})
        EXPECT_NE(help.find(part), std::string::npos) << part << " not in:\n" << help;
    EXPECT_EQ(help.find("--size"), std::string::npos);  // derived: no flag
}

TEST(ConfigSpec, BadTextIsAParseErrorNamingTheFlag) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--seed", "-1"}, {"--latent", "3x"}, {"--lr", "nan"}, {"--hidden", "1,,2"}, {"--latent", ""}}) {
        TopConfig o;
        const std::string err = parse(args, o);
        EXPECT_NE(err.find(args[0]), std::string::npos) << args[0] << " " << args[1] << ": " << err;
    }
}

TEST(ConfigSpec, ValidateNamesTheFlagValueAndExpectation) {
    TopConfig o;
    o.model.size = 10;
    outer_spec().validate(o);
    o.model.latent = 0;
    EXPECT_EQ(testing::error_of([&] { outer_spec().validate(o); }), "--latent 0: expected 1..100");
    o = TopConfig{};
    o.model.size = 10;
    o.act = "nosuch";
    EXPECT_NE(testing::error_of([&] { outer_spec().validate(o); }).find("--act nosuch"), std::string::npos);
    o = TopConfig{};
    o.model.size = 10;
    o.fast = true;
    o.model.latent = 60;
    EXPECT_EQ(testing::error_of([&] { outer_spec().validate(o); }), "--fast needs --latent <= 50");
    // Derived fields are checked only when asked (they are filled in once the data is loaded).
    TopConfig fresh;
    EXPECT_THROW(outer_spec().validate(fresh), UsageError);
    EXPECT_NO_THROW(outer_spec().validate(fresh, /*derived=*/false));
}

TEST(ConfigSpec, JsonRoundTripsNestedAndShortFloats) {
    TopConfig o;
    o.model.size = 7;
    o.model.hidden = {};
    const nlohmann::ordered_json j = outer_spec().to_json(o);
    EXPECT_EQ(json_text(j),
              R"({"lr":0.0002,"seed":1,"act":"gelu","fast":false,"model":{"latent":32,"hidden":[],"size":7}})");
    const TopConfig back = outer_spec().from_json(j, "x.json");
    EXPECT_EQ(back.lr, o.lr);  // the same float, bit for bit
    EXPECT_EQ(outer_spec().to_json(back), j);
}

TEST(ConfigSpec, FromJsonRefusesMissingUnknownMistypedAndInvalidFields) {
    TopConfig o;
    o.model.size = 7;
    const nlohmann::json good = outer_spec().to_json(o);
    auto with = [&](const std::function<void(nlohmann::json&)>& edit) {
        nlohmann::json j = good;
        edit(j);
        return testing::error_of([&] { outer_spec().from_json(j, "run.safetensors"); });
    };
    EXPECT_NE(with([](auto& j) { j.erase("lr"); }).find("no field 'lr'"), std::string::npos);
    EXPECT_NE(with([](auto& j) { j["extra"] = 1; }).find("unknown field 'extra'"), std::string::npos);
    EXPECT_NE(with([](auto& j) { j["seed"] = -1; }).find("'seed' is not a non-negative integer"), std::string::npos);
    EXPECT_NE(with([](auto& j) { j["model"]["latent"] = "8"; }).find("'latent' is not an integer"), std::string::npos);
    EXPECT_NE(with([](auto& j) { j["model"]["latent"] = 1e10; }).find("'latent'"), std::string::npos);
    EXPECT_NE(with([](auto& j) { j["model"]["latent"] = 500; }).find("--latent 500"), std::string::npos);
    EXPECT_NE(with([](auto& j) { j["model"] = 3; }).find("not a JSON object"), std::string::npos);
    EXPECT_NE(with([](auto& j) { j["act"] = "softmax"; }).find("run.safetensors"), std::string::npos);
}

TEST(ConfigSpec, SetTakesTextLikeItsFlagAtAnyDepth) {
    TopConfig o;
    outer_spec().set(o, "latent", "12");
    outer_spec().set(o, "fast", "true");
    outer_spec().set(o, "lr", "0.5");
    EXPECT_EQ(o.model.latent, 12);
    EXPECT_TRUE(o.fast);
    EXPECT_EQ(o.lr, 0.5f);
    EXPECT_THROW(outer_spec().set(o, "latent", "twelve"), UsageError);
    EXPECT_THROW(outer_spec().set(o, "nosuch", "1"), UsageError);
}

TEST(ConfigSpec, FirstDifferenceNamesTheFlag) {
    TopConfig a, b;
    b.model.latent = 8;
    EXPECT_EQ(first_difference(outer_spec().to_json(a), outer_spec().to_json(b)), "--latent 32 vs 8");
    EXPECT_EQ(first_difference(outer_spec().to_json(a), outer_spec().to_json(a)), "");
}

TEST(ConfigSpec, DifferencesNameEveryFlagThatDiffersAtAnyDepth) {
    TopConfig a, b;
    b.model.latent = 8;
    b.lr = 0.5f;
    const std::vector<std::string> d = config_differences(outer_spec().to_json(a), outer_spec().to_json(b));
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0], "--lr 0.0002 vs 0.5");
    EXPECT_EQ(d[1], "--latent 32 vs 8");
    EXPECT_EQ(config_differences(outer_spec().to_json(a), outer_spec().to_json(b), {"lr"}).size(), 1u);
    EXPECT_TRUE(config_differences(outer_spec().to_json(a), outer_spec().to_json(a)).empty());
}

}  // namespace
}  // namespace genlab
