// safetensors files, exactly as the public format: 8-byte little-endian header length N, N bytes
// of JSON {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
// "__metadata__": {string: string}}, then the raw little-endian data. genlab writes F32 only.
#pragma once
#include <string>

#include "core/io/state_dict.h"

namespace genlab {

// Atomic: writes PATH.tmp-<pid> in the same folder, fsyncs it, renames over PATH, fsyncs the
// folder. A crash or kill while saving leaves the previous file intact.
void save_safetensors(const std::string& path, const StateDict& sd);

// Validates before reading any data: file size, header length (<= 100 MB and inside the file),
// JSON syntax, every dtype (F32), shape (rank <= 4, numel matching the byte range) and that
// every data range lies inside the data section without overlap. Any violation is one Error
// naming the file and the key.
StateDict load_safetensors(const std::string& path);

}  // namespace genlab
