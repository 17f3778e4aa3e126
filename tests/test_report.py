"""report.html: self-contained, complete, numbers equal to the results, renders in a browser."""
from __future__ import annotations

import base64
import dataclasses
import math
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import legsim
from legsim.metrics import METRIC_KEYS, UNITS

report = pytest.importorskip("legsim.viz.report")
figures_mod = pytest.importorskip("legsim.viz.figures")

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "compare_techniques.yaml"
DOCS_URL = "https://github.com/legsim/legsim/blob/main/docs/model.md"
COMMAND = "legsim run scenarios/compare_techniques.yaml --out results/compare_techniques"
DASH = "—"
# a 1 x 1 GIF
TINY_GIF = base64.b64decode("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
URL_ATTRS = {"src", "href", "poster", "srcset", "data", "action", "formaction", "background",
             "xlink:href", "manifest", "ping", "cite", "longdesc", "usemap"}


# ------------------------------------------------------------------------------ parsing
class Page(HTMLParser):
    """Every element (tag, attrs), nesting errors, and the metrics table as rows of cells."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.style = ""
        self.text: list[str] = []
        self._in_style = False
        self._table_class = None
        self._row = None           # (data-key, cells) of the current metrics row
        self._cell = None          # [attrs, text] of the current cell
        self.metric_rows: dict[str, list[tuple[dict, str]]] = {}
        self.metric_header: list[tuple[dict, str]] = []
        self._in_head_row = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a))
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "style":
            self._in_style = True
        if tag == "table":
            self._table_class = a.get("class")
        if self._table_class == "metrics":
            if tag == "tr":
                if "data-key" in a:
                    self._row = (a["data-key"], [])
                else:
                    self._in_head_row = True
            elif tag in ("td", "th"):
                self._cell = [a, ""]
            elif tag == "br" and self._cell is not None:
                self._cell[1] += " "

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if tag == "style":
            self._in_style = False
        if tag == "table":
            self._table_class = None
        if self._table_class == "metrics":
            if tag in ("td", "th") and self._cell is not None:
                cell = (self._cell[0], " ".join(self._cell[1].split()))
                if self._row is not None:
                    self._row[1].append(cell)
                elif self._in_head_row:
                    self.metric_header.append(cell)
                self._cell = None
            elif tag == "tr":
                if self._row is not None:
                    self.metric_rows[self._row[0]] = self._row[1]
                self._row = None
                self._in_head_row = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data
        else:
            self.text.append(data)
        if self._cell is not None:
            self._cell[1] += data


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def fmt(v) -> str:
    """The table's number format, written independently of the module."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return DASH
    if isinstance(v, bool):
        return "yes" if v else "no"
    return f"{v:.4g}"


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def result():
    return legsim.simulate(str(SCENARIO))


def _summary(res) -> dict:
    d = res.scenario.data
    return {"name": res.scenario.name, "path": str(res.scenario.path),
            "description": d.get("description", ""),
            "subject": {k: d["subject"][k] for k in ("mass_kg", "height_m", "sex", "anthropometry")},
            "actuators": d["actuators"]["preset"],
            "initial": {k: d["initial"][k] for k in ("thigh_angle_deg", "knee_flexion_deg",
                                                     "thigh_velocity_deg_s", "knee_velocity_deg_s")},
            "end": d["end"]}


@pytest.fixture(scope="module")
def built(result, tmp_path_factory):
    """The report of the shipped comparison (knee drive vs butt kick) with its PNG figures."""
    out = tmp_path_factory.mktemp("report")
    figs = figures_mod.write_figures(list(result.strategies.values()), out)
    anim = out / "animation.gif"
    anim.write_bytes(TINY_GIF)
    items = list(result.strategies.items())
    path = report.write_report(out / "report.html", title="Knee drive vs butt kick",
                               scenarios=[_summary(result)], strategies=items, figures=figs,
                               animation=anim, docs_url=DOCS_URL, command=COMMAND)
    return path, items, figs, anim


# ------------------------------------------------------------------------------ structure
def test_written_and_well_formed(built):
    path, items, figs, _ = built
    assert path.name == "report.html" and path.is_file()
    page = parse(path)
    assert not page.errors, page.errors[:5]
    assert not page.stack, f"unclosed elements: {page.stack}"
    tags = [t for t, _ in page.elements]
    assert tags[0] == "html" and "head" in tags and "body" in tags and "title" in tags
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    # no temporary file left next to it
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]


