#!/usr/bin/env python3
"""torch_bench.py: the PyTorch twin of build/bin/gradflow_bench (same workloads, same names).

    python3 bench/torch_bench.py [--workload all|flagship|mlp|matmul|overhead|memory] [--quick]
                                 [--data DIR] [--seed N] [--threads N] [--json FILE]

Each workload is written the way a PyTorch user would write it (nn.Linear, torch.optim.Adam,
F.cross_entropy, eager autograd) and does the same work as its gradflow twin:

  flagship  784 -> 10 x5 -> 10 relu, batch 30, Adam (TF1 defaults), 2500 steps; every 200
            steps the per-layer mean |dL/dW|, mean |dL/db|, mean |W|, 30-bin histograms of dL/dW
            and W and the dead-ReLU fraction, as nn::GradientMonitor records them. Time per step
            includes mini-batch sampling (per-epoch shuffle, like TF's next_batch) and reading
            the loss and the batch accuracy. RSS after step 100 and 2500.
  mlp       784 -> 256 x5 -> 10 relu, batch 128, Adam: time per step.
  matmul    torch.mm GFLOP/s at 1024^3 and at the flagship's shapes (out= preallocated).
  overhead  1000 ops (tanh, mul by 0.5, add) on [1 x 4] tensors, eager autograd: us per op.
  memory    3 activations x 3 seeds x 2500 steps + test accuracy: wall time and peak RSS.
  process   the twin of one whole lesson 05 process (--activations relu --seeds 1): read the four
            IDX files, the relu run of the flagship (2500 steps, monitor every 200), validation
            and test accuracy. Timed from after `import torch` (the import is excluded) to the
            accuracies; gradflow's side (bench/time_process.py) times the whole lesson process,
            page included.

Lines are printed as "<workload> <metric> = <value> <unit>"; --json FILE appends one JSON
object per line, the format bench/report.py reads.
"""

import argparse
import ctypes
import json
import os
import platform
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

WORKLOADS = ["flagship", "mlp", "matmul", "overhead", "memory", "process"]


# ------------------------------------------------------------------------------------------------
# Output


class Reporter:
    def __init__(self, threads, json_path):
        self.threads = threads
        self.json = open(json_path, "a") if json_path else None

    def _emit(self, obj):
        if self.json:
            self.json.write(json.dumps(obj) + "\n")
            self.json.flush()

    def result(self, workload, metric, value, unit, note=""):
        print(f"{workload:<9} {metric:<40} = {value:>12.5g} {unit}" + (f"  ({note})" if note else ""), flush=True)
        self._emit(dict(side="torch", threads=self.threads, workload=workload, metric=metric, value=float(value),
                        unit=unit, note=note))

    def info(self, key, value):
        print(f"info      {key:<40} = {value}", flush=True)
        self._emit(dict(side="torch", threads=self.threads, info=key, value=str(value)))


def proc_status_kib(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def openblas_in_use():
    """The libopenblas that this process (i.e. torch) actually loaded, found in /proc/self/maps,
    opened with ctypes to ask it the same questions gradflow_bench asks."""
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))  # make sure BLAS is loaded
    paths = set()
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 6 and ("blas" in parts[5].lower() or "mkl" in parts[5].lower()):
                paths.add(parts[5])
    info = {"blas_libraries": ", ".join(sorted(paths)) or "none found"}
    for path in sorted(paths):
        if "openblas" not in os.path.basename(path):
            continue
        lib = ctypes.CDLL(path)
        for fn in ("openblas_get_config", "openblas_get_corename"):
            f = getattr(lib, fn, None)
            if f is not None:
                f.restype = ctypes.c_char_p
                info[fn.replace("_get", "")] = f().decode()
        f = getattr(lib, "openblas_get_num_threads", None)
        if f is not None:
            f.restype = ctypes.c_int
            info["openblas_num_threads"] = f()
        break
    return info


