// AtomicFile: temp file + fsync + rename + folder fsync, the POSIX recipe for "old or new, never
// half". rename() within one folder is atomic; the folder fsync makes the new name durable.
#include "core/io/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace genlab {

namespace {

std::string errno_text() { return std::strerror(errno); }

std::string parent_dir(const std::string& path) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    return dir.empty() ? "." : dir;
}

// PATH.tmp-<pid> files of processes that no longer run: a save killed before its commit. Ours
// to remove (nobody else names files so); those of a live process are its save in progress.
void remove_stale_temps(const std::string& path) {
    const std::filesystem::path p(path);
    const std::string prefix = p.filename().string() + ".tmp-";
    std::error_code ec;
    for (std::filesystem::directory_iterator it(parent_dir(path), ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size() || name.size() > prefix.size() + 10) continue;
        const std::string digits = name.substr(prefix.size());
        if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
        const long pid = std::stol(digits);
        if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)) {
            std::error_code rm;
            std::filesystem::remove(it->path(), rm);
        }
    }
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
    if (path_.empty()) fail("save: empty output path");
    // Only a regular file is ever replaced: renaming over a link, a device, a pipe or a folder
    // would destroy what the user pointed us at.
    struct stat st {};
    if (::lstat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
        fail(path_, ": exists and is not a regular file (",
             S_ISLNK(st.st_mode) ? "a symbolic link" : S_ISDIR(st.st_mode) ? "a folder" : S_ISFIFO(st.st_mode) ? "a pipe" : "a device or socket",
             "); genlab only replaces regular files it writes, so it is left as it is: choose another path");
    remove_stale_temps(path_);
    tmp_ = path_ + ".tmp-" + std::to_string(static_cast<long>(::getpid()));
    f_ = std::fopen(tmp_.c_str(), "wb");
    if (!f_) {
        int err = errno;
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
        fail(path_, ": writing '", tmp_, "' failed: ", why, " (disk full?); the previous file is kept");
    }
}

void AtomicFile::commit() {
    if (!f_) fail(path_, ": commit after commit or failure");
    // fflush moves stdio's buffer to the kernel, fsync moves the kernel's to the disk: only then
    // is a rename safe against a power cut leaving an empty file under the final name.
    if (std::fflush(f_) != 0 || ::fsync(::fileno(f_)) != 0) {
        std::string why = errno_text();
        discard();
        fail(path_, ": flushing '", tmp_, "' failed: ", why, " (disk full?); the previous file is kept");
    }
    int rc = std::fclose(f_);
    f_ = nullptr;
    if (rc != 0) {
        std::string why = errno_text();
        discard();
        fail(path_, ": closing '", tmp_, "' failed: ", why, "; the previous file is kept");
    }
    if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
        std::string why = errno_text();
        discard();
        fail(path_, ": cannot replace it with '", tmp_, "': ", why, " (is PATH a folder?); the previous file is kept");
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

void write_file_atomic(const std::string& path, const std::string& bytes) {
    AtomicFile f(path);
    f.write(bytes);
    f.commit();
}

void shorten_file(const std::string& path, const std::string& bytes) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) >= bytes.size()) {
        std::FILE* f = std::fopen(path.c_str(), "rb");
        std::string head(bytes.size(), '\0');
        const bool prefix = f && std::fread(head.data(), 1, head.size(), f) == head.size() && head == bytes;
        if (f) std::fclose(f);
        if (prefix) {
            if (::truncate(path.c_str(), static_cast<off_t>(bytes.size())) != 0)
                fail(path, ": cannot truncate to ", bytes.size(), " bytes: ", std::strerror(errno));
            return;
        }
    }
    write_file_atomic(path, bytes);
}

}  // namespace genlab
