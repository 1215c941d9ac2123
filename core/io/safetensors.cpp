// safetensors reader/writer. The writer lays the file out as the reference implementation does
// (compact JSON, "__metadata__" first, header padded with spaces to a multiple of 8, data packed
// in order); the reader trusts nothing in the file until every size and offset has been checked,
// so a corrupted or hostile checkpoint gives one Error instead of a crash or a huge allocation.
#include "core/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/input_file.h"
#include "core/io/json_text.h"

namespace genlab {

// Tensor bytes go to and from the file as they lie in memory.
static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; genlab assumes an LE host");

namespace {

constexpr uint64_t kMaxHeaderBytes = 100u * 1000u * 1000u;  // the reference reader's limit
constexpr int kMaxHeaderDepth = 8;
constexpr size_t kMaxTensors = 1u << 14;  // far more than any genlab model and its optimizer hold (hundreds)
const char* const kMetadataKey = "__metadata__";

}  // namespace

void save_safetensors(const std::string& path, const StateDict& sd) {
    // Validate and build the whole header before the temp file exists: a bad dict never touches disk.
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!sd.metadata.empty()) {
        nlohmann::ordered_json meta = nlohmann::ordered_json::object();
        for (const auto& [k, v] : sd.metadata) meta[k] = v;
        header[kMetadataKey] = std::move(meta);
    }
    std::set<std::string> seen;
    uint64_t offset = 0;
    for (const auto& [name, t] : sd.tensors) {
        if (name.empty()) fail(path, ": cannot save a tensor with an empty name");
        if (name == kMetadataKey) fail(path, ": '", name, "' is reserved for metadata and cannot name a tensor");
        if (!seen.insert(name).second)
            fail(path, ": tensor '", name, "' appears twice in the state (two states saved under the same prefix?)");
        if (t.numel() > 0 && t.data() == nullptr) fail(path, ": tensor '", name, "' has no data");
        uint64_t bytes = static_cast<uint64_t>(t.numel()) * sizeof(float);
        header[name] = {{"dtype", "F32"}, {"shape", t.shape().to_vector()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text;
    try {
        text = json_text(header);
    } catch (const nlohmann::json::exception& e) {
        fail(path, ": cannot encode the header (a name or metadata value is not valid UTF-8?): ", e.what());
    }
    // The reference writer pads with spaces so the data section starts 8-byte aligned.
    text.append((8 - text.size() % 8) % 8, ' ');

    uint64_t n = text.size();
    unsigned char len_le[8];
    for (int i = 0; i < 8; ++i) len_le[i] = static_cast<unsigned char>(n >> (8 * i));

    AtomicFile file(path);
    file.write(len_le, sizeof len_le);
    file.write(text);
    for (const auto& [name, t] : sd.tensors) file.write(t.data(), t.numel() * sizeof(float));
    file.commit();
}

namespace {

// The header's key order is recorded while it is parsed (load_safetensors), so tensors that share
// an offset (empty ones) come back in the order they were written.
using Json = nlohmann::json;

struct Entry {
    std::string name;
    Shape shape;
    uint64_t begin = 0, end = 0;
};

Entry parse_entry(const std::string& path, const std::string& key, const Json& v, uint64_t data_size) {
    auto bad = [&](const auto&... args) { damaged_fail(path, ": tensor '", key.substr(0, 80), "': ", args...); };
    if (!v.is_object()) bad("expected an object {dtype, shape, data_offsets}, got ", v.type_name());
    auto dtype = v.find("dtype");
    auto shape = v.find("shape");
    auto offsets = v.find("data_offsets");
    if (dtype == v.end() || !dtype->is_string()) bad("missing or non-string \"dtype\"");
    if (*dtype != "F32")  // a foreign file, not a damaged one
        fail(path, ": tensor '", key.substr(0, 80), "': dtype ", dtype->get<std::string>(),
             " is not supported (genlab reads F32 only; convert with tensor.float())");
    if (shape == v.end() || !shape->is_array()) bad("missing or non-array \"shape\"");
    if (shape->size() > static_cast<size_t>(Shape::kMaxRank))
        bad("rank ", shape->size(), " exceeds the maximum of ", Shape::kMaxRank);
    if (offsets == v.end() || !offsets->is_array() || offsets->size() != 2)
        bad("\"data_offsets\" must be an array [begin, end]");
    for (const Json& o : *offsets)
        if (!o.is_number_unsigned()) bad("data_offsets ", json_excerpt(*offsets), " must be non-negative integers");

    Entry e;
    e.name = key;
    e.begin = (*offsets)[0].get<uint64_t>();
    e.end = (*offsets)[1].get<uint64_t>();
    // numel is built with an overflow guard: a wrapped product could pass for a plausible size.
    std::vector<int> dims;
    uint64_t numel = 1;
    bool overflow = false, has_zero = false;
    for (const Json& d : *shape) {
        if (!d.is_number_integer()) bad("shape ", json_excerpt(*shape), " holds a non-integer");
        if (!d.is_number_unsigned()) bad("shape ", json_excerpt(*shape), " has a negative dimension");
        uint64_t u = d.get<uint64_t>();
        if (u > static_cast<uint64_t>(INT_MAX))
            bad("dimension ", u, " in shape ", json_excerpt(*shape), " is too large");
        dims.push_back(static_cast<int>(u));
        has_zero |= u == 0;
        overflow |= __builtin_mul_overflow(numel, u, &numel);
    }
    uint64_t bytes = 0;
    overflow |= __builtin_mul_overflow(numel, uint64_t{sizeof(float)}, &bytes);
    if (has_zero) {  // a zero dim makes the tensor empty whatever the other dims
        overflow = false;
        bytes = 0;
    }
    e.shape = Shape::from(dims);
    if (e.end < e.begin) bad("data_offsets [", e.begin, ", ", e.end, "] end before begin");
    if (e.end > data_size)
        bad("data_offsets [", e.begin, ", ", e.end, "] reach past the data section (", data_size,
            " bytes) - truncated file?");
    if (overflow || bytes != e.end - e.begin)
        bad("shape ", e.shape.str(), " needs ", overflow ? std::string("over 2^64") : std::to_string(bytes),
            " bytes but data_offsets [", e.begin, ", ", e.end, "] hold ", e.end - e.begin);
    return e;
}

// A SAX handler that records the keys of the top-level object in order (up to kMaxTensors + 1 of
// them: more is an error anyway) and the first key that appears twice.
struct TopLevelKeys : nlohmann::json_sax<nlohmann::json> {
    int depth = 0;
    std::vector<std::string> order;
    std::set<std::string> seen;
    std::string duplicate;

    bool key(string_t& k) override {
        if (depth != 1) return true;
        if (!seen.insert(k).second) {
            if (duplicate.empty()) duplicate = k;
        } else if (order.size() <= kMaxTensors) {
            order.push_back(k);
        }
        return true;
    }
    bool start_object(std::size_t) override { return ++depth, true; }
    bool end_object() override { return --depth, true; }
    bool start_array(std::size_t) override { return ++depth, true; }
    bool end_array() override { return --depth, true; }
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }
};

}  // namespace

StateDict load_safetensors(const std::string& path) {
    std::error_code ec;
    std::filesystem::file_status st = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(st)) fail(path, ": no such checkpoint file (check the path / --resume flag)");
    if (std::filesystem::is_directory(st))
        fail(path, ": is a folder, expected a .safetensors file (did you mean ", path, "/checkpoint.safetensors?)");
    if (!std::filesystem::is_regular_file(st)) fail(path, ": not a regular file, expected a .safetensors file");

    InputFile in = open_input_file(path, "checkpoint");  // a FIFO or device put there since: refused, never waited on
    const FilePtr f = std::move(in.file);
    const uint64_t file_size = in.size;
    if (file_size < 8)
        damaged_fail(path, ": file is ", file_size,
                     " bytes, too short for the 8-byte header length (truncated or not safetensors)");

    unsigned char len_le[8];
    if (std::fread(len_le, 1, 8, f.get()) != 8) fail(path, ": cannot read the header length");
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(len_le[i]) << (8 * i);
    if (n > file_size - 8)
        damaged_fail(path, ": header length ", n, " runs past the end of the file (", file_size,
                     " bytes) - truncated or not a safetensors file");
    if (n > kMaxHeaderBytes) damaged_fail(path, ": header length ", n, " exceeds the 100 MB limit (corrupted file?)");
    const uint64_t data_size = file_size - 8 - n;

    std::string text(n, '\0');
    if (n > 0 && std::fread(text.data(), 1, n, f.get()) != n) fail(path, ": cannot read the ", n, "-byte header");

    // A header is {name: {dtype, shape: [..], data_offsets: [..]}}: 3 levels deep. Anything much
    // deeper is not a checkpoint, and must not reach code that recurses over it.
    if (json_depth(text) > kMaxHeaderDepth)
        damaged_fail(path, ": header nests deeper than ", kMaxHeaderDepth,
                     " levels (corrupted or not a safetensors file)");

    // The top-level keys in file order, and the first duplicate, from a SAX pass over the text;
    // then the header parsed into a sorted map. Both are n log n at worst: an insertion-ordered map
    // or nlohmann's callback parser would make a header with many entries load in n^2.
    TopLevelKeys keys;
    if (!nlohmann::json::sax_parse(text, &keys)) damaged_fail(path, ": header is not valid JSON (corrupted file?)");
    const std::string& duplicate = keys.duplicate;
    const std::vector<std::string>& order = keys.order;
    const nlohmann::json header = parse_json(text);
    if (header.is_discarded()) damaged_fail(path, ": header is not valid JSON (corrupted file?)");
    if (!header.is_object()) damaged_fail(path, ": header must be a JSON object, got ", header.type_name());
    if (!duplicate.empty())
        damaged_fail(path, ": key '", duplicate.substr(0, 80), "' appears twice in the header (corrupted file?)");
    if (header.size() > kMaxTensors + 1)
        damaged_fail(path, ": header lists ", header.size(), " entries, more than genlab's limit of ", kMaxTensors,
                     " tensors (corrupted file?)");

    StateDict sd;
    std::vector<Entry> entries;
    for (const std::string& key : order) {
        const nlohmann::json& v = header.at(key);
        if (key == kMetadataKey) {
            if (v.is_null()) continue;
            if (!v.is_object())
                damaged_fail(path, ": \"__metadata__\" must be an object of strings, got ", v.type_name());
            for (const auto& [mk, mv] : v.items()) {
                if (!mv.is_string())
                    damaged_fail(path, ": __metadata__ '", mk.substr(0, 80), "' must be a string, got ", mv.type_name(),
                                 " ", json_excerpt(mv));
                sd.metadata[mk] = mv.get<std::string>();
            }
            continue;
        }
        entries.push_back(parse_entry(path, key, v, data_size));
    }
    // File order is the order of the data; ties (empty tensors) keep the header's order.
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    for (size_t i = 1; i < entries.size(); ++i)
        if (entries[i].begin < entries[i - 1].end)
            damaged_fail(path, ": tensor '", entries[i].name, "' data [", entries[i].begin, ", ", entries[i].end,
                         "] overlaps tensor '", entries[i - 1].name, "' [", entries[i - 1].begin, ", ",
                         entries[i - 1].end, "] (corrupted file?)");
    // The data section is exactly the tensors' bytes, as the format says: no hole between them
    // (overlaps are refused above), nothing after the last.
    uint64_t used = 0;
    for (const Entry& e : entries) {
        if (e.begin != used)
            damaged_fail(path, ": ", e.begin - used, " bytes before tensor '", e.name,
                         "' belong to no tensor (corrupted file?)");
        used = e.end;
    }
    if (used != data_size)
        damaged_fail(path, ": ", data_size - used, " bytes after the last tensor's data (corrupted file?)");

    // Every range is now known to lie inside the file, so the allocations below are bounded by its size.
    sd.tensors.reserve(entries.size());
    for (const Entry& e : entries) {
        Tensor t(e.shape);
        uint64_t bytes = e.end - e.begin;
        if (bytes > 0) {
            if (::fseeko(f.get(), static_cast<off_t>(8 + n + e.begin), SEEK_SET) != 0 ||
                std::fread(t.data(), 1, bytes, f.get()) != bytes)
                fail(path, ": tensor '", e.name, "': cannot read ", bytes, " bytes (file changed while reading?)");
        }
        sd.tensors.emplace_back(e.name, std::move(t));
    }
    return sd;
}

}  // namespace genlab
