// Text corpora for the character models: a file (default `words`, /usr/share/dict/words) read as
// UTF-8 code points (or raw bytes), encoded with a sorted vocabulary into ids, and split
// deterministically into train and validation parts.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/vocab.h"

namespace genlab::data {

// lines:  each non-empty line is one sample (a trailing '\r' is dropped); an end-of-sample token
//         (id 0) follows every sample, and generation stops there.
// stream: the file is one continuous text, newlines included; training draws random windows.
enum class CorpusMode { Lines, Stream };
CorpusMode parse_corpus_mode(const std::string& name);  // "lines" / "stream", else UsageError

inline constexpr const char* kWordsPath = "/usr/share/dict/words";  // Debian's wamerican
inline constexpr const char* kWordsPackage = "wamerican";

struct CorpusOptions {
    std::string path = "words";            // a text file; "words" or "" = kWordsPath
    CorpusMode mode = CorpusMode::Lines;   // how samples are cut from the file
    bool bytes = false;                    // symbols are raw bytes instead of UTF-8 code points
    // Lines mode shuffles lines with this seed before the 90/10 split. It is not the training seed,
    // so every run of an ablation is scored on the same validation lines.
    uint64_t split_seed = 42;
    uint64_t max_bytes = uint64_t{1} << 30;  // larger files are refused before reading
};

// One split as ids. Stream mode: the text, starts = {0, ids.size()}. Lines mode: the samples
// back to back, each followed by the end token; sample i is ids[starts[i], starts[i + 1]).
struct TextSplit {
    std::vector<uint16_t> ids;
    std::vector<uint32_t> starts;
    size_t samples() const { return starts.empty() ? 0 : starts.size() - 1; }
};

struct Corpus {
    std::string name;  // the path, for messages
    CorpusMode mode = CorpusMode::Lines;
    Vocab vocab;       // built from the whole file (both splits), as nanoGPT's prepare.py
    TextSplit train;   // stream: the first 90% of symbols; lines: 90% of the shuffled lines
    TextSplit val;     // stream: the last 10%;            lines: the other 10%
    size_t symbols = 0;  // symbols read (lines mode: in kept lines, without newlines or end tokens)
};

// Errors (one line naming the file): missing (naming the package for `words`), a directory,
// too large, empty / no non-empty lines, invalid UTF-8 (with the byte offset; hint --bytes),
// vocabulary over 65,536, a lines corpus with fewer than 2 samples (no validation line).
Corpus load_corpus(const CorpusOptions& opt);
// The same from bytes already in memory (fuzzing, tests); `name` appears in messages.
Corpus build_corpus(std::string_view bytes, const CorpusOptions& opt, const std::string& name);

}  // namespace genlab::data
