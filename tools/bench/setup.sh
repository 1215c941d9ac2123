#!/bin/bash
# setup.sh — install the PyTorch reference used by torch_ref.py / compare.sh, from Debian's packages.
#
#   python3-torch          PyTorch (1.13 on Debian 12), linked against libblas.so.3
#   python3-numpy          needed by torch and by torch_ref.py's data loading
#   libopenblas0-openmp    OpenBLAS, which takes over libblas.so.3 through Debian's alternatives;
#                          with the default reference BLAS PyTorch is ~20x slower and single-threaded
#   dataset-fashion-mnist  the gan/ae training images, in /usr/share/datasets/fashion-mnist
#
# Safe to run again: apt-get install does nothing when everything is already there.
set -euo pipefail

# Root runs apt-get directly; anyone else goes through sudo.
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    python3-torch python3-numpy libopenblas0-openmp dataset-fashion-mnist >/dev/null

# Report what the benchmark will actually run on.
/usr/bin/python3 -c 'import torch, numpy; print("torch", torch.__version__, "| numpy", numpy.__version__)'
libblas=""
for d in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib; do
    if [[ -e $d/libblas.so.3 ]]; then libblas=$d/libblas.so.3; break; fi
done
if [[ -n $libblas ]]; then
    echo "libblas.so.3 -> $(readlink -f "$libblas")"
else
    echo "libblas.so.3 not found" >&2
fi
