// libFuzzer target: arbitrary bytes (raw or gzip) through the IDX reader as images and as labels.
// Any outcome but a result that matches its header or a genlab::Error is a bug.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_target.h"
#include "core/error.h"
#include "data/idx.h"

GENLAB_FUZZ_TARGET(idx) {
    for (int rank : {3, 1}) {
        try {
            genlab::data::ByteStream in = genlab::data::ByteStream::from_memory(data, size, "fuzz-input");
            genlab::data::IdxArray a = genlab::data::read_idx(in, rank);
            uint64_t n = 1;
            for (uint32_t d : a.dims) n *= d;
            if (a.dims.size() != static_cast<size_t>(rank) || n != a.data.size() || n == 0) __builtin_trap();
        } catch (const genlab::Error&) {
        }
    }
    return 0;
}
