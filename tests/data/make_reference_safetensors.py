# Writes tests/data/reference.safetensors the way the reference `safetensors` writer lays a file
# out (the package is not installed here, so the layout is spelled out by hand): compact JSON with
# "__metadata__" first, tensors sorted by name (all F32), header padded with spaces to a multiple
# of 8, data packed in that order. Run once with /usr/bin/python3; the test never calls Python.
import json
import struct
import sys

import torch

tensors = {
    "encoder.weight": torch.arange(6, dtype=torch.float32).reshape(2, 3) / 3.0,  # (2, 3)
    "encoder.bias": torch.tensor([0.1, -0.0, 1e-38, -2.5], dtype=torch.float32),  # (4)
    "scale": torch.tensor(0.75, dtype=torch.float32),                              # () scalar
    "empty": torch.zeros(0, 3, dtype=torch.float32),                               # (0, 3)
    "cube": torch.linspace(-1, 1, 24, dtype=torch.float32).reshape(2, 3, 2, 2),    # (2, 3, 2, 2)
}
metadata = {"format": "pt", "note": "made by python"}

header = {"__metadata__": metadata}
blobs = []
offset = 0
for name in sorted(tensors):
    t = tensors[name].contiguous()
    data = t.numpy().astype("<f4").tobytes()
    header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * ((8 - len(text) % 8) % 8)
with open(sys.argv[1] if len(sys.argv) > 1 else "reference.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    for b in blobs:
        f.write(b)
