// The bounded reader (see input_file.h). stat() before open: fopen() happily opens a directory on
// Linux and only fails at the first read, and an open of a FIFO blocks until a writer comes. The
// open itself is O_NONBLOCK and the opened file is checked again with fstat(), so a path swapped
// between the two checks cannot make a reader hang or read a device.
#include "core/io/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"
#include "core/io/json_text.h"
#include "core/memory.h"

namespace genlab {

namespace {

const char* kind_of(mode_t mode) {
    return S_ISDIR(mode)    ? "is a directory, expected a file"
           : S_ISLNK(mode)  ? "is a symbolic link, expected a regular file (genlab reads its own files only as they "
                              "were written; a link there was put by someone else)"
           : S_ISFIFO(mode) ? "is a pipe (FIFO), not a regular file"
                            : "is not a regular file (a device or socket?)";
}

// Set while require_memory runs: it reads /proc and /sys through this reader, whose reads must
// not ask it again.
thread_local bool checking_memory = false;

// Reads up to `n` bytes at the current position; fewer only at the end of the file.
std::string read_bytes(std::FILE* f, uint64_t n, const std::string& what, const std::string& path) {
    if (!checking_memory) {
        struct Guard {
            Guard() { checking_memory = true; }
            ~Guard() { checking_memory = false; }
        } guard;
        require_memory(n, str(what, " '", path, "' (", n, " bytes)"), "use a smaller file", false);
    }
    std::string bytes(static_cast<size_t>(n), '\0');
    const size_t got = std::fread(bytes.data(), 1, bytes.size(), f);
    if (got != bytes.size() && std::ferror(f)) fail(what, " '", path, "': read error: ", std::strerror(errno));
    bytes.resize(got);
    return bytes;
}

// Files the kernel reports as 0 bytes long (/proc/cpuinfo): read to the end, at most max_bytes
// (+1, to tell "exactly the limit" from "more").
std::string read_unsized(std::FILE* f, uint64_t max_bytes, const std::string& what, const std::string& path) {
    std::string bytes;
    char buf[1 << 16];
    for (size_t n; bytes.size() <= max_bytes && (n = std::fread(buf, 1, sizeof buf, f)) > 0;) bytes.append(buf, n);
    if (std::ferror(f)) fail(what, " '", path, "': read error: ", std::strerror(errno));
    return bytes;
}

}  // namespace

uint64_t require_regular_file(const std::string& path, const std::string& what, const std::string& hint, Links links) {
    if (path.empty()) fail(what, ": empty path");
    struct stat st {};
    const int rc = links == Links::Refuse ? ::lstat(path.c_str(), &st) : ::stat(path.c_str(), &st);
    if (rc != 0) {
        const int err = errno;
        if (err == ENOENT) fail(what, " '", path, "' does not exist", hint.empty() ? "" : " - ", hint);
        fail(what, " '", path, "' cannot be accessed: ", std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) fail(what, " '", path, "' ", kind_of(st.st_mode));
    return static_cast<uint64_t>(st.st_size);
}

InputFile open_input_file(const std::string& path, const std::string& what, const std::string& hint, Links links) {
    require_regular_file(path, what, hint, links);
    const int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (links == Links::Refuse ? O_NOFOLLOW : 0);
    const int fd = ::open(path.c_str(), flags);
    if (fd < 0) {
        const int err = errno;
        if (err == ELOOP && links == Links::Refuse) fail(what, " '", path, "' ", kind_of(S_IFLNK));
        fail(what, " '", path, "' cannot be opened: ", std::strerror(err));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const mode_t mode = st.st_mode;
        ::close(fd);
        fail(what, " '", path, "' ", kind_of(mode));
    }
    // A regular file never blocks; the flag only guarded the open.
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    InputFile in;
    in.file.reset(::fdopen(fd, "rb"));
    if (!in.file) {
        const int err = errno;
        ::close(fd);
        fail(what, " '", path, "' cannot be opened: ", std::strerror(err));
    }
    in.size = static_cast<uint64_t>(st.st_size);
    return in;
}

std::string read_whole_file(const std::string& path, uint64_t max_bytes, const std::string& what,
                            const std::string& hint, Links links) {
    InputFile in = open_input_file(path, what, hint, links);
    if (in.size > max_bytes)
        fail(what, " '", path, "' is ", in.size, " bytes, more than the limit of ", max_bytes,
             " bytes - use a smaller file");
    if (in.size == 0) {
        std::string bytes = read_unsized(in.file.get(), max_bytes, what, path);
        if (bytes.size() > max_bytes)
            fail(what, " '", path, "' is more than the limit of ", max_bytes, " bytes - use a smaller file");
        return bytes;
    }
    std::string bytes = read_bytes(in.file.get(), in.size, what, path);
    if (bytes.size() != in.size) {
        // /sys reports every file as one page long and holds less: the end came early, with no
        // read error, and the size still says the same. A file cut short while being read does not.
        struct stat now {};
        const bool generated = ::fstat(::fileno(in.file.get()), &now) == 0 &&
                               static_cast<uint64_t>(now.st_size) == in.size && std::feof(in.file.get());
        if (!generated)
            fail(what, " '", path, "': read ", bytes.size(), " of ", in.size, " bytes (file changed or I/O error)");
    }
    // A file that grew since it was opened is read up to its size then: a consistent snapshot.
    return bytes;
}

std::string read_file_part(const std::string& path, FilePart part, uint64_t max_bytes, const std::string& what,
                           Links links) {
    InputFile in = open_input_file(path, what, "", links);
    if (in.size == 0) {
        std::string bytes = read_unsized(in.file.get(), max_bytes, what, path);
        if (bytes.size() <= max_bytes) return bytes;
        if (part == FilePart::Head) return bytes.substr(0, static_cast<size_t>(max_bytes));
        fail(what, " '", path, "' is more than ", max_bytes, " bytes and reports no size: its end cannot be shown");
    }
    if (in.size <= max_bytes) return read_bytes(in.file.get(), in.size, what, path);
    if (part == FilePart::Head) return read_bytes(in.file.get(), max_bytes, what, path);
    if (::fseeko(in.file.get(), static_cast<off_t>(in.size - max_bytes), SEEK_SET) != 0)
        fail(what, " '", path, "': cannot seek: ", std::strerror(errno));
    std::string bytes = read_bytes(in.file.get(), max_bytes, what, path);
    const size_t nl = bytes.find('\n');
    return nl == std::string::npos ? std::string() : bytes.substr(nl + 1);
}

nlohmann::ordered_json read_json_file(const std::string& path, uint64_t max_bytes, const std::string& what,
                                      Links links) {
    const std::string text = read_whole_file(path, max_bytes, what, "", links);
    if (json_depth(text) > kMaxJsonDepth)
        fail(what, " '", path, "' is nested deeper than ", kMaxJsonDepth, " levels - not a file genlab wrote");
    return parse_ordered_json(text);
}

}  // namespace genlab
