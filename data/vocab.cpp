// Lines mode puts the end token first (id 0) as makemore does: it doubles as the start-of-sample
// padding of contexts, and the symbol ids stay in sorted order after it.
#include "data/vocab.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/io/json_text.h"
#include "data/utf8.h"

namespace genlab::data {

Vocab::Vocab(std::vector<char32_t> symbols, bool bytes, bool eos)
    : symbols_(std::move(symbols)), bytes_(bytes), eos_(eos) {
    if (symbols_.size() + (eos ? 1 : 0) > kMaxSize)
        fail("vocabulary of ", symbols_.size() + (eos ? 1 : 0), " symbols exceeds the limit of ", kMaxSize,
             " - is this really text? (--bytes reads it as at most 256 byte values)");
    for (size_t i = 0; i < symbols_.size(); ++i) {
        const char32_t c = symbols_[i];
        if (i > 0 && c <= symbols_[i - 1]) fail("vocabulary: symbols must be strictly increasing (at index ", i, ")");
        if (bytes ? c > 0xFF : (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)))
            fail("vocabulary: ", static_cast<uint32_t>(c), " is not a valid ", bytes ? "byte" : "Unicode scalar value");
    }
}

int Vocab::id(char32_t symbol) const {
    auto it = std::lower_bound(symbols_.begin(), symbols_.end(), symbol);
    if (it == symbols_.end() || *it != symbol) return -1;
    return static_cast<int>(it - symbols_.begin()) + (eos_ ? 1 : 0);
}

char32_t Vocab::symbol(int id) const {
    const int i = id - (eos_ ? 1 : 0);
    if (id < 0 || id >= size() || i < 0)
        fail("vocabulary: id ", id, id == eos_id() ? " is the end-of-sample token" : " is out of range", " (size ",
             size(), ")");
    return symbols_[static_cast<size_t>(i)];
}

std::vector<char32_t> Vocab::unseen(std::string_view text, const std::string& what) const {
    std::vector<char32_t> cps;
    if (bytes_)
        for (char c : text) cps.push_back(static_cast<unsigned char>(c));
    else
        cps = utf8_decode(text, what, "pass valid UTF-8 text");
    std::vector<char32_t> out;
    for (char32_t c : cps)
        if (id(c) < 0 && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    return out;
}

std::vector<int> Vocab::encode(std::string_view text, const std::string& what) const {
    const std::vector<char32_t> missing = unseen(text, what);
    if (!missing.empty()) {
        std::string list;
        for (size_t i = 0; i < missing.size() && i < 10; ++i) {
            if (i) list += ", ";
            list += describe_char(missing[i], bytes_);
        }
        if (missing.size() > 10) list += str(" and ", missing.size() - 10, " more");
        fail(what, " uses ", missing.size(), " character", missing.size() == 1 ? "" : "s",
             " unseen at training time: ", list, " - the model knows only the ", symbols_.size(),
             " symbols of its training corpus");
    }
    std::vector<int> ids;
    if (bytes_) {
        for (char c : text) ids.push_back(id(static_cast<unsigned char>(c)));
    } else {
        for (char32_t c : utf8_decode(text, what)) ids.push_back(id(c));
    }
    return ids;
}

void Vocab::append(std::string& out, int id) const {
    if (id == eos_id()) return;
    const char32_t c = symbol(id);
    if (bytes_)
        out += static_cast<char>(static_cast<unsigned char>(c));
    else
        utf8_append(out, c);
}

std::string Vocab::decode(std::span<const int> ids) const {
    std::string out;
    for (int i : ids) append(out, i);
    return out;
}

std::string Vocab::to_string() const {
    nlohmann::json j;
    j["format"] = "genlab-vocab";
    j["version"] = 1;
    j["encoding"] = bytes_ ? "bytes" : "utf-8";
    j["eos"] = eos_;
    std::vector<uint32_t> codes(symbols_.begin(), symbols_.end());
    j["symbols"] = codes;
    return json_text(j);
}

static Vocab parse_vocab(const std::string& text, const std::string& what) {
    const std::string where = what + ": vocabulary";
    nlohmann::json j = parse_json(text);
    if (j.is_discarded() || !j.is_object()) fail(where, " is not a JSON object (corrupt checkpoint metadata?)");
    auto field = [&](const char* key) -> const nlohmann::json& {
        auto it = j.find(key);
        if (it == j.end()) fail(where, " has no '", key, "' field (written by another program?)");
        return *it;
    };
    if (field("format") != "genlab-vocab") fail(where, ": 'format' is not \"genlab-vocab\"");
    if (field("version") != 1)
        fail(where, ": unsupported version ", json_excerpt(field("version")), " (this build reads 1)");
    const nlohmann::json& enc = field("encoding");
    if (enc != "utf-8" && enc != "bytes")
        fail(where, ": 'encoding' must be \"utf-8\" or \"bytes\", got ", json_excerpt(enc));
    const nlohmann::json& eos = field("eos");
    if (!eos.is_boolean()) fail(where, ": 'eos' must be true or false");
    const nlohmann::json& syms = field("symbols");
    if (!syms.is_array()) fail(where, ": 'symbols' must be an array of code points");
    if (syms.size() > Vocab::kMaxSize) fail(where, ": ", syms.size(), " symbols exceed the limit of ", Vocab::kMaxSize);
    std::vector<char32_t> symbols;
    symbols.reserve(syms.size());
    for (const nlohmann::json& s : syms) {
        if (!s.is_number_unsigned() || s.get<uint64_t>() > 0x10FFFF)
            fail(where, ": symbol ", json_excerpt(s), " is not a code point");
        symbols.push_back(static_cast<char32_t>(s.get<uint64_t>()));
    }
    try {
        return Vocab(std::move(symbols), enc == "bytes", eos.get<bool>());
    } catch (const Error& e) {
        fail(what, ": ", e.what());
    }
}

Vocab Vocab::from_string(const std::string& text, const std::string& what) {
    try {
        return parse_vocab(text, what);
    } catch (const nlohmann::json::exception& e) {  // a type mismatch deep in a hostile document
        fail(what, ": vocabulary metadata is malformed (", e.what(), ")");
    }
}

}  // namespace genlab::data
