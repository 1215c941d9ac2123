#!/usr/bin/python3
"""Writes tests/data/activation_reference.csv: torch float64 values and autograd derivatives of
every elementwise activation in genlab's registry, the independent reference that
tests/activations_test.cpp checks core/activations.cpp against. Run once with Debian's torch
(tested with 1.13); never run by the build or the tests.

    /usr/bin/python3 tests/data/make_activation_reference.py            # rewrite the CSV
    /usr/bin/python3 tests/data/make_activation_reference.py --fit-erfc # print the erfc fit

Columns: spec, x, y = f(x), dy = df/dx, dp = df/d(learnable parameter) (0 without one). x values
are float32 numbers (genlab computes in float32), evaluated in float64. Derivatives at kinks are
whatever torch autograd returns there (relu'(0) = 0, leaky_relu'(0) = alpha, elu'(0) = alpha).

--fit-erfc prints the coefficients of core/activations.cpp's normal_upper_tail(): erfc(z) =
t exp(-z^2 + P(t)), t = 1 / (1 + z/2), P of degree 9 fitted to log(erfcx(z)) - log(t) by
Lawson-weighted least squares (tends to the minimax fit) on Chebyshev nodes of t in (0, 1].
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


# spec -> f(x, p); p is the learnable parameter (a 0-dim tensor) for learnable entries.
FIXED = {
    "identity": lambda x: x,
    "relu": F.relu,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.01),
    "elu": lambda x: F.elu(x, alpha=1.0),
    "selu": F.selu,
    "gelu": lambda x: F.gelu(x),
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "swish": lambda x: x * torch.sigmoid(1.0 * x),
    "silu": F.silu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softplus": lambda x: F.softplus(x, beta=1, threshold=20),
    "mish": F.mish,
    # Parameterised specs.
    "leaky_relu:0.2": lambda x: F.leaky_relu(x, 0.2),
    "elu:0.5": lambda x: F.elu(x, alpha=0.5),
    "swish:1.5": lambda x: x * torch.sigmoid(1.5 * x),
}
# spec -> (f(x, p), init value of p)
LEARNABLE = {
    "prelu": (lambda x, a: F.prelu(x, a.reshape(1)), 0.25),  # torch.nn.PReLU(): one shared alpha
    "swish_learned": (lambda x, b: x * torch.sigmoid(b * x), 1.0),
}


def grid():
    xs = list(np.arange(-10.0, 10.0 + 1e-9, 0.25))  # includes the kink at 0 exactly
    xs += [-1e-3, 1e-3, -1e-6, 1e-6, -0.1, 0.1, -15.0, 15.0, -19.5, 19.5, -20.5, 20.5, -30.0, 30.0]
    return sorted({float(np.float32(x)) for x in xs})  # float32 inputs, as genlab sees them


def rows_for(spec):
    out = []
    for x0 in grid():
        x = torch.tensor(x0, requires_grad=True)
        if spec in LEARNABLE:
            f, init = LEARNABLE[spec]
            p = torch.tensor(init, requires_grad=True)
            y = f(x, p)
            dx, dp = torch.autograd.grad(y, (x, p))
            dp = dp.item()
        else:
            y = FIXED[spec](x)
            (dx,) = torch.autograd.grad(y, (x,))
            dp = 0.0
        out.append((spec, x0, y.item(), dx.item(), dp))
    return out


def write_csv(path):
    specs = list(FIXED) + list(LEARNABLE)
    with open(path, "w") as fh:
        fh.write("spec,x,y,dy,dp\n")
        for spec in specs:
            for s, x, y, dy, dp in rows_for(spec):
                fh.write(f"{s},{x:.9g},{y:.17g},{dy:.17g},{dp:.17g}\n")
    print(f"wrote {path}: {len(specs)} specs x {len(grid())} points")


def fit_erfc(deg=9, nodes=4000):
    def target(t):
        z = 2.0 * (1.0 / t - 1.0)
        return np.log(torch.special.erfcx(torch.from_numpy(z)).numpy()) - np.log(t)

    k = np.arange(nodes)
    t = 0.5 + 0.5 * np.cos(math.pi * (k + 0.5) / nodes)
    g = target(t)
    V = np.vander(t, deg + 1, increasing=True)
    w = np.ones_like(t)
    for it in range(60):
        c, *_ = np.linalg.lstsq(V * w[:, None], g * w, rcond=None)
        e = np.abs(V @ c - g)
        if it:
            w = w * np.sqrt(e / e.max())
            w /= w.max()
    c32 = c.astype(np.float32).astype(np.float64)
    tt = np.linspace(1e-6, 1.0, 200001)
    err = np.abs(np.vander(tt, deg + 1, increasing=True) @ c32 - target(tt)).max()
    print("P(t) coefficients, t^0 first (float32):", ", ".join(f"{np.float32(v):.8f}" for v in c))
    print(f"max |error| of log erfc (= relative error of erfc) with float32 coefficients: {err:.3g}")


if __name__ == "__main__":
    if "--fit-erfc" in sys.argv:
        fit_erfc()
    else:
        write_csv(os.path.join(os.path.dirname(os.path.abspath(__file__)), "activation_reference.csv"))
