// Two passes over the bytes: the first validates UTF-8 and marks which symbols occur (the
// vocabulary), the second encodes straight into 16-bit ids. No code-point copy of the file is
// ever held, so a 1 GiB corpus needs about 2 GiB of ids, not 4 GiB of char32_t first.
#include "data/corpus.h"

#include <algorithm>
#include <bit>

#include "core/error.h"
#include "core/rng.h"
#include "data/input_file.h"
#include "data/utf8.h"

namespace genlab::data {

CorpusMode parse_corpus_mode(const std::string& name) {
    if (name == "lines") return CorpusMode::Lines;
    if (name == "stream") return CorpusMode::Stream;
    usage_fail("--mode '", name, "': expected 'lines' (one sample per line) or 'stream' (continuous text)");
}

namespace {

struct Range {
    uint32_t begin, end;  // byte offsets into the file (< 2^31: checked); 8 bytes per line
};

// Calls f(symbol) for every symbol of bytes[r.begin, r.end); the range is already validated.
template <class F>
void for_each_symbol(std::string_view bytes, Range r, bool raw, F&& f) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    size_t i = r.begin;
    while (i < r.end) {
        if (raw || p[i] < 0x80) {
            f(static_cast<char32_t>(p[i++]));
            continue;
        }
        char32_t cp = 0;
        const int len = utf8_decode_one(p + i, r.end - i, cp);
        i += static_cast<size_t>(len > 0 ? len : 1);  // len > 0 always: validated beforehand
        f(cp);
    }
}

}  // namespace

Corpus build_corpus(std::string_view bytes, const CorpusOptions& opt, const std::string& name) {
    const std::string what = "corpus " + name;
    if (bytes.empty()) fail(what, " is empty - pass a text file with some content");
    if (bytes.size() >= UINT32_MAX / 2) fail(what, " is ", bytes.size(), " bytes, too large for 32-bit offsets");
    if (!opt.bytes) {
        const size_t bad = utf8_first_invalid(bytes);
        if (bad != std::string_view::npos)
            utf8_throw_invalid(bytes, bad, what, "pass --bytes to read the file as raw bytes");
    }

    // Samples as byte ranges, in file order.
    std::vector<Range> samples;
    if (opt.mode == CorpusMode::Stream) {
        samples.push_back({0, static_cast<uint32_t>(bytes.size())});
    } else {
        size_t lines = 0;  // an upper bound of the samples, so the table is allocated once
        for (size_t i = bytes.find('\n'); i != std::string_view::npos; i = bytes.find('\n', i + 1)) ++lines;
        samples.reserve(lines + 1);
        size_t start = 0;
        while (start < bytes.size()) {
            size_t nl = bytes.find('\n', start);
            if (nl == std::string_view::npos) nl = bytes.size();
            size_t end = nl;
            if (end > start && bytes[end - 1] == '\r') --end;  // CRLF files
            if (end > start) samples.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(end)});
            start = nl + 1;
        }
        if (samples.empty()) fail(what, " has no non-empty lines - lines mode needs one sample per line");
        if (samples.size() < 2)
            fail(what, " has only 1 non-empty line; lines mode needs at least 2 (10% are held out for validation)",
                 " - add lines or use --mode stream");
    }

    // Pass 1: which symbols occur (a bitset over all code points: 136 KB).
    std::vector<uint64_t> seen((opt.bytes ? 0x100 : 0x110000) / 64, 0);
    char32_t max_symbol = 0;
    Corpus c;
    c.name = name;
    c.mode = opt.mode;
    for (const Range& r : samples)
        for_each_symbol(bytes, r, opt.bytes, [&](char32_t s) {
            seen[s >> 6] |= uint64_t{1} << (s & 63);
            max_symbol = std::max(max_symbol, s);
            ++c.symbols;
        });
    std::vector<char32_t> symbols;
    for (size_t w = 0; w < seen.size(); ++w)
        for (uint64_t bits = seen[w]; bits; bits &= bits - 1)
            symbols.push_back(static_cast<char32_t>(w * 64 + static_cast<size_t>(std::countr_zero(bits))));
    const bool eos = opt.mode == CorpusMode::Lines;
    if (symbols.size() + (eos ? 1 : 0) > Vocab::kMaxSize)
        fail(what, ": vocabulary of ", symbols.size() + (eos ? 1 : 0), " distinct symbols exceeds the limit of ",
             Vocab::kMaxSize, " - is this really text? (--bytes reads it as at most 256 byte values)");
    c.vocab = Vocab(symbols, opt.bytes, eos);

    // Symbol -> id table for pass 2, only as large as the largest symbol.
    std::vector<uint16_t> to_id(static_cast<size_t>(max_symbol) + 1, 0);
    for (size_t i = 0; i < symbols.size(); ++i) to_id[symbols[i]] = static_cast<uint16_t>(i + (eos ? 1 : 0));

    // Each split's ids are counted first and allocated once, at their exact size.
    auto count_ids = [&](const Range* first, size_t count) {
        size_t n = 0;
        for (size_t i = 0; i < count; ++i) for_each_symbol(bytes, first[i], opt.bytes, [&](char32_t) { ++n; });
        return n + (eos ? count : 0);
    };
    auto encode_into = [&](TextSplit& split, const Range* first, size_t count) {
        split.ids.reserve(count_ids(first, count));
        split.starts.reserve(count + 1);
        for (size_t i = 0; i < count; ++i) {
            split.starts.push_back(static_cast<uint32_t>(split.ids.size()));
            for_each_symbol(bytes, first[i], opt.bytes, [&](char32_t s) { split.ids.push_back(to_id[s]); });
            if (eos) split.ids.push_back(static_cast<uint16_t>(c.vocab.eos_id()));
        }
        split.starts.push_back(static_cast<uint32_t>(split.ids.size()));
    };

    if (opt.mode == CorpusMode::Stream) {
        // nanoGPT: train = data[:int(n * 0.9)], val = the rest, counted in symbols. Each split is
        // encoded straight from the bytes: no copy of the whole text as ids is made first.
        const size_t n_train = c.symbols * 9 / 10;
        c.train.ids.reserve(n_train);
        c.val.ids.reserve(c.symbols - n_train);
        for_each_symbol(bytes, samples[0], opt.bytes, [&](char32_t s) {
            (c.train.ids.size() < n_train ? c.train.ids : c.val.ids).push_back(to_id[s]);
        });
        c.train.starts = {0, static_cast<uint32_t>(c.train.ids.size())};
        c.val.starts = {0, static_cast<uint32_t>(c.val.ids.size())};
    } else {
        // makemore: a seeded permutation of the lines, then train / validation.
        Rng rng(opt.split_seed);
        for (size_t i = samples.size(); i > 1; --i) std::swap(samples[i - 1], samples[rng.below(i)]);
        const size_t n_train = samples.size() * 9 / 10;  // >= 1 since there are >= 2 lines
        encode_into(c.train, samples.data(), n_train);
        encode_into(c.val, samples.data() + n_train, samples.size() - n_train);
    }
    return c;
}

Corpus load_corpus(const CorpusOptions& opt) {
    const bool words = opt.path.empty() || opt.path == "words";
    const std::string path = words ? kWordsPath : opt.path;
    const std::string hint = words ? str("the default corpus 'words' comes from the Debian package ", kWordsPackage,
                                         " (apt-get install ", kWordsPackage, "), or pass --corpus FILE")
                                   : "pass an existing text file to --corpus";
    const std::string bytes = read_whole_file(path, opt.max_bytes, "corpus", hint);
    return build_corpus(bytes, opt, path);
}

}  // namespace genlab::data