# ------------------------------------------------------------------------------------------------
# Data: MNIST as TF's read_data_sets served it (first 5,000 training images held out), or
# seeded synthetic data with the same shape and sparsity as gradflow_bench's.


def read_idx(path):
    for candidate in (path, path + ".gz"):
        if os.path.exists(candidate):
            if candidate.endswith(".gz"):
                import gzip

                with gzip.open(candidate, "rb") as f:
                    raw = f.read()
            else:
                with open(candidate, "rb") as f:
                    raw = f.read()
            ndim = raw[3]
            dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
            return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)
    raise FileNotFoundError(path)


class Data:
    def __init__(self, args, rep):
        self.real = False
        d = args.data
        try:
            if os.path.isdir(d):
                tr_x = read_idx(os.path.join(d, "train-images-idx3-ubyte"))
                tr_y = read_idx(os.path.join(d, "train-labels-idx1-ubyte"))
                te_x = read_idx(os.path.join(d, "t10k-images-idx3-ubyte"))
                te_y = read_idx(os.path.join(d, "t10k-labels-idx1-ubyte"))
                scale = np.float32(255.0)  # byte / 255 in float32, as gradflow's reader does
                self.train_x = torch.from_numpy(tr_x[5000:].reshape(-1, 784).astype(np.float32) / scale)
                self.train_y = torch.from_numpy(tr_y[5000:].astype(np.int64))
                self.validation_x = torch.from_numpy(tr_x[:5000].reshape(-1, 784).astype(np.float32) / scale)
                self.validation_y = torch.from_numpy(tr_y[:5000].astype(np.int64))
                self.test_x = torch.from_numpy(te_x.reshape(-1, 784).astype(np.float32) / scale)
                self.test_y = torch.from_numpy(te_y.astype(np.int64))
                self.real = True
        except (OSError, ValueError) as e:
            print(f"torch_bench: could not read MNIST from {d} ({e}), using synthetic data", file=sys.stderr)
        if not self.real:
            g = np.random.default_rng(args.seed)

            def synthetic(n):
                r = g.random((n, 784), dtype=np.float32)
                x = np.where(r < 0.8, np.float32(0), (r - np.float32(0.8)) * np.float32(5))
                return torch.from_numpy(x.astype(np.float32)), torch.from_numpy(g.integers(0, 10, n))

            self.train_x, self.train_y = synthetic(2000 if args.quick else 55000)
            self.validation_x, self.validation_y = synthetic(500 if args.quick else 5000)
            self.test_x, self.test_y = synthetic(1000 if args.quick else 10000)
        self.rss_after_load = proc_status_kib("VmRSS")
        self.peak_after_load = proc_status_kib("VmHWM")
        kind = f"MNIST from {d}" if self.real else "synthetic"
        rep.info("data", f"{kind} ({len(self.train_y)} train, {len(self.test_y)} test)")


class BatchSampler:
    """TF's DataSet.next_batch: shuffled each epoch, full batches across epoch boundaries."""

    def __init__(self, x, y, batch, seed):
        self.x, self.y, self.batch = x, y, batch
        self.gen = torch.Generator().manual_seed(seed)
        self.order = torch.randperm(len(y), generator=self.gen)
        self.pos = 0

    def next_batch(self):
        n = len(self.y)
        if self.pos + self.batch <= n:
            idx = self.order[self.pos:self.pos + self.batch]
            self.pos += self.batch
        else:
            rest = self.order[self.pos:]
            self.order = torch.randperm(n, generator=self.gen)
            self.pos = self.batch - len(rest)
            idx = torch.cat([rest, self.order[:self.pos]])
        return self.x.index_select(0, idx), self.y.index_select(0, idx)


# ------------------------------------------------------------------------------------------------
# Models


