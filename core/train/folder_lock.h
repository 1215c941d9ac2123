// One writer per output folder: a run folder or a sweep folder is locked by the process that
// writes it, so two trainings (or two sweeps) on one --out cannot interleave their files.
//
//     FolderLock lock(out, "--out");   // creates out if needed; UsageError naming the holder if taken
//     ...                              // write into out
//     // the destructor releases it (also when an exception unwinds through)
//
// The lock is a file, kFolderLockName in the folder, created with O_CREAT|O_EXCL (atomic on local
// file systems and on NFSv3+) and holding "host pid start-time". A lock whose holder is on this
// host and no longer alive (a SIGKILLed run) is stale and taken over; a lock from another host is
// never judged from here. The file is the whole protocol, so a cluster task runner can use it too.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "core/error.h"

namespace genlab {

// The lock file's name inside a locked folder; folder checks ("is this folder empty?") skip it.
inline constexpr const char* kFolderLockName = ".genlab.lock";

// What a lock file says about its holder, for messages and tests.
struct LockHolder {
    std::string host;
    long pid = 0;
    uint64_t start = 0;  // the holder's start time (clock ticks after boot; 0: unknown)
};

// The UsageError of a folder another live process holds, with that holder: a caller that only
// wants the folder if it is free (a sweep task claiming its run) catches this one.
class FolderInUse : public UsageError {
public:
    FolderInUse(const std::string& message, LockHolder h) : UsageError(message), holder(std::move(h)) {}
    LockHolder holder;
};

class FolderLock {
public:
    // Creates `dir` (and its parents) when missing, then takes its lock. FolderInUse naming
    // `flag`, the folder and the holder (host, pid) when another live process holds it; Error when
    // the lock file cannot be created (no permission, a file in the way).
    FolderLock(const std::string& dir, const std::string& flag);
    // Removes the lock file (when it is still this process's), and the folders the constructor
    // created if nothing else was written into them: a run refused early leaves no trace.
    ~FolderLock();
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;

    const std::string& path() const { return path_; }  // the lock file

private:
    void remove_created();

    std::string dir_, path_, content_;
    std::string created_;  // the topmost folder the constructor created; "" when it existed
};

// Locks a new default output folder, default_out_dir(name) (run_dir.h), into `lock` and returns
// it. Two processes started in the same second pick the same name; the one that finds it taken
// moves on to the next (default_out_dir skips folders that exist).
std::string lock_new_out_dir(const std::string& name, std::optional<FolderLock>& lock);

// Whether `dir` holds nothing, or nothing but its lock file (a folder this process just locked).
bool folder_is_empty(const std::string& dir);

// The holder named by the lock file at `path`; false when it cannot be read or parsed.
bool read_lock_holder(const std::string& path, LockHolder& out);
// Whether the holder still runs. Only its own host can tell: a holder on another host counts as
// alive, so a lock is never taken from a process this host cannot see.
bool lock_holder_alive(const LockHolder& holder);

}  // namespace genlab
