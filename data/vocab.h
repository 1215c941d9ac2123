// Character vocabulary of a text corpus: its distinct symbols (Unicode code points, or bytes
// with --bytes) in sorted order, plus in lines mode an end-of-sample token at id 0. Serialises
// to a string stored in checkpoint metadata, so sampling needs no corpus.
#pragma once
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace genlab::data {

class Vocab {
public:
    static constexpr size_t kMaxSize = 65536;  // ids are stored as uint16

    Vocab() = default;
    // `symbols` strictly increasing; code points (no surrogates, <= U+10FFFF) or bytes (<= 0xFF).
    // Error when invalid or when the vocabulary (symbols + end token) exceeds kMaxSize.
    Vocab(std::vector<char32_t> symbols, bool bytes, bool eos);

    int size() const { return static_cast<int>(symbols_.size()) + (eos_ ? 1 : 0); }  // V
    bool bytes() const { return bytes_; }
    bool has_eos() const { return eos_; }
    int eos_id() const { return eos_ ? 0 : -1; }  // also the start/padding token of lines mode
    const std::vector<char32_t>& symbols() const { return symbols_; }

    int id(char32_t symbol) const;  // -1 when not in the vocabulary
    char32_t symbol(int id) const;  // Error for eos_id() and out-of-range ids

    // Distinct symbols of `text` (UTF-8, or raw bytes in bytes mode) absent from the vocabulary,
    // in order of first appearance. Error on invalid UTF-8, naming `what` and the byte offset.
    std::vector<char32_t> unseen(std::string_view text, const std::string& what) const;
    // Ids of `text`; Error listing every unseen character (e.g. of a prompt) and the known count.
    std::vector<int> encode(std::string_view text, const std::string& what) const;
    // Text of `ids`: UTF-8 (or raw bytes), the end token contributing nothing. Error on a bad id.
    std::string decode(std::span<const int> ids) const;
    void append(std::string& out, int id) const;  // one token, for streaming output

    // {"format":"genlab-vocab","version":1,"encoding":"utf-8"|"bytes","eos":bool,"symbols":[...]}
    std::string to_string() const;
    // Inverse of to_string(); every field is validated, errors name `what` (e.g. the checkpoint).
    static Vocab from_string(const std::string& text, const std::string& what);

    bool operator==(const Vocab& o) const = default;

private:
    std::vector<char32_t> symbols_;
    bool bytes_ = false;
    bool eos_ = false;
};

}  // namespace genlab::data
