// The one way genlab reads a file, a user's input (corpus, IDX data, checkpoint) or its own output
// read back (metrics.csv, results.csv, samples.txt, config.json). A path must name a regular file:
// a folder, a FIFO (its open would wait for a writer forever), a device (/dev/zero never ends) or
// a socket is refused before anything is read, and a file over the caller's size limit before
// anything is allocated. Each failure is one Error naming the path, what it was meant to be, and
// a hint.
//
//     std::string text = read_whole_file(path, kMaxCsvFileBytes, "metrics table", "", Links::Refuse);
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace genlab {

// Size limits of the files genlab reads back from its own output folders, one per kind: far above
// what a run or a sweep writes, far below what would exhaust memory (a 5 GB sparse file is refused
// by its size, never read).
inline constexpr uint64_t kMaxJsonFileBytes = 64ull << 20;     // config.json, ablation.json, summary.json, metrics.json
inline constexpr uint64_t kMaxPlanFileBytes = 1ull << 20;      // plan.json: a sweep's settings, a few hundred bytes
inline constexpr uint64_t kMaxCsvFileBytes = 256ull << 20;     // metrics.csv, diagnostics.csv, results.csv, table.csv
inline constexpr uint64_t kMaxSamplesFileBytes = 1ull << 30;   // samples.txt, read back whole to resume a text run
inline constexpr uint64_t kMaxEmbeddedFileBytes = 8ull << 20;  // a picture a page embeds as a data: URI
inline constexpr uint64_t kMaxShownTextBytes = 1ull << 20;     // the head or tail of a text file a page shows

// Whether a symbolic link at the path itself is followed (a file the user names: a corpus, a
// checkpoint) or refused (a file genlab wrote into an output folder and reads back: genlab never
// writes links, so one there was planted, and a page would publish its target's contents).
enum class Links { Follow, Refuse };

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// A regular file opened for reading, and its size when opened.
struct InputFile {
    FilePtr file;
    uint64_t size = 0;
};

// Size in bytes of the regular file `path` (stat, nothing opened). `what` says what the file is
// for ("IDX images file", "corpus"); `hint` ends a missing-file message (e.g. which package or
// flag provides it). With Links::Refuse a symbolic link is an Error too.
uint64_t require_regular_file(const std::string& path, const std::string& what, const std::string& hint = "",
                              Links links = Links::Follow);

// Opens `path` for streaming readers (checkpoints, IDX files): checked as require_regular_file,
// opened without blocking and checked again on the open file, so a path swapped for a FIFO or a
// device between the check and the open is refused too.
InputFile open_input_file(const std::string& path, const std::string& what, const std::string& hint = "",
                          Links links = Links::Follow);

// The whole file as bytes; refuses files over `max_bytes` before allocating.
std::string read_whole_file(const std::string& path, uint64_t max_bytes, const std::string& what,
                            const std::string& hint = "", Links links = Links::Follow);

// At most max_bytes from the start (Head) or the end (Tail) of the file: a part of a file that may
// be long, shown on a page. A Tail cut inside the file starts at its first full line.
enum class FilePart { Head, Tail };
std::string read_file_part(const std::string& path, FilePart part, uint64_t max_bytes, const std::string& what,
                           Links links = Links::Follow);

// A JSON file read back as untrusted (config.json, ablation.json, summary.json): at most
// max_bytes and nested at most 16 levels (Error naming the file and `what` otherwise), parsed
// without throwing: text that is not JSON comes back discarded (is_discarded()), for the caller
// to judge.
nlohmann::ordered_json read_json_file(const std::string& path, uint64_t max_bytes, const std::string& what,
                                      Links links = Links::Follow);

}  // namespace genlab
