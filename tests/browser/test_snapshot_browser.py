"""Snapshots open from file:// in real Chromium: offline, zero network requests, interactive."""

from __future__ import annotations

import base64
import re
import struct
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page

import rnnvis_widget as rv
from rnnvis_widget.zoo.demo import DemoRun

pytestmark = pytest.mark.browser


def open_snapshot(page: Page, path: Path) -> tuple[list[str], list[str]]:
    """Opens the file, logging every request and page error."""
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_selector(".rnnvis[data-ready='true']")
    return requests, errors


def external(requests: list[str]) -> list[str]:
    # The file itself and Blob URLs made by the page are local; nothing else may load.
    return [url for url in requests if not url.startswith(("file://", "blob:"))]


def test_snapshot_is_interactive_offline(page: Page, demo_analysis: rv.Analysis, tmp_path: Path) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=5)
    path = widget.save_html(tmp_path / "snapshot.html")
    requests, errors = open_snapshot(page, path)
    assert page.locator(".rv-cloud").count() == 5

    # Hover, click, box plots and contexts work without a kernel.
    page.locator(".rv-cloud-word").first.hover()
    page.wait_for_function("document.querySelector('.rv-chips').dataset.coloredBy !== 'rest'")
    page.locator(".rv-chip[data-unit='2']").click()
    page.wait_for_selector(".rv-unit-panel[data-unit='2'] .rv-box")
    assert page.locator(".rv-unit-panel .rv-context").count() > 0

    # Every k of the control was precomputed.
    for k in (2, 13, 20):
        page.eval_on_selector(
            ".rv-clusters", f"el => {{ el.value = '{k}'; el.dispatchEvent(new Event('change')); }}"
        )
        page.wait_for_selector(f".rv-graph[data-clusters='{k}']")
        assert page.locator(".rv-cloud").count() == k

    # Kernel-only controls are visibly disabled, not broken: only h of this layer was saved.
    assert page.is_disabled(".rv-layer") and page.is_disabled(".rv-state")
    assert "kernel" in (page.get_attribute(".rv-layer", "title") or "")
    assert external(requests) == [] and errors == []


def test_saved_layers_and_states_switch_offline(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=6)
    path = widget.save_html(tmp_path / "all.html", slots="all", ks=[4, 6])
    requests, errors = open_snapshot(page, path)
    assert "layer 1" in page.inner_text(".rv-title")
    page.select_option(".rv-layer", "0")
    page.wait_for_function("document.querySelector('.rv-title').textContent.includes('layer 0')")
    page.wait_for_selector(".rnnvis[data-ready='true']")
    page.select_option(".rv-state", "c")
    page.wait_for_function("document.querySelector('.rv-title').textContent.includes('· c ·')")
    page.wait_for_selector(".rnnvis[data-ready='true']")
    assert page.locator(".rv-cloud").count() == 6
    assert external(requests) == [] and errors == []


def test_snapshot_downloads_svg_and_png(page: Page, demo_analysis: rv.Analysis, tmp_path: Path) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=4)
    open_snapshot(page, widget.save_html(tmp_path / "s.html", ks=[4]))
    with page.expect_download() as svg_download:
        page.click(".rv-save-svg")
    svg = Path(svg_download.value.path()).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and svg.count('class="') == 0
    assert svg.count("<rect") >= demo_analysis.response(-1).shape[1]
    # The chips' colours are on a canvas in the page; the file holds them as its picture.
    assert "<foreignObject" not in svg and "<canvas" not in svg
    pictures = re.findall(r'<image [^>]*href="data:image/png;base64,([^"]+)"', svg)
    assert len(pictures) == 1
    picture = base64.b64decode(pictures[0])
    width, height = struct.unpack(">II", picture[16:24])
    chips = page.locator(".rv-chip-paint canvas").bounding_box()
    assert chips and (width, height) == (round(chips["width"]), round(chips["height"]))
    with page.expect_download() as png_download:
        page.click(".rv-save-png")
    png = Path(png_download.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


HOSTILE = [
    "<script>alert(1)</script>",
    "</script><img src=x onerror=alert(1)>",
    "\"'`${x}",
    "\u202eevil\u200b",
]


def test_hostile_tokens_stay_text_in_a_snapshot(page: Page, demo_run: DemoRun, tmp_path: Path) -> None:
    vocab = list(demo_run.vocab.words)
    counts = np.bincount(np.concatenate([np.asarray(s) for s in demo_run.held_out]), minlength=len(vocab))
    for index, text in zip(np.argsort(-counts, kind="stable")[:40:10], HOSTILE, strict=True):
        vocab[int(index)] = text
    analysis = rv.analyze(demo_run.model, demo_run.held_out, vocab, progress=False)
    path = rv.RNNVis(analysis, n_clusters=3).save_html(tmp_path / "hostile.html", ks=[3])
    html = path.read_text(encoding="utf-8")
    assert html.count("</script>") == 3  # only our own three script elements close
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    requests, errors = open_snapshot(page, path)
    for word in page.locator(".rv-cloud-word").all()[:30]:
        word.hover()
    page.locator(".rv-chip").first.click()
    assert page.locator(".rnnvis img, .rnnvis script").count() == 0
    assert dialogs == [] and external(requests) == [] and errors == []


def test_snapshot_is_deterministic(demo_analysis: rv.Analysis, tmp_path: Path) -> None:
    first = rv.RNNVis(demo_analysis).save_html(tmp_path / "a.html", ks=[3, 8]).read_bytes()
    second = rv.RNNVis(demo_analysis).save_html(tmp_path / "b.html", ks=[3, 8]).read_bytes()
    assert first == second


def test_analysis_without_quantiles_or_contexts_shows_why(
    page: Page, demo_run: DemoRun, tmp_path: Path
) -> None:
    # Both optional parts left out at analysis time: the view still draws, and each panel says
    # what to pass to rv.analyze instead of breaking.
    bare = rv.analyze(
        demo_run.model, demo_run.held_out[:300], demo_run.vocab.words,
        progress=False, display_words=0, top_contexts=0,
    )
    widget = rv.RNNVis(bare, n_clusters=4)
    requests, errors = open_snapshot(page, widget.save_html(tmp_path / "bare.html", ks=[4]))
    assert page.locator(".rv-cloud").count() == 4
    page.locator(".rv-chip[data-unit='3']").click()
    page.wait_for_selector(".rv-unit-panel[data-unit='3']")
    assert page.locator(".rv-unit-panel .rv-missing[data-missing='quantiles']").count() == 1
    assert page.locator(".rv-unit-panel .rv-missing[data-missing='contexts']").count() == 1
    # Means only: a dot per word, no boxes or whiskers.
    assert page.locator(".rv-unit-panel .rv-box .rv-mean").count() > 0
    assert page.locator(".rv-unit-panel .rv-iqr, .rv-unit-panel .rv-whisker").count() == 0
    assert external(requests) == [] and errors == []
