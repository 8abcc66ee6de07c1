"""Benchmark: streaming statistics for a 2-layer, 600-unit LSTM language model (h and c, 2 layers).

Prints one JSON line with

* ``accumulation_fraction``: time of ``CorpusStats.update`` / time of ``StateRecorder.record``
  (capture, including the model's own forward) over the same batches, measured batch by batch,
  interleaved. Goal <= 0.25. As in ``rv.analyze``, the states of a model on a GPU stay there
  and are folded in there.
* ``rss_growth``: peak RSS of a process that streams 1M tokens / one that streams 200k tokens,
  minus 1. Goal <= 0.05. Each size runs in a fresh child process. Capturing 1M tokens takes
  most of an hour on 2 CPU cores, so by default a child captures ``--capture-batches`` real
  batches and then feeds the statistics those captured states again, each time with fresh token
  ids (so words, quantile histograms and contexts keep changing); pass ``--full-capture`` to
  capture every batch (use on a GPU machine).

Token ids are Zipf-distributed over a 10k vocabulary, like text; statistics keep quantiles for
the 300 most frequent words and 10 contexts per unit and sign (the rv.analyze defaults).

    .venv/bin/python benchmarks/stats.py [--ratio-batches 8] [--small 200000] [--large 1000000]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time

import numpy as np
import torch
from common import LanguageModel

from rnnvis_widget.capture import StateRecorder, StepBatch
from rnnvis_widget.capture.batches import Batch
from rnnvis_widget.stats import CorpusStats, activation_bounds, top_words

VOCAB = 10_000
BATCH, BPTT = 64, 35


def zipf_batch(rng: np.random.Generator) -> Batch:
    ids = np.minimum(rng.zipf(1.1, size=(BATCH, BPTT)) - 1, VOCAB - 1)
    return Batch(torch.from_numpy(ids), torch.full((BATCH,), BPTT))


def new_stats(model: LanguageModel, recorder: StateRecorder, rng: np.random.Generator) -> CorpusStats:
    # Display words from a counting pass over a sample of the same distribution, as analyze does.
    counts = np.bincount(
        np.concatenate([zipf_batch(rng).ids.numpy().ravel() for _ in range(50)]), minlength=VOCAB
    )
    bounds = {
        (key, kind): bound
        for key in recorder.layers
        for kind, bound in activation_bounds(model.rnn, recorder.kinds(key)).items()
    }
    return CorpusStats(VOCAB, display_words=top_words(counts, 300), bounds=bounds)


def measure_ratio(n_batches: int, device: torch.device) -> dict[str, float]:
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    model = LanguageModel().to(device).eval()
    batches = [zipf_batch(rng) for _ in range(n_batches + 1)]
    t_capture = t_stats = 0.0
    with StateRecorder(model, keep_on_device=True) as recorder:
        stats = new_stats(model, recorder, rng)
        for index, batch in enumerate(batches):
            start = time.perf_counter()
            step = recorder.record(batch)
            if device.type == "cuda":
                torch.cuda.synchronize()
            middle = time.perf_counter()
            stats.update(step)
            end = time.perf_counter()
            if index:  # batch 0 warms up allocators, oneDNN primitives, lazily made slots
                t_capture += middle - start
                t_stats += end - middle
    return {"capture_s": t_capture, "stats_s": t_stats}


def child(n_tokens: int, capture_batches: int, full_capture: bool, device: torch.device) -> None:
    """Stream n_tokens through capture + statistics; print peak RSS (bytes) as JSON."""
    torch.manual_seed(0)
    rng = np.random.default_rng(1)
    model = LanguageModel().to(device).eval()
    n_batches = -(-n_tokens // (BATCH * BPTT))
    captured: list[StepBatch] = []
    with StateRecorder(model, keep_on_device=True) as recorder:
        stats = new_stats(model, recorder, rng)
        for index in range(n_batches):
            batch = zipf_batch(rng)
            if full_capture or index < capture_batches:
                step = recorder.record(batch)
                if not full_capture:
                    captured.append(step)
            else:
                # Real captured states again, under fresh token ids.
                again = captured[index % len(captured)]
                step = StepBatch(batch, again.states, again.initial)
            stats.update(step)
    print(
        json.dumps(
            {
                "tokens": stats.n_tokens,
                "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            }
        )
    )


def run_child(n_tokens: int, args: argparse.Namespace) -> dict[str, int]:
    command = [sys.executable, __file__, "--child", str(n_tokens), "--device", args.device]
    command += ["--capture-batches", str(args.capture_batches)] + (
        ["--full-capture"] if args.full_capture else []
    )
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, int] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--ratio-batches", type=int, default=8, help="batches of 64 x 35 tokens for the time ratio"
    )
    ap.add_argument("--small", type=int, default=200_000)
    ap.add_argument("--large", type=int, default=1_000_000)
    ap.add_argument("--capture-batches", type=int, default=4)
    ap.add_argument("--full-capture", action="store_true")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    device = torch.device(args.device)
    if args.child:
        child(args.child, args.capture_batches, args.full_capture, device)
        return
    timing = measure_ratio(args.ratio_batches, device)
    small, large = run_child(args.small, args), run_child(args.large, args)
    fraction = timing["stats_s"] / timing["capture_s"]
    growth = large["peak_rss_bytes"] / small["peak_rss_bytes"] - 1
    print(
        json.dumps(
            {
                "benchmark": "stats_lstm2x600",
                "device": str(device),
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "cpu": platform.processor() or platform.machine(),
                "ratio_tokens": args.ratio_batches * BATCH * BPTT,
                "capture_s": round(timing["capture_s"], 3),
                "stats_s": round(timing["stats_s"], 3),
                "accumulation_fraction": round(fraction, 4),
                "accumulation_goal": 0.25,
                "rss_small_tokens": small["tokens"],
                "rss_large_tokens": large["tokens"],
                "peak_rss_small_mb": round(small["peak_rss_bytes"] / 2**20, 1),
                "peak_rss_large_mb": round(large["peak_rss_bytes"] / 2**20, 1),
                "rss_growth": round(growth, 4),
                "rss_growth_goal": 0.05,
                "full_capture": args.full_capture,
                "capture_batches_replayed": 0 if args.full_capture else args.capture_batches,
            }
        )
    )


if __name__ == "__main__":
    main()
