"""`rv.RNNVis`: the anywidget. Traits, their validation and observers only; computing lives in
the analysis and the view model (`_viewmodel`), drawing in `js/views/`."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets
from torch import nn

from .._validation import check_int
from ..analysis import Analysis, analyze
from ..capture import Trace
from ..stats import DEFAULT_MIN_COUNT
from ._corpus import CorpusSequences, reusable_corpus
from ._export import STATIC, save_snapshot, widget_state
from ._payloads import CONTRACT, MAX_CLUSTERS
from ._sentences import (
    Encode,
    Entry,
    Forward,
    Predict,
    SentenceBook,
    SentenceRunner,
    as_entry,
    entry_key,
)
from ._traits import InvalidTraitValue, ViewTrait, checked
from ._viewmodel import MIN_CLUSTERS, WORD_SELECTIONS, ViewModel, ViewSlot, error_view
from ._word_search import locate_word

MAX_PINNED_WORDS = CONTRACT["max_pinned_words"]
DEFAULTS = CONTRACT["trait_defaults"]


class RNNVis(anywidget.AnyWidget):
    """Memory chips, word clouds and links for an `Analysis`, linked to each other and to Python.

    Every control is a trait, two-way with the browser; a bad value set from Python raises
    (``ValueError``/``TypeError``, also a ``traitlets.TraitError``) and the old value stays.

    Parameters
    ----------
    analysis : Analysis
        What to show, from [analyze][rnnvis_widget.analyze] or
        [Analysis.load][rnnvis_widget.Analysis.load].
    model : torch.nn.Module, optional
        The live model, for sentences typed into the view.
    encode : callable, optional
        ``encode(text) -> list[int]``, turns a typed sentence into token ids. Default: split
        on whitespace and look each word up in the vocabulary (unknown words become
        ``<unk>`` where the vocabulary has one).
    min_count : int
        Words seen fewer times are left out of the co-clustering.
    seed : int
        Seed of the co-clustering's k-means.
    forward : callable, optional
        ``forward(model, batch)`` runs the model on a sentence; pass the one given to
        ``rv.analyze``. Default ``model(batch.ids)``.
    predict : callable, optional
        ``predict(model, batch) -> Tensor`` of scores (logits or log-probabilities) shown beside
        each sentence: shape (1, C) for a class of the whole sentence, (1, T, C) for a class of
        each prefix, (1, T, V) for the next token after each position. Default: the forward's
        own output when it has the shape (1, C) or (1, T, V).
    labels : sequence of str, optional
        Class names of a classifier's prediction.
    corpus : iterable or array, optional
        The corpus the analysis ran on, re-iterable (a list of sequences, a tensor, a
        DataLoader): clicking a top context then opens its whole sequence as a sentence.
        Without it (or with a one-shot iterator, which cannot be read again) a click adds the
        context's window only.
    **traits
        Initial values of the traits below.

    Attributes
    ----------
    n_clusters : int
        Number of co-clusters, 2..20 (at most what the layer allows).
    layer : int
        Index into ``analysis.stacks`` (negative counts from the end).
    state : str
        "h", "c" (LSTM) or a recorded gate: one of the kinds recorded at the layer and
        direction on screen. Moving to a layer or direction that lacks the kind shown (say
        from an LSTM layer's "c" to a GRU layer) shows that layer's "h" instead; setting a
        kind the current layer lacks raises.
    direction : int
        0 forward, 1 backward: one of the directions recorded at the layer on screen. Moving
        to a layer without a backward direction shows its forward one.
    word_selection : str
        How the view chooses its ``n_words`` words: "frequent" (the most frequent, default) or
        "strongest" (those whose responses are strongest: mean |response| over the units,
        among words seen ``min_count`` times), named in the view's header.
    n_words : int
        How many of the most frequent words the view offers (at most the display words
        recorded by ``rv.analyze``).
    link_filter : float
        Hide links weaker than this fraction (0..1) of the strongest.
    color_clip : float
        |response| at which colours saturate; 0 picks the 98th percentile.
    selected_words : list of str
        Words pinned in the view (up to 3), among the words it shows (``n_words``); a smaller
        ``n_words`` unpins the words it no longer shows.
    selected_units : list of int
        Units clicked in the view, each in ``0..H-1`` for the ``H`` units on screen; moving to
        a layer or state with fewer units drops the ones it lacks.
    sentences : list of (str or list of int)
        The sentences in the sentence view; typing one into the view appends it, and a list
        set from Python is run through the live model (on a failure the old list is kept and
        the view says why).
    sentence_view : dict
        What the sentence view draws (read-only; built by the kernel): every sentence's
        tokens and prediction, each named by an id.
    sentence_states : dict
        The per-step states of newly run sentences, by sentence id (read-only): each
        sentence's states are sent once, not again with every sentence added after it.
    sentence_states_wanted : list of str
        Set by the browser to the ids of sentences whose states it lacks (after a page
        reload); the kernel answers in ``sentence_states`` and clears it.
    has_corpus : bool
        Whether a corpus was given, so a top context opens its whole sequence (read-only).
    open_context : dict or None
        A request from the browser to open a top context's sequence: ``{"layer", "state",
        "direction", "unit", "sign" (0 positive, 1 negative), "rank"}``; the kernel adds the
        sequence as a sentence and sets it back to None.
    word_query : str
        Set by the view's search box to a word that is not drawn; the kernel answers in
        ``word_answer`` (see `find_word`) and clears it.
    word_answer : dict or None
        Where the last searched word is (read-only).
    """

    _esm = STATIC / "index.js"
    _css = STATIC / "index.css"

    view = ViewTrait().tag(sync=True)
    clusterings = traitlets.Dict(default_value={}).tag(sync=True)
    other_direction_clusterings = traitlets.Dict(default_value={}).tag(sync=True)
    n_clusters = traitlets.Int(DEFAULTS["n_clusters"]).tag(sync=True)
    layer = traitlets.Int(DEFAULTS["layer"]).tag(sync=True)
    state = traitlets.Unicode(DEFAULTS["state"]).tag(sync=True)
    direction = traitlets.Int(DEFAULTS["direction"]).tag(sync=True)
    n_words = traitlets.Int(DEFAULTS["n_words"]).tag(sync=True)
    word_selection = traitlets.Unicode("frequent").tag(sync=True)
    link_filter = traitlets.Float(DEFAULTS["link_filter"]).tag(sync=True)
    color_clip = traitlets.Float(DEFAULTS["color_clip"]).tag(sync=True)
    selected_words = traitlets.List(traitlets.Unicode(), default_value=[]).tag(sync=True)
    selected_units = traitlets.List(traitlets.Int(), default_value=[]).tag(sync=True)
    sentences = traitlets.List(
        traitlets.Union([traitlets.Unicode(), traitlets.List(traitlets.Int())]), default_value=[]
    ).tag(sync=True)
    sentence_view = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    sentence_states = traitlets.Dict(default_value={}).tag(sync=True)
    sentence_states_wanted = traitlets.List(traitlets.Unicode(), default_value=[]).tag(sync=True)
    has_corpus = traitlets.Bool(False).tag(sync=True)
    open_context = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    word_query = traitlets.Unicode("").tag(sync=True)
    word_answer = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)

    def __init__(
        self,
        analysis: Analysis,
        model: nn.Module | None = None,
        encode: Encode | None = None,
        min_count: int = DEFAULT_MIN_COUNT,
        seed: int = 0,
        *,
        forward: Forward | None = None,
        predict: Predict | None = None,
        labels: Sequence[str] | None = None,
        corpus: Any = None,
        **traits: Any,
    ):
        if not (STATIC / "index.js").exists():
            raise RuntimeError(
                "the widget's front-end bundle is missing (rnnvis_widget/static/index.js); "
                "build it with `npm ci && npm run build` or reinstall with `pip install .`"
            )
        if not isinstance(analysis, Analysis):
            raise TypeError(f"RNNVis needs an rv.Analysis (from rv.analyze), got {type(analysis).__name__}")
        check_int(min_count, "min_count", low=1)
        check_int(seed, "seed")
        self.analysis = analysis
        self.model = model
        self.encode = encode
        self.viewmodel = ViewModel(analysis, min_count=min_count, seed=seed)
        self._book = SentenceBook(SentenceRunner(analysis, model, encode, forward, predict, labels))
        reusable = reusable_corpus(corpus)
        self._corpus = (
            None
            if reusable is None
            else CorpusSequences(reusable, len(analysis.vocab), int(analysis.n_tokens))
        )
        traits["has_corpus"] = self._corpus is not None
        self._prefetch_cancel = threading.Event()
        self._ready = False
        self._reverting_sentences = False
        super().__init__(**traits)
        self.layer = self.layer % len(analysis.stacks)
        self._ready = True
        self._refresh_view()
        self._refresh_sentences(self.sentences)

    # Validation: bad values from Python raise here with what is allowed.

    @traitlets.validate("layer")
    def _check_layer(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        n = len(self.analysis.stacks)
        if not -n <= value < n:
            raise InvalidTraitValue(
                f"layer must be in 0..{n - 1} (this analysis has {n} layers), got {value}"
            )
        return value % n

    @traitlets.validate("direction")
    def _check_direction(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        stack = self._stack_or_none()
        if stack is None:
            return value  # the layer's own check reports a bad layer
        allowed = self.analysis.directions(stack)
        if value not in allowed:
            fix = (
                "it has only direction 0 (forward): it is not bidirectional"
                if allowed == [0]
                else f"pick one of {allowed}"
            )
            raise InvalidTraitValue(
                f"direction {value} was not recorded at layer {stack} "
                f"({self.analysis.stacks[stack]}); {fix}"
            )
        return value

    @traitlets.validate("state")
    def _check_state(self, proposal: dict[str, Any]) -> str:
        value = proposal["value"]
        stack = self._stack_or_none()
        if stack is None or self.direction not in self.analysis.directions(stack):
            return str(value)  # the layer's or direction's own check reports those
        key = self.analysis.layer_key(stack, self.direction)
        kinds = self.analysis.states(key)
        if value not in kinds:
            raise InvalidTraitValue(
                f"state {value!r} was not recorded at {key}; pick one of {kinds} (gates are "
                "recorded with rv.analyze(..., gates=True))"
            )
        return str(value)

    @traitlets.validate("n_clusters")
    def _check_n_clusters(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if self._ready:
            low, high = self.viewmodel.k_range(self._slot())
        else:
            low, high = MIN_CLUSTERS, MAX_CLUSTERS
        return checked(lambda: check_int(value, "n_clusters", low=low, high=high))

    @traitlets.validate("word_selection")
    def _check_word_selection(self, proposal: dict[str, Any]) -> str:
        value = proposal["value"]
        if value not in WORD_SELECTIONS:
            raise InvalidTraitValue(
                f"word_selection must be one of {WORD_SELECTIONS}, got {value!r}"
            )
        return str(value)

    @traitlets.validate("n_words")
    def _check_n_words(self, proposal: dict[str, Any]) -> int:
        return checked(lambda: check_int(proposal["value"], "n_words", low=1))

    @traitlets.validate("link_filter")
    def _check_link_filter(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        if not 0.0 <= value <= 1.0:
            raise InvalidTraitValue(f"link_filter is a fraction of the strongest link, 0..1; got {value}")
        return value

    @traitlets.validate("color_clip")
    def _check_color_clip(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        if not value >= 0.0:
            raise InvalidTraitValue(f"color_clip must be >= 0 (0 = automatic), got {value}")
        return value

    @traitlets.validate("selected_words")
    def _check_selected_words(self, proposal: dict[str, Any]) -> list[str]:
        words = list(proposal["value"])
        if len(words) > MAX_PINNED_WORDS:
            raise InvalidTraitValue(f"at most {MAX_PINNED_WORDS} words can be pinned, got {len(words)}")
        shown = set(self._shown_words())
        unknown = [word for word in words if word not in shown]
        if unknown:
            if unknown[0] in self.analysis.vocab:
                fix = "raise n_words to show rarer words"
            else:
                fix = "it is not in the vocabulary"
            raise InvalidTraitValue(
                f"selected_words must be words the view shows (the {len(shown)} most frequent, "
                f"n_words={self.n_words}); {unknown[0]!r} is not among them: {fix}. The words "
                "shown are w.view['words']['text']."
            )
        return words

    @traitlets.validate("selected_units")
    def _check_selected_units(self, proposal: dict[str, Any]) -> list[int]:
        units = [int(unit) for unit in proposal["value"]]
        n_units = self._n_units_or_none()
        if n_units is None:
            return units  # the layer, direction or state check reports a bad slot
        bad = [unit for unit in units if not 0 <= unit < n_units]
        if bad:
            raise InvalidTraitValue(
                f"selected_units must be units 0..{n_units - 1} of the {n_units} on screen "
                f"({self.analysis.stacks[self.layer % len(self.analysis.stacks)]}, state "
                f"{self.state!r}); got {bad[0]}"
            )
        return units

    def _stack_or_none(self) -> int | None:
        """The layer on screen as an index into ``analysis.stacks``; None while it is invalid."""
        n = len(self.analysis.stacks)
        return self.layer % n if -n <= self.layer < n else None

    def _n_units_or_none(self) -> int | None:
        """Units of the layer, direction and state on screen; None while those are invalid."""
        try:
            return int(self.analysis.response(self.layer, self.state, self.direction).shape[1])
        except (KeyError, IndexError):
            return None

    def _shown_words(self) -> list[str]:
        """The words of the main view (its ``view["words"]["text"]``), in its order."""
        ids = self.viewmodel.display_ids(self.n_words, self._slot())
        return [self.analysis.vocab[int(i)] for i in ids]

    # Recompute in the kernel when the slot or k change; the browser only renders.

    def _slot(self) -> ViewSlot:
        return ViewSlot(self.layer, self.state, self.direction)

    @traitlets.observe("layer", "state", "direction", "n_words", "word_selection")
    def _on_slot_change(self, change: dict[str, Any]) -> None:
        if change["name"] == "word_selection":
            self.viewmodel.word_selection = change["new"]
        if self._ready:
            self._refresh_view()

    @traitlets.observe("n_clusters")
    def _on_k_change(self, _change: dict[str, Any]) -> None:
        if self._ready:
            self._refresh_clustering()

    @traitlets.observe("n_words", "word_selection", "layer", "state", "direction")
    def _keep_pins_shown(self, _change: dict[str, Any]) -> None:
        # Pins stay on words the view still draws (the strongest words depend on the layer).
        if not self._ready or self._stack_or_none() is None or self._n_units_or_none() is None:
            return
        self.viewmodel.word_selection = self.word_selection  # whichever observer runs first
        shown = set(self._shown_words())
        kept = [word for word in self.selected_words if word in shown]
        if kept != self.selected_words:
            self.selected_words = kept

    def _refresh_view(self) -> None:
        # A new layer (or direction) may lack what was on screen: the user asked for the layer,
        # so show its forward direction, its "h" (every layer has both) and the units it has.
        if self.direction not in self.analysis.directions(self.layer):
            self.direction = 0  # observed: refreshes the view again
            return
        if self.state not in self.analysis.states(self.analysis.layer_key(self.layer, self.direction)):
            self.state = "h"  # observed: refreshes the view again
            return
        n_units = self._n_units_or_none()
        if n_units is not None and any(unit >= n_units for unit in self.selected_units):
            self.selected_units = [unit for unit in self.selected_units if unit < n_units]
        try:
            slot = self._slot()
            low, high = self.viewmodel.k_range(slot)
            view = self.viewmodel.main_view(slot, self.n_words)
        except (KeyError, IndexError, ValueError) as error:
            self.clusterings = {}
            self.other_direction_clusterings = {}
            self.view = error_view(f"rnnvis cannot show this view: {error}")
            return
        with self.hold_trait_notifications():
            self.n_clusters = min(max(self.n_clusters, low), high)
            self.clusterings = {}
            self.other_direction_clusterings = {}
            self.view = view
        self._refresh_clustering()
        self._prefetch_other_ks(slot, low, high)

    def _prefetch_other_ks(self, slot: ViewSlot, low: int, high: int) -> None:
        """Cluster the rest of the k range in a background thread, nearest k first, so the
        clusters slider answers from the cache instead of waiting for a k-means."""
        self._prefetch_cancel.set()
        self._prefetch_cancel = cancel = threading.Event()
        ks = sorted(range(low, high + 1), key=lambda k: (abs(k - self.n_clusters), k))
        worker = threading.Thread(
            target=self.viewmodel.prefetch, args=(slot, ks, cancel), name="rnnvis-prefetch", daemon=True
        )
        worker.start()

    def _refresh_clustering(self) -> None:
        try:
            payload = self.viewmodel.clustering_view(self._slot(), self.n_clusters, self.n_words)
            other = self.viewmodel.other_direction_clusterings(
                self._slot(), [self.n_clusters], self.n_words
            )
        except (KeyError, IndexError, ValueError) as error:
            self.view = error_view(f"rnnvis cannot cluster this view: {error}")
            return
        # Sent first: the sentence view draws both directions once the shown one arrives.
        self.other_direction_clusterings = other
        self.clusterings = {str(self.n_clusters): payload}

    # Sentences: run once through the live model; the browser draws them for any layer and k.

    def add_sentence(self, sentence: str | Sequence[int]) -> int:
        """Run a sentence through the live model and show it in the sentence view.

        Parameters
        ----------
        sentence : str or list of int
            A text (through ``encode``, or split on whitespace and looked up in the vocabulary)
            or the token ids themselves.

        Returns
        -------
        int
            Its index in ``sentences``.

        Raises
        ------
        TypeError, ValueError
            If the sentence is not text or ids, is empty or too long, or has unknown words
            and the vocabulary has no ``<unk>``.
        RuntimeError
            If the widget has no live model.
        Exception
            Whatever the model raised on it; the widget is left as it was.
        """
        entry = as_entry(sentence)
        self._book.get(entry)
        self.sentences = [*self.sentences, entry]
        return len(self.sentences) - 1

    def remove_sentence(self, index: int) -> None:
        """Remove the sentence at ``index`` (negative counts from the end)."""
        n = len(self.sentences)
        if n == 0:
            raise ValueError("there are no sentences to remove")
        check_int(index, "index", low=-n, high=n - 1)
        entries = list(self.sentences)
        del entries[index]
        self.sentences = entries

    def trace(self, index: int = -1) -> Trace:
        """The per-step states of sentence ``index``, as
        [rv.trace][rnnvis_widget.capture.trace.trace] gives them."""
        n = len(self.sentences)
        if n == 0:
            raise ValueError("there are no sentences yet; add one with add_sentence")
        check_int(index, "index", low=-n, high=n - 1)
        return self._book.get(self.sentences[index]).trace

    def add_context_sequence(self, position: int) -> int:
        """Add the whole corpus sequence holding corpus ``position`` (a top context's
        ``positions`` entry) as a sentence; needs ``corpus=``.

        Returns
        -------
        int
            Its index in ``sentences``.
        """
        if self._corpus is None:
            raise RuntimeError(
                "this widget has no corpus: pass corpus= to rv.RNNVis (a list of sequences or a "
                "tensor, not a one-shot iterator) to open whole sequences"
            )
        return self.add_sentence(self._corpus.sequence_at(position))

    def _context_position(self, request: dict[str, Any]) -> int:
        """The corpus position of the top context named by an ``open_context`` request."""
        keys = {"layer", "state", "direction", "unit", "sign", "rank"}
        if set(request) != keys:
            raise ValueError(f"open_context needs exactly the keys {sorted(keys)}, got {sorted(request)}")
        if not isinstance(request["state"], str):
            raise TypeError(f"open_context state must be a str, got {request['state']!r}")
        layer = check_int(request["layer"], "layer")
        top = self.analysis.contexts(layer, request["state"], check_int(request["direction"], "direction"))
        unit = check_int(request["unit"], "unit", low=0, high=top.n_units - 1)
        sign = check_int(request["sign"], "sign", low=0, high=1)
        rank = check_int(request["rank"], "rank", low=0, high=top.k - 1)
        position = int(top.positions[sign, rank, unit])
        if position < 0:
            raise ValueError(f"unit {unit} has no context at rank {rank} of sign {sign}")
        return position

    @traitlets.observe("open_context")
    def _on_open_context(self, change: dict[str, Any]) -> None:
        request = change["new"]
        if request is None:
            return
        try:
            self.add_context_sequence(self._context_position(request))
        except Exception as failure:  # from the browser: show it in the view, keep the widget usable
            self._publish_sentences(list(self.sentences), f"could not open the context: {failure}")
        finally:
            self.set_trait("open_context", None)

    def find_word(self, word: str) -> dict[str, Any]:
        """Where ``word`` is in this view: its cluster at the k on screen, whether it is drawn,
        and why not (not in the vocabulary, too rare to be clustered, or not among the
        ``n_words`` shown), as the view's search box says it.

        Parameters
        ----------
        word : str
            Vocabulary text, matched exactly.

        Returns
        -------
        dict
            ``query``, ``word``, ``count`` (occurrences in the corpus), ``cluster`` (int, or None
            when not clustered), ``shown`` (bool) and ``message`` (one sentence).
        """
        if not isinstance(word, str):
            raise TypeError(f"word must be a str, got {type(word).__name__}")
        return dict(locate_word(self.viewmodel, self._slot(), self.n_clusters, self.n_words, word))

    @traitlets.observe("word_query")
    def _on_word_query(self, change: dict[str, Any]) -> None:
        query = change["new"]
        if not query:
            return
        try:
            answer = self.find_word(query)
        except Exception as failure:  # from the browser: answer in the view, stay usable
            answer = {"query": query, "word": query, "count": 0, "cluster": None, "shown": False,
                      "message": f"could not look up {query!r}: {failure}"}
        finally:
            self.set_trait("word_query", "")
        self.word_answer = answer

    @traitlets.observe("sentences")
    def _on_sentences(self, change: dict[str, Any]) -> None:
        if self._ready and not self._reverting_sentences:
            self._refresh_sentences(change["new"], change["old"])

    def _refresh_sentences(self, entries: list[Entry], previous: list[Entry] | None = None) -> None:
        """Run new entries (typed in the browser, or set from Python); on a failure put the
        previous list back and show why."""
        error = None
        for entry in entries:
            try:
                self._book.get(entry)
            except Exception as failure:  # the user's model may raise anything: show it
                error = f"could not show {entry_key(entry)!r}: {failure}"
                break
        if error is not None:
            entries = list(previous or [])
            self._reverting_sentences = True
            try:
                self.sentences = entries
            finally:
                self._reverting_sentences = False
        self._publish_sentences(entries, error)

    def _publish_sentences(self, entries: list[Entry], error: str | None = None) -> None:
        """Send the sentence list, with the states of the sentences not sent before in the
        same message (the browser reads both before it draws)."""
        view = dict(self._book.view(entries, error))
        fresh = self._book.fresh()
        with self.hold_sync():
            if fresh:
                self.sentence_states = dict(fresh)
            self.sentence_view = view

    @traitlets.observe("sentence_states_wanted")
    def _on_states_wanted(self, change: dict[str, Any]) -> None:
        wanted = change["new"]
        if not wanted:
            return
        try:
            with self.hold_sync():
                self.sentence_states = dict(self._book.states(wanted))
        finally:
            self.set_trait("sentence_states_wanted", [])

    def close(self) -> None:
        # Also reached from __del__ of a widget whose __init__ raised before this was set.
        cancel = getattr(self, "_prefetch_cancel", None)
        if cancel is not None:
            cancel.set()
        super().close()

    # Results back to Python.

    def clusters(self) -> tuple[Any, Any]:
        """The co-clustering on screen as pandas DataFrames.

        Returns
        -------
        units : pandas.DataFrame
            One row per unit: ``unit``, ``cluster``, ``mean_response`` (signed mean response
            to the paired word cluster), ``mean_abs_delta``.
        words : pandas.DataFrame
            One row per clustered word: ``word``, ``cluster``, ``strength``, ``count``, sorted
            by cluster then decreasing strength.
        """
        import pandas as pd

        slot = self._slot()
        co = self.viewmodel.cocluster(slot, self.n_clusters)
        response = self.analysis.response(slot.layer, slot.state, slot.direction)
        counts = self.analysis.counts
        units = pd.DataFrame(
            {
                "unit": range(len(co.unit_labels)),
                "cluster": co.unit_labels,
                "mean_response": [
                    float(response[co.word_labels == c, u].mean()) if (co.word_labels == c).any() else 0.0
                    for u, c in enumerate(co.unit_labels)
                ],
                "mean_abs_delta": self.analysis.unit_summary(slot.layer, slot.state, slot.direction).mean_abs,
            }
        )
        clustered = co.word_labels >= 0
        words = pd.DataFrame(
            {
                "word": [self.analysis.vocab[i] for i in range(len(counts)) if clustered[i]],
                "cluster": co.word_labels[clustered],
                "strength": co.word_strength[clustered],
                "count": counts[clustered],
            }
        ).sort_values(["cluster", "strength"], ascending=[True, False], ignore_index=True)
        return units, words

    def save_html(
        self,
        path: str | os.PathLike[str],
        title: str = "rnnvis snapshot",
        slots: str | Sequence[tuple[int, str, int]] = "current",
        ks: Iterable[int] | None = None,
        progress: bool = False,
    ) -> Path:
        """Write this view as one self-contained HTML file that works offline and stays
        interactive.

        The page goes to a temporary file in the same folder that replaces ``path`` once
        complete, so a write that fails part-way leaves an existing file as it was.

        Parameters
        ----------
        path : path-like
            The file to write.
        title : str
            The page title.
        slots : "current", "all" or sequence of (layer, state, direction)
            Which views to include: the one on screen, every layer, state kind and direction,
            or these besides the one on screen.
        ks : iterable of int, optional
            Cluster counts to precompute; default every k the clusters control offers.
        progress : bool, default False
            Show a progress bar over the clusterings computed and the write (worth it with
            ``slots="all"``, which clusters every view for every k).

        Returns
        -------
        pathlib.Path
            The file written.
        """
        # The page holds every shown sentence's states, not just the last ones sent.
        state = {**widget_state(self), "sentence_states": dict(self._book.states())}
        return save_snapshot(path, self.viewmodel, state, title=title, slots=slots, ks=ks, progress=progress)


def show(
    model: Any,
    corpus: Any,
    vocab: Any,
    *,
    n_clusters: int = 8,
    encode: Encode | None = None,
    predict: Predict | None = None,
    labels: Sequence[str] | None = None,
    **analyze_options: Any,
) -> RNNVis:
    """Analyse ``model`` over ``corpus`` and return the widget in one call.

    Parameters
    ----------
    model : torch.nn.Module
        The live model.
    corpus : iterable
        Token-id sequences, as for [analyze][rnnvis_widget.analyze]; kept by the widget so a
        top context opens its whole sequence (unless it is a one-shot iterator).
    vocab : sequence of str
        ``vocab[id]`` is the text of token ``id``.
    n_clusters : int
        Co-clusters shown first.
    encode : callable, optional
        ``encode(text) -> list[int]``, for sentences typed into the view.
    predict : callable, optional
        ``predict(model, batch) -> scores``, the prediction shown beside a sentence (see
        [RNNVis][rnnvis_widget.RNNVis]).
    labels : sequence of str, optional
        Class names of a classifier.
    **analyze_options
        Passed to [analyze][rnnvis_widget.analyze] (modules, forward, batch_size, device,
        progress, ...).

    Returns
    -------
    RNNVis
    """
    analysis = analyze(model, corpus, vocab, **analyze_options)
    return RNNVis(
        analysis,
        model=model,
        encode=encode,
        forward=analyze_options.get("forward"),
        predict=predict,
        labels=labels,
        corpus=corpus,
        n_clusters=n_clusters,
    )
