"""The kernel-browser contract, checked from the kernel's side.

Real payloads of a small deterministic analysis are written, as they cross the wire (buffers in
base64, as snapshots inline them), to js/tests/fixtures/payloads.json; js/tests/contract.test.ts
decodes that file with the browser's own decoders. Here the fixture is compared with what the
kernel sends now, so a change on either side fails one of the two tests until both agree.
"""

from __future__ import annotations

import base64
import json
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

import rnnvis_widget as rv
from rnnvis_widget.clustering import DEFAULT_MAX_CLUSTERS
from rnnvis_widget.stats import top_words
from rnnvis_widget.stats._sketch import QUANTILE_PERCENTS as STATS_QUANTILE_PERCENTS
from rnnvis_widget.view import widget as widget_module
from rnnvis_widget.view._export import _inline_buffers, slot_key
from rnnvis_widget.view._payloads import (
    CONTRACT,
    MAX_CLUSTERS,
    MIN_CLUSTERS,
    ClusteringPayload,
    ContextsPart,
    MainPayload,
    UnitsPart,
    WordsPart,
    load_contract,
)
from rnnvis_widget.view._sentence_glyph import sentence_glyph
from rnnvis_widget.view._sentences import SentenceBook, SentenceRunner
from rnnvis_widget.view._viewmodel import ViewModel, ViewSlot, error_view

FIXTURE = Path(__file__).resolve().parents[1] / "js" / "tests" / "fixtures" / "payloads.json"
UPDATE_ENV = "RNNVIS_UPDATE_FIXTURES"
REGENERATE = f"{UPDATE_ENV}=1 .venv/bin/pytest tests/test_contract.py"

# Three words that raise units 0-2, three that raise units 3-5, one that raises none.
VOCAB = ["good", "great", "fine", "bad", "awful", "poor", "the"]
N_WORDS = 4
#: The sentence of the fixture: words of both signs, a repeat and the stop word.
SENTENCE = "good the bad awful the great"
N_CLUSTERS = 2
SLOT = ViewSlot(0, "h", 0)
SLOT_KEY_EXAMPLES: list[tuple[int, str, int]] = [(0, "h", 0), (1, "c", 1), (2, "input_gate", 0)]


def tiny_model() -> nn.Module:
    """A ReLU RNN whose weights are small dyadic fractions: every state is exact in float32, so
    the analysis (and the fixture) is the same on any machine and any BLAS."""
    embedding = nn.Embedding(len(VOCAB), 2)
    rnn = nn.RNN(2, 6, nonlinearity="relu", batch_first=True, bias=False)
    with torch.no_grad():
        strength = [1.0, 0.75, 0.5]
        embedding.weight.copy_(
            torch.tensor([[m, 0.0] for m in strength] + [[0.0, m] for m in strength] + [[0.0, 0.0]])
        )
        gain = [1.0, 0.5, 0.75]
        weights = dict(rnn.named_parameters())
        weights["weight_ih_l0"].copy_(torch.tensor([[g, 0.0] for g in gain] + [[0.0, g] for g in gain]))
        weights["weight_hh_l0"].copy_(torch.eye(6) * 0.5)
    return nn.Sequential(embedding, rnn)


def tiny_corpus() -> list[list[int]]:
    """24 sentences of 6 tokens, by formula rather than a random generator."""
    return [[(5 * i + 3 * t + (i * t) % 4) % len(VOCAB) for t in range(6)] for i in range(24)]


def tiny_analysis(**options: Any) -> rv.Analysis:
    return rv.analyze(tiny_model(), tiny_corpus(), VOCAB, progress=False, **options)


@pytest.fixture(scope="module")
def full() -> rv.Analysis:
    return tiny_analysis(display_words=5, top_contexts=2, context_width=1)


@pytest.fixture(scope="module")
def bare() -> rv.Analysis:
    return tiny_analysis(display_words=0, top_contexts=0)


def f32(values: Any) -> list[float]:
    """Values as the browser reads them from a float32 buffer (exactly, as JSON numbers)."""
    return [float(v) for v in np.asarray(values, dtype=np.float32).ravel()]