def test_no_external_resources(built):
    path, *_ = built
    page = parse(path)
    for tag, attrs in page.elements:
        assert tag not in ("script", "link", "iframe", "object", "embed", "base", "form"), tag
        for name, value in attrs.items():
            if name not in URL_ATTRS or value is None:
                continue
            if name == "href":
                assert tag == "a", f"<{tag} href={value!r}>"
                assert value == DOCS_URL or value.startswith("#"), value
            else:
                assert value.startswith("data:"), f"<{tag} {name}={value[:80]!r}>"
        if "style" in attrs:
            assert "url(" not in attrs["style"]
    assert "url(" not in page.style and "@import" not in page.style and "@font-face" not in page.style
    imgs = [a for t, a in page.elements if t == "img"]
    assert imgs and all(a["src"].startswith("data:image/") for a in imgs)
    # the browser is told to refuse anything external
    csp = [a["content"] for t, a in page.elements
           if t == "meta" and a.get("http-equiv", "").lower() == "content-security-policy"]
    assert csp and "default-src 'none'" in csp[0]


def test_every_metric_key_with_unit(built):
    path, *_ = built
    page = parse(path)
    text = " ".join(page.text)
    assert list(page.metric_rows) == list(METRIC_KEYS)
    for key in METRIC_KEYS:
        assert key in text
        cells = page.metric_rows[key]
        assert key in cells[0][1]                       # row header shows the key
        assert cells[1][1] == UNITS.get(key, "")         # unit column


def test_numbers_equal_the_metrics(built):
    path, items, *_ = built
    page = parse(path)
    header = [text for _, text in page.metric_header]
    labels = [label for label, _ in items]
    assert header[2:4] == labels
    for key in METRIC_KEYS:
        cells = page.metric_rows[key][2:]
        for (attrs, text), (_, r) in zip(cells, items):
            v = r.metrics[key]
            assert text == fmt(v), (key, text, v)
            if isinstance(v, float) and not isinstance(v, bool):
                assert float(text) == pytest.approx(v, rel=5e-4, abs=1e-12)
                assert float(attrs["data-value"]) == v      # exact value kept in the cell
    # spot checks of what the comparison is about
    kd, bk = (r.metrics for _, r in items)
    row = dict(zip(header, (t for _, t in page.metric_rows["recovery_time_s"])))
    assert row["knee_drive"] == f"{kd['recovery_time_s']:.4g}"
    assert row["butt_kick"] == f"{bk['recovery_time_s']:.4g}"
    assert page.metric_rows["completed"][2][1] == "yes"


def test_difference_columns(built):
    path, items, *_ = built
    page = parse(path)
    header = [text for _, text in page.metric_header]
    assert len(header) == 2 + 2 + 2
    assert "butt_kick" in header[4] and "knee_drive" in header[4] and header[4].startswith("Δ")
    assert "%" in header[5]
    (_, a), (_, b) = items
    for key in METRIC_KEYS:
        (dattrs, dtext), (pattrs, ptext) = page.metric_rows[key][4:6]
        va, vb = a.metrics[key], b.metrics[key]
        if isinstance(va, bool) or va is None or vb is None:
            assert dtext == DASH and ptext == DASH, key
            continue
        d = vb - va
        assert float(dattrs["data-value"]) == pytest.approx(d, rel=1e-12, abs=1e-12)
        assert dtext == ("0" if d == 0 else f"{d:+.4g}"), (key, dtext, d)
        if va == 0:
            assert ptext == DASH, key
        else:
            p = 100.0 * d / abs(va)
            assert float(pattrs["data-value"]) == pytest.approx(p, rel=1e-12)
            assert ptext.endswith("%")
            assert float(ptext[:-1].replace(",", "")) == pytest.approx(p, rel=1e-3, abs=0.051), key
    # the headline: the butt kick takes longer
    d = float(page.metric_rows["recovery_time_s"][4][0]["data-value"])
    assert d == pytest.approx(b.metrics["recovery_time_s"] - a.metrics["recovery_time_s"])


def test_figures_embedded_one_per_file(built):
    path, _, figs, anim = built
    page = parse(path)
    figure_imgs = [a for t, a in page.elements if t == "img" and a["src"].startswith("data:image/png")]
    assert len(figs) == len(figures_mod.FIGURE_NAMES)
    assert len(figure_imgs) == len(figs)
    for a, f in zip(figure_imgs, figs):
        assert base64.b64decode(a["src"].split(",", 1)[1]) == f.read_bytes()
        assert a.get("alt")
    captions = [a for t, a in page.elements if t == "figcaption"]
    assert len(captions) == len(figs) + 1                 # + the animation
    gifs = [a for t, a in page.elements if t == "img" and a["src"].startswith("data:image/gif;base64,")]
    assert len(gifs) == 1 and base64.b64decode(gifs[0]["src"].split(",", 1)[1]) == anim.read_bytes()


