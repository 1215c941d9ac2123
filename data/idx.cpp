// Raw files are checked against their exact size before any allocation. gzip sizes are unknown
// until inflated, so the payload buffer grows only as real data arrives (never past the
// header-validated size): a tiny file whose header claims gigabytes costs nothing.
#include "data/idx.h"

#include <algorithm>

#include "core/error.h"
#include "core/memory.h"

namespace genlab::data {

namespace {

uint32_t be32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

const char* kind_of(int rank) { return rank == 3 ? "images" : rank == 1 ? "labels" : "arrays"; }

std::string dims_text(const std::vector<uint32_t>& dims) {
    std::string s;
    for (size_t i = 0; i < dims.size(); ++i) {
        if (i) s += 'x';
        s += std::to_string(dims[i]);
    }
    return s;
}

void read_exact(ByteStream& in, uint8_t* dst, size_t n, const char* what) {
    const size_t got = in.read(dst, n);
    if (got != n)
        fail(in.name(), ": file ends inside the IDX ", what, " (", got, " of ", n,
             " bytes) - truncated or not an IDX file");
}

}  // namespace

IdxArray read_idx(ByteStream& in, int rank, uint64_t max_items) {
    if (rank != 1 && rank != 3) fail("read_idx: rank must be 1 (labels) or 3 (images), got ", rank);
    const std::string& name = in.name();
    const uint32_t want_magic = 0x00000800u | static_cast<uint32_t>(rank);

    uint8_t head[4];
    read_exact(in, head, 4, "magic number");
    const uint32_t magic = be32(head);
    if (magic != want_magic) {
        std::string hint = "not an IDX file?";
        if (magic == 0x00000801u && rank == 3) hint = "this is a labels file: pass the *-images-idx3-ubyte file";
        if (magic == 0x00000803u && rank == 1) hint = "this is an images file: pass the *-labels-idx1-ubyte file";
        if ((magic >> 16) == 0 && head[2] != 0x08 && head[3] == rank)
            hint = "IDX data type 0x" + hex32(head[2]).substr(8) +
                   " is not unsigned bytes (0x08), the only type genlab reads";
        fail(name, ": expected IDX magic ", hex32(want_magic), " (", kind_of(rank), ", ", rank, " dims), got ",
             hex32(magic), " (", hint, ")");
    }

    uint8_t dim_bytes[12];
    read_exact(in, dim_bytes, 4 * static_cast<size_t>(rank), "dimensions");
    IdxArray out;
    for (int i = 0; i < rank; ++i) out.dims.push_back(be32(dim_bytes + 4 * i));
    for (int i = 0; i < rank; ++i)
        if (out.dims[i] == 0)
            fail(name, ": IDX header has a zero dimension (", dims_text(out.dims), ") - empty or corrupt file");
    if (out.dims[0] > kIdxMaxCount)
        fail(name, ": IDX header claims ", out.dims[0], " ", kind_of(rank), ", more than the limit of ", kIdxMaxCount,
             " - corrupt or hostile header");
    for (int i = 1; i < rank; ++i)
        if (out.dims[i] > kIdxMaxSide)
            fail(name, ": IDX header claims images of ", out.dims[1], "x", out.dims[2], ", larger than the limit of ",
                 kIdxMaxSide, "x", kIdxMaxSide, " - corrupt or hostile header");
    uint64_t payload = 1;
    for (uint32_t d : out.dims) payload *= d;  // <= 1e7 * 4096^2 < 2^64
    if (payload > kIdxMaxBytes)
        fail(name, ": IDX header describes ", dims_text(out.dims), " = ", payload, " bytes, more than the limit of ",
             kIdxMaxBytes, " - corrupt header, or a dataset too large for genlab");

    // Only what is asked for is held, and it is counted against the memory before it exists.
    out.items = max_items > 0 ? std::min<uint64_t>(max_items, out.dims[0]) : out.dims[0];
    const uint64_t wanted = payload / out.dims[0] * out.items;
    require_memory(wanted,
                   out.items == out.dims[0]
                       ? str(name, ": the ", dims_text(out.dims), " ", kind_of(rank), " its header describes")
                       : str(name, ": the first ", out.items, " of the ", dims_text(out.dims), " ", kind_of(rank),
                             " its header describes"),
                   "use a smaller dataset (or a smaller limit on the images read), or a machine with more memory",
                   false);

    if (std::optional<uint64_t> left = in.remaining_size()) {
        if (*left < payload)
            fail(name, ": truncated: the header describes ", dims_text(out.dims), " = ", payload,
                 " bytes of data but the file holds only ", *left, " - re-download or reinstall it");
        if (*left > payload)
            fail(name, ": ", *left - payload, " bytes after the ", payload, " bytes of data the header describes (",
                 dims_text(out.dims), ") - corrupt file or wrong header");
        out.data.resize(wanted);
        read_exact(in, out.data.data(), wanted, "data");
        return out;
    }

    // gzip: grow geometrically with the data actually inflated, capped at the validated size, and
    // stop inflating once the items asked for are in.
    size_t have = 0;
    while (have < wanted) {
        if (have == out.data.size()) {
            const size_t next = std::min<uint64_t>(wanted, std::max<size_t>(size_t{1} << 20, 2 * out.data.size()));
            out.data.reserve(next);  // exact: resize() alone may round the capacity up past the payload
            out.data.resize(next);
        }
        const size_t got = in.read(out.data.data() + have, out.data.size() - have);
        have += got;
        if (got == 0) break;
    }
    if (have < wanted)
        fail(name, ": truncated: the header describes ", dims_text(out.dims), " = ", payload,
             " bytes of data but the gzip stream holds only ", have, " - re-download or reinstall it");
    if (wanted < payload) return out;  // the rest is neither inflated nor checked
    uint8_t extra;
    if (in.read(&extra, 1) != 0)
        fail(name, ": the gzip stream holds more than the ", payload, " bytes of data the header describes (",
             dims_text(out.dims), ") - corrupt file or wrong header");
    return out;
}

IdxArray read_idx(const std::string& path, int rank, uint64_t max_items) {
    const std::string what = rank == 1 ? "IDX labels file" : "IDX images file";
    ByteStream in = ByteStream::open_file(path, what);
    return read_idx(in, rank, max_items);
}

}  // namespace genlab::data
