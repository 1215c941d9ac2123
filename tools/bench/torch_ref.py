#!/usr/bin/python3
"""
PyTorch reference for genlab's benchmark workloads (gan, dcgan, ae, gpt).

genlab-bench (experiments/bench.cpp) and this script train the same networks, on the same data,
with the same batch sizes, optimizers and learning-rate schedule, and time them the same way, so
that the ratio of their steps/s is a fair speed comparison on one machine. tools/bench/compare.sh
runs the two in turn and reads the `steps_per_s` field of each one's JSON line.

The workloads (fp32, CPU):
  gan  MLP GAN on Fashion-MNIST scaled to [-1, 1].
       G: z64 -> 256 -> 512 -> 784, LeakyReLU(0.2), tanh out.
       D: 784 -> 512 -> 256 -> 1, LeakyReLU(0.2), logit out.
       batch 64, Adam lr 2e-4 betas (0.5, 0.999) for both.
       One step = one D update (real batch + detached fake batch) then one G update on a fresh z
       with the non-saturating loss.
  dcgan  DCGAN on Fashion-MNIST 28x28 scaled to [-1, 1] (genlab-gan --arch conv's defaults,
       models/conv_nets.h); every convolution k4 s2 p1.
       G: z64 -> Linear (no bias) -> 128x7x7, BatchNorm, ReLU -> ConvT 128->64 (no bias) 14x14,
          BatchNorm, ReLU -> ConvT 64->1 28x28, tanh.
       D: Conv 1->32 14x14, LeakyReLU(0.2) -> Conv 32->64 7x7 (no bias), BatchNorm, LeakyReLU(0.2)
          -> Linear 3136 -> 1.
       Weights N(0, 0.02), batch 64, Adam lr 4e-4 betas (0.5, 0.999); the gan workload's step.
  ae   MLP autoencoder on Fashion-MNIST scaled to [0, 1].
       784 -> 512 -> 128 -> 32 -> 128 -> 512 -> 784, exact (erf) GELU between layers,
       sigmoid out, mean binary cross-entropy. batch 128, Adam lr 1e-3.
  gpt  Character-level GPT on tiny Shakespeare (first 90% train, last 10% val).
       vocab 65, context 64, batch 12, 4 layers, 4 heads, n_embd 128, pre-LayerNorm, GELU MLP 4x,
       tied token embedding / output weights, no dropout, nanoGPT init.
       AdamW lr 1e-3 betas (0.9, 0.99), weight decay 0.1 on 2-D tensors only, grad-norm clip 1.0,
       nanoGPT's lr schedule: linear warmup over 100 steps, cosine down to 1e-4 at the last step.

Timing (identical in genlab-bench):
  * --warmup W steps run first and are NOT timed. They are real training steps: they update the
    model and advance the lr schedule. Total training steps = W + N.
  * the N = --steps timed steps run in consecutive blocks of --block (10) steps; each block's
    wall time / its step count is one sample.
      ms_per_step       median of the block samples        <- the primary number
      steps_per_s       1000 / ms_per_step                 <- what compare.sh reads
      ms_per_step_mean  total timed wall time / N
  * a step is everything one optimisation step does: drawing the minibatch (and noise), forward,
    backward, optimizer update.

Output: exactly one JSON line on stdout. Progress (--log-every) goes to stderr.

usage:
  /usr/bin/python3 tools/bench/torch_ref.py --workload gan --steps 300 --warmup 20 --threads 2
  /usr/bin/python3 tools/bench/torch_ref.py --workload gpt --steps 2000 --warmup 0 --eval
"""
import argparse
import gzip
import json
import math
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))

# -----------------------------------------------------------------------------
# command line

