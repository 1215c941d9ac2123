// Two passes over the bytes: the first validates UTF-8, counts the samples and marks which symbols
// occur (the vocabulary); the second encodes. With at most 256 ids (nearly every text) the ids
// overwrite the file's own bytes, so a corpus costs about its file size; with more, they go to
// 16-bit arrays beside it. No code-point copy and no table of lines is ever made.
#include "data/corpus.h"

#include <algorithm>
#include <bit>

#include "core/error.h"
#include "core/io/input_file.h"
#include "core/rng.h"
#include "data/utf8.h"
#include "genlab_build_options.h"

namespace genlab::data {

CorpusMode parse_corpus_mode(const std::string& name) {
    if (name == "lines") return CorpusMode::Lines;
    if (name == "stream") return CorpusMode::Stream;
    usage_fail("--mode '", name, "': expected 'lines' (one sample per line) or 'stream' (continuous text)");
}

namespace {

struct Range {
    uint32_t begin, end;  // byte offsets into the file (< 2^31: checked)
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

IdArray IdArray::narrow(std::string bytes) {
    IdArray a;
    a.n_ = std::move(bytes);
    return a;
}

IdArray IdArray::wide() {
    IdArray a;
    a.wide_ = true;
    return a;
}

void IdArray::push_back(uint16_t id) {
    if (wide_) {
        w_.push_back(id);
        return;
    }
    if (id > 0xFF) fail("IdArray: id ", id, " does not fit a one-byte id array");
    n_.push_back(static_cast<char>(id));
}

void IdArray::reserve(size_t n) { wide_ ? w_.reserve(n) : n_.reserve(n); }

std::vector<int> IdArray::to_vector(size_t begin, size_t end) const {
    std::vector<int> out;
    out.reserve(end - begin);
    for (size_t i = begin; i < end; ++i) out.push_back((*this)[i]);
    return out;
}

std::pair<size_t, size_t> TextSplit::sample(size_t i) const {
    if (!lines) return {0, ids.size()};
    size_t pos = index[i / kIndexStride];
    for (size_t skip = i % kIndexStride; skip > 0; --skip) {  // past whole samples to sample i
        while (ids[pos] != 0) ++pos;
        ++pos;
    }
    size_t end = pos;
    while (ids[end] != 0) ++end;
    return {pos, end + 1};
}

std::vector<bool> samples_in(const TextSplit& split, const std::vector<std::vector<int>>& seqs) {
    std::vector<bool> found(seqs.size(), false);
    std::vector<size_t> lengths;  // a sample's length is checked first: most lines differ there
    for (const std::vector<int>& q : seqs) lengths.push_back(q.size());
    size_t pos = 0;
    for (size_t i = 0; i < split.samples(); ++i) {
        size_t end = pos;
        if (split.lines)
            while (split.ids[end] != 0) ++end;  // [pos, end): the symbols; end: the end token
        else
            end = split.ids.size();
        for (size_t k = 0; k < seqs.size(); ++k) {
            if (found[k] || lengths[k] != end - pos) continue;
            bool same = true;
            for (size_t j = 0; same && j < lengths[k]; ++j) same = split.ids[pos + j] == seqs[k][j];
            found[k] = same;
        }
        pos = end + 1;
    }
    return found;
}

Corpus build_corpus(std::string bytes_in, const CorpusOptions& opt, const std::string& name) {
    const std::string what = "corpus " + name;
    std::string& buf = bytes_in;  // read here, and (narrow ids) overwritten in place by the ids
    const std::string_view bytes(buf);
    if (bytes.empty()) fail(what, " is empty - pass a text file with some content");
    if (bytes.size() >= UINT32_MAX / 2) fail(what, " is ", bytes.size(), " bytes, too large for 32-bit offsets");
    if (!opt.bytes) {
        const size_t bad = utf8_first_invalid(bytes);
        if (bad != std::string_view::npos)
            utf8_throw_invalid(bytes, bad, what, "pass --bytes to read the file as raw bytes");
    }
    const bool lines = opt.mode == CorpusMode::Lines;

    // Calls f(range) for each sample in file order: the whole text, or each non-empty line
    // without its newline (and a CRLF file's '\r').
    auto for_each_sample = [&](auto&& f) {
        if (!lines) {
            f(Range{0, static_cast<uint32_t>(bytes.size())});
            return;
        }
        size_t start = 0;
        while (start < bytes.size()) {
            size_t nl = bytes.find('\n', start);
            if (nl == std::string_view::npos) nl = bytes.size();
            size_t end = nl;
            if (end > start && bytes[end - 1] == '\r') --end;
            if (end > start) f(Range{static_cast<uint32_t>(start), static_cast<uint32_t>(end)});
            start = nl + 1;
        }
    };

    // Pass 1: the samples, and which symbols occur (a bitset over all code points: 136 KB).
    std::vector<uint64_t> seen((opt.bytes ? 0x100 : 0x110000) / 64, 0);
    char32_t max_symbol = 0;
    size_t n_samples = 0;
    Corpus c;
    c.name = name;
    c.mode = opt.mode;
    for_each_sample([&](Range r) {
        ++n_samples;
        for_each_symbol(bytes, r, opt.bytes, [&](char32_t s) {
            seen[s >> 6] |= uint64_t{1} << (s & 63);
            max_symbol = std::max(max_symbol, s);
            ++c.symbols;
        });
    });
    if (lines && n_samples == 0) fail(what, " has no non-empty lines - lines mode needs one sample per line");
    if (lines && n_samples < 2)
        fail(what, " has only 1 non-empty line; lines mode needs at least 2 (10% are held out for validation)",
             " - add lines or use --mode stream");
    std::vector<char32_t> symbols;
    for (size_t w = 0; w < seen.size(); ++w)
        for (uint64_t bits = seen[w]; bits; bits &= bits - 1)
            symbols.push_back(static_cast<char32_t>(w * 64 + static_cast<size_t>(std::countr_zero(bits))));
    if (symbols.size() + (lines ? 1 : 0) > Vocab::kMaxSize)
        fail(what, ": vocabulary of ", symbols.size() + (lines ? 1 : 0), " distinct symbols exceeds the limit of ",
             Vocab::kMaxSize, " - is this really text? (--bytes reads it as at most 256 byte values)");
    c.vocab = Vocab(symbols, opt.bytes, lines);
    std::vector<uint16_t> to_id(static_cast<size_t>(max_symbol) + 1, 0);
    for (size_t i = 0; i < symbols.size(); ++i) to_id[symbols[i]] = static_cast<uint16_t>(i + (lines ? 1 : 0));

    // Pass 2: encode. With at most 256 ids they overwrite the bytes they come from: the write
    // position never passes the read position (a symbol is at least one byte; a line's end token
    // takes its newline's place, and the validation lines, skipped here, leave room for a last
    // line without newline). Otherwise the ids go to arrays of their own.
    const bool narrow = c.vocab.size() <= 0x100;
    c.train.lines = c.val.lines = lines;
    if (!narrow) c.train.ids = c.val.ids = IdArray::wide();
    auto* out = reinterpret_cast<unsigned char*>(buf.data());
    size_t w = 0;  // narrow: ids written in place so far
    auto put = [&](TextSplit& split, bool in_place, uint16_t id) {
        if (in_place)
            out[w++] = static_cast<unsigned char>(id);
        else
            split.ids.push_back(id);
    };

    if (!lines) {
        // nanoGPT: train = data[:int(n * 0.9)], val = the rest, counted in symbols.
        const size_t n_train = c.symbols * 9 / 10;
        c.train.start_sample(0);
        c.val.start_sample(0);
        if (!narrow) {
            c.train.ids.reserve(n_train);
            c.val.ids.reserve(c.symbols - n_train);
        }
        size_t k = 0;
        for_each_symbol(bytes, Range{0, static_cast<uint32_t>(bytes.size())}, opt.bytes,
                        [&](char32_t s) { put(k++ < n_train ? c.train : c.val, narrow, to_id[s]); });
        if (narrow) {
            c.val.ids = IdArray::narrow(buf.substr(n_train, w - n_train));
            buf.resize(n_train);
            c.train.ids = IdArray::narrow(std::move(buf));
        }
        return c;
    }

    // makemore: a random 10% of the lines (fixed split seed) is held out. Chosen by selection
    // sampling (Knuth's algorithm S) in one pass: exactly n_val lines, each subset equally likely,
    // no table of lines; both splits keep file order.
    Rng rng(opt.split_seed);
    const size_t n_val = n_samples - n_samples * 9 / 10;  // >= 1 since there are >= 2 lines
    size_t left = n_samples, val_left = n_val;
    for_each_sample([&](Range r) {
        const bool val = rng.below(left) < val_left;
        --left;
        if (val) --val_left;
        TextSplit& split = val ? c.val : c.train;
        const bool in_place = narrow && !val;
        split.start_sample(in_place ? w : split.ids.size());
        for_each_symbol(bytes, r, opt.bytes, [&](char32_t s) { put(split, in_place, to_id[s]); });
        put(split, in_place, static_cast<uint16_t>(c.vocab.eos_id()));
    });
    if (narrow) {
        buf.resize(w);
        c.train.ids = IdArray::narrow(std::move(buf));
    }
    return c;
}

const std::vector<NamedCorpus>& named_corpora() {
    static const std::vector<NamedCorpus> corpora = {
        {"words", "/usr/share/dict/words", "the Debian package wamerican (apt-get install wamerican)"},
        {"names", GENLAB_CORPORA_DIR "/names.txt", "the repository's data/corpora/"},
        {"shakespeare", GENLAB_CORPORA_DIR "/tinyshakespeare.txt", "the repository's data/corpora/"},
    };
    return corpora;
}

const NamedCorpus* find_named_corpus(const std::string& name) {
    for (const NamedCorpus& c : named_corpora())
        if (c.name == name) return &c;
    return nullptr;
}

std::string corpus_names() {
    std::string names;
    for (const NamedCorpus& c : named_corpora()) names += (names.empty() ? "" : ", ") + c.name;
    return names;
}

Corpus load_corpus(const CorpusOptions& opt) {
    const NamedCorpus* named = find_named_corpus(opt.path.empty() ? "words" : opt.path);
    const std::string path = named ? named->path : opt.path;
    const std::string hint = named ? str("the corpus '", named->name, "' comes from ", named->origin,
                                         "; or pass --corpus FILE")
                                   : str("pass an existing text file to --corpus, or one of ", corpus_names());
    return build_corpus(read_whole_file(path, opt.max_bytes, "corpus", hint), opt, path);
}

}  // namespace genlab::data
