// Checks shared by every reader before it opens a path: it must exist and be a regular file.
// Each failure is one Error naming the path, what it was meant to be, and a hint.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace genlab::data {

// Size in bytes of the regular file `path`. `what` says what the file is for ("IDX images file",
// "corpus"); `hint` ends a missing-file message (e.g. which package or flag provides it).
uint64_t require_regular_file(const std::string& path, const std::string& what, const std::string& hint = "");

// The whole file as bytes; refuses files over `max_bytes` before allocating.
std::string read_whole_file(const std::string& path, uint64_t max_bytes, const std::string& what,
                            const std::string& hint = "");

// A JSON file read back as untrusted (config.json, ablation.json, summary.json): at most
// max_bytes and nested at most 16 levels (Error naming the file and `what` otherwise), parsed
// without throwing: text that is not JSON comes back discarded (is_discarded()), for the caller
// to judge.
nlohmann::ordered_json read_json_file(const std::string& path, uint64_t max_bytes, const std::string& what);

}  // namespace genlab::data