def facts(full: rv.Analysis, bare: rv.Analysis) -> dict[str, Any]:
    """What the decoded payloads must hold, computed from the analyses, not from the payloads."""
    ids = full.display_words[:N_WORDS]
    bare_ids = top_words(bare.counts, N_WORDS)
    response = full.response(0, "h")
    _, quantiles = full.quantiles(0, "h")
    top = full.contexts(0, "h")
    unit = int(np.argmax(top.values[0, 0]))  # a unit whose strongest positive context exists
    centre = top.windows[0, 0, unit]
    co = ViewModel(full, min_count=1).cocluster(SLOT, N_CLUSTERS)
    return {
        "main": {
            "words": [VOCAB[int(i)] for i in ids],
            "count": [int(c) for c in full.counts[ids]],
            "n_units": int(response.shape[1]),
            "response_of_first_word": f32(response[ids[0]]),
            "quantiles_of_first_word_unit_0": [float(np.float16(q)) for q in quantiles[0, 0]],
            "resting": f32(full.unit_summary(0, "h").mean_abs),
            "per_sign": int(top.k),
            "window": int(top.width),
            "strongest_context": {
                "unit": unit,
                "value": f32(top.values[0, 0, unit])[0],
                "tokens": [VOCAB[int(i)] if i >= 0 else None for i in centre],
            },
        },
        "main_bare": {
            "words": [VOCAB[int(i)] for i in bare_ids],
            "count": [int(c) for c in bare.counts[bare_ids]],
            "response_of_first_word": f32(bare.response(0, "h")[bare_ids[0]]),
        },
        "clustering": {
            "k": N_CLUSTERS,
            "unit_cluster": [int(c) for c in co.unit_labels],
            "edges": f32(co.edge_weights),
            "word_cluster": [int(c) for c in co.word_labels[ids]],
        },
        "sentence": sentence_facts(co.unit_labels),
    }


def sentence_facts(unit_labels: np.ndarray) -> dict[str, Any]:
    """The glyph numbers of the fixture's sentence (slot 0|h|0, the fixture's clustering), from
    the Python reference; the browser must compute the same from the sentence payload."""
    run = rv.trace(tiny_model(), [VOCAB.index(w) for w in SENTENCE.split()])
    initial = run.initial[run.layer_key(0)]["h"]
    glyph = sentence_glyph(run.state(0, "h"), initial, unit_labels, N_CLUSTERS)

    def numbers(values: np.ndarray) -> list[float | None]:
        # NaN (no memory to keep) is not JSON: null stands for it.
        return [None if math.isnan(v) else v for v in f32(values)]

    return {
        "slot": slot_key(0, "h", 0),
        "tokens": SENTENCE.split(),
        "positive": numbers(glyph.positive),
        "negative": numbers(glyph.negative),
        "positive_change": numbers(glyph.positive_change),
        "negative_change": numbers(glyph.negative_change),
        "kept": numbers(glyph.kept),
        "link_strength": numbers(glyph.link_strength),
        "link_sign": numbers(glyph.link_sign),
    }


def sentence_traits(full: rv.Analysis) -> dict[str, Any]:
    """The ``sentence_view`` and ``sentence_states`` traits for the fixture's sentence. Sentence
    ids are unique in the kernel (they count up), so the fixture names it "s1" on both sides."""
    book = SentenceBook(SentenceRunner(full, tiny_model()))
    view = book.view([SENTENCE])
    (states,) = book.fresh().values()
    item = {**view["items"][0], "id": "s1"}
    return {"sentence_view": {**view, "items": [item]}, "sentence_states": {"s1": states}}


