// The folder lock (see folder_lock.h). O_EXCL creation is the only atomic step: whoever creates
// the file holds the lock. Taking over a stale lock is itself guarded by a second O_EXCL file,
// so two processes that both find the same stale lock cannot both remove it and then each
// believe they hold a fresh one (the second would otherwise delete the first's new lock).
#include "core/train/folder_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/number_text.h"
#include "core/train/run_dir.h"

namespace genlab {

namespace fs = std::filesystem;

namespace {

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "unknown-host";
    return buf;
}

// Field 22 of /proc/<pid>/stat: when the process started, in clock ticks after boot. With the
// pid it names one process for good: a pid reused by a later process has another start time.
unsigned long long start_time(long pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) return 0;
    const size_t paren = line.rfind(')');  // the command name (field 2) may hold spaces
    if (paren == std::string::npos) return 0;
    std::istringstream rest(line.substr(paren + 1));
    std::string field;
    for (int i = 3; i <= 22; ++i)
        if (!(rest >> field)) return 0;
    return std::strtoull(field.c_str(), nullptr, 10);
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool parse_holder(const std::string& text, LockHolder& out) {
    std::istringstream in(text);
    std::string host, pid, start;
    if (!(in >> host >> pid >> start) || host.rfind("host=", 0) != 0 || pid.rfind("pid=", 0) != 0 ||
        start.rfind("start=", 0) != 0)
        return false;
    LockHolder h;
    h.host = host.substr(5);
    int64_t pid_number = 0;
    if (h.host.empty() || !parse_number(pid.substr(4), pid_number) || pid_number <= 0 ||
        !parse_number(start.substr(6), h.start))
        return false;
    h.pid = pid_number;
    out = h;
    return true;
}

// Whether the holder still runs: only answerable on its own host. A live pid whose start time
// differs from the recorded one is a later process that reused the number.
bool holder_alive(const LockHolder& h, const std::string& host) {
    if (h.host != host) return true;
    if (::kill(static_cast<pid_t>(h.pid), 0) != 0 && errno == ESRCH) return false;
    const unsigned long long now = start_time(h.pid);
    return h.start == 0 || now == 0 || now == h.start;
}

// Creates `path` exclusively with `content`; false when it exists. Error for any other failure.
bool create_exclusive(const std::string& path, const std::string& content, const std::string& flag,
                      const std::string& dir) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (errno == EEXIST) return false;
        usage_fail(flag, " ", dir, ": cannot create the lock file ", path, ": ", std::strerror(errno),
                   " (choose a folder you can write)");
    }
    const bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
    ::close(fd);
    if (!ok) {
        ::unlink(path.c_str());
        fail(path, ": cannot write the lock file: ", std::strerror(errno));
    }
    return true;
}

}  // namespace

bool read_lock_holder(const std::string& path, LockHolder& out) { return parse_holder(read_text(path), out); }

bool lock_holder_alive(const LockHolder& holder) { return holder_alive(holder, host_name()); }

bool folder_is_empty(const std::string& dir) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().filename() != kFolderLockName) return false;
    return true;
}

FolderLock::FolderLock(const std::string& dir, const std::string& flag) : dir_(dir) {
    if (dir.empty()) fail("FolderLock: empty folder name");
    fs::path p(dir);
    if (!p.has_filename()) p = p.parent_path();  // "runs/a/" -> "runs/a"
    std::error_code ec;
    if (fs::exists(p, ec) && !fs::is_directory(p, ec)) usage_fail(flag, " ", dir, ": exists and is not a folder");
    for (fs::path q = p; !q.empty() && !fs::exists(q, ec); q = q.parent_path()) created_ = q.string();
    fs::create_directories(p, ec);
    if (ec || !fs::is_directory(p, ec)) {
        const std::string why = ec ? ec.message() : "a file is in the way";
        created_.clear();  // nothing of ours to remove
        usage_fail(flag, " ", dir, ": cannot create the folder: ", why, " (choose another ", flag, ")");
    }
    dir_ = p.string();
    path_ = (p / kFolderLockName).string();
    const std::string host = host_name();
    const long pid = static_cast<long>(::getpid());
    content_ = str("host=", host, " pid=", pid, " start=", start_time(pid), "\n");
    try {
        for (int attempt = 0; attempt < 20; ++attempt) {
            if (create_exclusive(path_, content_, flag, dir)) {
                remove_stale_temp_files(dir_);  // the folder is ours: what dead writers left goes
                return;
            }
            const std::string held = read_text(path_);
            LockHolder h;
            if (!parse_holder(held, h)) {
                // Just created and not yet written, or gone again: look once more shortly.
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                continue;
            }
            if (holder_alive(h, host))
                throw FolderInUse(str(flag, " ", dir, ": in use by another genlab process (host ", h.host, ", pid ",
                                      h.pid, h.host == host && h.pid == pid ? ", this very process" : "",
                                      "); wait for it to end or choose another ", flag,
                                      " (if that process is gone, remove ", path_, ")"),
                                  h);
            // Stale: its holder died without releasing it (SIGKILL, a crash). Take it over under
            // a guard, and remove it only if it is still the stale file just read.
            const std::string guard = path_ + ".takeover";
            if (create_exclusive(guard, content_, flag, dir)) {
                if (read_text(path_) == held) ::unlink(path_.c_str());
                ::unlink(guard.c_str());
            } else {
                LockHolder g;  // another process is taking it over, or died doing so (then the guard is stale)
                if (read_lock_holder(guard, g) && !holder_alive(g, host)) ::unlink(guard.c_str());
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        }
        fail(path_, ": cannot take the lock of ", dir,
             " (the file keeps changing or names no holder); if no genlab "
             "process uses the folder, remove ",
             path_);
    } catch (...) {
        remove_created();
        throw;
    }
}

FolderLock::~FolderLock() {
    if (read_text(path_) == content_) ::unlink(path_.c_str());
    remove_created();
}

void FolderLock::remove_created() {
    if (created_.empty()) return;
    // The folders made for this lock, innermost first, while they are empty.
    std::error_code ec;
    for (fs::path q = dir_;; q = q.parent_path()) {
        if (!fs::is_directory(q, ec) || !fs::is_empty(q, ec) || !fs::remove(q, ec)) break;
        if (q.string() == created_ || q.empty()) break;
    }
}

std::string lock_new_out_dir(const std::string& name, std::optional<FolderLock>& lock) {
    for (int tries = 0;; ++tries) {
        const std::string dir = default_out_dir(name);
        try {
            lock.emplace(dir, "--out");
            return dir;
        } catch (const FolderInUse&) {
            if (tries == 8) throw;
        }
    }
}

}  // namespace genlab
