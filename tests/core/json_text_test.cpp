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

}  // namespace
}  // namespace genlab