def test_scenario_summary_reasons_model_version_command(built, result):
    path, items, *_ = built
    page = parse(path)
    text = " ".join(" ".join(page.text).split())
    assert "Knee drive vs butt kick" in text
    for needle in ("75 kg", "1.80 m", "male", "de_leva_1996", "sprinter", "-25°", "35°",
                   "100 deg/s", "600 deg/s", "thigh angle reaches 60°", "0.6 s"):
        assert needle in text, needle
    for label, r in items:
        assert r.reason in text
    assert "Model assumptions" in text
    assert "Riener & Edrich 1999" in text and "heel–buttock contact" in text
    assert "Hill-type" in text and "toe-off state and end event" in text
    assert "docs/model.md" in text
    links = [a["href"] for t, a in page.elements if t == "a"]
    assert DOCS_URL in links
    assert f"legsim {legsim.__version__}" in text
    assert COMMAND in text


def test_deterministic_and_atomic_overwrite(built, tmp_path):
    path, items, figs, anim = built
    kw = dict(title="Knee drive vs butt kick", scenarios=[], strategies=items, figures=figs[:1],
              docs_url=DOCS_URL)
    out = tmp_path / "r.html"
    out.write_text("old")
    report.write_report(out, **kw)
    first = out.read_bytes()
    report.write_report(out, **kw)
    assert out.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]
    # a failure before writing leaves the existing file as it was
    bad = tmp_path / "figure.bmp"
    bad.write_bytes(b"BM")
    with pytest.raises(ValueError, match="unsupported"):
        report.write_report(out, **{**kw, "figures": [bad]})
    with pytest.raises(FileNotFoundError):
        report.write_report(out, **{**kw, "figures": [tmp_path / "missing.png"]})
    assert out.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figure.bmp", "r.html"]
    # a timestamp appears only when passed in
    report.write_report(out, **kw, generated="2026-01-02 10:00 UTC")
    assert b"2026-01-02 10:00 UTC" in out.read_bytes()


def test_single_strategy_has_no_difference_columns(built, tmp_path):
    _, items, *_ = built
    out = report.write_report(tmp_path / "one.html", title="one", scenarios=[],
                              strategies=items[:1], figures=[])
    page = parse(out)
    assert [t for _, t in page.metric_header][2:] == [items[0][0]]
    assert all(len(c) == 3 for c in page.metric_rows.values())
    assert not [a for t, a in page.elements if t == "img"]


def test_three_strategies_differ_from_the_first(built, tmp_path):
    _, items, *_ = built
    (_, kd), (_, bk) = items
    three = [("s/knee_drive", kd), ("s/butt_kick", bk), ("t/knee_drive", kd)]
    page = parse(report.write_report(tmp_path / "three.html", title="three", scenarios=[],
                                     strategies=three, figures=[]))
    header = [t for _, t in page.metric_header]
    assert header[2:5] == ["s/knee_drive", "s/butt_kick", "t/knee_drive"]
    assert len(header) == 2 + 3 + 2 * 2
    for key in METRIC_KEYS:
        cells = page.metric_rows[key]
        if isinstance(kd.metrics[key], bool):
            continue
        # the third equals the reference: zero difference
        assert cells[7][1] == "0" and cells[8][1] in ("0%", DASH)


def test_missing_values_booleans_and_escaping(built, tmp_path):
    _, items, *_ = built
    (_, kd), (_, bk) = items
    m = dict(bk.metrics, recovery_time_s=None, completed=False, hip_positive_work_J=float("nan"))
    failed = dataclasses.replace(bk, metrics=m, completed=False,
                                 reason="not completed: <end> & \"never\" reached")
    evil = "<script>alert('x')</script>"
    out = report.write_report(
        tmp_path / "e.html", title="A & B <i>", strategies=[(evil, kd), ("failed", failed)],
        scenarios=[{"name": "n<1>", "path": "a&b.yaml", "description": "<b>bold</b>",
                    "subject": "s", "actuators": "a", "initial": "i", "end": "e"}], figures=[])
    page = parse(out)
    tags = {t for t, _ in page.elements}
    assert "script" not in tags and "i" not in tags and "b" not in tags
    text = " ".join(page.text)
    assert "A & B <i>" in text and evil in text and "<b>bold</b>" in text
    assert 'not completed: <end> & "never" reached' in text
    rows = page.metric_rows
    assert rows["recovery_time_s"][3][1] == DASH and rows["recovery_time_s"][4][1] == DASH
    assert rows["completed"][3][1] == "no" and "no" in rows["completed"][3][0]["class"].split()
    assert rows["hip_positive_work_J"][3][1] == DASH and rows["hip_positive_work_J"][5][1] == DASH


