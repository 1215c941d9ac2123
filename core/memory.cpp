// /proc/meminfo's MemAvailable is what the kernel can hand out without swapping; a container's
// cgroup v2 limit (memory.max minus memory.current) can be far lower, and is what the OOM killer
// enforces there, so the smaller of the two counts.
#include "core/memory.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>

#include "core/error.h"
#include "core/io/input_file.h"
#include "core/number_text.h"
#include "core/tensor.h"

namespace genlab {

namespace {

// A small kernel file (/proc, /sys), through the bounded reader; nullopt when it cannot be read.
// Its head: sysfs reports 4096 bytes for a file that holds a few.
std::optional<std::string> kernel_file(const std::string& path) {
    try {
        return read_file_part(path, FilePart::Head, 1 << 20, "kernel file");
    } catch (const Error&) {
        return std::nullopt;
    }
}

// The value of "key: N kB" in /proc/meminfo, in bytes.
std::optional<uint64_t> meminfo_bytes(const std::string& key) {
    std::istringstream in(kernel_file("/proc/meminfo").value_or(""));
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key + ":", 0) == 0) {
            unsigned long long kb = 0;
            if (std::sscanf(line.c_str() + key.size() + 1, "%llu", &kb) == 1) return kb * 1024ull;
        }
    return std::nullopt;
}

std::optional<uint64_t> file_number(const std::string& path) {
    std::istringstream in(kernel_file(path).value_or(""));
    std::string text;
    uint64_t v = 0;
    if (!(in >> text) || !parse_number(text, v)) return std::nullopt;  // "max" (no limit) or unreadable
    return v;
}

// The cgroup v2 headroom of this process: memory.max - memory.current of its cgroup.
std::optional<uint64_t> cgroup_headroom() {
    std::istringstream in(kernel_file("/proc/self/cgroup").value_or(""));
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("0::", 0) != 0) continue;  // the v2 entry: "0::/path"
        const std::string dir = "/sys/fs/cgroup" + line.substr(3);
        const std::optional<uint64_t> max = file_number(dir + "/memory.max");
        const std::optional<uint64_t> cur = file_number(dir + "/memory.current");
        if (max && cur) return *max > *cur ? *max - *cur : 0;
    }
    return std::nullopt;
}

// GENLAB_MEMORY_LIMIT: "4G", "512m", "1.5t", "100000" (bytes); decimal units, as bytes_text.
std::optional<uint64_t> env_limit() {
    const char* v = std::getenv("GENLAB_MEMORY_LIMIT");
    if (!v || !*v) return std::nullopt;
    std::string number = v;
    const char unit = std::isalpha(static_cast<unsigned char>(number.back()))
                          ? static_cast<char>(std::toupper(static_cast<unsigned char>(number.back())))
                          : 0;
    if (unit) number.pop_back();
    double x = 0, mult = 1;
    if (!parse_number(number, x))
        usage_fail("GENLAB_MEMORY_LIMIT=", std::string(v).substr(0, 30),
                   ": expected bytes, or a number with K, M, G or T (either case), e.g. 4G");
    if (unit == 'K')
        mult = 1e3;
    else if (unit == 'M')
        mult = 1e6;
    else if (unit == 'G')
        mult = 1e9;
    else if (unit == 'T')
        mult = 1e12;
    else if (unit)
        usage_fail("GENLAB_MEMORY_LIMIT=", std::string(v).substr(0, 30),
                   ": expected bytes, or a number with K, M, G or T (either case), e.g. 4G");
    if (!(x > 0) || x * mult > 1e19)
        usage_fail("GENLAB_MEMORY_LIMIT=", std::string(v).substr(0, 30), ": expected a positive size");
    return static_cast<uint64_t>(x * mult);
}

std::atomic<uint64_t> g_reserved{0};
// The part of g_reserved this thread holds: what train() set aside for the model it is building.
thread_local uint64_t t_reserved = 0;

uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
uint64_t sat_mul(uint64_t a, uint64_t b) { return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b; }

}  // namespace

uint64_t MemoryEstimate::training_bytes() const {
    return sat_mul(sat_add(sat_mul(parameters, 7), step_floats), sizeof(float));
}

uint64_t MemoryEstimate::inference_bytes() const {
    return sat_mul(sat_add(sat_mul(parameters, 2), step_floats / 2), sizeof(float));
}

uint64_t measured_step_floats(int batch, const std::function<uint64_t(int)>& dry_step) {
    if (batch < 1) fail("memory estimate: the batch must be at least 1, got ", batch);
    const ShapesOnly dry;
    const uint64_t one = dry_step(1), two = dry_step(2);
    if (two < one)
        fail("memory estimate: a step at batch 2 holds fewer floats (", two, ") than at batch 1 (", one, ")");
    return sat_add(one, sat_mul(two - one, static_cast<uint64_t>(batch - 1)));
}

namespace {

// What the machine has for this process before any reservation; nullopt when nothing can be read.
std::optional<uint64_t> machine_available() {
    std::optional<uint64_t> avail = meminfo_bytes("MemAvailable");
    if (const std::optional<uint64_t> cg = cgroup_headroom()) avail = avail ? std::min(*avail, *cg) : *cg;
    if (const std::optional<uint64_t> cap = env_limit()) avail = avail ? std::min(*avail, *cap) : *cap;
    return avail;
}

void check_memory(uint64_t bytes, uint64_t own, const std::string& what, const std::string& hint, bool usage) {
    const std::optional<uint64_t> total = machine_available();
    if (!total) return;
    const uint64_t reserved = g_reserved.load();
    const uint64_t others = reserved > own ? reserved - own : 0;  // set aside for something else
    const uint64_t left = *total > others ? *total - others : 0;
    if (bytes <= left) return;
    const std::string has = others == 0 ? str("this machine has ", bytes_text(*total), " available")
                                        : str("only ", bytes_text(left), " of the ", bytes_text(*total),
                                              " this machine has available is left beside the ", bytes_text(others),
                                              " the model will need");
    const std::string msg = str(what, " needs about ", bytes_text(bytes), " of memory, but ", has,
                                hint.empty() ? "" : "; ", hint);
    if (usage) throw UsageError(msg);
    throw Error(msg);
}

}  // namespace

uint64_t available_memory() {
    const std::optional<uint64_t> avail = machine_available();
    if (!avail) return 0;
    const uint64_t reserved = g_reserved.load();
    return *avail > reserved ? *avail - reserved : 1;
}

MemoryReservation::MemoryReservation(uint64_t bytes) : bytes_(bytes) {
    g_reserved += bytes;
    t_reserved += bytes;
}
MemoryReservation::~MemoryReservation() {
    g_reserved -= bytes_;
    t_reserved -= bytes_;
}

std::string bytes_text(uint64_t bytes) {
    const double b = static_cast<double>(bytes);
    if (b >= 1e9) return fixed_text(b / 1e9, 1) + " GB";
    if (b >= 1e6) return fixed_text(b / 1e6, 0) + " MB";
    if (b >= 1e3) return fixed_text(b / 1e3, 0) + " kB";
    return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

void require_memory(uint64_t bytes, const std::string& what, const std::string& hint, bool usage) {
    check_memory(bytes, 0, what, hint, usage);
}

void require_refined_memory(uint64_t bytes, const std::string& what, const std::string& hint, bool usage) {
    check_memory(bytes, t_reserved, what, hint, usage);
}

}  // namespace genlab