parser = argparse.ArgumentParser(description="PyTorch reference for genlab-bench's workloads; prints one JSON line.")
parser.add_argument("--workload", required=True, choices=["gan", "dcgan", "ae", "gpt"])
parser.add_argument("--steps", type=int, default=300, help="timed training steps")
parser.add_argument("--warmup", type=int, default=20, help="untimed training steps run first (they count for the lr schedule)")
parser.add_argument("--threads", type=int, default=2, help="intra-op threads (torch, OpenMP, OpenBLAS)")
parser.add_argument("--block", type=int, default=10, help="steps per timing block; ms_per_step is the median over blocks")
parser.add_argument("--seed", type=int, default=1337)
parser.add_argument("--eval", action="store_true", help="gpt: after training, mean val loss over --eval-batches random batches")
parser.add_argument("--eval-batches", type=int, default=200)
parser.add_argument("--log-every", type=int, default=0, help="print the losses to stderr every k steps (0: never)")
parser.add_argument("--fmnist-dir", default="/usr/share/datasets/fashion-mnist",
                    help="directory with train-images-idx3-ubyte.gz (Debian's dataset-fashion-mnist)")
parser.add_argument("--shakespeare", default=os.path.join(REPO_ROOT, "data", "corpora", "tinyshakespeare.txt"),
                    help="tiny Shakespeare text (default: the copy in the repository)")
args = parser.parse_args()
if args.steps < 1 or args.warmup < 0 or args.threads < 1 or args.block < 1 or args.eval_batches < 1:
    parser.error("need --steps >= 1, --warmup >= 0, --threads >= 1, --block >= 1, --eval-batches >= 1")

