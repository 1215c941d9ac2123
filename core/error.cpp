#include "core/error.h"

#include <cstdio>

namespace genlab {

std::string hex32(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

std::string clipped(const std::string& text, size_t max) {
    if (text.size() <= max) return text;
    return text.substr(0, max) + "... (" + std::to_string(text.size()) + " characters)";
}

}  // namespace genlab