def build_fixture(full: rv.Analysis, bare: rv.Analysis) -> dict[str, Any]:
    full_views = ViewModel(full, min_count=1)
    bare_views = ViewModel(bare, min_count=1)
    payloads = {
        "main": full_views.main_view(SLOT, N_WORDS),
        "main_bare": bare_views.main_view(SLOT, N_WORDS, live=False),
        "clustering": full_views.clustering_view(SLOT, N_CLUSTERS, N_WORDS),
        "error": error_view("rnnvis cannot show this view: nothing was recorded"),
        **sentence_traits(full),
    }
    return {
        "regenerate": REGENERATE,
        "contract": CONTRACT,
        "python": {
            "MAX_PINNED_WORDS": widget_module.MAX_PINNED_WORDS,
            "MIN_CLUSTERS": MIN_CLUSTERS,
            "MAX_CLUSTERS": MAX_CLUSTERS,
            "QUANTILE_PERCENTS": list(STATS_QUANTILE_PERCENTS),
            "slot_keys": [
                dict(zip(("layer", "state", "direction", "key"), (*slot, slot_key(*slot)), strict=True))
                for slot in SLOT_KEY_EXAMPLES
            ],
        },
        "payloads": _inline_buffers(payloads),
        "expected": facts(full, bare),
    }


def to_json(fixture: dict[str, Any]) -> str:
    # allow_nan=False: NaN is not JSON, and the browser's JSON.parse would reject the file.
    return json.dumps(fixture, indent=1, sort_keys=True, allow_nan=False) + "\n"


def is_array(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"buffer", "dtype", "shape"}


def as_numpy(array: dict[str, Any]) -> np.ndarray:
    raw = base64.b64decode(array["buffer"]["$b64"])
    return np.frombuffer(raw, dtype=np.dtype(array["dtype"]).newbyteorder("<")).reshape(array["shape"])


def differences(want: Any, got: Any, path: str = "") -> Iterator[str]:
    """Where `got` departs from `want`. Integers, strings and shapes must be equal; floats may
    differ by float32 rounding (a linear algebra library may sum in another order)."""
    if is_array(want) and is_array(got):
        if (want["dtype"], want["shape"]) != (got["dtype"], got["shape"]):
            yield f"{path}: {want['dtype']}{want['shape']} became {got['dtype']}{got['shape']}"
            return
        a, b = as_numpy(want), as_numpy(got)
        if a.dtype.kind == "f":
            rtol = 2e-3 if a.dtype.itemsize == 2 else 1e-5
            if not np.allclose(a, b, rtol=rtol, atol=1e-6, equal_nan=True):
                yield f"{path}: values changed, {a.ravel()[:6]} became {b.ravel()[:6]}"
        elif not np.array_equal(a, b):
            yield f"{path}: values changed, {a.ravel()[:6]} became {b.ravel()[:6]}"
    elif isinstance(want, dict) and isinstance(got, dict):
        if set(want) != set(got):
            yield f"{path}: keys {sorted(want)} became {sorted(got)}"
        for key in sorted(set(want) & set(got)):
            yield from differences(want[key], got[key], f"{path}.{key}" if path else key)
    elif isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            yield f"{path}: {len(want)} items became {len(got)}"
        for i, (a, b) in enumerate(zip(want, got, strict=False)):
            yield from differences(a, b, f"{path}[{i}]")
    elif isinstance(want, float) and isinstance(got, float):
        if not math.isclose(want, got, rel_tol=1e-5, abs_tol=1e-6):
            yield f"{path}: {want} became {got}"
    elif type(want) is not type(got) or want != got:
        yield f"{path}: {want!r} became {got!r}"


def test_fixture_holds_what_the_kernel_sends(full: rv.Analysis, bare: rv.Analysis) -> None:
    current = json.loads(to_json(build_fixture(full, bare)))
    if os.environ.get(UPDATE_ENV):
        FIXTURE.parent.mkdir(parents=True, exist_ok=True)
        FIXTURE.write_text(to_json(current), encoding="utf-8")
    if not FIXTURE.exists():
        pytest.fail(f"{FIXTURE} is missing; write it with `{REGENERATE}`")
    saved = json.loads(FIXTURE.read_text(encoding="utf-8"))
    found = list(differences(saved, current))
    assert not found, (
        f"the kernel no longer sends what {FIXTURE.name} records:\n  "
        + "\n  ".join(found[:10])
        + f"\nIf that is meant, regenerate the fixture with `{REGENERATE}`, update js/payloads.ts "
        "and js/tests/contract.test.ts to match, and run `node_modules/.bin/vitest run`."
    )


