from __future__ import annotations

import json

from rnnvis_widget.export import script_safe_json, snapshot_html


def test_script_safe_json_cannot_close_its_script() -> None:
    hostile = {"w": ["</script><img src=x onerror=alert(1)>", "<!--", "a&b", "\u202e\u200b"]}
    text = script_safe_json(hostile)
    assert "<" not in text and ">" not in text and "&" not in text
    assert all(ord(ch) < 128 for ch in text)
    assert json.loads(text) == hostile


def test_snapshot_inlines_everything() -> None:
    page = snapshot_html({"view": None, "words": ["</script>"]})
    assert page.count("</script>") == 3  # state, bundle and boot scripts, nothing from the data
    assert "http://" not in page.split("<body>")[1].split('id="rnnvis-bundle"')[0]
    assert "Content-Security-Policy" in page
