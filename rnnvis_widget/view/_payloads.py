"""The kernel-browser contract: the payloads the widget sends and the constants both sides share.

Every payload here has a twin of the same name in js/payloads.ts, and the constants live in
one file, ``contract.json``, that this module reads and the TypeScript bundle imports. A change
to either side shows up in tests/test_contract.py, which writes real payloads to
js/tests/fixtures/payloads.json, and in js/tests/contract.test.ts, which decodes them.

In the shapes below, N is the number of words the view shows, H the layer's units, Q the
number of quantiles (``len(CONTRACT["quantile_percents"])``), K the contexts kept per unit and sign, k the
number of clusters and w the context width. Arrays travel as :class:`EncodedArray`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, TypedDict, cast

from ._codecs import EncodedArray

__all__ = [
    "CONTRACT",
    "MAX_CLUSTERS",
    "MAX_PINNED_WORDS",
    "MIN_CLUSTERS",
    "SLOT_KEY_SEPARATOR",
    "ClassPrediction",
    "ClusteringPayload",
    "ComparisonHistograms",
    "ComparisonPairs",
    "ComparisonPayload",
    "ContextsPart",
    "Contract",
    "EncodedArray",
    "ErrorPayload",
    "MainPayload",
    "NextTokenPrediction",
    "OfflineView",
    "OpenContextRequest",
    "Prediction",
    "SentencePayload",
    "SentenceStates",
    "SentenceStatesById",
    "SentenceViewPayload",
    "SideSlot",
    "TraitDefaults",
    "UnitsPart",
    "ViewPayload",
    "WordAnswer",
    "WordsPart",
    "load_contract",
]


class TraitDefaults(TypedDict):
    """Initial values of the widget's traits, as the browser assumes them before the kernel
    has sent any."""

    n_clusters: int
    layer: int
    state: str
    direction: int
    n_words: int
    link_filter: float
    color_clip: float


class Contract(TypedDict):
    """The constants both sides of the widget read from ``contract.json``.

    Attributes
    ----------
    max_pinned_words : int
        How many words can be pinned at once.
    max_sentence_tokens : int
        The longest sentence the sentence view accepts, in tokens.
    min_clusters, max_clusters : int
        The widest range the clusters control offers; a layer may allow fewer.
    quantile_percents : list of int
        The percentiles of the Q quantiles in ``MainPayload.words.quantiles``, ascending.
    slot_key_separator : str
        Joins layer, state and direction into the key of a view saved in a snapshot.
    trait_defaults : TraitDefaults
    """

    max_pinned_words: int
    max_sentence_tokens: int
    min_clusters: int
    max_clusters: int
    quantile_percents: list[int]
    slot_key_separator: str
    trait_defaults: TraitDefaults


CONTRACT_PATH = Path(__file__).with_name("contract.json")


def load_contract(path: Path = CONTRACT_PATH) -> Contract:
    """Read the shared constants; a missing or extra key is an error that names it."""
    values = json.loads(path.read_text(encoding="utf-8"))
    for expected, found in ((Contract, values), (TraitDefaults, values.get("trait_defaults", {}))):
        missing = sorted(expected.__required_keys__ - set(found))
        extra = sorted(set(found) - expected.__required_keys__)
        if missing or extra:
            raise ValueError(f"{path} does not match {expected.__name__}: missing {missing}, unknown {extra}")
    return cast(Contract, values)


CONTRACT = load_contract()
MAX_PINNED_WORDS = CONTRACT["max_pinned_words"]
MIN_CLUSTERS = CONTRACT["min_clusters"]
MAX_CLUSTERS = CONTRACT["max_clusters"]
SLOT_KEY_SEPARATOR = CONTRACT["slot_key_separator"]


class WordsPart(TypedDict):
    """The N words a main view shows, most frequent first.

    Attributes
    ----------
    text : list of str
        The words, as the vocabulary spells them.
    count : EncodedArray
        int32, shape (N,): occurrences of each word in the corpus.
    response : EncodedArray
        float32, shape (N, H): mean response of every unit to each word.
    quantiles : EncodedArray or None
        float16, shape (N, H, Q): quantiles of the single responses at ``quantile_percents``;
        None when the analysis kept none (``rv.analyze(..., display_words=0)``); a row of NaN
        for a shown word it kept none for (the strongest words need not be display words).
    """

    text: list[str]
    count: EncodedArray
    response: EncodedArray
    quantiles: EncodedArray | None


class UnitsPart(TypedDict):
    """Per-unit values of a main view.

    Attributes
    ----------
    resting : EncodedArray
        float32, shape (H,): the chips' resting colour value, e.g. mean |Δh|.
    """

    resting: EncodedArray


class ContextsPart(TypedDict):
    """Each unit's strongest positive and negative responses with the tokens around them.

    Attributes
    ----------
    tokens : list of str
        Texts of the token ids used in ``ids``.
    window : int
        w, the tokens kept on each side of the centre.
    value : EncodedArray
        float32, shape (H, 2, K): the responses, ``[:, 0]`` strongest positive, ``[:, 1]``
        strongest negative; NaN where fewer were seen.
    ids : EncodedArray
        int32, shape (H, 2, K, 2w + 1): indices into ``tokens``; -1 outside the sequence.
    """

    tokens: list[str]
    window: int
    value: EncodedArray
    ids: EncodedArray


class MainPayload(TypedDict):
    """The ``view`` trait for one layer / state / direction; it changes only when they do.

    Attributes
    ----------
    kind : "main"
    title : str
        One line naming the layer, state, units and tokens.
    live : bool
        False in a snapshot: controls that need a kernel are disabled.
    layers, states : list of str
        What the layer and state controls offer.
    directions : int
        1, or 2 for a bidirectional layer.
    k_range : list of int
        ``[low, high]``, the cluster counts this layer allows.
    resting_label : str
        What ``units.resting`` is, for the legend.
    word_selection : str
        How the words were chosen: "frequent" or "strongest" (the widget's trait).
    words_label : str
        The same in words, for the header, e.g. "the 300 most frequent words".
    words : WordsPart
    units : UnitsPart
    contexts : ContextsPart or None
        None when the analysis kept no contexts (``rv.analyze(..., top_contexts=0)``).
    """

    kind: Literal["main"]
    title: str
    live: bool
    layers: list[str]
    states: list[str]
    directions: int
    k_range: list[int]
    resting_label: str
    word_selection: str
    words_label: str
    words: WordsPart
    units: UnitsPart
    contexts: ContextsPart | None


class ErrorPayload(TypedDict):
    """The ``view`` trait when there is nothing to draw; the browser shows ``message``."""

    kind: Literal["error"]
    message: str


ViewPayload = MainPayload | ErrorPayload


class ClusteringPayload(TypedDict):
    """One co-clustering of a main view's layer, for one k (a value of the ``clusterings``
    trait, keyed by ``str(k)``).

    Attributes
    ----------
    k : int
    unit_cluster : EncodedArray
        int16, shape (H,): each unit's cluster.
    unit_order : EncodedArray
        int32, shape (H,): units in drawing order.
    cluster_order : EncodedArray
        int16, shape (k,): clusters in drawing order.
    edges : EncodedArray
        float32, shape (k, k): signed mean response of unit cluster i to word cluster j.
    edge_strength : EncodedArray
        float32, shape (k, k): the same blocks' mean |response|.
    word_cluster : EncodedArray
        int16, shape (N,): each shown word's cluster, -1 if not clustered.
    word_strength : EncodedArray
        float32, shape (N,): how strongly each word belongs to its cluster.
    """

    k: int
    unit_cluster: EncodedArray
    unit_order: EncodedArray
    cluster_order: EncodedArray
    edges: EncodedArray
    edge_strength: EncodedArray
    word_cluster: EncodedArray
    word_strength: EncodedArray


class OfflineView(TypedDict):
    """One precomputed view in a snapshot's ``offline_views`` trait, keyed by slot key;
    ``other_direction_clusterings`` is the widget trait of that name for the view (the other
    direction of a bidirectional layer, by ``str(k)``; empty for one direction)."""

    view: MainPayload
    clusterings: dict[str, ClusteringPayload]
    other_direction_clusterings: dict[str, ClusteringPayload]


class SentenceStates(TypedDict):
    """One layer / state kind / direction of a sentence (T tokens, H units).

    Attributes
    ----------
    values : EncodedArray
        float32, shape (T, H): the state right after token t (a backward direction is indexed
        by token position too).
    initial : EncodedArray
        float32, shape (H,): the state before the direction's first processed token; zeros for
        gates.
    """

    values: EncodedArray
    initial: EncodedArray


class ClassPrediction(TypedDict):
    """A classifier's prediction for a sentence (C classes).

    Attributes
    ----------
    kind : "classes"
    labels : list of str
        The C class names.
    final : EncodedArray
        float32, shape (C,): probabilities after the whole sentence.
    per_step : EncodedArray or None
        float32, shape (T, C): the prediction of each prefix, when the model gives one.
    """

    kind: Literal["classes"]
    labels: list[str]
    final: EncodedArray
    per_step: EncodedArray | None


class NextTokenPrediction(TypedDict):
    """A language model's most likely next tokens after each position.

    Attributes
    ----------
    kind : "next_tokens"
    tokens : list of list of str
        Shape (T, 3): the three most likely next tokens after position t.
    probs : EncodedArray
        float32, shape (T, 3): their probabilities.
    """

    kind: Literal["next_tokens"]
    tokens: list[list[str]]
    probs: EncodedArray


#: What is shown beside a sentence: a classifier's classes or a language model's next words.
Prediction = ClassPrediction | NextTokenPrediction


class SentencePayload(TypedDict):
    """One sentence of the sentence view (T tokens); its states travel apart, once (see
    `SentenceStatesById`).

    Attributes
    ----------
    id : str
        Names this run of the sentence: its states are ``sentence_states[id]``. Unique in the
        kernel, and new whenever a sentence is run again.
    source : str
        What was typed, or the ids' token texts joined by spaces.
    tokens : list of str
        The vocabulary text of each token.
    unknown : EncodedArray
        uint8, shape (T,): 1 where a typed word was not in the vocabulary (sent as ``<unk>``).
    prediction : ClassPrediction or NextTokenPrediction or None
    """

    id: str
    source: str
    tokens: list[str]
    unknown: EncodedArray
    prediction: Prediction | None


#: The ``sentence_states`` trait: by sentence id, by ``slot_key(layer, state, direction)``,
#: every layer, state kind and direction of the analysis. The kernel sends each sentence's
#: states once, when it is run (or when the browser asks for ids it lacks, after a reload), so
#: adding a sentence costs the same however many are shown; a snapshot holds all of them.
SentenceStatesById = dict[str, dict[str, SentenceStates]]


class SentenceViewPayload(TypedDict):
    """The widget's ``sentence_view`` trait.

    Attributes
    ----------
    kind : "sentences"
    live : bool
        Whether new sentences can be run (a live model and a kernel).
    disabled_reason : str or None
        Why the text box is disabled.
    error : str or None
        The last failure, shown above the sentences.
    max_tokens : int
        The longest sentence accepted.
    items : list of SentencePayload
        In the order of the ``sentences`` trait.
    """

    kind: Literal["sentences"]
    live: bool
    disabled_reason: str | None
    error: str | None
    max_tokens: int
    items: list[SentencePayload]


class WordAnswer(TypedDict):
    """The widget's ``word_answer`` trait: where the searched word is.

    Attributes
    ----------
    query : str
        What was searched.
    word : str
        The vocabulary text looked up.
    count : int
        Times it occurs in the analysed corpus (0 when not in the vocabulary).
    cluster : int or None
        Its word cluster at the k on screen; None when it is not clustered.
    shown : bool
        Whether the view draws it (it is among the ``n_words`` shown).
    message : str
        One sentence for the reader: where it is, or why it is not drawn and how to draw it.
    """

    query: str
    word: str
    count: int
    cluster: int | None
    shown: bool
    message: str


class OpenContextRequest(TypedDict):
    """The widget's ``open_context`` trait, set by the browser: which top context's whole
    sequence to add as a sentence (the kernel maps it to a corpus position, then to the
    sequence; it sets the trait back to None).

    Attributes
    ----------
    layer : int
        Index into ``stacks``.
    state : str
    direction : int
    unit : int
        The unit, ``0..H-1``.
    sign : int
        0 for a positive context, 1 for a negative one.
    rank : int
        Its rank among that unit's contexts of that sign, ``0..K-1``.
    """

    layer: int
    state: str
    direction: int
    unit: int
    sign: int
    rank: int


class SideSlot(TypedDict):
    """What one side of a comparison shows, as the sentence rows need it (a value of the
    comparison widget's ``sentence_slots`` trait).

    Attributes
    ----------
    layer : int
        Index into the side's ``stacks``.
    state : str
        The state kind.
    direction : int
        0 forward, 1 backward.
    directions : int
        Directions of the layer (2: bidirectional).
    """

    layer: int
    state: str
    direction: int
    directions: int


class ComparisonPairs(TypedDict):
    """The matched word clusters of a comparison, P pairs by decreasing overlap.

    Attributes
    ----------
    left, right : EncodedArray
        int16, shape (P,): the left cluster and the right cluster of each pair.
    overlap : EncodedArray
        float32, shape (P,): Jaccard overlap of the two clusters' words.
    shared : EncodedArray
        int32, shape (P,): words in both clusters.
    """

    left: EncodedArray
    right: EncodedArray
    overlap: EncodedArray
    shared: EncodedArray


class ComparisonHistograms(TypedDict):
    """Units per bin of three per-unit fractions, both sides on one set of B bins.

    Attributes
    ----------
    edges : EncodedArray
        float32, shape (B + 1,): bin edges over [0, 1], shared by every histogram.
    sparsity, unsaturated_sparsity, saturation : EncodedArray
        int32, shape (2, B): units per bin, the left side's row then the right side's.
    """

    edges: EncodedArray
    sparsity: EncodedArray
    unsaturated_sparsity: EncodedArray
    saturation: EncodedArray


class ComparisonPayload(TypedDict):
    """One value of a comparison widget's ``comparisons`` trait: the two sides at one k
    (keyed by ``str(n_clusters)``; each side's k is that value within its own range).

    N_l and N_r are the words each side's ``view`` shows, k_l and k_r its clusters.

    Attributes
    ----------
    kind : "comparison"
    labels : list of str
        The two sides' titles.
    slots : list of str
        One line per side naming its layer, state and units.
    statement : str
        The sentence stating the main difference.
    on : str
        "same" (one vocabulary) or "shared" (the words both vocabularies have).
    n_compared : int
        Words the clusters were compared over.
    k : list of int
        ``[k_l, k_r]``.
    numbers : dict of str to list of (float or None)
        Per number (the columns of ``Comparison.summary``) ``[left, right]``; None where
        undefined (e.g. saturation of an unbounded cell state).
    definitions : dict of str to str
        One line per number, for its tooltip.
    pairs : ComparisonPairs
    left_partner : EncodedArray
        int16, shape (k_l,): the right cluster matched with each left cluster, -1 if none.
    right_partner : EncodedArray
        int16, shape (k_r,): the left cluster matched with each right cluster, -1 if none.
    changed : list of EncodedArray
        Two uint8 arrays, shapes (N_l,) and (N_r,): 1 where a shown word sits, on the other
        side, in a cluster that is not its cluster's partner.
    histograms : ComparisonHistograms
    """

    kind: Literal["comparison"]
    labels: list[str]
    slots: list[str]
    statement: str
    on: str
    n_compared: int
    k: list[int]
    numbers: dict[str, list[float | None]]
    definitions: dict[str, str]
    pairs: ComparisonPairs
    left_partner: EncodedArray
    right_partner: EncodedArray
    changed: list[EncodedArray]
    histograms: ComparisonHistograms