def test_fixture_stays_small() -> None:
    assert FIXTURE.stat().st_size < 16_000, "keep the contract fixture to a few KB: fewer words or units"


def test_differences_reports_what_changed() -> None:
    # The comparison the fixture test relies on must see a real change and forgive rounding.
    def floats(*values: float) -> dict[str, Any]:
        encoded = base64.b64encode(np.asarray(values, dtype=np.float32).tobytes()).decode()
        return {"buffer": {"$b64": encoded}, "dtype": "float32", "shape": [len(values)]}

    base = {"a": floats(1, 2), "k": 2, "t": ["x"]}
    nudged = json.loads(json.dumps(base))
    nudged["a"] = floats(1, 2.000001)
    assert list(differences(base, nudged)) == []
    changed = json.loads(json.dumps(base))
    changed["a"]["dtype"], changed["a"]["shape"] = "float16", [2]
    changed["k"], changed["t"] = 3, ["x", "y"]
    found = list(differences(base, changed))
    assert any(f.startswith("a:") for f in found) and any(f.startswith("k:") for f in found)
    assert any(f.startswith("t:") for f in found)


def keys_of(typed: Any) -> set[str]:
    return set(typed.__required_keys__)


def test_payloads_have_exactly_the_keys_their_types_declare(full: rv.Analysis, bare: rv.Analysis) -> None:
    views = ViewModel(full, min_count=1)
    main = views.main_view(SLOT, N_WORDS)
    assert set(main) == keys_of(MainPayload)
    assert set(main["words"]) == keys_of(WordsPart) and set(main["units"]) == keys_of(UnitsPart)
    assert main["contexts"] is not None and set(main["contexts"]) == keys_of(ContextsPart)
    assert main["words"]["quantiles"] is not None
    assert set(views.clustering_view(SLOT, N_CLUSTERS, N_WORDS)) == keys_of(ClusteringPayload)
    bare_main = ViewModel(bare, min_count=1).main_view(SLOT, N_WORDS)
    assert set(bare_main) == keys_of(MainPayload) and set(bare_main["words"]) == keys_of(WordsPart)


def test_widget_shows_an_analysis_without_quantiles_or_contexts(bare: rv.Analysis) -> None:
    widget = rv.RNNVis(bare, n_words=N_WORDS)
    view = widget.view
    assert view is not None and view["kind"] == "main", view
    assert view["words"]["quantiles"] is None and view["contexts"] is None
    # The words are the most frequent ones seen, since no display words were kept.
    expected = [VOCAB[int(i)] for i in top_words(bare.counts, N_WORDS)]
    assert view["words"]["text"] == expected and len(expected) == N_WORDS
    assert view["words"]["response"]["shape"] == [N_WORDS, 6]
    clustering = widget.clusterings[str(widget.n_clusters)]
    assert clustering["word_cluster"]["shape"] == [N_WORDS]


def test_python_uses_the_contract_constants() -> None:
    assert widget_module.MAX_PINNED_WORDS == CONTRACT["max_pinned_words"]
    assert (MIN_CLUSTERS, MAX_CLUSTERS) == (CONTRACT["min_clusters"], CONTRACT["max_clusters"])
    assert list(STATS_QUANTILE_PERCENTS) == CONTRACT["quantile_percents"]
    assert slot_key(3, "c", 1).split(CONTRACT["slot_key_separator"]) == ["3", "c", "1"]
    # The embedding the view model fits by default must cover the widest k the view offers.
    assert DEFAULT_MAX_CLUSTERS >= MAX_CLUSTERS
    traits = rv.RNNVis.class_traits()
    defaults = {name: traits[name].default_value for name in CONTRACT["trait_defaults"]}
    assert defaults == CONTRACT["trait_defaults"]


def test_contract_file_names_what_is_missing(tmp_path: Path) -> None:
    broken = dict(CONTRACT)
    del broken["max_pinned_words"]
    path = tmp_path / "contract.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ValueError, match=r"missing \['max_pinned_words'\]"):
        load_contract(path)
