// Numbers as text and back (core/number_text.h): exact round trips, strict reading.
#include "core/number_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace genlab {
namespace {

TEST(NumberText, ShortestTextReadsBackAsTheSameValue) {
    for (float v : {0.1f, 1.f, 1e-5f, 3.4028235e38f, -2.5f, 1.17549435e-38f, 0.2f}) {
        float back = 0;
        ASSERT_TRUE(parse_number(shortest_text(v), back)) << shortest_text(v);
        EXPECT_EQ(back, v);
    }
    EXPECT_EQ(shortest_text(0.1f), "0.1");
    EXPECT_EQ(shortest_text(1.f), "1");
    for (double v : {0.1, 1.0 / 3.0, 1e300, -4.9e-324}) {
        double back = 0;
        ASSERT_TRUE(parse_number(shortest_text(v), back));
        EXPECT_EQ(back, v);
    }
}

TEST(NumberText, AFloatWidenedToDoubleIsWrittenAsTheFloat) {
    // A float loss stored in a double must not print as 0.10000000149011612.
    EXPECT_EQ(shortest_text(static_cast<double>(0.1f)), "0.1");
    EXPECT_EQ(shortest_text(0.1), "0.1");
    EXPECT_EQ(shortest_text(1.0 / 3.0), "0.3333333333333333");
}

TEST(NumberText, NonFiniteValuesRoundTrip) {
    EXPECT_EQ(shortest_text(std::numeric_limits<double>::quiet_NaN()), "nan");
    EXPECT_EQ(shortest_text(-std::numeric_limits<float>::infinity()), "-inf");
    double v = 0;
    ASSERT_TRUE(parse_number("nan", v));
    EXPECT_TRUE(std::isnan(v));
    ASSERT_TRUE(parse_number("-inf", v));
    EXPECT_EQ(v, -std::numeric_limits<double>::infinity());
}

TEST(NumberText, PlainTextAvoidsTheExponentWhereAPersonWould) {
    EXPECT_EQ(plain_text(2e-4f), "0.0002");
    EXPECT_EQ(plain_text(300.f), "300");
    EXPECT_EQ(plain_text(0.f), "0");
    EXPECT_EQ(plain_text(1e-6f), "1e-06");
    EXPECT_EQ(plain_text(3e9f), "3e+09");
}

TEST(NumberText, FixedAndSignificantFormsAreAsPrintf) {
    EXPECT_EQ(fixed_text(3.14159, 2), "3.14");
    EXPECT_EQ(fixed_text(2.5, 0), "2");  // round half to even, as printf
    EXPECT_EQ(significant_text(0.012345, 2), "0.012");
    EXPECT_EQ(significant_text(1234.0, 2), "1.2e+03");
    EXPECT_EQ(fixed_text(1e308, 1).size(), 311u);  // the longest form fits
}

TEST(NumberText, ReadingIsStrict) {
    int i = 7;
    for (const char* bad : {"", " 1", "1 ", "1x", "0x10", "++1", "+-1", "1.5", "99999999999"})
        EXPECT_FALSE(parse_number(bad, i)) << '"' << bad << '"';
    EXPECT_EQ(i, 7);  // untouched on failure
    ASSERT_TRUE(parse_number("+42", i));
    EXPECT_EQ(i, 42);
    ASSERT_TRUE(parse_number("-42", i));
    EXPECT_EQ(i, -42);

    uint64_t u = 0;
    EXPECT_FALSE(parse_number("-1", u));
    EXPECT_FALSE(parse_number("18446744073709551616", u));  // 2^64
    ASSERT_TRUE(parse_number("18446744073709551615", u));
    EXPECT_EQ(u, std::numeric_limits<uint64_t>::max());

    float f = 0;
    EXPECT_FALSE(parse_number("1e39", f));  // out of a float's range
    EXPECT_FALSE(parse_number("+", f));
    EXPECT_FALSE(parse_number(".", f));
    ASSERT_TRUE(parse_number("+0.2", f));
    EXPECT_EQ(f, 0.2f);
    int64_t big = 0;
    ASSERT_TRUE(parse_number("-9223372036854775808", big));
    EXPECT_EQ(big, std::numeric_limits<int64_t>::min());
}

}  // namespace
}  // namespace genlab
