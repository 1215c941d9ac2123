// The one exception type of genlab: a user-facing, one-line message (what, where, expected vs got, hint).
// Library code throws; only a demo's main() turns it into an exit code (1 runtime, 2 usage).
#pragma once
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

namespace genlab {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// A usage error (bad flag, bad spec string): demos exit with status 2 instead of 1.
class UsageError : public Error {
public:
    explicit UsageError(const std::string& message) : Error(message) {}
};

// A file whose own bytes prove it damaged (truncated, a broken header): what a disk fault or an
// interrupted copy leaves. A caller may discard such a file and redo its work; any other Error
// (no permission, too little memory, a file of another program) must leave the file alone.
class DamagedFile : public Error {
public:
    explicit DamagedFile(const std::string& message) : Error(message) {}
};

// str("expected ", 3, " got ", x): message building without <format> (absent from g++ 12).
template <class... Args>
std::string str(const Args&... args) {
    std::ostringstream os;
    (os << ... << args);
    return os.str();
}

// "0x00000803": for magic numbers in messages.
std::string hex32(uint32_t v);

// A value echoed in a message, cut to `max` characters ("leaky_relu:0.2,0.2,0.2... (10000 characters)"):
// a 10k-character flag value must not become a 10k-character error line.
std::string clipped(const std::string& text, size_t max = 60);

template <class... Args>
[[noreturn]] void fail(const Args&... args) {
    throw Error(str(args...));
}

template <class... Args>
[[noreturn]] void damaged_fail(const Args&... args) {
    throw DamagedFile(str(args...));
}

template <class... Args>
[[noreturn]] void usage_fail(const Args&... args) {
    throw UsageError(str(args...));
}

}  // namespace genlab
