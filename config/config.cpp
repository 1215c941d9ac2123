// ConfigSchema (flags, JSON and validation of type-erased fields), value parsing and printing,
// and the common checks.
#include "config/config.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <climits>

#include "core/activations.h"
#include "core/io/json_text.h"
#include "core/number_text.h"

namespace genlab {

namespace {

std::string trimmed(const std::string& s) {
    const size_t b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

}  // namespace

bool parse_value(const std::string& text, int& out) { return parse_number(trimmed(text), out); }
bool parse_value(const std::string& text, uint64_t& out) { return parse_number(trimmed(text), out); }
bool parse_value(const std::string& text, float& out) {
    float v = 0.f;
    if (!parse_number(trimmed(text), v) || !std::isfinite(v)) return false;
    out = v;
    return true;
}

bool parse_value(const std::string& text, std::string& out) {
    out = text;
    return true;
}

bool parse_value(const std::string& text, std::vector<int>& out) {
    const std::string t = trimmed(text);
    std::vector<int> v;
    if (!t.empty() && t != "none") {
        for (size_t b = 0;;) {
            const size_t e = t.find(',', b);
            int x = 0;
            if (!parse_value(t.substr(b, e == std::string::npos ? std::string::npos : e - b), x)) return false;
            v.push_back(x);
            if (e == std::string::npos) break;
            b = e + 1;
        }
    }
    out = std::move(v);
    return true;
}

std::string value_text(int v) { return std::to_string(v); }
std::string value_text(uint64_t v) { return std::to_string(v); }
std::string value_text(bool v) { return v ? "true" : "false"; }
std::string value_text(const std::string& v) { return v; }

std::string value_text(float v) { return plain_text(v); }

std::string value_text(const std::vector<int>& v) {
    if (v.empty()) return "none";
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s;
}

std::string flag_name(const std::string& key) {
    std::string flag = "--" + key;
    for (char& ch : flag)
        if (ch == '_') ch = '-';
    return flag;
}

Check<float> positive() {
    return [](const float& v) { return std::isfinite(v) && v > 0.f ? std::string() : "expected a positive number"; };
}

Check<float> learning_rate() {
    // The optimizers refuse more than 1e6 themselves, but as an internal error after the data has
    // loaded; said here, it names the flag.
    return [](const float& v) {
        return std::isfinite(v) && v > 0.f && v <= 1e6f ? std::string() : "expected a learning rate in (0, 1000000]";
    };
}

Check<std::string> one_of(std::vector<std::string> choices) {
    return [choices = std::move(choices)](const std::string& v) {
        for (const std::string& c : choices)
            if (v == c) return std::string();
        std::string list;
        for (size_t i = 0; i < choices.size(); ++i)
            list += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
        return "expected " + list;
    };
}

Check<std::string> elementwise_activation() {
    return [](const std::string& v) {
        try {
            parse_elementwise(v, "activation");
        } catch (const UsageError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
}

Check<std::vector<int>> widths(int min_count, int lo, int hi) {
    return [=](const std::vector<int>& v) {
        if (static_cast<int>(v.size()) < min_count)
            return "expected at least " + std::to_string(min_count) + " width" + (min_count == 1 ? "" : "s") +
                   ", e.g. 256,512";
        for (int w : v)
            if (w < lo || w > hi)
                return "width " + std::to_string(w) + " out of range " + value_text(lo) + ".." + value_text(hi);
        return std::string();
    };
}

// --- ConfigSchema

namespace {

const char* kind_flag(FieldKind k) {  // in --help: "--latent INT=64"
    switch (k) {
        case FieldKind::Int: return "INT";
        case FieldKind::UInt: return "UINT";
        case FieldKind::Float: return "FLOAT";
        case FieldKind::Text: return "TEXT";
        case FieldKind::IntList: return "INT,...";
        default: return "";
    }
}

const char* kind_what(FieldKind k) {  // in messages: "'x' is not an integer"
    switch (k) {
        case FieldKind::Int: return "an integer";
        case FieldKind::UInt: return "a non-negative integer";
        case FieldKind::Float: return "a finite number";
        case FieldKind::Bool: return "true or false";
        case FieldKind::Text: return "text";
        case FieldKind::IntList: return "a comma-separated list of integers";
        case FieldKind::Nested: return "an object";
    }
    return "a value";
}

bool parse_into(FieldKind k, const std::string& text, void* v) {
    switch (k) {
        case FieldKind::Int: return parse_value(text, *static_cast<int*>(v));
        case FieldKind::UInt: return parse_value(text, *static_cast<uint64_t*>(v));
        case FieldKind::Float: return parse_value(text, *static_cast<float*>(v));
        case FieldKind::Text: return parse_value(text, *static_cast<std::string*>(v));
        case FieldKind::IntList: return parse_value(text, *static_cast<std::vector<int>*>(v));
        default: return false;
    }
}

std::string text_of(FieldKind k, const void* v) {
    switch (k) {
        case FieldKind::Int: return value_text(*static_cast<const int*>(v));
        case FieldKind::UInt: return value_text(*static_cast<const uint64_t*>(v));
        case FieldKind::Float: return value_text(*static_cast<const float*>(v));
        case FieldKind::Bool: return value_text(*static_cast<const bool*>(v));
        case FieldKind::Text: return value_text(*static_cast<const std::string*>(v));
        case FieldKind::IntList: return value_text(*static_cast<const std::vector<int>*>(v));
        case FieldKind::Nested: return "{...}";
    }
    return {};
}

bool is_int32(const nlohmann::json& e) {
    return e.is_number_integer() && e.get<int64_t>() >= INT32_MIN && e.get<int64_t>() <= INT32_MAX;
}

}  // namespace

void ConfigSchema::add(Field f) {
    if (f.key.empty() || has_key(f.key)) fail("ConfigSchema: field '", f.key, "' is empty or declared twice");
    if (f.kind == FieldKind::Nested && !f.nested) fail("ConfigSchema: nested field '", f.key, "' has no schema");
    fields_.push_back(std::move(f));
}

void ConfigSchema::add_rule(std::function<void(const void*)> rule) { rules_.push_back(std::move(rule)); }

bool ConfigSchema::has_key(const std::string& key) const {
    for (const Field& f : fields_)
        if (f.key == key) return true;
    return false;
}

void ConfigSchema::add_flags(CLI::App& app, void* c) const {
    for (const Field& f : fields_) {
        void* v = f.at(c);
        if (f.kind == FieldKind::Nested) {
            f.nested->add_flags(app, v);
            continue;
        }
        if (!f.has_flag) continue;
        const std::string flag = flag_name(f.key);
        if (f.kind == FieldKind::Bool) {
            app.add_flag(flag, *static_cast<bool*>(v), f.help);
            continue;
        }
        // Our own parser for every type: one message style, and no silent wrap-around of "-1"
        // into an unsigned seed.
        const FieldKind kind = f.kind;
        app.add_option_function<std::string>(
               flag,
               [kind, v, flag](const std::string& text) {
                   if (!parse_into(kind, text, v))
                       throw CLI::ValidationError(flag, "'" + clipped(text) + "' is not " + kind_what(kind));
               },
               f.help)
            ->type_name(kind_flag(kind))
            ->default_str(text_of(kind, v))
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }
}

bool ConfigSchema::set(void* c, const std::string& key, const std::string& text) const {
    for (const Field& f : fields_) {
        void* v = f.at(c);
        if (f.kind == FieldKind::Nested) {
            if (f.nested->set(v, key, text)) return true;
            continue;
        }
        if (f.key != key) continue;
        if (f.kind == FieldKind::Bool) {
            if (text != "true" && text != "false")
                usage_fail(flag_name(key), " ", clipped(text), ": expected true or false");
            *static_cast<bool*>(v) = text == "true";
        } else if (!parse_into(f.kind, text, v)) {
            usage_fail(flag_name(key), " ", clipped(text), ": not ", kind_what(f.kind));
        }
        return true;
    }
    return false;
}

void ConfigSchema::validate(const void* c, bool derived) const {
    for (const Field& f : fields_) {
        const void* v = f.at(const_cast<void*>(c));
        if (f.kind == FieldKind::Nested) {
            f.nested->validate(v, derived);
            continue;
        }
        if (!f.check || (!f.has_flag && !derived)) continue;
        if (const std::string why = f.check(v); !why.empty())
            usage_fail(flag_name(f.key), " ", clipped(text_of(f.kind, v)), ": ", why);
    }
    for (const auto& r : rules_) r(c);
}

void ConfigSchema::to_json(const void* c, nlohmann::ordered_json& out) const {
    for (const Field& f : fields_) {
        const void* v = f.at(const_cast<void*>(c));
        nlohmann::ordered_json& j = out[f.key];
        switch (f.kind) {
            case FieldKind::Int: j = *static_cast<const int*>(v); break;
            case FieldKind::UInt: j = *static_cast<const uint64_t*>(v); break;
            // The shortest decimal that reads back as this float: config.json shows 0.0002, not
            // 0.00019999999494757503, and from_json gets the same bits back.
            case FieldKind::Float: {
                double d = 0;  // the float as its shortest text reads, so 0.1f is 0.1 in the JSON
                parse_number(value_text(*static_cast<const float*>(v)), d);
                j = d;
                break;
            }
            case FieldKind::Bool: j = *static_cast<const bool*>(v); break;
            case FieldKind::Text: j = *static_cast<const std::string*>(v); break;
            case FieldKind::IntList: j = *static_cast<const std::vector<int>*>(v); break;
            case FieldKind::Nested:
                j = nlohmann::ordered_json::object();
                f.nested->to_json(v, j);
                break;
        }
    }
}

void ConfigSchema::from_json(const nlohmann::json& j, void* c, const std::string& what) const {
    if (!j.is_object()) fail(what, ": stored config is not a JSON object");
    for (const Field& f : fields_) {
        auto it = j.find(f.key);
        if (it == j.end())
            fail(what, ": stored config has no field '", f.key, "' (written by another program or version?)");
        const nlohmann::json& e = *it;
        void* v = f.at(c);
        bool ok = true;
        switch (f.kind) {
            case FieldKind::Int:
                if ((ok = is_int32(e))) *static_cast<int*>(v) = e.get<int>();
                break;
            case FieldKind::UInt:
                if ((ok = e.is_number_unsigned())) *static_cast<uint64_t*>(v) = e.get<uint64_t>();
                break;
            case FieldKind::Float:
                if ((ok = e.is_number() && std::isfinite(e.get<double>()))) *static_cast<float*>(v) = e.get<float>();
                break;
            case FieldKind::Bool:
                if ((ok = e.is_boolean())) *static_cast<bool*>(v) = e.get<bool>();
                break;
            case FieldKind::Text:
                if ((ok = e.is_string())) *static_cast<std::string*>(v) = e.get<std::string>();
                break;
            case FieldKind::IntList:
                ok = e.is_array() && std::all_of(e.begin(), e.end(), is_int32);
                if (ok) *static_cast<std::vector<int>*>(v) = e.get<std::vector<int>>();
                break;
            case FieldKind::Nested: f.nested->from_json(e, v, what); break;
        }
        if (!ok) fail(what, ": stored config field '", f.key, "' is not ", kind_what(f.kind), ": ", json_excerpt(e));
    }
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!has_key(it.key())) fail(what, ": stored config has an unknown field '", it.key().substr(0, 60), "'");
}

namespace {

void collect_differences(const nlohmann::json& a, const nlohmann::json& b, const std::vector<std::string>& ignore,
                         std::vector<std::string>& out) {
    if (!a.is_object() || !b.is_object()) {
        if (a != b) out.push_back("config " + json_excerpt(a, 40) + " vs " + json_excerpt(b, 40));
        return;
    }
    auto ignored = [&](const std::string& key) { return std::find(ignore.begin(), ignore.end(), key) != ignore.end(); };
    for (auto it = a.begin(); it != a.end(); ++it) {
        if (ignored(it.key())) continue;
        auto jt = b.find(it.key());
        if (jt == b.end())
            out.push_back(flag_name(it.key()) + " (absent on one side)");
        else if (it->is_object() && jt->is_object())
            collect_differences(*it, *jt, ignore, out);
        else if (*it != *jt)
            out.push_back(flag_name(it.key()) + " " + it->dump() + " vs " + jt->dump());
    }
    for (auto jt = b.begin(); jt != b.end(); ++jt)
        if (!a.contains(jt.key()) && !ignored(jt.key())) out.push_back(flag_name(jt.key()) + " (absent on one side)");
}

}  // namespace

std::vector<std::string> config_differences(const nlohmann::json& a, const nlohmann::json& b,
                                            const std::vector<std::string>& ignore) {
    std::vector<std::string> out;
    collect_differences(a, b, ignore, out);
    return out;
}

std::string first_difference(const nlohmann::json& a, const nlohmann::json& b, const std::vector<std::string>& ignore) {
    const std::vector<std::string> d = config_differences(a, b, ignore);
    return d.empty() ? std::string() : d.front();
}

}  // namespace genlab
