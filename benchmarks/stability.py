"""Stability of the clustering shown against the seed, on every shipped model.

Prints exactly one JSON line. Run: ``.venv/bin/python benchmarks/stability.py``.

For each model of :data:`rnnvis_widget.zoo.PRETRAINED`, its test split is analysed as the
notebooks do (``rv.analyze``, the model's own ``forward`` where it has one) and every layer's
``h`` response is co-clustered the way the widget does it: a
:class:`~rnnvis_widget.clustering.SpectralEmbedding` fitted with the widget's ``min_count``
(5) and a seed, then ``.cluster(k)``. For ``k`` in 4, 8, 12 and seeds 0..4, the adjusted Rand
index of every pair of seeds (10 pairs) is computed for the word labels (clustered words only)
and the unit labels; reported per model, layer and k as ``[mean, min, max]`` of those 10. The
seed enters both the randomised SVD and k-means, so this measures the clustering as a whole:
how clearly the data single out one partition at the widget's settings.
``worst_mean`` is the lowest mean over everything measured (goal: >= 0.9, issue 14), and
``cluster_s`` the median time of one ``.cluster(k)`` call (the k-change cost).

    .venv/bin/python benchmarks/stability.py [--seeds 5] [--tokens 200000] [--models a,b]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from typing import Any

import numpy as np
from sklearn.metrics import adjusted_rand_score

import rnnvis_widget as rv
from rnnvis_widget.clustering import SpectralEmbedding
from rnnvis_widget.zoo import PRETRAINED, load_pretrained

KS = (4, 8, 12)
#: The widget's default (``rv.RNNVis(min_count=5)``).
MIN_COUNT = 5


def _spread(values: list[float]) -> list[float]:
    return [round(statistics.fmean(values), 4), round(min(values), 4), round(max(values), 4)]


def _test_corpus(pre: Any, tokens: int) -> list[Any]:
    """The first sequences of the test split, up to ``tokens`` tokens."""
    corpus, total = [], 0
    for sequence in pre.data.test:
        corpus.append(sequence)
        total += len(sequence)
        if total >= tokens:
            break
    return corpus


def _measure_slot(
    response: np.ndarray, counts: np.ndarray, seeds: range, cluster_times: list[float]
) -> dict[str, Any]:
    embeddings = [
        SpectralEmbedding.fit(response, counts, min_count=MIN_COUNT, seed=seed) for seed in seeds
    ]
    clustered = counts >= MIN_COUNT
    out: dict[str, Any] = {"n_words": int(clustered.sum()), "n_units": int(response.shape[1])}
    for k in KS:
        labels = []
        for embedding in embeddings:
            start = time.perf_counter()
            co = embedding.cluster(k)
            cluster_times.append(time.perf_counter() - start)
            labels.append((co.word_labels[clustered], co.unit_labels))
        words, units = [], []
        for (wa, ua), (wb, ub) in itertools.combinations(labels, 2):
            words.append(float(adjusted_rand_score(wa, wb)))
            units.append(float(adjusted_rand_score(ua, ub)))
        out[f"k{k}"] = {
            "word_ari": _spread(words),
            "unit_ari": _spread(units),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--tokens", type=int, default=200_000, help="test tokens analysed per model")
    ap.add_argument("--models", default=",".join(PRETRAINED))
    args = ap.parse_args()
    seeds = range(args.seeds)
    report: dict[str, Any] = {
        "benchmark": "stability",
        "seeds": args.seeds,
        "ks": list(KS),
        "min_count": MIN_COUNT,
        "state": "h",
        "models": {},
    }
    cluster_times: list[float] = []
    means: list[float] = []
    for name in args.models.split(","):
        pre = load_pretrained(name)
        analysis = rv.analyze(
            pre.model,
            _test_corpus(pre, args.tokens),
            pre.vocab.words,
            forward=pre.forward,
            progress=False,
        )
        layers = {}
        for layer in range(len(analysis.stacks)):
            slot = _measure_slot(analysis.response(layer, "h"), analysis.counts, seeds, cluster_times)
            layers[str(layer)] = slot
            means += [slot[f"k{k}"][side][0] for k in KS for side in ("word_ari", "unit_ari")]
        report["models"][name] = layers
    report["worst_mean"] = round(min(means), 4)
    report["cluster_s"] = round(statistics.median(cluster_times), 4)
    json.dump(report, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
