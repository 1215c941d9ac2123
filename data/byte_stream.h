// A forward-only byte source over a file or a memory buffer that inflates gzip transparently.
// Compression is decided by content (the 1f 8b gzip magic), never by the file name.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace genlab::data {

class ByteStream {
public:
    // `what` names the role in messages ("IDX images file"); Error if missing, a directory, unreadable.
    static ByteStream open_file(const std::string& path, const std::string& what, const std::string& hint = "");
    // A view of `bytes`, which must outlive the stream (fuzz targets and tests read from memory).
    static ByteStream from_memory(const uint8_t* bytes, size_t n, const std::string& name);

    ByteStream(ByteStream&&) noexcept;
    ByteStream& operator=(ByteStream&&) noexcept;
    ~ByteStream();

    // Up to n bytes of (decompressed) data; fewer only at the end. A gzip stream that is corrupt,
    // cut short, fails its CRC or is followed by non-gzip bytes throws Error naming the source.
    size_t read(uint8_t* dst, size_t n);

    const std::string& name() const;
    bool compressed() const;
    // Exact remaining data size for raw input (so readers can check sizes before allocating);
    // nullopt for gzip, whose decompressed size is only known by inflating.
    std::optional<uint64_t> remaining_size() const;

private:
    struct Impl;
    explicit ByteStream(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;  // on the heap: zlib's state points back at its z_stream
};

}  // namespace genlab::data
