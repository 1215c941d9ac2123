// AtomicFile: replace a file all at once or not at all. Data goes to a new temp file
// PATH.tmp-<pid>-<start>-<n> in the same folder (created exclusively, never through a link: a
// link planted there is not followed); commit() fsyncs it, renames it over PATH and fsyncs the
// folder. Until commit() succeeds the previous PATH is untouched, and a destroyed, uncommitted
// AtomicFile removes its temp file. PATH must be a regular file or absent: a symbolic link,
// device, pipe or folder is refused (Error), never replaced. Temp files left by killed processes
// are removed; <start>, when the writing process started, tells a killed writer from an unrelated
// live process that was given its pid.
#pragma once
#include <cstddef>
#include <cstdio>
#include <string>

namespace genlab {

class AtomicFile {
public:
    // Throws Error when the temp file cannot be created. `mode`: the new file's permission bits
    // (less the umask); a page lowers them to its folder's.
    explicit AtomicFile(std::string path, unsigned mode = 0666);
    ~AtomicFile();  // uncommitted: closes and removes the temp file
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(const void* data, size_t n);  // throws Error on a short write (disk full...)
    void write(const std::string& s) { write(s.data(), s.size()); }
    void commit();  // throws Error; the temp file is then removed

    const std::string& temp_path() const { return tmp_; }

private:
    void discard() noexcept;
    std::string path_, tmp_;
    std::string kept_;  // what a failure leaves at path_, for its message
    std::FILE* f_ = nullptr;
    bool committed_ = false;
};

// write_file_atomic(path, text): the whole file in one AtomicFile (config.json, metrics.json).
void write_file_atomic(const std::string& path, const std::string& bytes, unsigned mode = 0666);

// Makes the file at `path` hold exactly `bytes`, which are usually a prefix of what it holds (a
// log cut back to an earlier step): then it is truncated in place, which needs no free space and
// so works on a full disk; otherwise it is rewritten with write_file_atomic.
void shorten_file(const std::string& path, const std::string& bytes);

// Removes the temp files that saves killed before their commit left in folder `dir` (those of a
// process that still runs are kept). Each save does this for its own file; the holder of a
// folder's lock does it for the whole folder, so a run killed again and again never leaves
// more than the one temp of the save it was in.
void remove_stale_temp_files(const std::string& dir);

// `path` opened to append to (a log written row by row), as a regular file that is not a link:
// one swapped in after it was written is refused (Error), never written through.
std::FILE* open_for_append(const std::string& path);

}  // namespace genlab
