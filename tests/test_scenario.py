"""Scenario files: loading, defaults, `extends`, error messages, `Scenario.replace`."""
from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from legsim.errors import LegsimError, ScenarioError
from legsim.model.actuators import GENERATORS, preset_generators
from legsim.scenario import (SCHEMA, Scenario, load_scenario, read_table, reference_markdown,
                             validate_data)
from legsim.strategies import HOLD_DAMPING_NMS_PER_RAD, PRESETS, preset_phases

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
DOCS = ROOT / "docs" / "scenarios.md"
SHIPPED = ["sprinter", "knee_drive", "butt_kick", "cord_knee_drive", "compare_techniques"]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path_or_data, path=None) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        if isinstance(path_or_data, dict):
            validate_data(path_or_data, path)
        else:
            load_scenario(path_or_data)
    return info.value


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Work inside tmp_path, so messages show short relative file names."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------------------ shipped scenarios
@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenarios_load(name):
    path = SCENARIOS / f"{name}.yaml"
    assert path.read_text().startswith("#"), "each scenario starts with a comment"
    sc = load_scenario(path)
    assert sc.name == name
    assert sc.path == path.resolve()
    assert sc.files[0] == path.resolve()
    assert "extends" not in sc.data
    # normalised data validates to itself (sweeps modify data and revalidate)
    assert validate_data(sc.data, sc.path).data == sc.data


def test_shipped_strategies_and_cord():
    assert [s["name"] for s in load_scenario(SCENARIOS / "knee_drive.yaml").data["strategies"]] \
        == ["knee_drive"]
    assert [s["name"] for s in load_scenario(SCENARIOS / "butt_kick.yaml").data["strategies"]] \
        == ["butt_kick"]
    compare = load_scenario(SCENARIOS / "compare_techniques.yaml")
    assert [s["name"] for s in compare.data["strategies"]] == ["knee_drive", "butt_kick"]
    assert compare.data["cord"] is None
    assert compare.files == ((SCENARIOS / "compare_techniques.yaml").resolve(),
                             (SCENARIOS / "sprinter.yaml").resolve())
    cord = load_scenario(SCENARIOS / "cord_knee_drive.yaml").data["cord"]
    assert cord == {"anchor_x_m": -1.0, "anchor_y_m": 0.0, "attachment_m": 0.35,
                    "stiffness_N_per_m": 100.0, "rest_length_m": 0.8}


def test_sprinter_base_values():
    d = load_scenario(SCENARIOS / "sprinter.yaml").data
    assert d["subject"] == {"mass_kg": 75.0, "height_m": 1.8, "sex": "male",
                            "anthropometry": "de_leva_1996", "ankle_angle_deg": 90.0}
    assert d["initial"]["thigh_angle_deg"] == -25.0
    assert d["initial"]["knee_flexion_deg"] == 35.0
    assert d["end"] == {"event": "thigh_angle", "value": 60.0, "max_time_s": 0.6}
    assert d["actuators"]["preset"] == "sprinter"


# ------------------------------------------------------------------------ defaults
def test_defaults_filled(in_tmp):
    sc = load_scenario(write(in_tmp / "minimal.yaml", "strategies: [knee_drive]\n"))
    d = sc.data
    assert sc.name == "minimal" and d["name"] == "minimal" and d["description"] == ""
    assert list(d) == ["name", "description", "subject", "segments", "buttock", "actuators",
                       "initial", "strategies", "end", "integrator", "model", "cord", "output",
                       "sweep"]
    assert d["subject"] == {"mass_kg": 75.0, "height_m": 1.8, "sex": "male",
                            "anthropometry": "de_leva_1996", "ankle_angle_deg": 90.0}
    assert d["segments"]["thigh"] == {"mass_kg": None, "length_m": None, "com_m": None,
                                      "inertia_kgm2": None}
    assert d["segments"]["shank"]["com_offset_m"] is None
    assert d["buttock"] == {"x_m": None, "y_m": None, "radius_m": None}
    assert d["actuators"] == {"preset": "sprinter", "activation_time_s": 0.015,
                              "deactivation_time_s": 0.05,
                              "overrides": {g: {} for g in GENERATORS}}
    assert d["initial"] == {"thigh_angle_deg": -25.0, "knee_flexion_deg": 35.0,
                            "thigh_velocity_deg_s": 100.0, "knee_velocity_deg_s": 600.0,
                            "activations": {g: 0.0 for g in GENERATORS}}
    assert d["strategies"] == [{"name": "knee_drive", "kind": "preset", "preset": "knee_drive",
                                "params": PRESETS["knee_drive"]}]
    assert d["end"] == {"event": "thigh_angle", "value": 60.0, "max_time_s": 0.6}
    assert d["integrator"] == {"method": "dopri5", "rtol": 1e-8, "atol": 1e-10, "step_s": 1e-4,
                               "max_step_s": 0.01, "output_interval_s": 0.001}
    assert d["model"] == {
        "passive": True, "gravity_m_s2": 9.81, "passive_moments": "riener_edrich_1999",
        "damping_Nms_per_rad": 0.1,
        "knee_limits": {"hyperextension_deg": 0.0, "flexion_deg": 165.0,
                        "stiffness_Nm_per_rad": 500.0, "damping_Nms_per_rad": 5.0},
        "hip_limits": {"extension_deg": -45.0, "flexion_deg": 130.0,
                       "stiffness_Nm_per_rad": 500.0, "damping_Nms_per_rad": 5.0},
        "heel_contact": {"stiffness_N_per_m": 20000.0, "damping_s_per_m": 1.0},
        "hip_acceleration": {"x_m_s2": 0.0, "y_m_s2": 0.0, "table": None}}
    assert d["cord"] is None and d["output"] == {"svg": False}
    assert d["sweep"] is None
    # numbers are floats, whether written as int or float
    assert isinstance(d["subject"]["mass_kg"], float)


