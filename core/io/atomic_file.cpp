// AtomicFile: temp file + fsync + rename + folder fsync, the POSIX recipe for "old or new, never
// half". rename() within one folder is atomic; the folder fsync makes the new name durable.
#include "core/io/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <sstream>

#include "core/error.h"
#include "core/io/input_file.h"
#include "core/number_text.h"

namespace genlab {

namespace {

std::string errno_text() { return std::strerror(errno); }

std::string parent_dir(const std::string& path) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    return dir.empty() ? "." : dir;
}

// When process `pid` started, in clock ticks after boot (field 22 of /proc/<pid>/stat); nullopt
// when it does not run or /proc cannot tell. With the pid it names one process: a pid is reused,
// a (pid, start) pair is not while the machine runs.
std::optional<uint64_t> process_start(long pid) {
    std::string stat;
    try {
        stat = read_file_part("/proc/" + std::to_string(pid) + "/stat", FilePart::Head, 4096, "process status");
    } catch (const Error&) {
        return std::nullopt;
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count from the last ')'.
    const size_t close = stat.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream in(stat.substr(close + 1));
    std::string field;
    for (int i = 3; i <= 22 && (in >> field); ++i)
        if (uint64_t v = 0; i == 22 && parse_number(field, v)) return v;
    return std::nullopt;
}

// When process `pid` started, in seconds since the epoch: boot time (btime in /proc/stat) plus
// its start in ticks; nullopt when /proc cannot tell.
std::optional<double> process_start_time(long pid) {
    const std::optional<uint64_t> ticks = process_start(pid);
    if (!ticks) return std::nullopt;
    std::string stat;
    try {
        stat = read_file_part("/proc/stat", FilePart::Head, 1 << 20, "kernel statistics");
    } catch (const Error&) {
        return std::nullopt;
    }
    const size_t at = stat.find("\nbtime ");
    if (at == std::string::npos) return std::nullopt;
    double btime = 0;
    if (!parse_number(std::string_view(stat).substr(at + 7, stat.find('\n', at + 7) - (at + 7)), btime))
        return std::nullopt;
    return btime + static_cast<double>(*ticks) / ::sysconf(_SC_CLK_TCK);
}

bool digits_only(const std::string& s) {
    return !s.empty() && s.size() <= 20 && s.find_first_not_of("0123456789") == std::string::npos;
}

// Whether a temp file named PATH.tmp-<suffix> belongs to no save in progress. This version names
// them <pid>-<start>-<n> (start: process_start of the writer): stale unless that very process still
// runs, so an unrelated live process that was given the same pid does not keep it forever. A bare
// <pid> is an earlier version's: stale when the pid does not run, or its process started after the
// file was last written (it cannot be that file's writer).
bool stale_temp(const std::string& suffix, const std::filesystem::path& file) {
    const size_t d1 = suffix.find('-');
    const std::string pid_text = suffix.substr(0, d1);
    if (!digits_only(pid_text)) return false;  // not a name we write
    const long pid = std::stol(pid_text);
    if (d1 != std::string::npos) {
        const size_t d2 = suffix.find('-', d1 + 1);
        const std::string start_text = d2 == std::string::npos ? "" : suffix.substr(d1 + 1, d2 - d1 - 1);
        if (!digits_only(start_text) || !digits_only(suffix.substr(d2 + 1))) return false;
        const uint64_t start = std::stoull(start_text);
        if (start == 0)
            return pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH);  // no /proc then
        const std::optional<uint64_t> now = process_start(pid);
        return !now || *now != start;
    }
    if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)) return true;
    struct stat st {};
    const std::optional<double> started = process_start_time(pid);
    return started && ::lstat(file.c_str(), &st) == 0 && static_cast<double>(st.st_mtime) + 2 < *started;
}

// Temp files of saves killed before their commit in folder `dir`: ours to remove (nobody else
// names files so); those of a live save are left alone. Only temps of the file named `file` when
// it is given, else those of every file.
void remove_stale_temps_in(const std::string& dir, const std::string& file) {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const size_t at = name.rfind(".tmp-");  // the suffix holds digits and dashes only
        if (at == std::string::npos || at == 0 || name.size() > at + 5 + 64) continue;
        if (!file.empty() && (at != file.size() || name.compare(0, at, file) != 0)) continue;
        if (stale_temp(name.substr(at + 5), it->path())) {
            std::error_code rm;
            std::filesystem::remove(it->path(), rm);
        }
    }
}

// This process's part of a temp name, "<pid>-<start>" (start 0 when /proc cannot tell).
const std::string& process_tag() {
    static const std::string tag = std::to_string(static_cast<long>(::getpid())) + "-" +
                                   std::to_string(process_start(::getpid()).value_or(0));
    return tag;
}

std::atomic<uint64_t> temp_count{0};  // saves of this process: each temp name is new

}  // namespace

void remove_stale_temp_files(const std::string& dir) { remove_stale_temps_in(dir, ""); }

