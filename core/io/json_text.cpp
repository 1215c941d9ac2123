// JSON text in and out, and bounds on untrusted JSON text (see json_text.h).
#include "core/io/json_text.h"

#include <algorithm>

namespace genlab {

nlohmann::json parse_json(std::string_view text) {
    if (json_depth(text) > kMaxJsonDepth) return nlohmann::json(nlohmann::json::value_t::discarded);
    return nlohmann::json::parse(text.data(), text.data() + text.size(), nullptr, /*allow_exceptions=*/false);
}

nlohmann::ordered_json parse_ordered_json(std::string_view text) {
    if (json_depth(text) > kMaxJsonDepth) return nlohmann::ordered_json(nlohmann::ordered_json::value_t::discarded);
    return nlohmann::ordered_json::parse(text.data(), text.data() + text.size(), nullptr, /*allow_exceptions=*/false);
}

std::string json_text(const nlohmann::json& v, int indent) { return v.dump(indent); }
std::string json_text(const nlohmann::ordered_json& v, int indent) { return v.dump(indent); }

int json_depth(std::string_view text) {
    int depth = 0, deepest = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;  // an escaped character, whatever it is
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return deepest;
}

namespace {

template <class Json>
std::string excerpt(const Json& v, size_t max_chars) {
    std::string s = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (s.size() > max_chars) s = s.substr(0, max_chars) + "...";
    return s;
}

}  // namespace

std::string json_excerpt(const nlohmann::ordered_json& v, size_t max_chars) { return excerpt(v, max_chars); }
std::string json_excerpt(const nlohmann::json& v, size_t max_chars) { return excerpt(v, max_chars); }

}  // namespace genlab