def test_numbers_and_booleans_read_as_yaml_1_2(in_tmp):
    sc = load_scenario(write(in_tmp / "s.yaml", "integrator: {rtol: 1e-6, atol: 1.0e-9}\n"
                             "model: {passive: false}\nstrategies: [passive]\n"))
    assert sc.data["integrator"]["rtol"] == 1e-6 and sc.data["integrator"]["atol"] == 1e-9
    assert sc.data["model"]["passive"] is False


def test_phase_strategy_normalised(in_tmp):
    sc = load_scenario(write(in_tmp / "s.yaml", """\
strategies:
  - name: my_kick
    phases:
      - name: pull
        excite: {knee_flexors: 1}
        hold: {hip: {angle_deg: 0}}
        until:
          heel_buttock_distance_m: {below: 0.02}
          knee_flexion_deg: {above: 150}
      - excite: {hip_flexors: 1}
        hold: {knee: {angle_deg: start, stiffness_Nm_per_rad: 400}}
"""))
    (s,) = sc.data["strategies"]
    assert s["name"] == "my_kick" and s["kind"] == "phases"
    pull, second = s["phases"]
    assert pull == {
        "name": "pull",
        "excite": {"hip_flexors": 0.0, "hip_extensors": 0.0, "knee_flexors": 1.0,
                   "knee_extensors": 0.0},
        "hold": {"hip": {"angle_deg": 0.0, "stiffness_Nm_per_rad": 300.0,
                         "damping_Nms_per_rad": HOLD_DAMPING_NMS_PER_RAD}, "knee": None},
        "until": [{"quantity": "heel_buttock_distance_m", "below": 0.02},
                  {"quantity": "knee_flexion_deg", "above": 150.0}]}
    assert second["name"] == "phase 2" and second["until"] == []
    assert second["hold"]["knee"] == {"angle_deg": "start", "stiffness_Nm_per_rad": 400.0,
                                      "damping_Nms_per_rad": HOLD_DAMPING_NMS_PER_RAD}


def test_preset_phases_validate_as_phase_lists():
    """The phase lists of the strategy presets are valid `phases:` (same vocabulary)."""
    for preset in PRESETS:
        phases = preset_phases(preset)
        sc = validate_data({"strategies": [{"name": preset, "phases": phases}]})
        assert sc.data["strategies"][0]["phases"] == phases


def test_preset_params_and_torque_table(in_tmp):
    write(in_tmp / "tables" / "replay.csv",
          "t_s,hip_torque_Nm,knee_torque_Nm\n# measured\n0,10,-5\n\n0.1, 20,-4\n0.2,5,0\n")
    sc = load_scenario(write(in_tmp / "s.yaml", """\
strategies:
  - {name: soft_drive, preset: knee_drive, params: {hip_flexor_excitation: 0.7}}
  - {name: replay, torque_table: tables/replay.csv}
"""))
    drive, replay = sc.data["strategies"]
    assert drive == {"name": "soft_drive", "kind": "preset", "preset": "knee_drive",
                     "params": {**PRESETS["knee_drive"], "hip_flexor_excitation": 0.7}}
    table = (in_tmp / "tables" / "replay.csv").resolve()
    assert replay == {"name": "replay", "kind": "torque_table", "torque_table": str(table)}
    assert table in sc.files
    assert read_table(table, ("t_s", "hip_torque_Nm", "knee_torque_Nm")) == {
        "t_s": [0.0, 0.1, 0.2], "hip_torque_Nm": [10.0, 20.0, 5.0],
        "knee_torque_Nm": [-5.0, -4.0, 0.0]}
    np = pytest.importorskip("numpy")      # what legsim.simulation may use to read it
    assert np.loadtxt(table, delimiter=",", skiprows=1, ndmin=2).T.tolist() == \
        [[0.0, 0.1, 0.2], [10.0, 20.0, 5.0], [-5.0, -4.0, 0.0]]


