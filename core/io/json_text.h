// JSON text in and out. Untrusted text (checkpoint headers, sweep files) is measured before it is
// parsed, and only short excerpts of it ever reach an error message: a deeply nested value would
// make anything that walks it (dump(), a message, a comparison) recurse that deep.
//
//     if (json_depth(text) > 8) fail(path, ": header nests too deeply");
//     const nlohmann::json v = parse_json(text);
//     if (v.is_discarded()) fail(path, ": not valid JSON");
//     fail(path, ": shape ", json_excerpt(v), " holds a non-integer");
//     write_file_atomic(path, json_text(summary, 2) + "\n");
//
// Every file parses and prints through these functions rather than nlohmann's parse() and dump():
// the parser and the serializer are templates, and each file that instantiated them took 2 s
// (GCC) to 7 s (clang with the sanitizers) longer to compile; here they are compiled once.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace genlab {

// No JSON file or metadata genlab writes nests deeper than this; deeper text is refused unparsed.
inline constexpr int kMaxJsonDepth = 16;

// text as JSON: a value that is_discarded() where the text is not valid JSON or nests deeper than
// kMaxJsonDepth (never an exception), so that nothing walking it recurses without bound.
nlohmann::json parse_json(std::string_view text);
nlohmann::ordered_json parse_ordered_json(std::string_view text);

// v as JSON text, compact (indent -1) or indented: v.dump(indent). Throws nlohmann::json::type_error
// on a string that is not valid UTF-8.
std::string json_text(const nlohmann::json& v, int indent = -1);
std::string json_text(const nlohmann::ordered_json& v, int indent = -1);

// The deepest nesting of [ and { in the text, outside strings (0 for a scalar).
int json_depth(std::string_view text);

// v as compact JSON, cut to at most max_chars characters ("..." marks a cut). Call it only on
// values whose nesting is bounded (json_depth checked before parsing).
std::string json_excerpt(const nlohmann::ordered_json& v, size_t max_chars = 60);
std::string json_excerpt(const nlohmann::json& v, size_t max_chars = 60);

}  // namespace genlab
