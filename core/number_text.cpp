// Numbers as text and back (number_text.h), on <charconv> for exact round trips and printf for
// the fixed-precision forms people read.
#include "core/number_text.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace genlab {

namespace {

template <class T>
std::string chars(T v, std::chars_format format = std::chars_format::general) {
    char buf[64];
    const std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, v, format);
    return std::string(buf, r.ptr);
}

template <class T>
bool parse(std::string_view text, T& out) {
    const char* b = text.data();
    const char* e = b + text.size();
    if (b != e && *b == '+') {  // from_chars takes no plus sign; a user's "+0.2" is a number
        ++b;
        if (b != e && (*b == '+' || *b == '-')) return false;
    }
    if constexpr (std::is_unsigned_v<T>)
        if (b != e && *b == '-') return false;
    T v{};
    const std::from_chars_result r = std::from_chars(b, e, v);
    if (b == e || r.ec != std::errc() || r.ptr != e) return false;
    out = v;
    return true;
}

std::string printed(const char* format, int precision, double v) {
    char buf[512];  // %f of a double's largest magnitude needs 309 digits before the point
    std::snprintf(buf, sizeof buf, format, precision, v);
    return buf;
}

}  // namespace

std::string shortest_text(float v) { return chars(v); }

std::string shortest_text(double v) {
    const float f = static_cast<float>(v);
    return static_cast<double>(f) == v ? chars(f) : chars(v);
}

std::string plain_text(float v) {
    const float a = std::fabs(v);
    const bool plain = a == 0.f || (a >= 1e-5f && a < 1e9f);
    return plain ? chars(v, std::chars_format::fixed) : chars(v);
}

std::string significant_text(double v, int digits) { return printed("%.*g", digits, v); }
std::string fixed_text(double v, int decimals) { return printed("%.*f", decimals, v); }

bool parse_number(std::string_view text, int& out) { return parse(text, out); }
bool parse_number(std::string_view text, int64_t& out) { return parse(text, out); }
bool parse_number(std::string_view text, uint64_t& out) { return parse(text, out); }
bool parse_number(std::string_view text, float& out) { return parse(text, out); }
bool parse_number(std::string_view text, double& out) { return parse(text, out); }

}  // namespace genlab