def test_end_events(in_tmp):
    for text, expected in [
        ("end: {thigh_peak: true}", {"event": "thigh_peak", "value": None, "max_time_s": 0.6}),
        ("end: {ankle_passes_knee: true, max_time_s: 1}",
         {"event": "ankle_passes_knee", "value": None, "max_time_s": 1.0}),
        ("end: {time_s: 0.4}", {"event": "time", "value": 0.4, "max_time_s": 0.6}),
        ("end: {thigh_angle_deg: 45}", {"event": "thigh_angle", "value": 45.0, "max_time_s": 0.6}),
    ]:
        sc = load_scenario(write(in_tmp / "e.yaml", text + "\nstrategies: [passive]\n"))
        assert sc.data["end"] == expected


def test_actuator_overrides(in_tmp):
    sc = load_scenario(write(in_tmp / "a.yaml", """\
actuators:
  preset: untrained
  activation_time_s: 0.02
  hip_flexors: {peak_torque_Nm: 250, max_velocity_deg_s: 1500}
strategies: [knee_drive]
"""))
    act = sc.data["actuators"]
    assert act["preset"] == "untrained" and act["activation_time_s"] == 0.02
    assert act["overrides"]["hip_flexors"] == {"peak_torque_Nm": 250.0,
                                               "max_velocity_deg_s": 1500.0}
    assert act["overrides"]["knee_flexors"] == {}
    assert sc.get("actuators.hip_flexors.peak_torque_Nm") == 250.0
    expected = preset_generators("untrained", "male", 75.0, 1.8)["knee_flexors"]["peak_torque_Nm"]
    assert sc.get("actuators.knee_flexors.peak_torque_Nm") == pytest.approx(expected)


# ------------------------------------------------------------------------ extends
def test_extends_deep_merge(in_tmp):
    write(in_tmp / "base" / "base.yaml", """\
name: base
description: the base
subject: {mass_kg: 70, height_m: 1.75}
model: {knee_limits: {flexion_deg: 160, stiffness_Nm_per_rad: 800}}
strategies: [knee_drive, butt_kick]
end: {thigh_peak: true, max_time_s: 0.5}
""")
    sc = load_scenario(write(in_tmp / "child.yaml", """\
extends: base/base.yaml
subject: {mass_kg: 80}
model: {knee_limits: {flexion_deg: 150}}
strategies: [passive]
end: {time_s: 0.3}
"""))
    d = sc.data
    assert sc.name == "child" and d["description"] == ""        # not inherited
    assert d["subject"]["mass_kg"] == 80.0 and d["subject"]["height_m"] == 1.75
    assert d["model"]["knee_limits"]["flexion_deg"] == 150.0
    assert d["model"]["knee_limits"]["stiffness_Nm_per_rad"] == 800.0
    assert [s["name"] for s in d["strategies"]] == ["passive"]          # lists replace
    assert d["end"] == {"event": "time", "value": 0.3, "max_time_s": 0.5}  # new event replaces
    assert sc.files == ((in_tmp / "child.yaml").resolve(),
                        (in_tmp / "base" / "base.yaml").resolve())


def test_extends_paths_relative_to_the_file_that_names_them(in_tmp):
    write(in_tmp / "lib" / "t.csv", "t_s,hip_torque_Nm,knee_torque_Nm\n0,1,1\n1,2,2\n")
    write(in_tmp / "lib" / "mid.yaml", "strategies: [{name: r, torque_table: t.csv}]\n")
    write(in_tmp / "lib" / "deeper" / "top.yaml", "extends: ../mid.yaml\n")
    sc = load_scenario(in_tmp / "lib" / "deeper" / "top.yaml")
    assert sc.data["strategies"][0]["torque_table"] == str((in_tmp / "lib" / "t.csv").resolve())


def test_extends_error_names_the_base_file_and_line(in_tmp):
    write(in_tmp / "base.yaml", "strategies: [knee_drive]\nsubject:\n  mass_kg: 900\n")
    err = error_of(write(in_tmp / "child.yaml", "extends: base.yaml\nname: c\n"))
    assert (err.file, err.line, err.key) == ("base.yaml", 3, "subject.mass_kg")
    assert str(err).startswith("base.yaml:3: subject.mass_kg: found 900 (a number)")


