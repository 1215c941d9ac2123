// Config structs declared once. A ConfigSpec<C> lists C's fields (JSON key, help text, allowed
// values); from that one list come the command-line flags, the JSON of config.json and of a
// checkpoint's stored config, reading that JSON back, and validation. A field's default is the
// struct's own initialiser; its flag is "--" + the key with '_' written '-'.
//
//     struct AeConfig { int latent = 32; std::string act = "gelu"; };
//     const ConfigSpec<AeConfig>& ae_spec() {
//         static const ConfigSpec<AeConfig> s = ConfigSpec<AeConfig>()
//             .field("latent", &AeConfig::latent, "Code size", in_range(1, 65536))
//             .field("act", &AeConfig::act, "Hidden activation", elementwise_activation());
//         return s;
//     }
//     ae_spec().add_flags(app, cfg);   // --latent INT=32, --act TEXT=gelu
//     ae_spec().validate(cfg);         // UsageError "--latent 0: expected 1..65536"
//     AeConfig back = ae_spec().from_json(ae_spec().to_json(cfg), "run.safetensors");
//
// ConfigSpec<C> is a typed face over ConfigSchema, which does the work on type-erased fields in
// config.cpp: the flag parsing and JSON code is compiled once, not once per config.
#pragma once
#include <cmath>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <vector>

#include "core/error.h"

namespace CLI {
class App;
}

namespace genlab {

// A field's check: "" when the value is allowed, else what is expected ("expected 1..65536").
template <class T>
using Check = std::function<std::string(const T&)>;

// Text <-> config values, shared by flags and messages, on core/number_text.h. parse_value
// returns false on text that is not a T (a negative number for unsigned, trailing junk, a
// non-finite float) and never throws; spaces around the value are allowed, as in a flag.
bool parse_value(const std::string& text, int& out);
bool parse_value(const std::string& text, uint64_t& out);
bool parse_value(const std::string& text, float& out);
bool parse_value(const std::string& text, std::string& out);
bool parse_value(const std::string& text, std::vector<int>& out);  // "256,512"; "" or "none": empty
std::string value_text(int v);
std::string value_text(uint64_t v);
std::string value_text(float v);  // shortest text that reads back as the same float
std::string value_text(bool v);
std::string value_text(const std::string& v);
std::string value_text(const std::vector<int>& v);  // "256,512"; "none" when empty

// The flag of a field: "--" + key, with '_' written '-' ("g_hidden" -> "--g-hidden").
std::string flag_name(const std::string& key);

// Common checks.
template <class T>
Check<T> in_range(T lo, T hi) {
    return [lo, hi](const T& v) {
        if constexpr (std::is_floating_point_v<T>)
            if (!std::isfinite(v))
                return std::string("expected a finite number in ") + value_text(lo) + ".." + value_text(hi);
        return v >= lo && v <= hi ? std::string() : "expected " + value_text(lo) + ".." + value_text(hi);
    };
}
Check<float> positive();                                        // finite and > 0
Check<float> learning_rate();                                   // > 0 and at most 1e6 (the optimizers' bound)
Check<std::string> one_of(std::vector<std::string> choices);    // "expected ns, minimax or lsgan"
Check<std::string> elementwise_activation();                    // a registry spec usable per unit
Check<std::vector<int>> widths(int min_count, int lo, int hi);  // layer widths

// The value types a field may have.
enum class FieldKind { Int, UInt, Float, Bool, Text, IntList, Nested };
// clang-format off
template <class T> constexpr FieldKind field_kind();
template <> constexpr FieldKind field_kind<int>() { return FieldKind::Int; }
template <> constexpr FieldKind field_kind<uint64_t>() { return FieldKind::UInt; }
template <> constexpr FieldKind field_kind<float>() { return FieldKind::Float; }
template <> constexpr FieldKind field_kind<bool>() { return FieldKind::Bool; }
template <> constexpr FieldKind field_kind<std::string>() { return FieldKind::Text; }
template <> constexpr FieldKind field_kind<std::vector<int>>() { return FieldKind::IntList; }
// clang-format on

// The type-erased fields of one config struct; `void*` points at a struct of that type.
class ConfigSchema {
public:
    struct Field {
        std::string key{}, help{};
        FieldKind kind = FieldKind::Int;
        bool has_flag = true;                             // false: derived from the data, no flag
        std::function<void*(void*)> at{};                 // the member inside a struct
        std::function<std::string(const void*)> check{};  // on the member; "" when fine
        const ConfigSchema* nested = nullptr;             // FieldKind::Nested: the member's schema
    };

