// Table 3-7 of the Unicode standard ("well-formed UTF-8 byte sequences") drives the checks on the
// second byte; later continuation bytes only need the 10xxxxxx pattern.
#include "data/utf8.h"

#include <cstdio>

#include "core/error.h"

namespace genlab::data {

int utf8_decode_one(const unsigned char* p, size_t n, char32_t& cp) {
    if (n == 0) return 0;
    const unsigned char b0 = p[0];
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    int len;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        if (b0 == 0xE0) lo = 0xA0;  // overlong
        if (b0 == 0xED) hi = 0x9F;  // surrogates U+D800..U+DFFF
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        if (b0 == 0xF0) lo = 0x90;  // overlong
        if (b0 == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
        return 0;  // continuation byte, C0/C1 (overlong) or F5..FF
    }
    if (n < static_cast<size_t>(len)) return 0;
    if (p[1] < lo || p[1] > hi) return 0;
    for (int i = 2; i < len; ++i)
        if ((p[i] & 0xC0) != 0x80) return 0;
    char32_t v = b0 & (0x7F >> len);
    for (int i = 1; i < len; ++i) v = (v << 6) | (p[i] & 0x3F);
    cp = v;
    return len;
}

size_t utf8_first_invalid(std::string_view bytes) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const size_t n = bytes.size();
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {  // ASCII fast path: most text is mostly ASCII
            ++i;
            continue;
        }
        char32_t cp;
        const int len = utf8_decode_one(p + i, n - i, cp);
        if (len == 0) return i;
        i += static_cast<size_t>(len);
    }
    return std::string_view::npos;
}

void utf8_throw_invalid(std::string_view bytes, size_t offset, const std::string& what, const std::string& hint) {
    std::string shown;
    for (size_t j = offset; j < bytes.size() && j < offset + 4; ++j) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "%s0x%02x", j == offset ? "" : " ", static_cast<unsigned char>(bytes[j]));
        shown += buf;
    }
    fail(what, ": invalid UTF-8 at byte offset ", offset, " (bytes ", shown, ")", hint.empty() ? "" : " - ", hint);
}

std::vector<char32_t> utf8_decode(std::string_view bytes, const std::string& what, const std::string& hint) {
    std::vector<char32_t> out;
    out.reserve(bytes.size());
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    size_t i = 0;
    while (i < bytes.size()) {
        char32_t cp;
        const int len = utf8_decode_one(p + i, bytes.size() - i, cp);
        if (len == 0) utf8_throw_invalid(bytes, i, what, hint);
        out.push_back(cp);
        i += static_cast<size_t>(len);
    }
    return out;
}

void utf8_append(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string describe_char(char32_t cp, bool bytes_mode) {
    char code[16];
    if (bytes_mode)
        std::snprintf(code, sizeof code, "byte 0x%02X", static_cast<unsigned>(cp));
    else
        std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
    const bool visible = cp > 0x20 && cp != 0x7F && !(cp >= 0x80 && cp < 0xA0) && !(bytes_mode && cp >= 0x80);
    if (!visible) return code;
    std::string s = "'";
    utf8_append(s, cp);
    return s + "' (" + code + ")";
}

}  // namespace genlab::data