# ------------------------------------------------------------------------ errors
def test_unknown_key_with_suggestion(in_tmp):
    err = error_of(write(in_tmp / "x.yaml", "strategies: [knee_drive]\nsubject:\n  mas_kg: 70\n"))
    assert str(err) == ("x.yaml:3: subject.mas_kg: unknown key (did you mean 'mass_kg'?); "
                        "accepted: mass_kg, height_m, sex, anthropometry, ankle_angle_deg")
    assert (err.file, err.line, err.key, err.found) == ("x.yaml", 3, "subject.mas_kg", "mas_kg")
    assert isinstance(err, LegsimError) and err.exit_status == 2


def test_unknown_top_level_key(in_tmp):
    err = error_of(write(in_tmp / "x.yaml", "strategies: [knee_drive]\nstrategy: [x]\n"))
    assert err.line == 2 and err.key == "strategy"
    assert "did you mean 'strategies'?" in str(err) and "accepted: name, description" in str(err)


@pytest.mark.parametrize("value, shown", [("true", "true (a boolean)"),
                                          ("'70'", "'70' (a string)"),
                                          ("seventy", "'seventy' (a string)"),
                                          ("[70]", "a list of 1 item")])
def test_wrong_type(in_tmp, value, shown):
    err = error_of(write(in_tmp / "x.yaml", f"strategies: [knee_drive]\nsubject:\n"
                                            f"  mass_kg: {value}\n"))
    assert str(err).startswith(f"x.yaml:3: subject.mass_kg: found {shown}; accepted: a number "
                               "from 20 to 300 (kg)")


def test_yes_is_not_a_boolean(in_tmp):
    err = error_of(write(in_tmp / "x.yaml", "strategies: [knee_drive]\nmodel: {passive: yes}\n"))
    assert str(err).startswith("x.yaml:2: model.passive: found 'yes' (a string); accepted: "
                               "true or false")


def test_negative_mass(in_tmp):
    err = error_of(write(in_tmp / "x.yaml", "strategies: [knee_drive]\n\nsubject:\n"
                                            "  height_m: 1.7\n  mass_kg: -70\n"))
    assert str(err) == ("x.yaml:5: subject.mass_kg: found -70 (a number); accepted: a number "
                        "from 20 to 300 (kg)")
    assert err.found == -70 and err.accepted == "a number from 20 to 300 (kg)"


def test_knee_flexion_400(in_tmp):
    err = error_of(write(in_tmp / "x.yaml",
                         "initial:\n  knee_flexion_deg: 400\nstrategies: [knee_drive]\n"))
    assert str(err) == ("x.yaml:2: initial.knee_flexion_deg: found 400 (a number); accepted: a "
                        "number from -10 to 180 (deg)")


def test_missing_file(in_tmp):
    err = error_of(Path("scenarios") / "nope.yaml")
    assert err.file == os.path.join("scenarios", "nope.yaml")
    assert "no such file" in str(err)
    assert str(in_tmp.resolve() / "scenarios" / "nope.yaml") in str(err)


def test_malformed_yaml(in_tmp):
    err = error_of(write(in_tmp / "x.yaml", "subject:\n  mass_kg: 70\n  height_m: [1.8\n"
                                            "strategies: [knee_drive]\n"))
    assert err.file == "x.yaml" and err.line == 4 and err.column is not None
    assert str(err).startswith(f"x.yaml:4:{err.column}: invalid YAML: ")


def test_duplicate_key(in_tmp):
    err = error_of(write(in_tmp / "x.yaml", "strategies: [knee_drive]\nsubject:\n  mass_kg: 70\n"
                                            "  mass_kg: 71\n"))
    assert str(err) == ("x.yaml:4: subject.mass_kg: duplicate key (first given on line 3); "
                        "accepted: each key once in a mapping")


@pytest.mark.parametrize("text, what", [("", "the file is empty"),
                                        ("- knee_drive\n", "the top level is not a mapping")])
def test_top_level_not_a_mapping(in_tmp, text, what):
    err = error_of(write(in_tmp / "x.yaml", text))
    assert str(err).startswith("x.yaml") and what in str(err)
    assert "accepted: a mapping of scenario keys" in str(err)


def test_extends_cycle(in_tmp):
    write(in_tmp / "a.yaml", "extends: b.yaml\nstrategies: [passive]\n")
    write(in_tmp / "b.yaml", "name: b\nextends: c.yaml\n")
    write(in_tmp / "c.yaml", "extends: a.yaml\n")
    err = error_of(in_tmp / "a.yaml")
    assert (err.file, err.line, err.key) == ("c.yaml", 1, "extends")
    assert "extends cycle: a.yaml -> b.yaml -> c.yaml -> a.yaml" in str(err)
    assert "accepted: a chain of base files" in str(err)