    void add(Field f);  // Error on an empty or repeated key
    void add_rule(std::function<void(const void*)> rule);
    void add_flags(CLI::App& app, void* c) const;
    void validate(const void* c, bool derived) const;  // UsageError naming the flag
    void to_json(const void* c, nlohmann::ordered_json& out) const;
    void from_json(const nlohmann::json& j, void* c, const std::string& what) const;  // Error; no validation
    bool has_key(const std::string& key) const;
    // Sets field `key` (at any depth) from text as its flag would; false when there is no such
    // field; UsageError when the text is not a value of its type.
    bool set(void* c, const std::string& key, const std::string& text) const;

private:
    std::vector<Field> fields_;
    std::vector<std::function<void(const void*)>> rules_;
};

template <class C>
class ConfigSpec {
public:
    // A field set by a flag and stored in JSON.
    template <class T>
    ConfigSpec&& field(std::string key, T C::*member, std::string help, Check<T> check = {}) && {
        add_field(std::move(key), member, std::move(help), std::move(check), true);
        return std::move(*this);
    }
    // A field derived from the data (an image's size, a vocabulary's): stored and checked, no flag.
    template <class T>
    ConfigSpec&& derived(std::string key, T C::*member, Check<T> check = {}) && {
        add_field(std::move(key), member, "", std::move(check), false);
        return std::move(*this);
    }
    // A nested config (a model's inside an experiment's): its flags sit beside this spec's, its
    // JSON is an object under `key`. `sub` must outlive this spec (both are function statics).
    template <class S>
    ConfigSpec&& nest(std::string key, S C::*member, const ConfigSpec<S>& sub) && {
        schema_.add({.key = std::move(key),
                     .kind = FieldKind::Nested,
                     .at = [member](void* c) -> void* { return &(static_cast<C*>(c)->*member); },
                     .nested = &sub.schema()});
        return std::move(*this);
    }
    // A check across fields; throws UsageError naming the flags involved.
    ConfigSpec&& rule(std::function<void(const C&)> check) && {
        schema_.add_rule([check = std::move(check)](const void* c) { check(*static_cast<const C*>(c)); });
        return std::move(*this);
    }

    // One flag per field, on `app`, writing into `c` (whose current values are the defaults shown).
    void add_flags(CLI::App& app, C& c) const { schema_.add_flags(app, &c); }
    // UsageError "--name value: what is expected" for the first bad field, then the rules.
    // derived = false skips the fields derived from the data (not filled in before it is loaded).
    void validate(const C& c, bool derived = true) const { schema_.validate(&c, derived); }
    // Field `key` (at any depth) from text, as its flag would set it; UsageError when there is
    // no such field or the text is not a value of its type.
    void set(C& c, const std::string& key, const std::string& text) const {
        if (!schema_.set(&c, key, text)) usage_fail(flag_name(key), ": no such setting");
    }
    nlohmann::ordered_json to_json(const C& c) const {
        nlohmann::ordered_json j = nlohmann::ordered_json::object();
        schema_.to_json(&c, j);
        return j;
    }
    // Every field must be present with its type, no unknown key may appear, and the values must
    // validate: a config stored by another program or version is refused, not half-read.
    // Errors name `what` (the file) and the field.
    C from_json(const nlohmann::json& j, const std::string& what) const {
        C c{};
        schema_.from_json(j, &c, what);
        try {
            validate(c);
        } catch (const UsageError& e) {
            fail(what, ": stored config is invalid: ", e.what());
        }
        return c;
    }
    const ConfigSchema& schema() const { return schema_; }

private:
    template <class T>
    void add_field(std::string key, T C::*member, std::string help, Check<T> check, bool has_flag) {
        ConfigSchema::Field f{.key = std::move(key),
                              .help = std::move(help),
                              .kind = field_kind<T>(),
                              .has_flag = has_flag,
                              .at = [member](void* c) -> void* { return &(static_cast<C*>(c)->*member); }};
        if (check) f.check = [check = std::move(check)](const void* v) { return check(*static_cast<const T*>(v)); };
        schema_.add(std::move(f));
    }

    ConfigSchema schema_;
};

// Every leaf where two stored configs differ, in key order, as "--flag a vs b" (for "resume with
// the flags of the run that wrote it"); none when they agree. Keys in `ignore` are skipped at any
// depth. first_difference is the first of them, "" when they agree.
std::vector<std::string> config_differences(const nlohmann::json& a, const nlohmann::json& b,
                                            const std::vector<std::string>& ignore = {});
std::string first_difference(const nlohmann::json& a, const nlohmann::json& b,
                             const std::vector<std::string>& ignore = {});

}  // namespace genlab
