"""Benchmark: capture of h and c for all layers of a 2-layer, 600-unit LSTM language model.

Prints one JSON line. ``ratio`` = capture time / plain ``model(ids)`` forward time under
``torch.inference_mode()`` over the same batches (the strictest baseline). Capture stops each
forward once every recorded module has run (the read-out over 10,000 words is skipped);
``ratio_full_forward`` is the same with ``stop_early=False``, the whole forward run too;
``ratio_vs_no_grad`` and ``ratio_vs_grad`` use a ``torch.no_grad()`` forward and a plain forward
with autograd on (eval mode) instead. All are measured side by side in one run, interleaved,
and the median of ``--repeats`` rounds is reported, as wall time and as process CPU time (the
latter is steadier on a shared machine). Goal: ratio <= 1.5.

    .venv/bin/python benchmarks/capture.py [--tokens 100000] [--repeats 3] [--threads N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import platform
import statistics
import time
from collections.abc import Callable

import torch
from common import LanguageModel

from rnnvis_widget.capture import StateRecorder
from rnnvis_widget.capture.batches import Batch


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tokens", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: default)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    device = torch.device(args.device)
    model = LanguageModel().to(device).eval()
    bsz, bptt = 64, 35
    n_batches = math.ceil(args.tokens / (bsz * bptt))
    batches = [Batch(torch.randint(0, 10_000, (bsz, bptt)), torch.full((bsz,), bptt))
               for _ in range(n_batches)]

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize()

    def timed(fn: Callable[[], None]) -> tuple[float, float]:
        sync()
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        sync()
        return time.perf_counter() - wall, time.process_time() - cpu

    def baseline(ctx: Callable[[], contextlib.AbstractContextManager[object]]) -> Callable[[], None]:
        def run() -> None:
            with ctx():
                for b in batches:
                    model(b.ids.to(device))
        return run

    def capturing(stop_early: bool) -> Callable[[], None]:
        def run() -> None:
            with StateRecorder(model, stop_early=stop_early) as rec:
                for b in batches:
                    step = rec.record(b)
            assert len(step.states) == 2 and all(set(v) == {"h", "c"} for v in step.states.values())
        return run

    runs = {
        "inference_mode": baseline(torch.inference_mode),
        # Default: the forward stops once the LSTM's states are recorded (the read-out is skipped).
        "capture": capturing(stop_early=True),
        # The whole forward runs too: what capture costs when a model's forward cannot be cut.
        "capture_full_forward": capturing(stop_early=False),
        "no_grad": baseline(torch.no_grad),
        "grad": baseline(contextlib.nullcontext),
    }
    all_batches = batches
    batches = all_batches[:2]
    for fn in runs.values():  # warm-up on two batches: allocator, oneDNN primitives
        fn()
    batches = all_batches
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in runs}
    for _ in range(args.repeats):
        for k, fn in runs.items():
            times[k].append(timed(fn))
    wall = {k: statistics.median(t[0] for t in v) for k, v in times.items()}
    cpu = {k: statistics.median(t[1] for t in v) for k, v in times.items()}
    inf, ng, cap = wall["inference_mode"], wall["no_grad"], wall["capture"]
    print(json.dumps({
        "benchmark": "capture_lstm2x600",
        "device": str(device),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cpu": platform.processor() or platform.machine(),
        "tokens": n_batches * bsz * bptt,
        "batches": n_batches,
        "repeats": args.repeats,
        "baseline_inference_mode_s": round(inf, 3),
        "baseline_no_grad_s": round(ng, 3),
        "capture_s": round(cap, 3),
        "ratio": round(cap / inf, 3),
        "ratio_vs_no_grad": round(cap / ng, 3),
        "ratio_vs_grad": round(cap / wall["grad"], 3),
        "ratio_cpu_time": round(cpu["capture"] / cpu["inference_mode"], 3),
        "capture_full_forward_s": round(wall["capture_full_forward"], 3),
        "ratio_full_forward": round(wall["capture_full_forward"] / inf, 3),
        "baseline_grad_s": round(wall["grad"], 3),
        "goal": 1.5,
    }))


if __name__ == "__main__":
    main()