def test_extends_self(in_tmp):
    err = error_of(write(in_tmp / "a.yaml", "extends: ./a.yaml\n"))
    assert "extends cycle: a.yaml -> a.yaml" in str(err)


def test_extends_missing_file(in_tmp):
    write(in_tmp / "a.yaml", "extends: b.yaml\n")
    write(in_tmp / "b.yaml", "\n\nextends: gone.yaml\n")
    err = error_of(in_tmp / "a.yaml")
    assert (err.file, err.line, err.key) == ("b.yaml", 3, "extends")
    assert "gone.yaml not found (chain: a.yaml -> b.yaml -> gone.yaml)" in str(err)


@pytest.mark.parametrize("csv_text, line, part", [
    ("t_s,hip,knee\n0,1,2\n1,2,3\n", 1, "header 't_s,hip,knee' is not the expected one; "
     "accepted: the header line t_s,hip_torque_Nm,knee_torque_Nm"),
    ("t_s,hip_torque_Nm,knee_torque_Nm\n0,1,2\n0.1,abc,3\n", 3,
     "column 2 (hip_torque_Nm): found 'abc' (a string); accepted: a finite number"),
    ("t_s,hip_torque_Nm,knee_torque_Nm\n0,1,2\n0.1,1\n", 3, "found 2 values in the row"),
    ("t_s,hip_torque_Nm,knee_torque_Nm\n0,1,2\n0.2,1,2\n0.1,1,2\n", 4,
     "column 1 (t_s): found 0.1, not greater than the previous row's 0.2; "
     "accepted: strictly increasing t_s"),
    ("t_s,hip_torque_Nm,knee_torque_Nm\n0,1,2\n", None, "found 1 data row; accepted: at least 2"),
    ("# comment\nt_s,hip_torque_Nm,knee_torque_Nm\n0,1,2\n1,2,3\n", 1, "header '# comment'"),
    ("t_s,hip_torque_Nm,knee_torque_Nm\n0,1,2\n1,\"2\",3\n", 3, "column 2 (hip_torque_Nm)"),
    ("t_s,hip_torque_Nm,knee_torque_Nm\n0,1,2\n1,2,nan\n", 3, "column 3 (knee_torque_Nm): "
     "found 'nan'"),
])
def test_bad_torque_table(in_tmp, csv_text, line, part):
    write(in_tmp / "t.csv", csv_text)
    err = error_of(write(in_tmp / "x.yaml", "strategies:\n  - knee_drive\n  - name: replay\n"
                                            "    torque_table: t.csv\n"))
    assert err.file == "t.csv" and err.line == line
    assert err.key == "strategies[1].torque_table"
    where = f"t.csv:{line}" if line else "t.csv"
    assert str(err).startswith(f"{where}: strategies[1].torque_table: ")
    assert part in str(err)
    assert str(err).endswith("(table named at x.yaml:4)")


def test_missing_torque_table_and_bare_word(in_tmp):
    err = error_of(write(in_tmp / "x.yaml", "strategies:\n  - {name: r, torque_table: no.csv}\n"))
    assert (err.file, err.line, err.key) == ("x.yaml", 2, "strategies[0].torque_table")
    assert "table no.csv not found" in str(err)
    err = error_of(write(in_tmp / "y.yaml", "strategies: [knee_drive, torque_table]\n"))
    assert str(err) == ("y.yaml:1: strategies[1]: `torque_table` needs a mapping with a path; "
                        "accepted: {name: NAME, torque_table: PATH.csv}")


def test_bad_strategy_items(in_tmp):
    cases = [
        ("strategies: [knee_drvie]", "strategies[0]", "unknown strategy preset 'knee_drvie' "
         "(did you mean 'knee_drive'?)"),
        ("strategies: []", "strategies", "found an empty list"),
        ("strategies: knee_drive", "strategies", "found 'knee_drive' (a string)"),
        ("strategies: [knee_drive, knee_drive]", "strategies[1]",
         "duplicate strategy name 'knee_drive'"),
        ("strategies: [{name: a, preset: knee_drive, phases: [{}]}]", "strategies[0]",
         "needs exactly one of preset, phases, torque_table; found preset and phases"),
        ("strategies: [{preset: knee_drive}]", "strategies[0].name", "missing (required)"),
        ("strategies: [{name: a, preset: passive, params: {x: 1}}]", "strategies[0].params.x",
         "unknown parameter of the passive preset"),
        ("strategies: [{name: a, preset: butt_kick, params: {knee_flexion_deg: high}}]",
         "strategies[0].params.knee_flexion_deg", "found 'high' (a string)"),
        ("strategies: [{name: a, phases: [{excite: {hip_flexor: 1}}]}]",
         "strategies[0].phases[0].excite.hip_flexor", "did you mean 'hip_flexors'?"),
        ("strategies: [{name: a, phases: [{excite: {hip_flexors: 1.5}}]}]",
         "strategies[0].phases[0].excite.hip_flexors", "found 1.5 (a number); accepted: a "
         "number from 0 to 1"),
        ("strategies: [{name: a, phases: [{until: {time_s: {below: 1}}}, {}]}]",
         "strategies[0].phases[0].until.time_s.below", "time_s cannot be tested below"),
        ("strategies: [{name: a, phases: [{until: {knee_flexion: {above: 1}}}, {}]}]",
         "strategies[0].phases[0].until.knee_flexion",
         "unknown quantity (did you mean 'knee_flexion_deg'?)"),
        ("strategies: [{name: a, phases: [{hold: {hip: {angle_deg: stat}}}]}]",
         "strategies[0].phases[0].hold.hip.angle_deg", 'or "start"'),
    ]
    for text, key, part in cases:
        err = error_of(write(in_tmp / "x.yaml", text + "\n"))
        assert err.key == key, text
        assert err.file == "x.yaml" and err.line == 1, text
        assert part in str(err), (text, str(err))
        assert err.accepted, text


