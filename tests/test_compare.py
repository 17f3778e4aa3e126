"""`legsim compare` and the Comparison API: labels, differences, comparison.json and the table
numbers against the per-scenario metrics."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import legsim
from legsim.cli import main
from legsim.comparison import comparison_of, difference, format_table
from legsim.metrics import METRIC_KEYS

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"


@pytest.fixture(scope="module")
def two():
    return legsim.compare([SCEN / "knee_drive.yaml", SCEN / "butt_kick.yaml"])


def test_labels_and_metrics_equal_single_runs(two):
    assert two.labels == ["knee_drive", "butt_kick"]
    kd = legsim.simulate(SCEN / "knee_drive.yaml")["knee_drive"].metrics
    bk = legsim.simulate(SCEN / "butt_kick.yaml")["butt_kick"].metrics
    for key in METRIC_KEYS:
        assert two["knee_drive"].metrics[key] == kd[key]
        assert two["butt_kick"].metrics[key] == bk[key]


def test_differences_against_the_first(two):
    d = two.differences()["butt_kick"]
    a = two["knee_drive"].metrics["recovery_time_s"]
    b = two["butt_kick"].metrics["recovery_time_s"]
    assert d["recovery_time_s"]["absolute"] == pytest.approx(b - a)
    assert d["recovery_time_s"]["percent"] == pytest.approx(100 * (b - a) / a)
    assert d["completed"] == {"absolute": None, "percent": None}
    assert difference(0.0, 3.0) == {"absolute": 3.0, "percent": None}
    assert difference(-2.0, -3.0)["percent"] == pytest.approx(-50.0)


def test_same_labels_from_scenario_with_several_strategies():
    cmp = comparison_of(legsim.simulate(SCEN / "compare_techniques.yaml"))
    assert cmp.labels == ["knee_drive", "butt_kick"]
    cmp2 = legsim.compare([SCEN / "compare_techniques.yaml", SCEN / "compare_untrained.yaml"])
    assert cmp2.labels == ["compare_techniques/knee_drive", "compare_techniques/butt_kick",
                           "compare_untrained/knee_drive", "compare_untrained/butt_kick"]
    assert cmp2[cmp2.labels[2]].name == cmp2.labels[2]


def test_table_numbers_equal_metrics(two):
    table = format_table(two)
    line = next(l for l in table.splitlines() if l.startswith("recovery_time_s "))
    cells = line.split()
    assert float(cells[2]) == pytest.approx(two["knee_drive"].metrics["recovery_time_s"], rel=1e-3)
    assert float(cells[3]) == pytest.approx(two["butt_kick"].metrics["recovery_time_s"], rel=1e-3)
    d = two.differences()["butt_kick"]["recovery_time_s"]
    assert float(cells[4]) == pytest.approx(d["absolute"], rel=1e-3)
    assert float(cells[5].rstrip("%")) == pytest.approx(d["percent"], abs=0.05)


def test_cli_compare_writes_comparison_json(tmp_path, capsys, two):
    out = tmp_path / "cmp"
    code = main(["compare", str(SCEN / "knee_drive.yaml"), str(SCEN / "butt_kick.yaml"),
                 "--out", str(out), "--no-animation", "--no-report"])
    assert code == 0
    assert "Δ butt_kick" in capsys.readouterr().out
    doc = json.loads((out / "comparison.json").read_text())
    assert doc["reference"] == "knee_drive" and doc["strategies"] == ["knee_drive", "butt_kick"]
    for label in doc["strategies"]:
        for key in METRIC_KEYS:
            assert doc["metrics"][label][key] == two[label].metrics[key]
    assert doc["differences"]["butt_kick"]["recovery_time_s"]["absolute"] == pytest.approx(
        two.differences()["butt_kick"]["recovery_time_s"]["absolute"])
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics) == {"knee_drive", "butt_kick"}
    assert (out / "trajectory_knee_drive.csv").is_file() and (out / "trajectory_butt_kick.csv").is_file()
    assert (out / "signature.png").stat().st_size > 10_000


def test_cli_compare_validates_every_scenario_first(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nstrategies: [knee_drive]\nsubject: {height_m: 9}\n")
    out = tmp_path / "o"
    assert main(["compare", str(SCEN / "knee_drive.yaml"), str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "subject.height_m" in err
    assert not out.exists()


@pytest.mark.parametrize("opt,value", [("--fps", "0"), ("--slow-motion", "-1"),
                                       ("--slow-motion", "1000")])
def test_bad_animation_options_are_clear_errors(opt, value, capsys):
    assert main(["run", str(SCEN / "knee_drive.yaml"), opt, value]) == 2
    assert opt in capsys.readouterr().err
