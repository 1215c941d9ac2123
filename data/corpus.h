// Text corpora for the character models: a file or a named corpus (default `words`) read as
// UTF-8 code points (or raw bytes), encoded with a sorted vocabulary into ids, and split
// deterministically into train and validation parts.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "data/vocab.h"

namespace genlab::data {

// lines:  each non-empty line is one sample (a trailing '\r' is dropped); an end-of-sample token
//         (id 0) follows every sample, and generation stops there.
// stream: the file is one continuous text, newlines included; training draws random windows.
enum class CorpusMode { Lines, Stream };
CorpusMode parse_corpus_mode(const std::string& name);  // "lines" / "stream", else UsageError

// The corpora a name stands for: Debian's word list and the two the repository ships under
// data/corpora/ (its README says where they come from). A file of the same name as one of them
// is passed as a path (`./names`).
struct NamedCorpus {
    std::string name;
    std::string path;
    std::string origin;  // how to get the file when it is missing
};
const std::vector<NamedCorpus>& named_corpora();
const NamedCorpus* find_named_corpus(const std::string& name);  // nullptr: not a name
std::string corpus_names();                                     // "words, names, shakespeare", for help and messages

struct CorpusOptions {
    std::string path = "words";           // a text file or a corpus name; "" = words
    CorpusMode mode = CorpusMode::Lines;  // how samples are cut from the file
    bool bytes = false;                   // symbols are raw bytes instead of UTF-8 code points
    // Lines mode picks its validation lines with this seed (selection sampling; both splits keep
    // file order). It is not the training seed, so every run of an ablation is scored on the same
    // validation lines.
    uint64_t split_seed = 42;
    uint64_t max_bytes = uint64_t{1} << 30;  // larger files are refused before reading
};

// Symbol ids: one byte each while the vocabulary has at most 256 entries (nearly every text, so
// the ids of an ASCII corpus take no more memory than its file), two bytes otherwise.
class IdArray {
public:
    IdArray() = default;
    static IdArray narrow(std::string bytes);  // these bytes are the ids
    static IdArray wide();                     // empty, two bytes per id

    size_t size() const { return wide_ ? w_.size() : n_.size(); }
    bool empty() const { return size() == 0; }
    bool is_wide() const { return wide_; }
    uint16_t operator[](size_t i) const { return wide_ ? w_[i] : static_cast<uint8_t>(n_[i]); }
    void push_back(uint16_t id);  // a narrow array holds ids < 256 only (checked)
    void reserve(size_t n);
    std::vector<int> to_vector(size_t begin, size_t end) const;  // ids [begin, end) as ints
    std::vector<int> to_vector() const { return to_vector(0, size()); }
    bool operator==(const IdArray& o) const = default;

private:
    bool wide_ = false;
    std::string n_;            // narrow ids, one byte each
    std::vector<uint16_t> w_;  // wide ids
};

// One split as ids. Stream mode: the text, one sample. Lines mode: the samples back to back, each
// followed by the end token (id 0). Where every 32nd sample starts is kept, and a sample is found
// from there by its end tokens: 4 bytes per 32 lines instead of 4 bytes per line.
struct TextSplit {
    static constexpr size_t kIndexStride = 32;
    IdArray ids;
    std::vector<uint32_t> index;  // start of samples 0, 32, 64, ...
    size_t count = 0;             // samples
    bool lines = false;

    size_t samples() const { return count; }
    // Sample i as ids [first, second): its symbols and, in lines mode, its end token.
    std::pair<size_t, size_t> sample(size_t i) const;
    // Called by the builder as sample `count` begins at id position `at`.
    void start_sample(size_t at) {
        if (count % kIndexStride == 0) index.push_back(static_cast<uint32_t>(at));
        ++count;
    }
};

struct Corpus {
    std::string name;  // the path, for messages
    CorpusMode mode = CorpusMode::Lines;
    Vocab vocab;         // built from the whole file (both splits), as nanoGPT's prepare.py
    TextSplit train;     // stream: the first 90% of symbols; lines: the lines not picked for val
    TextSplit val;       // stream: the last 10%;            lines: the other 10%
    size_t symbols = 0;  // symbols read (lines mode: in kept lines, without newlines or end tokens)
};

// Errors (one line naming the file): missing (naming the package for `words`), a directory,
// too large, empty / no non-empty lines, invalid UTF-8 (with the byte offset; hint --bytes),
// vocabulary over 65,536, a lines corpus with fewer than 2 samples (no validation line).
// Memory: the file is read once and, with at most 256 symbols, encoded in place (an id never
// takes more room than its symbol's bytes), so a corpus costs about its file size.
Corpus load_corpus(const CorpusOptions& opt);
// The same from bytes already in memory (fuzzing, tests); `name` appears in messages. The bytes
// are consumed: they become the ids.
Corpus build_corpus(std::string bytes, const CorpusOptions& opt, const std::string& name);

// For each id sequence (a sample's symbols, without end token): whether it is a sample of
// `split` (makemore's "in the training set" check). One pass over the split, no copy of it.
std::vector<bool> samples_in(const TextSplit& split, const std::vector<std::vector<int>>& seqs);

}  // namespace genlab::data
