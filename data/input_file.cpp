// stat() before open: fopen() happily opens a directory on Linux and only fails at the first
// read, which would surface as a confusing "truncated file" message.
#include "data/input_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/error.h"
#include "core/io/json_text.h"
#include "core/memory.h"

namespace genlab::data {

uint64_t require_regular_file(const std::string& path, const std::string& what, const std::string& hint) {
    if (path.empty()) fail(what, ": empty path");
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        const int err = errno;
        if (err == ENOENT)
            fail(what, " '", path, "' does not exist", hint.empty() ? "" : " - ", hint);
        fail(what, " '", path, "' cannot be accessed: ", std::strerror(err));
    }
    if (S_ISDIR(st.st_mode)) fail(what, " '", path, "' is a directory, expected a file");
    if (!S_ISREG(st.st_mode)) fail(what, " '", path, "' is not a regular file (a device, pipe or socket?)");
    return static_cast<uint64_t>(st.st_size);
}

std::string read_whole_file(const std::string& path, uint64_t max_bytes, const std::string& what,
                            const std::string& hint) {
    const uint64_t size = require_regular_file(path, what, hint);
    if (size > max_bytes)
        fail(what, " '", path, "' is ", size, " bytes, more than the limit of ", max_bytes,
             " bytes - use a smaller file");
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) fail(what, " '", path, "' cannot be opened: ", std::strerror(errno));
    if (size == 0) {
        // The kernel reports 0 for generated files (/proc/cpuinfo): read to the end, bounded.
        std::string bytes;
        char buf[1 << 16];
        for (size_t n; (n = std::fread(buf, 1, sizeof buf, f.get())) > 0;) {
            bytes.append(buf, n);
            if (bytes.size() > max_bytes)
                fail(what, " '", path, "' is more than the limit of ", max_bytes, " bytes - use a smaller file");
        }
        if (std::ferror(f.get())) fail(what, " '", path, "': read error: ", std::strerror(errno));
        return bytes;
    }
    require_memory(size, str(what, " '", path, "' (", size, " bytes)"), "use a smaller file", false);
    std::string bytes(static_cast<size_t>(size), '\0');
    const size_t got = std::fread(bytes.data(), 1, bytes.size(), f.get());
    if (got != bytes.size())
        fail(what, " '", path, "': read ", got, " of ", size, " bytes (file changed or I/O error)");
    // A file that grew since stat() is read up to its stat() size: a consistent snapshot.
    return bytes;
}

nlohmann::ordered_json read_json_file(const std::string& path, uint64_t max_bytes, const std::string& what) {
    const std::string text = read_whole_file(path, max_bytes, what);
    if (json_depth(text) > 16) fail(what, " '", path, "' is nested deeper than 16 levels - not a file genlab wrote");
    return nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace genlab::data
