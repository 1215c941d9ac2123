// Checks shared by every reader before it opens a path: it must exist and be a regular file.
// Each failure is one Error naming the path, what it was meant to be, and a hint.
#pragma once
#include <cstdint>
#include <string>

namespace genlab::data {

// Size in bytes of the regular file `path`. `what` says what the file is for ("IDX images file",
// "corpus"); `hint` ends a missing-file message (e.g. which package or flag provides it).
uint64_t require_regular_file(const std::string& path, const std::string& what, const std::string& hint = "");

// The whole file as bytes; refuses files over `max_bytes` before allocating.
std::string read_whole_file(const std::string& path, uint64_t max_bytes, const std::string& what,
                            const std::string& hint = "");

}  // namespace genlab::data
