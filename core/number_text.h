// Numbers as text and back: the one place genlab turns a number into text (files, messages,
// pages) or text into a number (flags, checkpoint metadata, CSV cells, /proc fields).
//
//     shortest_text(0.1f)           // "0.1": reads back as the same float
//     plain_text(2e-4f)             // "0.0002": as a user types a learning rate
//     significant_text(0.01234, 2)  // "0.012"
//     fixed_text(3.14159, 2)        // "3.14"
//     parse_number("+0.2", x)       // true, x = 0.2f
//
// Reading is strict: the whole text is the number, with at most a leading '+' as a user types
// it; no spaces, no hex, nothing after it. Floating point reads "nan" and "inf" too (a diverged
// run's metrics hold them); callers that need a finite number check for one.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace genlab {

// The shortest text that reads back as the same value: "0.2", "1", "1e-05", "nan", "-inf".
std::string shortest_text(float v);
// A double equal to a float (a float metric widened) as that float's shortest text, so 0.1f is
// "0.1", not "0.10000000149011612"; any other double as its own shortest text.
std::string shortest_text(double v);
// The shortest round-trip text without an exponent ("0.0002", "300"), unless the number is
// below 1e-5 or at least 1e9 in magnitude, where the exponent form is shorter to read.
std::string plain_text(float v);
// `digits` significant digits, as printf's %g ("0.0123", "1.2e+03").
std::string significant_text(double v, int digits);
// `decimals` digits after the point, as printf's %f ("3.14").
std::string fixed_text(double v, int decimals);

// The whole text as a number of that type; false when it is not one or is out of range.
bool parse_number(std::string_view text, int& out);
bool parse_number(std::string_view text, int64_t& out);
bool parse_number(std::string_view text, uint64_t& out);
bool parse_number(std::string_view text, float& out);
bool parse_number(std::string_view text, double& out);

}  // namespace genlab
