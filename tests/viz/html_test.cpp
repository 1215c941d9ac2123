// HTML building blocks: escaping, base64 (RFC 4648 test vectors), data URIs and tables.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "tests/test_util.h"
#include "viz/html.h"

namespace genlab {
namespace {

TEST(Html, EscapesEverythingThatCouldOpenMarkup) {
    EXPECT_EQ(html_escape("<a href=\"x\">Tom & Jerry's</a>"),
              "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;");
}

TEST(Html, Base64MatchesRfc4648) {
    EXPECT_EQ(base64(""), "");
    EXPECT_EQ(base64("f"), "Zg==");
    EXPECT_EQ(base64("fo"), "Zm8=");
    EXPECT_EQ(base64("foo"), "Zm9v");
    EXPECT_EQ(base64("foob"), "Zm9vYg==");
    EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64(std::string("\xff\x00\x80", 3)), "/wCA");
}

TEST(Html, DataUriEmbedsAFileAndRefusesLargeOrMissingOnes) {
    testing::TempDir dir;
    std::ofstream(dir.file("a.bin"), std::ios::binary) << "foobar";
    EXPECT_EQ(data_uri(dir.file("a.bin"), "image/png"), "data:image/png;base64,Zm9vYmFy");
    EXPECT_THROW(data_uri(dir.file("a.bin"), "image/png", 5), Error);
    EXPECT_THROW(data_uri(dir.file("missing.png"), "image/png"), Error);
}

TEST(Html, TableEscapesTextCellsButNotRawOnes) {
    HtmlTable t({"name", "value"}, "ranking");
    t.row({"<b>", "1"});
    t.html_row({HtmlTable::raw("<b>bold</b>"), HtmlTable::raw("2")}, "tie");
    const std::string s = t.str();
    EXPECT_NE(s.find("<table class=\"ranking\">"), std::string::npos);
    EXPECT_NE(s.find("<th>name</th><th>value</th>"), std::string::npos);
    EXPECT_NE(s.find("<td>&lt;b&gt;</td>"), std::string::npos);
    EXPECT_NE(s.find("<tr class=\"tie\"><td><b>bold</b></td>"), std::string::npos);
}

TEST(Html, PageIsOneDocumentWithItsOwnStyle) {
    testing::TempDir dir;
    write_html_page(dir.file("p.html"), "a <title>", "<p>hello</p>");
    const std::string page = testing::read_file(dir.file("p.html"));
    EXPECT_EQ(page.rfind("<!doctype html>", 0), 0u);
    EXPECT_NE(page.find("<title>a &lt;title&gt;</title>"), std::string::npos);
    EXPECT_NE(page.find("<style>"), std::string::npos);
    EXPECT_NE(page.find("<p>hello</p>"), std::string::npos);
    EXPECT_EQ(page.find("http"), std::string::npos) << "nothing from the network";
}

}  // namespace
}  // namespace genlab
