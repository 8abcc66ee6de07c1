"""The sentence view's kernel side: sentences typed or set from Python run through the live model
once, exactly as rv.trace captures them, with the prediction beside them; bad input and failing
models leave the widget as it was and say why."""

from __future__ import annotations

import base64
import gzip
import json
import re
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

import rnnvis_widget as rv
from rnnvis_widget.capture import Batch
from rnnvis_widget.view._codecs import decode
from rnnvis_widget.view._export import CONTAINER_MAGIC, slot_key
from rnnvis_widget.view._payloads import SLOT_KEY_SEPARATOR
from rnnvis_widget.view._sentences import MAX_SENTENCE_TOKENS
from rnnvis_widget.zoo.demo import DemoRun

VOCAB = ["<unk>", "the", "food", "though", "staff", "is", "not", "helpful", "i", "love", ","]


class TinyClassifier(nn.Module):
    """Embedding -> 2-layer LSTM -> linear on the last state: (B, 2) logits."""

    def __init__(self, vocab_size: int = len(VOCAB), fail_on: int | None = None):
        super().__init__()
        torch.manual_seed(0)
        self.embed = nn.Embedding(vocab_size, 5)
        self.rnn = nn.LSTM(5, 6, num_layers=2, batch_first=True)
        self.head = nn.Linear(6, 2)
        self.fail_on = fail_on

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if self.fail_on is not None and bool((ids == self.fail_on).any()):
            raise RuntimeError("this model refuses token 'helpful'")
        states, _ = self.rnn(self.embed(ids))
        return self.head(states[:, -1])


@pytest.fixture(scope="module")
def tiny() -> tuple[TinyClassifier, rv.Analysis]:
    model = TinyClassifier().eval()
    rng = np.random.default_rng(0)
    corpus = [rng.integers(1, len(VOCAB), size=int(rng.integers(3, 9))).tolist() for _ in range(60)]
    return model, rv.analyze(model, corpus, VOCAB, progress=False)


def test_added_sentence_carries_every_slot_exactly_as_trace(tiny: tuple[TinyClassifier, rv.Analysis]) -> None:
    model, analysis = tiny
    widget = rv.RNNVis(analysis, model=model, labels=["neg", "pos"])
    index = widget.add_sentence("i love the food , though the staff is not helpful")
    assert index == 0 and widget.sentences == ["i love the food , though the staff is not helpful"]
    view = widget.sentence_view
    assert view is not None and view["live"] and view["error"] is None
    (item,) = view["items"]
    assert item["tokens"] == "i love the food , though the staff is not helpful".split()
    assert not decode(item["unknown"]).any()
    expected = rv.trace(model, [VOCAB.index(w) for w in item["tokens"]])
    # The states travel beside the list, under the sentence's id, in the same message.
    assert list(widget.sentence_states) == [item["id"]]
    states = widget.sentence_states[item["id"]]
    assert sorted(states) == sorted(slot_key(layer, kind, 0) for layer in range(2) for kind in ("h", "c"))
    for layer in range(2):
        for kind in ("h", "c"):
            sent = states[slot_key(layer, kind, 0)]
            np.testing.assert_array_equal(decode(sent["values"]), expected.state(layer, kind))
            np.testing.assert_array_equal(decode(sent["initial"]), np.zeros(6, np.float32))
    # The forward returns (1, 2) logits: shown as class probabilities with the given names.
    prediction = item["prediction"]
    assert prediction is not None and prediction["kind"] == "classes"
    assert prediction["labels"] == ["neg", "pos"]
    ids = torch.tensor([[VOCAB.index(w) for w in item["tokens"]]])
    with torch.no_grad():
        want = model(ids).softmax(-1)[0].numpy()
    np.testing.assert_allclose(decode(prediction["final"]), want, rtol=1e-6)
    np.testing.assert_array_equal(widget.trace(0).state(-1, "h"), expected.state(-1, "h"))


def test_ids_unknown_words_and_removal(tiny: tuple[TinyClassifier, rv.Analysis]) -> None:
    model, analysis = tiny
    widget = rv.RNNVis(analysis, model=model)
    widget.add_sentence([1, 2, 3])
    widget.add_sentence("the zebra is helpful")
    items = widget.sentence_view["items"]
    assert items[0]["source"] == "the food though"
    assert items[1]["tokens"] == ["the", "<unk>", "is", "helpful"]
    assert decode(items[1]["unknown"]).tolist() == [0, 1, 0, 0]
    widget.remove_sentence(0)
    assert widget.sentences == ["the zebra is helpful"]
    assert [i["source"] for i in widget.sentence_view["items"]] == ["the zebra is helpful"]
    with pytest.raises(ValueError, match=r"index must be in -1\.\.0, got 3"):
        widget.remove_sentence(3)


