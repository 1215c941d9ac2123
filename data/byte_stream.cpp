// Raw input is copied through; gzip input goes through zlib's inflate with gzip-only window bits,
// which checks the header, the CRC-32 and the length trailer of every member. Concatenated gzip
// members are one stream (as gunzip does); anything else after a member is an error, so a file
// can never hold more data than its reader accounts for.
#include "data/byte_stream.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "core/io/input_file.h"

namespace genlab::data {

namespace {
constexpr size_t kChunk = size_t{1} << 18;  // 256 KiB of compressed input per fread
}

struct ByteStream::Impl {
    std::string name;
    std::FILE* file = nullptr;    // null for memory input
    std::vector<uint8_t> buffer;  // file input staging area
    const uint8_t* in = nullptr;  // unread input
    size_t in_left = 0;
    bool input_eof = false;      // no more input beyond [in, in + in_left)
    uint64_t consumed = 0;       // input bytes consumed before `in` (for error offsets)
    uint64_t raw_remaining = 0;  // raw input: bytes left in the whole source
    bool gz = false;
    bool gz_open = false;      // inflateInit2 succeeded (inflateEnd owed)
    bool member_done = false;  // the last gzip member ended cleanly
    bool finished = false;     // all data delivered
    z_stream zs{};

    ~Impl() {
        if (gz_open) inflateEnd(&zs);
        if (file) std::fclose(file);
    }

    void refill() {
        if (input_eof || in_left > 0) return;
        if (!file) {
            input_eof = true;
            return;
        }
        const size_t got = std::fread(buffer.data(), 1, buffer.size(), file);
        if (got < buffer.size()) {
            if (std::ferror(file)) fail(name, ": read error: ", std::strerror(errno));
            input_eof = true;
        }
        in = buffer.data();
        in_left = got;
    }

    void consume(size_t n) {
        in += n;
        in_left -= n;
        consumed += n;
    }

    void start_inflate() {
        zs = z_stream{};
        // 16 + MAX_WBITS: gzip wrapper only, with its CRC-32 and ISIZE checks.
        if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) fail(name, ": zlib inflateInit2 failed (out of memory?)");
        gz_open = true;
    }

    void detect_gzip() {
        refill();
        // Both magic bytes are needed: a raw file may well start with 0x1f.
        if (in_left >= 2 && in[0] == 0x1f && in[1] == 0x8b) {
            gz = true;
            start_inflate();
        }
    }

    size_t read_raw(uint8_t* dst, size_t n) {
        size_t done = 0;
        while (done < n) {
            if (in_left == 0) {
                if (input_eof) break;
                // Large reads skip the staging buffer.
                if (file && n - done >= buffer.size()) {
                    const size_t got = std::fread(dst + done, 1, n - done, file);
                    if (got < n - done) {
                        if (std::ferror(file)) fail(name, ": read error: ", std::strerror(errno));
                        input_eof = true;
                    }
                    done += got;
                    consumed += got;
                    continue;
                }
                refill();
                continue;
            }
            const size_t take = std::min(in_left, n - done);
            std::memcpy(dst + done, in, take);
            consume(take);
            done += take;
        }
        raw_remaining -= std::min<uint64_t>(raw_remaining, done);
        return done;
    }

    size_t read_gz(uint8_t* dst, size_t n) {
        size_t done = 0;
        while (done < n && !finished) {
            refill();
            if (member_done) {
                // Between members: the end of input ends the stream; more bytes must be a new member.
                if (in_left == 0) {
                    finished = true;
                    break;
                }
                if (in[0] != 0x1f)
                    fail(name, ": non-gzip data after the end of the gzip stream at compressed byte ", consumed,
                         " (corrupted or appended file?)");
                if (inflateReset(&zs) != Z_OK) fail(name, ": zlib inflateReset failed");
                member_done = false;
            }
            if (in_left == 0 && input_eof)
                fail(name, ": gzip stream ends early after ", consumed,
                     " compressed bytes (truncated file? re-download or reinstall it)");
            zs.next_in = const_cast<Bytef*>(in);
            zs.avail_in = static_cast<uInt>(std::min<size_t>(in_left, 1u << 30));
            const size_t out_room = std::min<size_t>(n - done, 1u << 30);
            zs.next_out = dst + done;
            zs.avail_out = static_cast<uInt>(out_room);
            const uInt avail_in_before = zs.avail_in;
            const int rc = inflate(&zs, Z_NO_FLUSH);
            const size_t used = avail_in_before - zs.avail_in;
            const size_t produced = out_room - zs.avail_out;
            const uint64_t error_at = consumed + used;
            consume(used);
            done += produced;
            switch (rc) {
                case Z_OK: break;
                case Z_STREAM_END: member_done = true; break;
                case Z_BUF_ERROR:
                    // No progress: either out of input (refilled above, so truly at the end) or out of room.
                    if (in_left == 0 && input_eof)
                        fail(name, ": gzip stream ends early after ", consumed,
                             " compressed bytes (truncated file? re-download or reinstall it)");
                    break;
                case Z_NEED_DICT:
                case Z_DATA_ERROR:
                    fail(name, ": corrupted gzip data near compressed byte ", error_at,
                         " (zlib: ", zs.msg ? zs.msg : "data error", ") - re-download or reinstall the file");
                case Z_MEM_ERROR: fail(name, ": zlib ran out of memory while inflating");
                default: fail(name, ": zlib inflate error ", rc);
            }
        }
        return done;
    }
};

ByteStream::ByteStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ByteStream::ByteStream(ByteStream&&) noexcept = default;
ByteStream& ByteStream::operator=(ByteStream&&) noexcept = default;
ByteStream::~ByteStream() = default;

ByteStream ByteStream::open_file(const std::string& path, const std::string& what, const std::string& hint) {
    InputFile in = open_input_file(path, what, hint);
    auto s = std::make_unique<Impl>();
    s->name = path;
    s->file = in.file.release();
    s->buffer.resize(kChunk);
    s->raw_remaining = in.size;
    s->detect_gzip();
    return ByteStream(std::move(s));
}

ByteStream ByteStream::from_memory(const uint8_t* bytes, size_t n, const std::string& name) {
    auto s = std::make_unique<Impl>();
    s->name = name;
    s->in = bytes;
    s->in_left = n;
    s->input_eof = true;
    s->raw_remaining = n;
    s->detect_gzip();
    return ByteStream(std::move(s));
}

size_t ByteStream::read(uint8_t* dst, size_t n) {
    if (n == 0) return 0;
    return impl_->gz ? impl_->read_gz(dst, n) : impl_->read_raw(dst, n);
}

const std::string& ByteStream::name() const { return impl_->name; }
bool ByteStream::compressed() const { return impl_->gz; }

std::optional<uint64_t> ByteStream::remaining_size() const {
    if (impl_->gz) return std::nullopt;
    return impl_->raw_remaining;
}

}  // namespace genlab::data
