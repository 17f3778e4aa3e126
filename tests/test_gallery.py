"""docs/gallery.md is what docs/make_figures.py produces, and every picture it shows exists."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _make_figures():
    spec = importlib.util.spec_from_file_location("make_figures", DOCS / "make_figures.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_gallery_page_matches_a_fresh_run(tmp_path):
    text = _make_figures().build(tmp_path)
    assert text == (DOCS / "gallery.md").read_text(), "run `python docs/make_figures.py`"
    for rel in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
        fresh = tmp_path / rel
        committed = DOCS / rel
        assert fresh.is_file() and committed.is_file(), rel
        assert committed.stat().st_size > 10_000


def test_every_gallery_picture_exists():
    text = (DOCS / "gallery.md").read_text()
    refs = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(refs) >= 10
    for rel in refs:
        assert (DOCS / rel).is_file(), rel