# The thread pools read these when the libraries load, so they are set before torch is imported.
os.environ["OMP_NUM_THREADS"] = str(args.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(args.threads)
try:
    torch.set_num_interop_threads(1)  # no inter-op parallelism: genlab has none either
except RuntimeError:
    pass  # already fixed by an earlier parallel call; harmless
torch.set_default_dtype(torch.float32)
torch.manual_seed(args.seed)
np.random.seed(args.seed)

# -----------------------------------------------------------------------------
# data


def read_idx_images(path):
    """Images of an IDX file (gzip'ed) as a uint8 array [count, rows*cols]."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, count, rows, cols = (int(v) for v in np.frombuffer(raw, dtype=">u4", count=4))
    if magic != 2051:  # 0x00000803: unsigned bytes, 3 dimensions
        sys.exit(f"{path}: not an IDX image file (magic {magic})")
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(count, rows * cols)


def fashion_mnist_train(signed):
    """The 60000 training images as float32 [60000, 784]: pixels p / 255 in [0, 1], or, if signed,
    torchvision's Normalize(0.5, 0.5) of that, (x - 0.5) / 0.5 in [-1, 1] (genlab maps the same way,
    bit for bit)."""
    path = os.path.join(args.fmnist_dir, "train-images-idx3-ubyte.gz")
    if not os.path.exists(path):
        sys.exit(f"{path} not found: install dataset-fashion-mnist (tools/bench/setup.sh) or pass --fmnist-dir")
    x = torch.from_numpy(read_idx_images(path).astype(np.float32)) / 255.0
    if signed:
        x = (x - 0.5) / 0.5
    return x.contiguous()


def random_rows(x, batch):
    """A minibatch of rows drawn uniformly with replacement (as genlab's sampler)."""
    return x[torch.randint(0, x.shape[0], (batch,))]


def count_params(*modules):
    """Distinct parameters (a tied weight counts once)."""
    unique = {id(p): p for m in modules for p in m.parameters()}
    return sum(p.numel() for p in unique.values())


# -----------------------------------------------------------------------------
# workload: gan


class GanWorkload:
    batch, z_dim = 64, 64

    def __init__(self):
        self.images = fashion_mnist_train(signed=True)  # [-1, 1], the tanh range of G
        self.G = nn.Sequential(
            nn.Linear(self.z_dim, 256), nn.LeakyReLU(0.2),
            nn.Linear(256, 512), nn.LeakyReLU(0.2),
            nn.Linear(512, 784), nn.Tanh(),
        )
        self.D = nn.Sequential(
            nn.Linear(784, 512), nn.LeakyReLU(0.2),
            nn.Linear(512, 256), nn.LeakyReLU(0.2),
            nn.Linear(256, 1),  # a logit: the sigmoid lives in the loss
        )
        self.opt_G = torch.optim.Adam(self.G.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.opt_D = torch.optim.Adam(self.D.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.real_label = torch.ones(self.batch, 1)
        self.fake_label = torch.zeros(self.batch, 1)

    def step(self, it):
        bce = F.binary_cross_entropy_with_logits
        # discriminator: real batch labelled 1, generated batch labelled 0 (G not updated here)
        real = random_rows(self.images, self.batch)
        fake = self.G(torch.randn(self.batch, self.z_dim))
        loss_D = bce(self.D(real), self.real_label) + bce(self.D(fake.detach()), self.fake_label)
        self.opt_D.zero_grad(set_to_none=True)
        loss_D.backward()
        self.opt_D.step()
        # generator: fresh noise, non-saturating loss -log D(G(z))
        fake = self.G(torch.randn(self.batch, self.z_dim))
        loss_G = bce(self.D(fake), self.real_label)
        self.opt_G.zero_grad(set_to_none=True)
        loss_G.backward()  # also fills D's grads; opt_D.zero_grad clears them next step
        self.opt_G.step()
        return {"D": loss_D.detach(), "G": loss_G.detach()}

    def info(self):
        return {"n_params": count_params(self.G, self.D), "n_params_G": count_params(self.G),
                "n_params_D": count_params(self.D), "batch": self.batch}


# -----------------------------------------------------------------------------
# workload: dcgan


class Reshape(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)


class DcganWorkload(GanWorkload):
    g_channels, d_channels = (128, 64), (32, 64)  # genlab's GanConfig defaults (d_norm "batch")

    def __init__(self):
        super().__init__()
        g0, g1 = self.g_channels
        d0, d1 = self.d_channels
        self.G = nn.Sequential(
            nn.Linear(self.z_dim, g0 * 7 * 7, bias=False), Reshape(g0, 7, 7), nn.BatchNorm2d(g0), nn.ReLU(),
            nn.ConvTranspose2d(g0, g1, 4, 2, 1, bias=False), nn.BatchNorm2d(g1), nn.ReLU(),
            nn.ConvTranspose2d(g1, 1, 4, 2, 1), nn.Tanh(), Reshape(784),
        )
        self.D = nn.Sequential(
            Reshape(1, 28, 28),
            nn.Conv2d(1, d0, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(d0, d1, 4, 2, 1, bias=False), nn.BatchNorm2d(d1), nn.LeakyReLU(0.2),
            Reshape(d1 * 7 * 7), nn.Linear(d1 * 7 * 7, 1),
        )
        for m in list(self.G.modules()) + list(self.D.modules()):
            if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, 0.0, 0.02)  # DCGAN's init (genlab's --init gpt2)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        # genlab-gan --arch conv's learning rate (kDcganLr, experiments/gan/gan_config.h)
        self.opt_G = torch.optim.Adam(self.G.parameters(), lr=4e-4, betas=(0.5, 0.999))
        self.opt_D = torch.optim.Adam(self.D.parameters(), lr=4e-4, betas=(0.5, 0.999))


# -----------------------------------------------------------------------------
# workload: ae


class AeWorkload:
    batch = 128
    widths = [784, 512, 128, 32, 128, 512, 784]

    def __init__(self):
        self.images = fashion_mnist_train(signed=False)  # [0, 1]: BCE targets
        layers = []
        for i, (n_in, n_out) in enumerate(zip(self.widths[:-1], self.widths[1:])):
            layers.append(nn.Linear(n_in, n_out))
            if i < len(self.widths) - 2:
                layers.append(nn.GELU())  # exact erf form (approximate='none')
        self.model = nn.Sequential(*layers)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3)

    def step(self, it):
        x = random_rows(self.images, self.batch)
        recon = torch.sigmoid(self.model(x))
        loss = F.binary_cross_entropy(recon, x)  # mean over batch and pixels
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return {"loss": loss.detach()}

    def info(self):
        return {"n_params": count_params(self.model), "batch": self.batch}


# -----------------------------------------------------------------------------
# workload: gpt (a small nanoGPT)


class SelfAttention(nn.Module):
    """Causal multi-head self-attention, written out (q k^T, mask, softmax, @ v) as genlab does."""

    def __init__(self, n_embd, n_head, context):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)  # q, k, v in one matmul
        self.c_proj = nn.Linear(n_embd, n_embd)
        causal = torch.tril(torch.ones(context, context, dtype=torch.bool))
        self.register_buffer("causal", causal.view(1, 1, context, context))

    def forward(self, x):
        B, T, C = x.shape
        hs = C // self.n_head

        def heads(t):  # [B, T, C] -> [B, n_head, T, hs]
            return t.view(B, T, self.n_head, hs).transpose(1, 2)

        q, k, v = (heads(t) for t in self.c_attn(x).split(C, dim=2))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
        att = att.masked_fill(~self.causal[:, :, :T, :T], float("-inf"))
        y = F.softmax(att, dim=-1) @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # heads side by side again
        return self.c_proj(y)


class MLP(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd)
        self.c_proj = nn.Linear(4 * n_embd, n_embd)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    """Pre-LN transformer block: x + attn(ln(x)), then x + mlp(ln(x))."""

    def __init__(self, n_embd, n_head, context):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = SelfAttention(n_embd, n_head, context)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = MLP(n_embd)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, vocab, context, n_layer, n_head, n_embd):
        super().__init__()
        self.wte = nn.Embedding(vocab, n_embd)
        self.wpe = nn.Embedding(context, n_embd)
        self.blocks = nn.ModuleList([Block(n_embd, n_head, context) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab)  # with a bias, as genlab's output layer
        self.lm_head.weight = self.wte.weight  # tied: one [vocab, n_embd] matrix
        # nanoGPT init: N(0, 0.02) weights, zero biases, and the projections that write into the
        # residual stream (attention and MLP c_proj) scaled down by sqrt(2 * n_layer).
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, mean=0.0, std=0.02)
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.zeros_(m.bias)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * n_layer))

    def forward(self, idx, targets):
        B, T = idx.shape
        x = self.wte(idx) + self.wpe(torch.arange(T))
        for block in self.blocks:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        return F.cross_entropy(logits.view(B * T, -1), targets.view(B * T))