def test_unreachable_phases(in_tmp):
    err = error_of(write(in_tmp / "x.yaml", """\
strategies:
  - name: s
    phases:
      - name: a
        excite: {hip_flexors: 1}
        until: {time_s: {above: 0.1}}
      - name: b
      - name: c
      - name: d
"""))
    assert (err.line, err.key) == (7, "strategies[0].phases[1]")
    assert "phase 'b' has no `until`" in str(err) and "('c', 'd') are never reached" in str(err)


def test_condition_that_can_never_be_met_is_valid():
    sc = validate_data({"strategies": [{"name": "s", "phases": [
        {"excite": {"knee_flexors": 1}, "until": {"knee_flexion_deg": {"above": 170}}},
        {"excite": {"hip_flexors": 1}}]}]})
    assert sc.data["strategies"][0]["phases"][0]["until"] == [
        {"quantity": "knee_flexion_deg", "above": 170.0}]


def test_other_range_errors(in_tmp):
    cases = [
        ("end: {time_s: 0.3, thigh_peak: true}", "end.time_s", "both thigh_peak and time_s"),
        ("end: {time_s: 0.8}", "end.time_s", "a time less than end.max_time_s (0.6 s)"),
        ("end: {thigh_peak: false}", "end.thigh_peak", "false selects nothing"),
        ("end: {max_time_s: 0}", "end.max_time_s", "greater than 0 and at most 10 (s)"),
        ("segments: {thigh: {length_m: 0.4, com_m: 0.5}}", "segments.thigh.com_m",
         "less than segments.thigh.length_m (0.4)"),
        ("segments: {shank: {mass_kg: 0}}", "segments.shank.mass_kg", "greater than 0"),
        ("cord: {anchor_x_m: -1, anchor_y_m: 0, attachment_m: 0.3}", "cord.stiffness_N_per_m",
         "missing (required)"),
        ("actuators: {knee_flexors: {peak_torque_Nm: -3}}",
         "actuators.knee_flexors.peak_torque_Nm", "a number from 0 to 2000 (N m)"),
        ("actuators: sprint", "actuators", "did you mean 'sprinter'?"),
        ("integrator: {method: euler}", "integrator.method", "one of: dopri5, rk4"),
        ("initial: {activations: {hip_flexors: 2}}", "initial.activations.hip_flexors",
         "a number from 0 to 1"),
        ("model: {gravity_m_s2: .nan}", "model.gravity_m_s2", "a number from 0 to 30"),
        ("name: results/x", "name", "no slashes"),
    ]
    for text, key, part in cases:
        err = error_of(write(in_tmp / "x.yaml", "strategies: [passive]\n" + text + "\n"))
        assert (err.file, err.line, err.key) == ("x.yaml", 2, key), text
        assert part in str(err), (text, str(err))


def test_error_without_file_names_key_path():
    err = error_of({"strategies": ["passive"], "subject": {"mass_kg": "70"}})
    assert str(err) == ("subject.mass_kg: found '70' (a string); accepted: a number from 20 to "
                        "300 (kg) (write numbers without quotes)")
    assert err.file is None and err.line is None


def test_scenario_error_pickles():
    err = error_of({"strategies": ["passive"], "subject": {"mass_kg": -1}})
    copy = pickle.loads(pickle.dumps(err))
    assert str(copy) == str(err) and copy.key == "subject.mass_kg"