class Mlp(torch.nn.Module):
    """784 -> hidden... -> 10, tf.layers.dense defaults: Glorot-uniform kernels, zero biases."""

    def __init__(self, hidden, activation, alpha=0.2):
        super().__init__()
        sizes = [784] + list(hidden) + [10]
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        for layer in self.layers:
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
        self.activation = activation
        self.alpha = alpha
        self.pre_activations = []

    def forward(self, x):
        self.pre_activations = []
        for i, layer in enumerate(self.layers):
            z = layer(x)
            if i + 1 == len(self.layers):
                return z
            self.pre_activations.append(z)
            if self.activation == "relu":
                x = F.relu(z)
            elif self.activation == "leaky_relu":
                x = F.leaky_relu(z, self.alpha)
            else:
                x = torch.sigmoid(z)
        return x


def adam(model):  # TF1 defaults
    return torch.optim.Adam(model.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-8)


def gradient_record(model, step, bins=30):
    """What nn::GradientMonitor records per layer on an armed step."""
    layers = []
    with torch.no_grad():
        for i, layer in enumerate(model.layers):
            w, gw, gb = layer.weight, layer.weight.grad, layer.bias.grad
            rec = dict(layer=f"layer{i + 1}", mean_abs_kernel_grad=gw.abs().mean().item(),
                       mean_abs_bias_grad=gb.abs().mean().item(), mean_abs_kernel=w.abs().mean().item(),
                       kernel_grad=torch.histc(gw, bins=bins).tolist(), kernel_value=torch.histc(w, bins=bins).tolist())
            if i < len(model.pre_activations):
                z = model.pre_activations[i]
                if model.activation in ("relu", "leaky_relu"):
                    rec["dead_fraction"] = (z <= 0).all(dim=0).float().mean().item()
                else:
                    y = torch.sigmoid(z)
                    rec["saturated_fraction"] = (y * (1 - y) < 0.05).float().mean().item()
            layers.append(rec)
    return dict(step=step, layers=layers)


def train_step(model, opt, x, y, monitor_step=None, history=None):
    opt.zero_grad(set_to_none=True)
    logits = model(x)
    loss = F.cross_entropy(logits, y)
    loss.backward()
    result = (loss.item(), (logits.argmax(dim=1) == y).float().mean().item())  # read before the update
    if monitor_step is not None:  # what the monitor's hooks see: gradients and weights before the update
        history.append(gradient_record(model, monitor_step))
    opt.step()
    return result