@pytest.mark.parametrize(
    ("sentence", "error", "message"),
    [
        ("   ", ValueError, "empty"),
        (" ".join(["the"] * (MAX_SENTENCE_TOKENS + 1)), ValueError, f"at most {MAX_SENTENCE_TOKENS}"),
        ([1, 99], ValueError, "outside the vocabulary"),
        (3.5, TypeError, "a text or a list of token ids"),
        ("the staff is helpful", RuntimeError, "refuses token 'helpful'"),
    ],
)
def test_bad_sentences_raise_and_change_nothing(
    tiny: tuple[TinyClassifier, rv.Analysis], sentence: object, error: type, message: str
) -> None:
    _, analysis = tiny
    widget = rv.RNNVis(analysis, model=TinyClassifier(fail_on=VOCAB.index("helpful")).eval())
    widget.add_sentence("the food")
    before = json.dumps(widget.sentence_view["items"][0]["tokens"])
    with pytest.raises(error, match=message):
        widget.add_sentence(sentence)  # type: ignore[arg-type]
    assert widget.sentences == ["the food"]
    assert json.dumps(widget.sentence_view["items"][0]["tokens"]) == before


def test_a_sentence_typed_in_the_browser_that_fails_is_taken_back_with_the_reason(
    tiny: tuple[TinyClassifier, rv.Analysis],
) -> None:
    _, analysis = tiny
    widget = rv.RNNVis(analysis, model=TinyClassifier(fail_on=VOCAB.index("helpful")).eval())
    widget.sentences = ["the food is not helpful"]  # what the text box does
    assert widget.sentences == []
    assert "refuses token 'helpful'" in (widget.sentence_view["error"] or "")
    widget.sentences = ["the food"]  # the widget stays usable
    assert widget.sentence_view["error"] is None and len(widget.sentence_view["items"]) == 1


def test_words_missing_from_a_vocabulary_without_unk_are_named() -> None:
    vocab = VOCAB[1:]
    model = TinyClassifier(vocab_size=len(vocab)).eval()
    analysis = rv.analyze(model, [[0, 1, 2, 3]], vocab, progress=False)
    widget = rv.RNNVis(analysis, model=model)
    with pytest.raises(ValueError, match=r"not in the vocabulary: \['zebra'\].*encode="):
        widget.add_sentence("the zebra")


def test_without_a_model_the_sentence_view_says_why(tiny: tuple[TinyClassifier, rv.Analysis]) -> None:
    _, analysis = tiny
    widget = rv.RNNVis(analysis)
    assert widget.sentence_view["live"] is False
    assert "no live model" in widget.sentence_view["disabled_reason"]
    with pytest.raises(RuntimeError, match="no live model"):
        widget.add_sentence("the food")


def test_explicit_predict_per_step_and_its_shape_check(tiny: tuple[TinyClassifier, rv.Analysis]) -> None:
    model, analysis = tiny

    def per_prefix(m: nn.Module, batch: Batch) -> torch.Tensor:
        states, _ = m.rnn(m.embed(batch.ids))
        return m.head(states)  # (1, T, 2): the class of every prefix

    widget = rv.RNNVis(analysis, model=model, predict=per_prefix)
    widget.add_sentence("the food is helpful")
    prediction = widget.sentence_view["items"][0]["prediction"]
    per_step = decode(prediction["per_step"])
    assert per_step.shape == (4, 2)
    np.testing.assert_allclose(per_step[-1], decode(prediction["final"]))
    np.testing.assert_allclose(per_step.sum(1), 1.0, rtol=1e-6)

    wrong = rv.RNNVis(analysis, model=model, predict=lambda m, b: torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match=r"predict returned shape \(2, 3, 4\)"):
        wrong.add_sentence("the food")


def test_zoo_language_model_lists_next_words(demo_run: DemoRun, demo_analysis: rv.Analysis) -> None:
    from rnnvis_widget.zoo import load_pretrained

    pre = load_pretrained("shakespeare-lstm")
    widget = rv.RNNVis(demo_analysis, **pre.widget_options())
    widget.add_sentence("To be, or not to be")
    item = widget.sentence_view["items"][0]
    assert item["tokens"] == ["to", "be", ",", "or", "not", "to", "be"]
    prediction = item["prediction"]
    assert prediction["kind"] == "next_tokens"
    probs = decode(prediction["probs"])
    assert probs.shape == (7, 3) and np.all(np.diff(probs, axis=1) <= 0)
    ids = torch.tensor([pre.encode("To be, or not to be")])
    with torch.no_grad():
        best = pre.model.log_prob(ids)[0].argmax(-1)
    assert [row[0] for row in prediction["tokens"]] == [pre.vocab.words[int(i)] for i in best]