# ------------------------------------------------------------------------ get / replace
def test_get_dotted_paths():
    sc = load_scenario(SCENARIOS / "compare_techniques.yaml")
    assert sc.get("subject.mass_kg") == 75.0
    assert sc.get("strategies[1].name") == "butt_kick"
    assert sc.get("strategies.1.params.knee_flexion_deg") == 150.0
    assert sc.get("end.thigh_angle_deg") == 60.0
    assert sc.get("end.time_s", None) is None
    with pytest.raises(KeyError):
        sc.get("subject.weight_kg")


def test_replace_revalidates():
    sc = load_scenario(SCENARIOS / "knee_drive.yaml")
    new = sc.replace({"subject.mass_kg": 82, "initial.thigh_angle_deg": -20,
                      "strategies[0].params.hip_flexor_excitation": 0.5,
                      "actuators.hip_flexors.peak_torque_Nm": 350,
                      "end.time_s": 0.35})
    assert isinstance(new, Scenario) and new.name == "knee_drive"
    assert new.data["subject"]["mass_kg"] == 82.0
    assert new.data["initial"]["thigh_angle_deg"] == -20.0
    assert new.data["strategies"][0]["params"]["hip_flexor_excitation"] == 0.5
    assert new.data["actuators"]["overrides"]["hip_flexors"] == {"peak_torque_Nm": 350.0}
    assert new.data["end"] == {"event": "time", "value": 0.35, "max_time_s": 0.6}
    assert sc.data["subject"]["mass_kg"] == 75.0          # the original is unchanged
    assert new.files == sc.files

    with pytest.raises(ScenarioError) as info:
        sc.replace({"subject.mass_kg": -5})
    err = info.value
    assert err.key == "subject.mass_kg" and err.found == -5
    assert "accepted: a number from 20 to 300 (kg)" in str(err)
    assert "after replace(subject.mass_kg)" in str(err)
    with pytest.raises(ScenarioError, match="unknown key"):
        sc.replace({"subject.mas_kg": 70})
    with pytest.raises(ScenarioError, match="the list has 1 items"):
        sc.replace({"strategies[3].name": "x"})


def test_replace_phase_conditions_and_whole_blocks():
    sc = validate_data({"strategies": [{"name": "s", "phases": [
        {"excite": {"knee_flexors": 1}, "until": {"knee_flexion_deg": {"above": 140}}},
        {"excite": {"hip_flexors": 1}}]}]})
    new = sc.replace({"strategies[0].phases[0].until.knee_flexion_deg.above": 120,
                      "strategies[0].phases[0].until.time_in_phase_s.above": 0.2,
                      "strategies[0].phases[1].hold.knee.angle_deg": "start",
                      "cord": {"anchor_x_m": -1, "anchor_y_m": 0, "attachment_m": 0.3,
                               "stiffness_N_per_m": 50},
                      "actuators": "untrained"})
    ph0, ph1 = new.data["strategies"][0]["phases"]
    assert ph0["until"] == [{"quantity": "knee_flexion_deg", "above": 120.0},
                            {"quantity": "time_in_phase_s", "above": 0.2}]
    assert ph1["hold"]["knee"]["angle_deg"] == "start"
    assert new.data["cord"]["rest_length_m"] == 0.0
    assert new.data["actuators"]["preset"] == "untrained"


def test_validate_data_accepts_numpy_scalars():
    np = pytest.importorskip("numpy")
    sc = validate_data({"strategies": ["passive"], "subject": {"mass_kg": np.int64(70),
                                                              "height_m": np.float32(1.7)}})
    assert type(sc.data["subject"]["mass_kg"]) is float and sc.data["subject"]["mass_kg"] == 70.0


def test_validate_data_does_not_modify_its_input():
    data = {"strategies": ["passive"], "subject": {"mass_kg": 70}}
    before = repr(data)
    validate_data(data)
    assert repr(data) == before


# ------------------------------------------------------------------------ imports, docs
def test_import_stays_light():
    code = ("import sys, legsim.scenario, legsim.errors; "
            "bad = [m for m in ('numpy', 'numba', 'sympy', 'matplotlib', 'scipy') "
            "if m in sys.modules]; print(','.join(bad))")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "", f"import legsim.scenario imported {out.stdout.strip()}"


def test_docs_reference_tables_are_current():
    text = DOCS.read_text(encoding="utf-8")
    m = re.search(r"<!-- BEGIN GENERATED.*?-->\n(.*?)<!-- END GENERATED -->", text, re.S)
    assert m, "docs/scenarios.md lacks the generated reference section"
    assert m.group(1).strip() == reference_markdown().strip(), \
        "regenerate with: python -m legsim.scenario"


def test_docs_mention_every_schema_key():
    text = DOCS.read_text(encoding="utf-8")

    def keys(spec, prefix=""):
        for k, sub in spec.items():
            dotted = f"{prefix}.{k}" if prefix else k
            yield from keys(sub, dotted) if isinstance(sub, dict) else [dotted]

    for dotted in keys(SCHEMA):
        assert f"`{dotted}`" in text, dotted