def test_svg_figure_and_mp4_animation(built, tmp_path):
    _, items, *_ = built
    fig = figures_mod.angles_figure([r for _, r in items])
    svg = figures_mod.save_figure(fig, tmp_path, "angles", ("svg",))[0]
    mp4 = tmp_path / "animation.mp4"
    mp4.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(16))    # content is not inspected
    page = parse(report.write_report(tmp_path / "s.html", title="svg", scenarios=[],
                                     strategies=items, figures=[svg], animation=mp4))
    imgs = [a for t, a in page.elements if t == "img"]
    assert len(imgs) == 1 and imgs[0]["src"].startswith("data:image/svg+xml;base64,")
    videos = [a for t, a in page.elements if t == "video"]
    assert len(videos) == 1 and "controls" in videos[0]
    assert videos[0]["src"] == "data:video/mp4;base64," + base64.b64encode(mp4.read_bytes()).decode()
    with pytest.raises(ValueError, match="unsupported"):
        bad = tmp_path / "a.avi"
        bad.write_bytes(b"x")
        report.write_report(tmp_path / "t.html", title="t", scenarios=[], strategies=items,
                            figures=[], animation=bad)


# ------------------------------------------------------------------------------ browser
def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _run_browser(exe: str, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--hide-scrollbars", f"--user-data-dir={tmp / 'profile'}", *args]
    env = dict(os.environ, HOME=str(tmp))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env, cwd=tmp)


_PROBE = ("<script>window.addEventListener('load', function () { var r = [];"
          " for (var i = 0; i < document.images.length; i++) { var m = document.images[i];"
          " r.push(m.complete && m.naturalWidth > 0 ? m.naturalWidth + 'x' + m.naturalHeight"
          " : 'broken'); } document.body.setAttribute('data-probe', r.join(' ')); });</script>")


def test_renders_in_headless_chromium(built, tmp_path):
    exe = _chromium()
    if exe is None:
        pytest.skip("Chromium is not installed: the browser check needs the chromium package "
                    "(apt-get install chromium)")
    path, _, figs, _ = built
    url = path.resolve().as_uri()

    # 1. screenshot of the top of the page: produced and not blank
    shot = tmp_path / "shot.png"
    proc = _run_browser(exe, tmp_path, f"--screenshot={shot}", "--window-size=1200,2000", url)
    assert shot.is_file(), f"no screenshot (exit {proc.returncode}): {proc.stderr[-2000:]}"
    from matplotlib.image import imread

    pixels = np.asarray(imread(shot))[..., :3].astype(float)
    assert pixels.shape[:2] == (2000, 1200)
    assert pixels.std() > 0.05, "the screenshot is blank"
    dark = (pixels.mean(axis=-1) < 0.35).mean()
    assert 0.002 < dark < 0.5, f"text coverage {dark:.4f}: nothing or everything rendered dark"

    # 2. the DOM after loading: every image element is there, with its data URI
    proc = _run_browser(exe, tmp_path, "--virtual-time-budget=10000", "--dump-dom", url)
    dom = proc.stdout
    assert "</html>" in dom, f"no DOM dumped (exit {proc.returncode}): {proc.stderr[-2000:]}"
    assert dom.count('<img src="data:image/png;base64,') == len(figs)
    assert dom.count('<img src="data:image/gif;base64,') == 1
    for key in METRIC_KEYS:
        assert f'data-key="{key}"' in dom

    # 3. the images decode under the report's own security policy: a copy of the page with a
    #    probe script (the policy otherwise blocks scripts) reports each image's natural size
    text = path.read_text(encoding="utf-8")
    assert text.count("default-src ") == 1
    probe = tmp_path / "probe.html"
    probe.write_text(text.replace("default-src ", "script-src 'unsafe-inline'; default-src ", 1)
                     .replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    proc = _run_browser(exe, tmp_path, "--virtual-time-budget=10000", "--dump-dom", probe.as_uri())
    m = re.search(r'data-probe="([^"]*)"', proc.stdout)
    assert m, f"probe did not run (exit {proc.returncode}): {proc.stderr[-2000:]}"
    sizes = m.group(1).split()
    assert len(sizes) == len(figs) + 1 and "broken" not in sizes, sizes
    w, h = (figures_mod.FIGSIZE_IN[0] * figures_mod.DPI, figures_mod.FIGSIZE_IN[1] * figures_mod.DPI)
    assert sizes[:len(figs)] == [f"{round(w)}x{round(h)}"] * len(figs)
    assert sizes[-1] == "1x1"
