from __future__ import annotations

import base64
import gzip
import json
import re
import struct

from rnnvis_widget.view._export import CONTAINER_MAGIC, pack_state, script_safe_json, snapshot_html


def test_script_safe_json_cannot_close_its_script() -> None:
    hostile = {"w": ["</script><img src=x onerror=alert(1)>", "<!--", "a&b", "\u202e\u200b"]}
    text = script_safe_json(hostile)
    assert "<" not in text and ">" not in text and "&" not in text
    assert all(ord(ch) < 128 for ch in text)
    assert json.loads(text) == hostile


def test_container_round_trip_stores_shared_buffers_once() -> None:
    shared = b"\x00\x01\x02\x03"
    state = {"a": {"buffer": shared}, "b": [shared, b"xy"], "words": ["</script>"]}
    packed = pack_state(state)
    assert packed[:4] == CONTAINER_MAGIC
    (length,) = struct.unpack("<I", packed[4:8])
    header = json.loads(packed[8 : 8 + length])
    assert header["sizes"] == [4, 2]
    assert header["state"] == {
        "a": {"buffer": {"$buf": 0}},
        "b": [{"$buf": 0}, {"$buf": 1}],
        "words": ["</script>"],
    }
    assert packed[8 + length :] == shared + b"xy"


def test_snapshot_inlines_only_base64_and_our_scripts() -> None:
    page = snapshot_html({"view": None, "words": ["</script><b>"]})
    assert page.count("</script>") == 3  # state, bundle and boot scripts; nothing from the data
    state = re.search(r'id="rnnvis-state">([^<]*)</script>', page)
    assert state is not None
    packed = gzip.decompress(base64.b64decode(state.group(1)))
    assert b"</script><b>" in packed
    assert "Content-Security-Policy" in page and "http" not in page.split("<body>")[1][:200]
