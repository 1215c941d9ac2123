// Untrusted JSON text (checkpoint headers, sweep files) is measured before it is parsed, and only
// short excerpts of it ever reach an error message: a deeply nested value would make anything
// that walks it (dump(), a message, a comparison) recurse that deep.
//
//     if (json_depth(text) > 8) fail(path, ": header nests too deeply");
//     fail(path, ": shape ", json_excerpt(v), " holds a non-integer");
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace genlab {

// The deepest nesting of [ and { in the text, outside strings (0 for a scalar).
int json_depth(std::string_view text);

// v as compact JSON, cut to at most max_chars characters ("..." marks a cut). Call it only on
// values whose nesting is bounded (json_depth checked before parsing).
std::string json_excerpt(const nlohmann::ordered_json& v, size_t max_chars = 60);
std::string json_excerpt(const nlohmann::json& v, size_t max_chars = 60);

}  // namespace genlab
