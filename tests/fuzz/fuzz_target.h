// One fuzz target's body, written once as a plain function genlab_fuzz_<name>(data, size):
//
//     GENLAB_FUZZ_TARGET(idx) { ...; return 0; }
//
// The libFuzzer build (GENLAB_LIBFUZZER defined, tests/fuzz/CMakeLists.txt) wraps it in
// LLVMFuzzerTestOneInput; the unit tests link every target's function and replay the inputs under
// tests/fuzz/regressions/<name>/ (each one crashed a target once), so a fixed crash stays fixed in
// every build, with or without clang.
#pragma once
#include <cstddef>
#include <cstdint>

#ifdef GENLAB_LIBFUZZER
#define GENLAB_FUZZ_ENTRY(name) \
    extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { return genlab_fuzz_##name(data, size); }
#else
#define GENLAB_FUZZ_ENTRY(name)
#endif

#define GENLAB_FUZZ_TARGET(name)                              \
    int genlab_fuzz_##name(const uint8_t* data, size_t size); \
    GENLAB_FUZZ_ENTRY(name)                                   \
    int genlab_fuzz_##name(const uint8_t* data, size_t size)
