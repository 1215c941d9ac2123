// Shared validation for op implementations (core/ops/*.cpp only; not part of the public API).
#pragma once
#include "core/error.h"
#include "core/tape.h"

namespace genlab::ops_detail {

inline void require_same_shape(const char* op, const Shape& a, const Shape& b) {
    if (a != b) fail(op, ": shapes differ: ", a.str(), " vs ", b.str());
}

inline void require_rank(const char* op, const Shape& s, int lo, int hi) {
    if (s.rank < lo || s.rank > hi) fail(op, ": expected rank ", lo, "..", hi, ", got shape ", s.str());
}

// True when b is one row of a (shape (C) or (1, C) with C = a's last dim) rather than a's shape.
inline bool is_row_broadcast(const char* op, const Shape& a, const Shape& b) {
    if (a == b) return false;
    bool row = (b.rank == 1 || (b.rank == 2 && b[0] == 1)) && b.last() == a.last();
    if (!row) fail(op, ": cannot broadcast ", b.str(), " onto ", a.str(), " (expected the same shape or one row of ", a.last(), ")");
    return true;
}

}  // namespace genlab::ops_detail