AtomicFile::AtomicFile(std::string path, unsigned mode) : path_(std::move(path)) {
    if (path_.empty()) fail("save: empty output path");
    // Only a regular file is ever replaced: renaming over a link, a device, a pipe or a folder
    // would destroy what the user pointed us at.
    struct stat st {};
    const bool exists = ::lstat(path_.c_str(), &st) == 0;
    kept_ = exists ? "; the previous file is kept" : "; nothing was written in its place";
    if (exists && !S_ISREG(st.st_mode))
        fail(path_, ": exists and is not a regular file (",
             S_ISLNK(st.st_mode)    ? "a symbolic link"
             : S_ISDIR(st.st_mode)  ? "a folder"
             : S_ISFIFO(st.st_mode) ? "a pipe"
                                    : "a device or socket",
             "); genlab only replaces regular files it writes, so it is left as it is: choose another path");
    remove_stale_temps_in(parent_dir(path_), std::filesystem::path(path_).filename().string());
    // A new file, created here: O_EXCL never opens what is already there, a link planted under
    // the temp name included (O_NOFOLLOW says so twice), so nothing outside the folder is written.
    // The name is this save's alone, so EEXIST means someone else put a file there: take another.
    int fd = -1;
    for (int attempt = 0; fd < 0 && attempt < 16; ++attempt) {
        tmp_ = path_ + ".tmp-" + process_tag() + "-" + std::to_string(temp_count++);
        fd = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    static_cast<mode_t>(mode & 0777));
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd >= 0) f_ = ::fdopen(fd, "wb");
    if (!f_) {
        int err = errno;
        if (fd >= 0) {  // created but not usable: ours to remove
            ::close(fd);
            std::remove(tmp_.c_str());
        }
        if (fd < 0 && err == EEXIST) {
            tmp_.clear();  // not ours: never removed
            fail(path_, ": cannot create a temp file beside it: the names are taken by files genlab did not create");
        }
        std::error_code ec;
        bool dir_ok = std::filesystem::is_directory(parent_dir(path_), ec);
        fail(path_, ": cannot create temp file '", tmp_, "': ", std::strerror(err),
             dir_ok ? " (is the folder writable?)" : " (the folder does not exist; create it or pass another --out)");
    }
}

AtomicFile::~AtomicFile() {
    if (!committed_) discard();
}

void AtomicFile::discard() noexcept {
    if (f_) {
        std::fclose(f_);
        f_ = nullptr;
    }
    if (!tmp_.empty()) std::remove(tmp_.c_str());
}

void AtomicFile::write(const void* data, size_t n) {
    if (!f_) fail(path_, ": write after commit or failure");
    if (n == 0) return;
    if (std::fwrite(data, 1, n, f_) != n) {
        std::string why = errno_text();
        discard();
        fail(path_, ": writing '", tmp_, "' failed: ", why, " (disk full?)", kept_);
    }
}

void AtomicFile::commit() {
    if (!f_) fail(path_, ": commit after commit or failure");
    // fflush moves stdio's buffer to the kernel, fsync moves the kernel's to the disk: only then
    // is a rename safe against a power cut leaving an empty file under the final name.
    if (std::fflush(f_) != 0 || ::fsync(::fileno(f_)) != 0) {
        std::string why = errno_text();
        discard();
        fail(path_, ": flushing '", tmp_, "' failed: ", why, " (disk full?)", kept_);
    }
    int rc = std::fclose(f_);
    f_ = nullptr;
    if (rc != 0) {
        std::string why = errno_text();
        discard();
        fail(path_, ": closing '", tmp_, "' failed: ", why, kept_);
    }
    if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
        std::string why = errno_text();
        discard();
        fail(path_, ": cannot replace it with '", tmp_, "': ", why, " (is PATH a folder?)", kept_);
    }
    committed_ = true;
    // The rename has happened; a folder fsync failure (some filesystems refuse it) cannot undo it,
    // so it is best effort rather than an error that would claim the save failed.
    int dfd = ::open(parent_dir(path_).c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

void write_file_atomic(const std::string& path, const std::string& bytes, unsigned mode) {
    AtomicFile f(path, mode);
    f.write(bytes);
    f.commit();
}

void shorten_file(const std::string& path, const std::string& bytes) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) >= bytes.size()) {
        std::string head;
        try {
            head = read_file_part(path, FilePart::Head, bytes.size(), "file to shorten", Links::Refuse);
        } catch (const Error&) {
        }
        if (head == bytes) {
            // Cut through a descriptor of the regular file itself: truncate() would follow a link
            // swapped in since the check.
            const int fd = ::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
            struct stat fst {};
            const bool ok = fd >= 0 && ::fstat(fd, &fst) == 0 && S_ISREG(fst.st_mode) &&
                            ::ftruncate(fd, static_cast<off_t>(bytes.size())) == 0;
            const int err = errno;
            if (fd >= 0) ::close(fd);
            if (!ok) fail(path, ": cannot truncate to ", bytes.size(), " bytes: ", std::strerror(err));
            return;
        }
    }
    write_file_atomic(path, bytes);
}

std::FILE* open_for_append(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        fail(path, ": cannot open for appending: ", std::strerror(err),
             err == ELOOP ? " (a symbolic link: not written through)" : "");
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(path, ": cannot open for appending: not a regular file");
    }
    std::FILE* f = ::fdopen(fd, "ab");
    if (!f) {
        const std::string why = errno_text();
        ::close(fd);
        fail(path, ": cannot open for appending: ", why);
    }
    return f;
}

}  // namespace genlab