def _doc_yaml_blocks():
    text = DOCS.read_text(encoding="utf-8")
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


@pytest.mark.parametrize("block", _doc_yaml_blocks())
def test_docs_yaml_examples_validate(block, tmp_path):
    """Every YAML example of docs/scenarios.md loads: a fragment without `strategies` is
    completed with ``strategies: [knee_drive]``; CSV files it names are created; `extends`
    finds a copy of the shipped scenarios."""
    for name in SHIPPED:
        write(tmp_path / f"{name}.yaml", (SCENARIOS / f"{name}.yaml").read_text())
    for csv_name in re.findall(r"torque_table: *([\w./-]+\.csv)", block):
        write(tmp_path / csv_name, "t_s,hip_torque_Nm,knee_torque_Nm\n0,1,1\n0.5,2,2\n")
    for csv_name in re.findall(r"\btable: *([\w./-]+\.csv)", block):
        write(tmp_path / csv_name, "t_s,acc_x_m_s2,acc_y_m_s2\n0,1,1\n0.5,2,2\n")
    if not re.search(r"^(strategies|extends):", block, re.M):
        block += "strategies: [knee_drive]\n"
    sc = load_scenario(write(tmp_path / "example.yaml", block))
    assert sc.data["strategies"]


def test_docs_error_example_is_exact(in_tmp):
    """The error example of docs/scenarios.md is what legsim prints."""
    text = DOCS.read_text(encoding="utf-8")
    m = re.search(r"<!-- ERROR EXAMPLE: (\S+) -->\n```text\n(.*?)\n```\n```text\n(.*?)\n```",
                  text, re.S)
    assert m, "docs/scenarios.md lacks the error example"
    name, source, message = m.groups()
    write(in_tmp / "scenarios" / name, source + "\n")
    err = error_of(Path("scenarios") / name)
    assert str(err) == message.replace("scenarios/", "scenarios" + os.sep, 1)


def test_hip_acceleration_table(in_tmp):
    write(in_tmp / "acc.csv", "t_s,acc_x_m_s2,acc_y_m_s2\n0,1,-2\n0.5,0,0\n")
    sc = load_scenario(write(in_tmp / "s.yaml", "model: {hip_acceleration: {table: acc.csv}}\n"
                                                "strategies: [passive]\n"))
    acc = sc.data["model"]["hip_acceleration"]
    assert acc == {"x_m_s2": 0.0, "y_m_s2": 0.0, "table": str((in_tmp / "acc.csv").resolve())}
    err = error_of(write(in_tmp / "t.yaml", "strategies: [passive]\nmodel:\n  hip_acceleration:"
                                            "\n    x_m_s2: 3\n    table: acc.csv\n"))
    assert (err.line, err.key) == (4, "model.hip_acceleration.x_m_s2")
    assert "accepted: 0 or null when hip_acceleration.table is given" in str(err)
    write(in_tmp / "bad.csv", "t_s,hip_torque_Nm,knee_torque_Nm\n0,1,2\n1,2,3\n")
    err = error_of(write(in_tmp / "u.yaml", "strategies: [passive]\n"
                                            "model: {hip_acceleration: {table: bad.csv}}\n"))
    assert err.file == "bad.csv" and err.key == "model.hip_acceleration.table"
    assert "accepted: the header line t_s,acc_x_m_s2,acc_y_m_s2" in str(err)


def test_hold_and_excitation_of_the_same_joint_is_allowed():
    sc = validate_data({"strategies": [{"name": "s", "phases": [
        {"excite": {"hip_flexors": 1.0}, "hold": {"hip": {"angle_deg": 10}}}]}]})
    phase = sc.data["strategies"][0]["phases"][0]
    assert phase["excite"]["hip_flexors"] == 1.0 and phase["hold"]["hip"]["angle_deg"] == 10.0


def test_yaml_anchors_and_merge_keys(in_tmp):
    sc = load_scenario(write(in_tmp / "s.yaml", """\
strategies:
  - name: a
    phases:
      - excite: &drive {hip_flexors: 1.0}
        hold: {hip: &hold {angle_deg: 0, stiffness_Nm_per_rad: 500}}
        until: {time_s: {above: 0.1}}
      - excite: *drive
        hold: {knee: {<<: *hold, angle_deg: start}}
"""))
    ph = sc.data["strategies"][0]["phases"]
    assert ph[1]["excite"]["hip_flexors"] == 1.0
    assert ph[1]["hold"]["knee"]["angle_deg"] == "start"
    assert ph[1]["hold"]["knee"]["stiffness_Nm_per_rad"] == 500.0