def test_snapshot_keeps_sentences_with_the_text_box_disabled(
    tiny: tuple[TinyClassifier, rv.Analysis], tmp_path: Path
) -> None:
    model, analysis = tiny
    widget = rv.RNNVis(analysis, model=model, n_clusters=2)
    widget.add_sentence("i love the food")
    widget.add_sentence("the food")
    widget.remove_sentence(0)
    widget.add_sentence("the staff")
    page = widget.save_html(tmp_path / "s.html", ks=[2]).read_text(encoding="utf-8")
    data = re.search(r'id="rnnvis-state">([^<]*)</script>', page)
    assert data is not None
    packed = gzip.decompress(base64.b64decode(data.group(1)))
    assert packed[:4] == CONTAINER_MAGIC
    (length,) = struct.unpack("<I", packed[4:8])
    state = json.loads(packed[8 : 8 + length])["state"]
    assert state["sentences"] == ["the food", "the staff"]
    view = state["sentence_view"]
    assert view["live"] is False and "snapshot" in view["disabled_reason"]
    assert [item["tokens"] for item in view["items"]] == [["the", "food"], ["the", "staff"]]
    # The page holds the states of every sentence shown (the live widget last sent only the
    # newest), and none of a removed one.
    assert sorted(state["sentence_states"]) == sorted(item["id"] for item in view["items"])
    # The live widget itself is untouched by saving.
    assert widget.sentence_view["live"] is True


def test_opening_a_top_context_adds_exactly_its_corpus_sequence() -> None:
    model = TinyClassifier().eval()
    rng = np.random.default_rng(1)
    # Ragged lengths, so iter_batches leaves corpus order and positions must be mapped back.
    corpus = [rng.integers(1, len(VOCAB), size=int(rng.integers(2, 9))).tolist() for _ in range(40)]
    analysis = rv.analyze(model, corpus, VOCAB, progress=False, batch_size=4)
    widget = rv.RNNVis(analysis, model=model, corpus=corpus)
    assert widget.has_corpus
    top = analysis.contexts(1, "h", 0)
    starts = np.cumsum([0] + [len(seq) for seq in corpus])
    for sign, rank, unit in [(0, 0, 2), (1, 1, 4), (0, 2, 5)]:
        position = int(top.positions[sign, rank, unit])
        want = corpus[int(np.searchsorted(starts, position, side="right")) - 1]
        request = {"layer": 1, "state": "h", "direction": 0, "unit": unit, "sign": sign, "rank": rank}
        widget.open_context = request
        assert widget.open_context is None
        assert widget.sentences[-1] == want
        # The window the analysis kept lies inside that sequence.
        centre = int(top.windows[sign, rank, unit, top.width])
        assert centre in want
    n = len(widget.sentences)
    widget.open_context = {"layer": 1, "state": "h", "direction": 0, "unit": 99, "sign": 0, "rank": 0}
    assert widget.open_context is None and len(widget.sentences) == n
    assert widget.sentence_view is not None and "unit must be" in str(widget.sentence_view["error"])


def test_without_a_reusable_corpus_a_context_keeps_its_window(
    tiny: tuple[TinyClassifier, rv.Analysis],
) -> None:
    model, analysis = tiny
    assert not rv.RNNVis(analysis, model=model).has_corpus
    with pytest.warns(UserWarning, match="one-shot iterator"):
        widget = rv.RNNVis(analysis, model=model, corpus=iter([[1, 2]]))
    assert not widget.has_corpus
    with pytest.raises(RuntimeError, match="pass corpus="):
        widget.add_context_sequence(0)
    with pytest.raises(ValueError, match="pass the corpus the analysis ran on"):
        rv.RNNVis(analysis, model=model, corpus=[[1, 2, 3]]).add_context_sequence(0)


def test_each_sentence_states_are_sent_once_and_again_only_when_asked(
    tiny: tuple[TinyClassifier, rv.Analysis],
) -> None:
    model, analysis = tiny
    widget = rv.RNNVis(analysis, model=model)
    sent: list[dict[str, Any]] = []
    widget.observe(lambda change: sent.append(change["new"]), names=["sentence_states"])
    widget.add_sentence("i love the food")
    widget.add_sentence("the staff is not helpful")
    first, second = (item["id"] for item in widget.sentence_view["items"])
    # Adding the second sentence sent only its own states, not the first one's again.
    assert [list(batch) for batch in sent] == [[first], [second]]
    # Removing one sends no states; running a removed sentence again gives it a new id.
    widget.remove_sentence(0)
    assert len(sent) == 2
    widget.add_sentence("i love the food")
    again = widget.sentence_view["items"][1]["id"]
    assert again not in (first, second) and list(sent[-1]) == [again]
    # After a page reload the browser asks for what it lacks; unknown ids are skipped.
    widget.set_state({"sentence_states_wanted": [second, again, first]})
    assert sorted(widget.sentence_states) == sorted([second, again])
    assert widget.sentence_states_wanted == []
    for key, slot in widget.sentence_states[again].items():
        np.testing.assert_array_equal(decode(slot["values"]), widget.trace(1).state(*_slot_of(key)))


def _slot_of(key: str) -> tuple[int, str]:
    layer, kind, _direction = key.split(SLOT_KEY_SEPARATOR)
    return int(layer), kind
