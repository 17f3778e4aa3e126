"""docs/tutorial.md: its example file is what docs/tutorial/make_example.py derives from the
measured data, its commands run and print what the page shows, and its Python example runs."""
from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path

import pytest

from legsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "tutorial.md"


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", PAGE.read_text(), flags=re.S)


def test_example_file_is_derived_from_the_measured_data(tmp_path):
    spec = importlib.util.spec_from_file_location("make_example",
                                                  ROOT / "docs" / "tutorial" / "make_example.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    shipped = mod.OUT.read_text()
    mod.OUT = tmp_path / "fresh.csv"
    mod.main()
    assert mod.OUT.read_text() == shipped, "run `python docs/tutorial/make_example.py --figures`"
    # the page quotes the file's first lines
    assert "\n".join(shipped.splitlines()[:6]) in PAGE.read_text()


@pytest.mark.parametrize("block", _blocks("console"))
def test_commands_print_what_the_page_shows(block, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    lines = block.rstrip("\n").splitlines()
    assert lines[0].startswith("$ legsim ")
    argv = shlex.split(lines[0][len("$ legsim "):])
    out = argv.index("--out") + 1
    argv[out] = str(tmp_path / Path(argv[out]).name)
    assert main(argv) == 0
    printed = capsys.readouterr().out.splitlines()
    shown = [line for line in lines[1:] if not line.startswith("wrote ")]
    assert printed[: len(shown)] == shown


def test_python_example_runs(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    code = _blocks("python")[0]
    code = "\n".join(line[2:] if line.startswith("  ") else line for line in code.splitlines())
    exec(compile(code, str(PAGE), "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "in between"
    assert len(out) == 7 and "simulated knee_drive" in out[1]
