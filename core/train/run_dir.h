// A run's output folder: the default `outputs/<demo>/<YYYYmmdd-HHMMSS>` name, creating it, and
// its config.json. Demos call these before Trainer::run; the trainer writes the rest there.
#pragma once
#include <string>

namespace genlab {

// "<root>/<demo>/<YYYYmmdd-HHMMSS>" in local time; "-2", "-3", ... is appended when that folder
// already exists (two runs started in the same second). Does not create it.
std::string default_out_dir(const std::string& demo, const std::string& root = "outputs");

// Creates `dir` and its parents; Error naming the folder when that fails (a file in the way,
// no permission).
void make_out_dir(const std::string& dir);

// Writes `<out_dir>/config.json` atomically, pretty-printed; creates out_dir. Error when
// `config_json` is not valid JSON (a bug in the caller, caught before the run starts).
void write_config_json(const std::string& out_dir, const std::string& config_json);

}  // namespace genlab
