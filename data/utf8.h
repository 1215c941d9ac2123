// Strict UTF-8 (RFC 3629) to Unicode code points and back: overlong forms, UTF-16 surrogates,
// values past U+10FFFF and cut-off sequences are invalid, reported with their byte offset.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace genlab::data {

// Decodes the code point starting at p[0] (n bytes available). Returns its length in bytes
// (1 to 4), or 0 when the bytes there are not valid UTF-8.
int utf8_decode_one(const unsigned char* p, size_t n, char32_t& cp);

// Offset of the first invalid sequence, or npos when all of `bytes` is valid.
size_t utf8_first_invalid(std::string_view bytes);

// All code points of `bytes`; Error "<what>: invalid UTF-8 at byte offset K (bytes 0x..) - <hint>".
std::vector<char32_t> utf8_decode(std::string_view bytes, const std::string& what, const std::string& hint = "");
void utf8_throw_invalid(std::string_view bytes, size_t offset, const std::string& what, const std::string& hint);

void utf8_append(std::string& out, char32_t cp);  // cp must be a valid scalar value

// "'a' (U+0061)", or just "U+000A" for control and invisible characters: for error messages.
std::string describe_char(char32_t cp, bool bytes_mode = false);

}  // namespace genlab::data