def train_flagship(data, activation, seed, steps, evaluate):
    torch.manual_seed(seed)
    model = Mlp([10] * 5, activation)
    opt = adam(model)
    sampler = BatchSampler(data.train_x, data.train_y, 30, seed)
    history = []
    step_times = []
    rss_at_100 = 0
    mark = min(100, steps // 2)
    t0 = time.perf_counter()
    for step in range(steps):
        ts = time.perf_counter()
        x, y = sampler.next_batch()
        train_step(model, opt, x, y, step if step % 200 == 0 else None, history)
        step_times.append(time.perf_counter() - ts)
        if step + 1 == mark:
            rss_at_100 = proc_status_kib("VmRSS")
    seconds = time.perf_counter() - t0
    rss_end = proc_status_kib("VmRSS")
    accuracy = validation_accuracy = None
    if evaluate:
        accuracy = evaluate_accuracy(model, data.test_x, data.test_y)
    if evaluate == "validation and test":
        validation_accuracy = evaluate_accuracy(model, data.validation_x, data.validation_y)
    return dict(seconds=seconds, step_times=step_times, rss_at_100=rss_at_100, rss_end=rss_end, mark=mark,
                accuracy=accuracy, validation_accuracy=validation_accuracy)


def evaluate_accuracy(model, x, y):
    with torch.no_grad():
        correct = 0
        for start in range(0, len(y), 1000):
            logits = model(x[start:start + 1000])
            correct += (logits.argmax(dim=1) == y[start:start + 1000]).sum().item()
        return correct / len(y)


# ------------------------------------------------------------------------------------------------
# Workloads


def bench_flagship(args, data, rep):
    steps = 120 if args.quick else 2500
    train_flagship(data, "relu", args.seed + 1000, 5 if args.quick else 100, False)  # warm-up
    run = train_flagship(data, "relu", args.seed, steps, False)
    note = "MNIST" if data.real else "synthetic data"
    rep.result("flagship", "ms_per_iter", 1e3 * run["seconds"] / steps, "ms", note)
    rep.result("flagship", "ms_per_iter_median", 1e3 * statistics.median(run["step_times"]), "ms", note)
    rep.result("flagship", "rss_growth_100_to_end", run["rss_end"] - run["rss_at_100"], "KiB",
               f"VmRSS after step {run['mark']} and after step {steps}")


def bench_memory(args, data, rep):
    steps = 50 if args.quick else 2500
    seeds = 1 if args.quick else 3
    activations = ["sigmoid", "relu", "leaky_relu"]
    t0 = time.perf_counter()
    growth = 0
    for a in activations:
        for s in range(seeds):
            run = train_flagship(data, a, args.seed + s, steps, True)
            growth = max(growth, run["rss_end"] - run["rss_at_100"])
    wall = time.perf_counter() - t0
    rep.result("memory", "lesson05_like_seconds", wall, "s",
               f"{len(activations)} activations x {seeds} seeds x {steps} steps + test accuracy")
    rep.result("memory", "peak_rss", proc_status_kib("VmHWM") / 1024.0, "MiB", "VmHWM, whole process incl. data")
    rep.result("memory", "rss_after_loading_data", data.rss_after_load / 1024.0, "MiB",
               "VmRSS once the data sets are in memory")
    rep.result("memory", "peak_rss_while_loading_data", data.peak_after_load / 1024.0, "MiB",
               "VmHWM right after reading the data sets")
    rep.result("memory", "rss_growth_100_to_end_max", growth, "KiB", "worst of the runs")


def bench_process(args, rep):
    """Data to accuracies in one go, as a PyTorch script doing lesson 05's relu run would."""
    t0 = time.perf_counter()
    data = Data(args, rep)
    steps = 60 if args.quick else 2500
    run = train_flagship(data, "relu", args.seed, steps, "validation and test")
    seconds = time.perf_counter() - t0
    rep.result("process", "one_run_seconds", seconds, "s",
               f"IDX files read, {steps} steps with the monitor, validation and test accuracy; import excluded")
    rep.result("process", "one_run_peak_rss", proc_status_kib("VmHWM") / 1024.0, "MiB", "VmHWM, import included")
    rep.result("process", "one_run_test_accuracy", run["accuracy"], "")


def bench_mlp(args, data, rep):
    torch.manual_seed(args.seed)
    model = Mlp([256] * 5, "relu")
    opt = adam(model)
    sampler = BatchSampler(data.train_x, data.train_y, 128, args.seed)

    def step():
        x, y = sampler.next_batch()
        train_step(model, opt, x, y)

    for _ in range(1 if args.quick else 10):
        step()
    steps = 3 if args.quick else 200
    times = []
    t0 = time.perf_counter()
    for _ in range(steps):
        ts = time.perf_counter()
        step()
        times.append(time.perf_counter() - ts)
    total = time.perf_counter() - t0
    rep.result("mlp", "ms_per_iter", 1e3 * total / steps, "ms", "MNIST" if data.real else "synthetic data")
    rep.result("mlp", "ms_per_iter_median", 1e3 * statistics.median(times), "ms")


def gflops(m, n, k, small, quick, call):
    flop = 2.0 * m * n * k
    call()
    per_batch = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(per_batch):
            call()
        if time.perf_counter() - t0 > (2e-4 if quick else 2e-3) or per_batch >= (1 << 20):
            break
        per_batch *= 2
    rates = []
    for _ in range(3 if quick else (25 if small else 9)):
        t0 = time.perf_counter()
        for _ in range(per_batch):
            call()
        rates.append(flop * per_batch / (time.perf_counter() - t0) / 1e9)
    return statistics.median(rates)


def bench_matmul(args, rep):
    # (label, m, n, k, transpose A): as gradflow_bench's shapes. 784x30_by_30x10 is the layer-1
    # kernel gradient x^T dz, with x stored [30 x 784] (a transposed view, as autograd uses).
    shapes = [("1024x1024_by_1024x1024", 1024, 1024, 1024, False, False), ("30x784_by_784x10", 30, 10, 784, False, True),
              ("30x10_by_10x10", 30, 10, 10, False, True), ("784x30_by_30x10", 784, 10, 30, True, True)]
    if args.quick:
        shapes[0] = ("256x256_by_256x256", 256, 256, 256, False, False)
    g = torch.Generator().manual_seed(args.seed)
    with torch.no_grad():
        for label, m, n, k, ta, small in shapes:
            a = torch.rand(k, m, generator=g).t() if ta else torch.rand(m, k, generator=g)
            b = torch.rand(k, n, generator=g)
            c = torch.empty(m, n)
            rate = gflops(m, n, k, small, args.quick, lambda: torch.mm(a, b, out=c))
            rep.result("matmul", f"torch_mm_gflops[{label}]", rate, "GFLOP/s")


CHAIN_OPS = 1000


def bench_overhead(args, rep):
    min_seconds = 0.02 if args.quick else 0.5
    min_iters = 2 if args.quick else 20
    w = torch.tensor([[0.1, -0.2, 0.3, -0.4]], requires_grad=True)
    c = torch.tensor([[0.05, 0.1, -0.05, -0.1]], requires_grad=True)

    def forward():
        x = w
        for i in range(CHAIN_OPS):
            r = i % 3
            if r == 0:
                x = torch.tanh(x)
            elif r == 1:
                x = torch.mul(x, 0.5)
            else:
                x = torch.add(x, c)
        return x.sum()

    forward().backward()
    fwd, bwd = [], []
    t0 = time.perf_counter()
    while len(fwd) < min_iters or time.perf_counter() - t0 < min_seconds:
        w.grad = None
        c.grad = None
        t1 = time.perf_counter()
        loss = forward()
        t2 = time.perf_counter()
        loss.backward()
        t3 = time.perf_counter()
        fwd.append(t2 - t1)
        bwd.append(t3 - t2)
    f = 1e6 * statistics.median(fwd) / CHAIN_OPS
    b = 1e6 * statistics.median(bwd) / CHAIN_OPS
    rep.result("overhead", "eager_fwd_us_per_op", f, "us")
    rep.result("overhead", "eager_bwd_us_per_op", b, "us")
    rep.result("overhead", "eager_fwd_bwd_us_per_op", f + b, "us", "chain of 1000 ops on [1 x 4]")


# ------------------------------------------------------------------------------------------------


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--workload", default="all", choices=["all"] + WORKLOADS)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--data", default="data/mnist")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--json")
    args = p.parse_args()

    rep = Reporter(args.threads, args.json)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    rep.info("python", platform.python_version())
    rep.info("torch", torch.__version__)
    rep.info("numpy", np.__version__)
    rep.info("torch_num_threads", torch.get_num_threads())
    for key, value in openblas_in_use().items():
        rep.info(key, value)

    want = lambda w: args.workload in ("all", w)  # noqa: E731
    if args.workload == "process":  # times its own data reading: nothing else first
        bench_process(args, rep)
        return
    data = Data(args, rep) if any(want(w) for w in ("flagship", "mlp", "memory")) else None
    if want("flagship"):
        bench_flagship(args, data, rep)
    if want("mlp"):
        bench_mlp(args, data, rep)
    if want("matmul"):
        bench_matmul(args, rep)
    if want("overhead"):
        bench_overhead(args, rep)
    if want("memory"):
        bench_memory(args, data, rep)
    if want("process"):
        bench_process(args, rep)


if __name__ == "__main__":
    main()
