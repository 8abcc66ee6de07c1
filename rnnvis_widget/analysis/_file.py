"""The analysis file: one compressed ``.npz`` holding a JSON header and the statistics' arrays,
versioned so that a foreign, older, newer or damaged file is refused with a message that says
what to do."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np

from .._files import replacing
from ..capture import LayerKey
from ..stats import CorpusStats
from ..stats._arrays import stats_from_arrays, stats_to_arrays

__all__ = ["FILE_FORMAT", "FILE_VERSION", "read_analysis", "write_analysis"]

FILE_FORMAT = "rnnvis-analysis"
# 2: Welford mean/M2 instead of sums, quantile histograms, unit summaries, top contexts.
# 3: saturation-aware sparsity counters per slot; StatsConfig.unsaturated_level.
FILE_VERSION = 3

Kinds = dict[LayerKey, list[str]]


def write_analysis(path: str | os.PathLike[str], vocab: list[str], stats: CorpusStats, kinds: Kinds) -> None:
    """Write vocabulary, statistics and recorded state kinds to one compressed ``.npz`` file.

    Parameters
    ----------
    path : str or os.PathLike
        Where to write.
    vocab : list of str
        ``vocab[id]`` is the text of token ``id``.
    stats : CorpusStats
        Stored as every accumulator as it is (see ``stats_to_arrays``).
    kinds : dict of LayerKey to list of str
        The state kinds recorded at each layer.

    Notes
    -----
    The file holds the statistics' arrays plus one ``header`` array: UTF-8 JSON with the
    format name, the file version, the vocabulary, the kinds and the statistics' header. It
    is written to a temporary file in the same folder that then replaces ``path``, so a write
    that fails part-way leaves an existing file intact.
    """
    stats_header, arrays = stats_to_arrays(stats)
    header = {
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "vocab": vocab,
        "kinds": [[k.module, k.layer, k.direction, v] for k, v in sorted(kinds.items())],
        "stats": stats_header,
    }
    arrays = dict(arrays)
    arrays["header"] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
    with replacing(path) as handle:
        np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]


def read_analysis(path: str | os.PathLike[str]) -> tuple[list[str], CorpusStats, Kinds]:
    """Read what `write_analysis` wrote.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    vocab : list of str
    stats : CorpusStats
    kinds : dict of LayerKey to list of str

    Raises
    ------
    ValueError
        If the file is not an analysis file, has another version, or is damaged. For another
        version the message says whether to upgrade rnnvis-widget (newer file) or re-run
        ``rv.analyze`` (older file).
    """
    try:
        with np.load(Path(path), allow_pickle=False) as data:
            header = json.loads(bytes(data["header"]).decode("utf-8"))
            arrays = {name: data[name] for name in data.files if name != "header"}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is not a readable rnnvis analysis file ({error})") from error
    if not isinstance(header, dict) or header.get("format") != FILE_FORMAT:
        raise ValueError(f"{path} is not an rnnvis analysis file")
    version = header.get("version")
    if version != FILE_VERSION:
        newer = isinstance(version, int) and version > FILE_VERSION
        raise ValueError(
            f"{path} has analysis file version {version}, this rnnvis-widget reads version "
            f"{FILE_VERSION}; "
            + ("upgrade rnnvis-widget to read it" if newer else "re-run rv.analyze to make a new file")
        )
    try:
        vocab = [str(word) for word in header["vocab"]]
        stats = stats_from_arrays(header["stats"], arrays)
        kinds = {
            LayerKey(str(m), int(layer), int(d)): [str(k) for k in v]
            for m, layer, d, v in header["kinds"]
        }
        if stats.vocab_size != len(vocab):
            raise ValueError(
                f"{len(vocab)} words in the vocabulary but statistics over {stats.vocab_size}"
            )
        missing = [
            f"{key} {kind}" for key, v in kinds.items() for kind in v if (key, kind) not in stats.slots
        ]
        if missing:
            raise ValueError(f"no statistics for {missing}")
    except (KeyError, ValueError, TypeError, IndexError) as error:
        raise ValueError(f"{path} is a damaged rnnvis analysis file ({error!r})") from error
    return vocab, stats, kinds
