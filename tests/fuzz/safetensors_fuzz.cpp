// libFuzzer target: arbitrary bytes as a .safetensors file through load_safetensors (the reader
// behind every checkpoint, --resume and sample). Any outcome but a loaded dict whose tensors lie
// inside the input, or a genlab::Error, is a bug: a crash, a hang, a huge allocation, a stack
// overflow on nested JSON.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "tests/fuzz/fuzz_target.h"
#include "core/error.h"
#include "core/io/safetensors.h"

GENLAB_FUZZ_TARGET(safetensors) {
    // The reader takes a path: the input goes to a per-process file in memory-backed /dev/shm when
    // there is one.
    static const std::string path = std::string(::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp") +
                                    "/genlab-safetensors-fuzz-" + std::to_string(::getpid());
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
    try {
        const genlab::StateDict sd = genlab::load_safetensors(path);
        size_t bytes = 0;
        for (const auto& [name, t] : sd.tensors) bytes += t.numel() * sizeof(float);
        if (bytes > size) __builtin_trap();  // more tensor data than the file holds
    } catch (const genlab::Error&) {
    }
    return 0;
}
