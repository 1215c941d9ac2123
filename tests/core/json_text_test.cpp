// Measuring untrusted JSON text before parsing it, and quoting it briefly.
#include <gtest/gtest.h>

#include "core/io/json_text.h"

namespace genlab {
namespace {

TEST(JsonText, DepthCountsBracketsOutsideStrings) {
    EXPECT_EQ(json_depth("3"), 0);
    EXPECT_EQ(json_depth("{\"a\": [1, {\"b\": []}]}"), 4);
    EXPECT_EQ(json_depth("[\"[[[{{{\"]"), 1) << "brackets in strings are text";
    EXPECT_EQ(json_depth("[\"a\\\"[[[\"]"), 1) << "an escaped quote does not end the string";
    EXPECT_EQ(json_depth(std::string(100000, '[')), 100000) << "unbalanced text is still measured";
}

TEST(JsonText, ExcerptsAreShortAndMarkedWhenCut) {
    EXPECT_EQ(json_excerpt(nlohmann::json::array({1, 2})), "[1,2]");
    const std::string cut = json_excerpt(nlohmann::json(std::string(500, 'x')), 20);
    EXPECT_EQ(cut.size(), 23u);
    EXPECT_EQ(cut.substr(20), "...");
    EXPECT_EQ(json_excerpt(nlohmann::json(std::string("\xff"))), "\"\xef\xbf\xbd\"")
        << "invalid UTF-8 is replaced, not thrown";
}

TEST(JsonText, ParsesValidTextAndDiscardsTheRestWithoutThrowing) {
    EXPECT_EQ(parse_json(R"({"a": [1, 2]})")["a"][1], 2);
    EXPECT_EQ(parse_ordered_json(R"({"b": 1, "a": 2})").begin().key(), "b") << "file order kept";
    EXPECT_TRUE(parse_json("{\"a\": ").is_discarded());
    EXPECT_TRUE(parse_ordered_json("").is_discarded());
    // Valid JSON nested deeper than any file genlab writes is refused before it is parsed: a
    // message quoting it or a comparison would otherwise recurse 100,000 frames deep.
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    EXPECT_TRUE(parse_json(deep).is_discarded());
    EXPECT_TRUE(parse_ordered_json(deep).is_discarded());
    const std::string limit = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
    EXPECT_TRUE(parse_json(limit).is_array()) << "kMaxJsonDepth itself is allowed";
}

TEST(JsonText, TextIsDumpWithItsIndent) {
    const nlohmann::ordered_json v = {{"b", 1}, {"a", {true, nullptr}}};
    EXPECT_EQ(json_text(v), R"({"b":1,"a":[true,null]})");
    EXPECT_EQ(json_text(v, 2), v.dump(2));
    EXPECT_EQ(parse_ordered_json(json_text(v, 2)), v);
    EXPECT_THROW(json_text(nlohmann::json(std::string("\xff"))), nlohmann::json::type_error)
        << "invalid UTF-8 is an error when writing a file";
}

}  // namespace
}  // namespace genlab
