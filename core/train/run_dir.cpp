// Output folder naming and config.json. Timestamps are local time, as a user reads them in `ls`.
#include "core/train/run_dir.h"

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/json_text.h"

namespace genlab {

std::string default_out_dir(const std::string& demo, const std::string& root) {
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
    const std::string base = (std::filesystem::path(root) / demo / stamp).string();
    std::string dir = base;
    std::error_code ec;
    for (int i = 2; std::filesystem::exists(dir, ec); ++i) dir = base + "-" + std::to_string(i);
    return dir;
}

void make_out_dir(const std::string& dir) {
    if (dir.empty()) fail("output folder: empty path (pass --out DIR)");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) fail(dir, ": cannot create the output folder: ", ec.message(), " (pass another --out)");
    if (!std::filesystem::is_directory(dir, ec)) fail(dir, ": exists and is not a folder (pass another --out)");
}

void write_config_json(const std::string& out_dir, const std::string& config_json) {
    nlohmann::ordered_json j = parse_ordered_json(config_json);
    if (j.is_discarded()) fail("config.json: the run config is not valid JSON: ", config_json.substr(0, 120));
    make_out_dir(out_dir);
    write_file_atomic((std::filesystem::path(out_dir) / "config.json").string(), json_text(j, 2) + "\n");
}

}  // namespace genlab
