"""Every notebook in notebooks/ runs top to bottom in a real kernel (nbclient), so none can rot.

Each notebook runs in a temporary copy of its folder's working directory (files it writes, such
as the quickstart's snapshot, land there). A notebook that raises fails the test with the cell's
traceback; the case-study notebooks must also print the numbers they discuss.
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CELL_TIMEOUT_S = 240

#: Text each case study must print (the numbers it reports come with these words).
EXPECTED_OUTPUT = {
    "compare.ipynb": [
        "near-zero updates, unsaturated steps",
        "Finding 1 (LSTM updates more sparsely)",
        "over 5 seeds",
        "cloud coherence layer 1",
        "Finding 2 (the last layer",
    ],
    "quickstart.ipynb": ["Analysis"],
    "shakespeare.ipynb": ["held-out perplexity", "pairs share a cloud", "hath"],
    "sentiment.ipynb": ["held-out accuracy", "purity", "Spearman", "recall gap", "update at 'though'"],
    "sparsity.ipynb": ["held-out perplexity", "near-zero updates", "Hoyer", "sparser:"],
}


def test_every_notebook_is_covered() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(EXPECTED_OUTPUT)


def _text(notebook: nbformat.NotebookNode) -> str:
    parts: list[str] = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output.get("text", ""))
            elif "data" in output:
                parts.append(output["data"].get("text/plain", ""))
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED_OUTPUT))
def test_notebook_runs(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The kernel inherits this: with several test suites sharing two cores, OpenMP threads that
    # spin-wait for each other made torch ~15x slower here than one thread per kernel.
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError with the traceback of a failing cell
    seconds = time.perf_counter() - start
    text = _text(notebook)
    missing = [phrase for phrase in EXPECTED_OUTPUT[name] if phrase not in text]
    assert not missing, f"{name} did not print {missing}; it printed:\n{text}"
    widgets = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in output.get("data", {})
    ]
    assert widgets, f"{name} shows no widget"
    print(f"{name} ran in {seconds:.1f} s")
