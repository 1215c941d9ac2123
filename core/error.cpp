#include "core/error.h"

#include <cstdio>

namespace genlab {

std::string hex32(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

}  // namespace genlab