class GptWorkload:
    batch, context = 12, 64
    n_layer, n_head, n_embd = 4, 4, 128
    lr, min_lr, lr_warmup = 1e-3, 1e-4, 100

    def __init__(self, total_steps):
        path = args.shakespeare
        if not os.path.exists(path):
            sys.exit(f"{path} not found: pass --shakespeare")
        with open(path, "r", encoding="utf-8") as f:
            text = f.read()
        chars = sorted(set(text))  # the vocabulary: every character of the corpus (65)
        index = {c: i for i, c in enumerate(chars)}
        tokens = torch.tensor([index[c] for c in text], dtype=torch.long)
        split = int(0.9 * len(tokens))
        self.train_tokens, self.val_tokens = tokens[:split], tokens[split:]
        self.vocab = len(chars)
        self.total_steps = total_steps  # the cosine reaches min_lr at the last step

        self.model = GPT(self.vocab, self.context, self.n_layer, self.n_head, self.n_embd)
        # Weight decay on matrices and embeddings (2-D), not on biases and LayerNorm gains (1-D).
        # named_parameters() lists the tied wte/lm_head weight once.
        params = [p for _, p in self.model.named_parameters()]
        groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.1},
                  {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
        self.opt = torch.optim.AdamW(groups, lr=self.lr, betas=(0.9, 0.99))

    def lr_at(self, it):
        """nanoGPT's get_lr: linear warmup (never 0), cosine to min_lr at total_steps."""
        if it < self.lr_warmup:
            return self.lr * (it + 1) / (self.lr_warmup + 1)
        if it > self.total_steps:
            return self.min_lr
        progress = (it - self.lr_warmup) / max(1, self.total_steps - self.lr_warmup)
        return self.min_lr + 0.5 * (1.0 + math.cos(math.pi * progress)) * (self.lr - self.min_lr)

    def batch_from(self, tokens):
        """Random windows of `context` tokens; the targets are the same windows shifted by one."""
        starts = torch.randint(len(tokens) - self.context, (self.batch,))
        x = torch.stack([tokens[s:s + self.context] for s in starts])
        y = torch.stack([tokens[s + 1:s + 1 + self.context] for s in starts])
        return x, y

    def step(self, it):
        for group in self.opt.param_groups:
            group["lr"] = self.lr_at(it)
        x, y = self.batch_from(self.train_tokens)
        loss = self.model(x, y)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.opt.step()
        return {"loss": loss.detach()}

    @torch.no_grad()
    def evaluate(self, n_batches):
        self.model.eval()
        losses = [self.model(*self.batch_from(self.val_tokens)).item() for _ in range(n_batches)]
        self.model.train()
        return float(np.mean(losses))

    def info(self):
        n = count_params(self.model)
        return {"n_params": n, "n_params_no_wpe": n - self.model.wpe.weight.numel(), "vocab": self.vocab,
                "batch": self.batch, "block_size": self.context, "n_layer": self.n_layer,
                "n_head": self.n_head, "n_embd": self.n_embd,
                "attention": "explicit q@k^T, causal mask, softmax, @v (F.scaled_dot_product_attention: %s)"
                             % ("available, not used" if hasattr(F, "scaled_dot_product_attention")
                                else "not present in this torch"),
                "max_iters": self.total_steps}


# -----------------------------------------------------------------------------
# timing


def median(values):
    return float(np.median(values))  # mean of the two middle values for an even count, as genlab


def loaded_blas_libraries():
    """Which BLAS shared objects this process mapped (shows whether OpenBLAS is really in use)."""
    found = set()
    with open("/proc/self/maps") as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 6 and "blas" in fields[-1]:
                found.add(os.path.realpath(fields[-1]))
    return sorted(found)


def main():
    total_steps = args.warmup + args.steps
    if args.workload == "gan":
        work = GanWorkload()
    elif args.workload == "dcgan":
        work = DcganWorkload()
    elif args.workload == "ae":
        work = AeWorkload()
    else:
        work = GptWorkload(total_steps)

    it = 0
    t_start = time.perf_counter()

    # untimed warmup: real training steps (caches, allocator, thread pools settle)
    for _ in range(args.warmup):
        work.step(it)
        it += 1

    # timed steps, in blocks
    history = []  # each timed step's losses, kept as 0-d tensors: no conversion inside the timed loop
    block_ms = []
    t_timed = time.perf_counter()
    remaining = args.steps
    while remaining > 0:
        n = min(args.block, remaining)
        t_block = time.perf_counter()
        for _ in range(n):
            history.append(work.step(it))
            it += 1
            if args.log_every and it % args.log_every == 0:
                losses = " ".join(f"{k} {float(v):.4f}" for k, v in history[-1].items())
                print(f"step {it}: {losses} ({time.perf_counter() - t_start:.1f} s)", file=sys.stderr, flush=True)
        block_ms.append((time.perf_counter() - t_block) * 1000.0 / n)
        remaining -= n
    timed_s = time.perf_counter() - t_timed
    total_s = time.perf_counter() - t_start

    ms = median(block_ms)
    out = {
        "workload": args.workload,
        "threads": args.threads,
        "torch_get_num_threads": torch.get_num_threads(),
        "steps": args.steps,
        "warmup": args.warmup,
        "ms_per_step": round(ms, 4),
        "ms_per_step_method": f"median over {len(block_ms)} blocks of {args.block} steps",
        "ms_per_step_mean": round(timed_s * 1000.0 / args.steps, 4),
        "block_ms_min": round(min(block_ms), 4),
        "block_ms_max": round(max(block_ms), 4),
        "steps_per_s": round(1000.0 / ms, 3),
        "train_wall_s_total": round(total_s, 3),
    }

    # losses: the last timed step's, and their mean over the last (up to) 50 timed steps
    last = {k: float(v) for k, v in history[-1].items()}
    k = min(50, len(history))
    avg = {name: float(np.mean([float(h[name]) for h in history[-k:]])) for name in last}
    single = not isinstance(work, GanWorkload)  # gan, dcgan report {"D": .., "G": ..}, the others one number
    out["final_loss"] = last["loss"] if single else last
    out[f"final_loss_avg_last{k}"] = avg["loss"] if single else avg

    if args.eval and isinstance(work, GptWorkload):
        t_eval = time.perf_counter()
        out["val_loss"] = work.evaluate(args.eval_batches)
        out["val_batches"] = args.eval_batches
        out["eval_s"] = round(time.perf_counter() - t_eval, 3)

    out.update(work.info())
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)  # kB on Linux
    out["blas_loaded"] = loaded_blas_libraries()
    out["torch"] = torch.__version__
    out["python"] = f"{sys.executable} {sys.version.split()[0]}"
    out["OPENBLAS_CORETYPE"] = os.environ.get("OPENBLAS_CORETYPE")
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
