"""Co-clustering: ours vs scikit-learn's SpectralCoclustering on the same planted data.

Prints exactly one JSON line. Run: ``.venv/bin/python benchmarks/cocluster.py``.

For each shape (10,000 words x 1,200 units, and 300 x 1,500), k = 10, planted signed data
from :mod:`rnnvis_widget.clustering.planted`, median wall time of 5 runs in this one process, and the
adjusted Rand index against the plant for words and units:

- ``ours``: :func:`rnnvis_widget.clustering.cocluster.cocluster` (full result: labels, edges, order,
  strengths);
- ``sklearn_signed``: ``SpectralCoclustering`` on the signed matrix, as RNNVis used it;
- ``sklearn_magnitude``: ``SpectralCoclustering`` on ``|S|``, the same graph we cluster.

Repeats are interleaved (ours, sklearn signed, sklearn magnitude, ours, ...) so that load
from other processes falls on all alike; ``speedup_*`` is sklearn's median over ours, from
the same run. ``blas_threads`` records OpenBLAS's thread setting, which changes the ratio;
``median_cpu_s`` (process CPU time, all threads) is steadier than wall time on a shared
machine when BLAS runs single-threaded. Also reported:
``range_2_20_s``, the time to precompute every k in 2..20 at the large shape, and
``ari_by_n_vectors``, the ARI (words, units) at the large shape when k-means sees only the
first ``l`` non-trivial singular vectors, which is how the choice ``l = k - 1`` was made.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.cluster import SpectralCoclustering
from sklearn.metrics import adjusted_rand_score

from rnnvis_widget.clustering._spectral import kmeans
from rnnvis_widget.clustering.cocluster import SpectralEmbedding, cocluster, cocluster_range
from rnnvis_widget.clustering.planted import planted_coclusters

N_CLUSTERS = 10
REPEATS = 5
SHAPES = [(10_000, 1_200), (300, 1_500)]
SEED = 0


def _ari(truth: np.ndarray, found: np.ndarray) -> float:
    return round(float(adjusted_rand_score(truth, found)), 4)


def _compare(n_words: int, n_units: int) -> dict[str, Any]:
    plant = planted_coclusters(n_words, n_units, N_CLUSTERS, seed=SEED)
    counts = np.ones(n_words, dtype=np.int64)  # every word clustered, as sklearn does
    magnitude = np.abs(plant.response)

    def ours() -> tuple[np.ndarray, np.ndarray]:
        result = cocluster(plant.response, counts, N_CLUSTERS, seed=SEED)
        return result.word_labels, result.unit_labels

    def sklearn_on(matrix: np.ndarray) -> Callable[[], tuple[np.ndarray, np.ndarray]]:
        def run() -> tuple[np.ndarray, np.ndarray]:
            fitted = SpectralCoclustering(n_clusters=N_CLUSTERS, random_state=SEED).fit(matrix)
            return fitted.row_labels_, fitted.column_labels_

        return run

    contenders = {
        "ours": ours,
        "sklearn_signed": sklearn_on(plant.response),
        "sklearn_magnitude": sklearn_on(magnitude),
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    labels: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    # Interleaved, so that a burst of load on a shared machine hits every contender alike.
    for _ in range(REPEATS):
        for name, run in contenders.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            labels[name] = run()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)

    out: dict[str, Any] = {"n_words": n_words, "n_units": n_units, "k": N_CLUSTERS}
    for name in contenders:
        out[name] = {
            "median_s": round(statistics.median(times[name]), 4),
            "median_cpu_s": round(statistics.median(cpu[name]), 4),
            "word_ari": _ari(plant.word_labels, labels[name][0]),
            "unit_ari": _ari(plant.unit_labels, labels[name][1]),
        }
    for name in ("sklearn_signed", "sklearn_magnitude"):
        ratio = statistics.median(times[name]) / statistics.median(times["ours"])
        out[f"speedup_vs_{name}"] = round(ratio, 2)
    return out


def _range_time(n_words: int, n_units: int) -> float:
    plant = planted_coclusters(n_words, n_units, N_CLUSTERS, seed=SEED)
    counts = np.ones(n_words, dtype=np.int64)
    start = time.perf_counter()
    cocluster_range(plant.response, counts, range(2, 21), seed=SEED)
    return round(time.perf_counter() - start, 3)


def _ari_by_n_vectors(n_words: int, n_units: int) -> dict[str, list[float]]:
    k = N_CLUSTERS
    plant = planted_coclusters(n_words, n_units, k, seed=SEED)
    counts = np.ones(n_words, dtype=np.int64)
    embedding = SpectralEmbedding.fit(plant.response, counts, n_vectors=2 * k, seed=SEED)
    result = {}
    for n_vectors in sorted({math.ceil(math.log2(k)), k - 2, k - 1, k, 2 * k}):
        points = np.vstack(
            [embedding.word_vectors[:, :n_vectors], embedding.unit_vectors[:, :n_vectors]]
        )
        labels = kmeans(points, k, np.random.default_rng([SEED, k]))
        result[str(n_vectors)] = [
            _ari(plant.word_labels, labels[:n_words]),
            _ari(plant.unit_labels, labels[n_words:]),
        ]
    return result


def main() -> None:
    report: dict[str, Any] = {
        "benchmark": "cocluster",
        "repeats": REPEATS,
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        "cpus": os.cpu_count(),
    }
    report["shapes"] = [_compare(n_words, n_units) for n_words, n_units in SHAPES]
    report["range_2_20_s"] = _range_time(*SHAPES[0])
    report["ari_by_n_vectors"] = _ari_by_n_vectors(*SHAPES[0])
    json.dump(report, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
