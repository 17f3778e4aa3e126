"""Readers for OpenSim's text formats: TRC marker files and MOT/STO motion and storage files.

TRC (``PathFileType 4``): a five-line header (file line, key names, key values, marker names,
``X1 Y1 Z1`` sub-header), then ``Frame# Time x y z ...`` rows; positions are converted from the
header's ``Units`` to metres. MOT/STO: a header ending in ``endheader`` in one of the three
styles OpenSim writes (SIMM ``name/datacolumns/datarows/range``; ``title, version=1, nRows=,
nColumns=, inDegrees=``), then a row of column names and rows of numbers. Column units follow
the naming rules documented in docs/motion_files.md ("OpenSim MOT/STO").
"""
from __future__ import annotations

import re

import numpy as np

from legsim.io import _common as C
from legsim.io.motion import Motion, MotionFileError

__all__ = ["read_trc", "read_storage", "column_kind", "parse_storage"]


# =========================================================================== TRC
def read_trc(path: str, text: str, *, length_unit=None, rate_hz=None, **_ignored) -> Motion:
    """Read an OpenSim / Motion Analysis TRC marker file.

    Parameters
    ----------
    path : str
        The file as the user gave it (for messages).
    text : str
        Its content.
    length_unit : str, optional
        Overrides (or supplies) the header's ``Units``.
    rate_hz : float, optional
        Overrides (or supplies) the header's ``DataRate``.

    Returns
    -------
    Motion
        ``markers`` name -> (n, 3) in metres (lab axes of the file), NaN where missing; markers
        that are empty in every frame are kept as all-NaN and listed in ``notes``.
    """
    lines = text.splitlines()
    notes: list[str] = []
    if len(lines) < 6:
        raise MotionFileError(path, line=len(lines), problem="the TRC header is incomplete",
                              accepted="5 header lines (PathFileType, keys, values, marker "
                                       "names, X/Y/Z) and rows of data")
    first = lines[0].split("\t") if "\t" in lines[0] else lines[0].split()
    if not first or first[0].strip() != "PathFileType":
        raise MotionFileError(path, line=1, column=1, found=repr(first[0] if first else ""),
                              accepted="'PathFileType' (the first word of a TRC file)")
    meta = {"PathFileType": " ".join(c.strip() for c in first[1:] if c.strip())}
    delim = "\t" if "\t" in lines[1] else None
    keys = [k for k in C.split_cells(lines[1], delim) if k]
    values = C.split_cells(lines[2], delim)
    values = values[: len(keys)] if len(values) >= len(keys) else values
    if len(values) != len(keys) or any(v == "" for v in values):
        raise MotionFileError(path, line=3, problem=f"found {len([v for v in values if v])} "
                              f"header values for {len(keys)} header keys on line 2",
                              accepted="one value under each key of line 2")
    for k, v in zip(keys, values):
        meta[k] = v.strip()
    key_col = {k: i + 1 for i, k in enumerate(keys)}

    # units
    unit_text = meta.get("Units")
    file_unit = C.canonical_length_unit(unit_text) if unit_text else None
    if unit_text and file_unit is None and length_unit is None:
        raise MotionFileError(path, line=3, column=key_col["Units"], column_name="Units",
                              found=repr(unit_text), accepted=C.ACCEPTED_LENGTH)
    # header rate
    header_rate = None
    for key in ("DataRate", "CameraRate"):
        if key in meta:
            header_rate = _positive_number(path, meta[key], 3, key_col[key], key)
            break

    # marker names (line 4) and axis sub-header (line 5)
    name_cells = lines[3].split("\t") if "\t" in lines[3] else lines[3].split()
    if len(name_cells) < 2 or name_cells[0].strip().lower() not in ("frame#", "frame"):
        raise MotionFileError(path, line=4, column=1,
                              found=repr(name_cells[0].strip() if name_cells else ""),
                              accepted="'Frame#' then 'Time' then the marker names")
    names: list[str] = []
    for j, cell in enumerate(name_cells[2:]):
        cell = cell.strip()
        if not cell:
            continue
        if "\t" in lines[3] and j % 3 != 0:
            raise MotionFileError(path, line=4, column=j + 3, column_name=cell,
                                  problem="marker name out of place",
                                  accepted="one marker name every third column (X, Y, Z under it)")
        names.append(cell)
    if "NumMarkers" in meta:
        declared = _count(path, meta["NumMarkers"], 3, key_col["NumMarkers"], "NumMarkers")
        if declared != len(names):
            raise MotionFileError(path, line=3, column=key_col["NumMarkers"],
                                  column_name="NumMarkers",
                                  problem=f"header count mismatch: NumMarkers is {declared} but "
                                          f"line 4 names {len(names)} markers",
                                  accepted="NumMarkers equal to the number of marker names")
    n_cols = 2 + 3 * len(names)
    col_names = ["Frame#", "Time"] + [f"{n} {a}" for n in names for a in "XYZ"]

    # data rows: after the axis line, skipping blank lines
    data = C.DataRows([], [])
    for i in range(5, len(lines)):
        line = lines[i]
        if not line.strip():
            continue
        cells = line.split("\t") if "\t" in line else line.split()
        data.rows.append(cells)
        data.line_numbers.append(i + 1)
    if not data.rows:
        raise MotionFileError(path, line=len(lines), problem="no rows of data after the header",
                              accepted="rows of Frame#, Time and marker coordinates")
    short = sum(1 for r in data.rows if len(r) < n_cols)
    arr = C.cells_to_array(path, data, col_names, allow_short=True)
    if short:
        notes.append(f"{short} rows end early; their missing cells are read as missing values")
    if "NumFrames" in meta:
        declared = _count(path, meta["NumFrames"], 3, key_col["NumFrames"], "NumFrames")
        if declared != len(data.rows):
            raise MotionFileError(path, line=3, column=key_col["NumFrames"],
                                  column_name="NumFrames",
                                  problem=f"header count mismatch: NumFrames is {declared} but "
                                          f"the file has {len(data.rows)} rows of data",
                                  accepted="NumFrames equal to the number of data rows")
    time = arr[:, 1]
    C.check_increasing(path, time, data.line_numbers, column=2, column_name="Time")

    # units -> metres
    if length_unit is not None:
        unit = length_unit
        if file_unit and file_unit != length_unit:
            notes.append(f"length unit {unit} from the length_unit option (the header says "
                         f"Units {unit_text})")
        elif not file_unit:
            notes.append(f"length unit {unit} from the length_unit option")
    elif file_unit:
        unit = file_unit
        notes.append(f"length unit {unit} from the header (Units {unit_text}); converted to m")
    else:
        raw = {n: arr[:, 2 + 3 * i: 5 + 3 * i] for i, n in enumerate(names)}
        unit, span = C.guess_length_unit(raw)
        if unit is None:
            raise MotionFileError(path, line=3, column_name="Units",
                                  problem="the header gives no length unit and the marker "
                                          f"set's size ({span:.4g}) does not tell",
                                  accepted="a Units key in the header, or the length_unit "
                                           "option (m, cm, mm)")
        notes.append(f"the header gives no length unit; {unit} assumed from the size of the "
                     f"marker set ({span:.4g} {unit}; see docs/motion_files.md)")
    scale = C.LENGTH_UNITS[unit]

    markers = {}
    empty = []
    for i, name in enumerate(names):
        xyz = arr[:, 2 + 3 * i: 5 + 3 * i] * scale
        if name in markers:
            raise MotionFileError(path, line=4, column_name=name, problem="marker named twice",
                                  accepted="distinct marker names")
        markers[name] = np.ascontiguousarray(xyz)
        if not np.isfinite(xyz).any():
            empty.append(name)
    if empty:
        notes.append(f"{len(empty)} of {len(names)} markers are empty in every frame and kept "
                     f"as all-NaN: {C.listing(empty)}")
    partial = [n for n in names if n not in empty and np.isnan(markers[n]).any()]
    if partial:
        notes.append(f"{len(partial)} markers have gaps (NaN where missing): {C.listing(partial)}")

    rate_src = None
    rate = None
    if rate_hz is not None:
        rate, rate_src = rate_hz, "the rate_hz option"
        if header_rate and abs(header_rate - rate_hz) > 1e-6 * rate_hz:
            notes.append(f"sample rate {rate_hz:g} Hz from the rate_hz option (the header says "
                         f"{header_rate:g} Hz)")
    elif header_rate:
        rate, rate_src = header_rate, "the header (DataRate)"
    time_texts = [r[1] for r in data.rows if len(r) > 1]
    quantum = C.quantum_from_decimals(C.decimals_of(time_texts))
    time, rate = C.settle_time(time, quantum_s=quantum, rate_hz=rate, rate_source=rate_src,
                               notes=notes)
    frames = arr[:, 0]
    columns = {"frame": frames}
    units = {n: "m" for n in markers}
    units["frame"] = ""
    return Motion(source=path, format="trc", time_s=time, markers=markers, columns=columns,
                  units=units, rate_hz=rate, notes=notes, meta=meta)


def _positive_number(path, text, line, column, key) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not np.isfinite(value) or value <= 0:
        raise MotionFileError(path, line=line, column=column, column_name=key, found=repr(text),
                              accepted="a positive number")
    return value


def _count(path, text, line, column, key) -> int:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not np.isfinite(value) or value < 0 or value != int(value):
        raise MotionFileError(path, line=line, column=column, column_name=key, found=repr(text),
                              accepted="a whole number")
    return int(value)


# =========================================================================== MOT / STO
_TRANSLATION_RE = re.compile(r"_t[xyz]$")
_COP_RE = re.compile(r"_p[xyz]$")
_FORCE_RE = re.compile(r"(_force(_[xyz])?|_v[xyz]|_f[xyz])$")
_MOMENT_RE = re.compile(r"(_moment|_torque(_[xyz])?|_m[xyz])$")
_SPEED_RE = re.compile(r"(_u|_speed|_vel|_velocity|_acc|_acceleration)$")
_OTHER_WORDS = ("activation", "excitation", "fiber", "tendon", "length", "control",
                "reserve", "residual", "power", "work", "energy", "norm")


def column_kind(name: str) -> str:
    """What an OpenSim column holds, from its name (the rules of docs/motion_files.md).

    Returns one of 'time', 'force' (N), 'moment' (N m), 'position' (m: ``_tx/_ty/_tz``
    translations, ``_px/_py/_pz`` centres of pressure), 'speed' (kept as in the file), 'other'
    (kept as in the file) or 'angle' (a rotational coordinate).

    Examples
    --------
    >>> column_kind('knee_angle_r'), column_kind('pelvis_tx'), column_kind('hip_flexion_r_moment')
    ('angle', 'position', 'moment')
    >>> column_kind('R_ground_force_vy'), column_kind('pelvis_tx_force')
    ('force', 'force')
    """
    base = name.strip()
    low = base.lower()
    if low == "time":
        return "time"
    # OpenSim 4 state paths: /jointset/knee_r/knee_angle_r/value
    if low.startswith("/"):
        parts = [p for p in low.split("/") if p]
        if parts and parts[-1] == "value" and len(parts) >= 2:
            low = parts[-2]
        elif parts and parts[-1] == "speed":
            return "speed"
        else:
            return "other"
    if _FORCE_RE.search(low):
        return "force"
    if _MOMENT_RE.search(low):
        return "moment"
    if _TRANSLATION_RE.search(low) or _COP_RE.search(low):
        return "position"
    if _SPEED_RE.search(low):
        return "speed"
    if any(w in low for w in _OTHER_WORDS):
        return "other"
    return "angle"


_UNIT_OF_KIND = {"force": "N", "moment": "N m", "position": "m", "angle": "deg",
                 "speed": "", "other": "", "time": "s"}


class _Storage:
    """Header, column names and numbers of a MOT/STO file (before unit handling)."""

    def __init__(self):
        self.title = None
        self.meta: dict[str, str] = {}
        self.meta_lines: dict[str, int] = {}
        self.text_lines: list[str] = []
        self.names: list[str] = []
        self.names_line = 0
        self.data = C.DataRows([], [])
        self.array = None


def parse_storage(path: str, text: str) -> _Storage:
    """Header and table of a MOT/STO file, with the header counts checked against the data."""
    lines = text.splitlines()
    st = _Storage()
    end = None
    for i, line in enumerate(lines[:500]):
        if line.strip().lower() == "endheader":
            end = i
            break
    if end is None:
        raise MotionFileError(path, problem="no 'endheader' line in the first 500 lines",
                              accepted="an OpenSim .mot/.sto header ending with a line "
                                       "'endheader'")
    for i in range(end):
        raw = lines[i].strip()
        if not raw:
            continue
        if "=" in raw and " " not in raw.split("=", 1)[0].strip():
            key, value = raw.split("=", 1)
            st.meta[key.strip()] = value.strip()
            st.meta_lines[key.strip()] = i + 1
            continue
        words = raw.split(None, 1)
        key = words[0]
        if key in ("name", "datacolumns", "datarows", "range", "otherdata") and len(words) == 2:
            st.meta[key] = words[1].strip()
            st.meta_lines[key] = i + 1
            if key == "name" and st.title is None:
                st.title = words[1].strip()
            continue
        if i == 0 and st.title is None:
            st.title = raw
            st.meta["title"] = raw
            st.meta_lines["title"] = 1
            continue
        st.text_lines.append(raw)
    if st.text_lines:
        st.meta["text"] = " | ".join(st.text_lines)

    # column names: first non-blank line after endheader
    j = end + 1
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j >= len(lines):
        raise MotionFileError(path, line=end + 1, problem="no column names after 'endheader'",
                              accepted="a row of column names (time, ...) and rows of numbers")
    delim = "\t" if "\t" in lines[j] else None
    st.names = [c for c in C.split_cells(lines[j], delim)]
    while st.names and st.names[-1] == "":
        st.names.pop()
    st.names_line = j + 1
    empty = [k for k, n in enumerate(st.names) if not n]
    if empty:
        raise MotionFileError(path, line=j + 1, column=empty[0] + 1, problem="empty column name",
                              accepted="a name for every column")
    for k in range(j + 1, len(lines)):
        line = lines[k]
        if not line.strip():
            continue
        st.data.rows.append(line.split("\t") if delim else line.split())
        st.data.line_numbers.append(k + 1)
    if not st.data.rows:
        raise MotionFileError(path, line=j + 1, problem="no rows of data after the column names",
                              accepted="rows of numbers under the column names")
    st.array = C.cells_to_array(path, st.data, st.names)

    # header counts against the data
    n_rows = len(st.data.rows)
    for key in ("nRows", "datarows"):
        if key in st.meta:
            declared = _count(path, st.meta[key], st.meta_lines[key], None, key)
            if declared != n_rows:
                raise MotionFileError(
                    path, line=st.meta_lines[key], column_name=key,
                    problem=f"header count mismatch: {key} is {declared} but the file has "
                            f"{n_rows} rows of data",
                    accepted=f"{key} equal to the number of data rows")
    for key in ("nColumns", "datacolumns"):
        if key in st.meta:
            declared = _count(path, st.meta[key], st.meta_lines[key], None, key)
            if declared != len(st.names):
                raise MotionFileError(
                    path, line=st.meta_lines[key], column_name=key,
                    problem=f"header count mismatch: {key} is {declared} but line "
                            f"{st.names_line} names {len(st.names)} columns",
                    accepted=f"{key} equal to the number of columns (time included)")
    return st


def read_storage(path: str, text: str, *, fmt: str = "mot", angle_unit=None, rate_hz=None,
                 length_unit=None, **_ignored) -> Motion:
    """Read an OpenSim .mot or .sto file into a `Motion` (no markers; every column in ``columns``).

    Angle columns (rotational coordinates, by the naming rules of `column_kind`) are returned in
    degrees: converted from radians when the header says ``inDegrees=no``. Without
    ``inDegrees``, a header line "Angles are in degrees/radians" decides; otherwise .mot files
    are taken as degrees (the SIMM convention) and .sto files as radians (OpenSim's rule for
    old storage files). ``angle_unit`` overrides all of these. Forces stay in N, moments in
    N m, translations and centres of pressure in m (or converted from ``length_unit``).
    """
    st = parse_storage(path, text)
    notes: list[str] = []
    names = st.names
    lower = [n.lower() for n in names]
    if "time" not in lower:
        raise MotionFileError(path, line=st.names_line,
                              problem=f"missing column time; found: {C.listing(names)}",
                              accepted="a column named time")
    ti = lower.index("time")
    time = st.array[:, ti]
    C.check_increasing(path, time, st.data.line_numbers, column=ti + 1, column_name="time")

    # angle unit of the file
    file_angle, how = None, None
    if "inDegrees" in st.meta:
        v = st.meta["inDegrees"].strip().lower()
        if v in ("yes", "true", "1"):
            file_angle, how = "deg", "the header (inDegrees=yes)"
        elif v in ("no", "false", "0"):
            file_angle, how = "rad", "the header (inDegrees=no)"
        else:
            raise MotionFileError(path, line=st.meta_lines["inDegrees"], column_name="inDegrees",
                                  found=repr(st.meta["inDegrees"]), accepted="yes or no")
    else:
        for line in st.text_lines:
            low = line.lower()
            if "angles are in degrees" in low:
                file_angle, how = "deg", f"the header line '{line}'"
            elif "angles are in radians" in low:
                file_angle, how = "rad", f"the header line '{line}'"
    kinds = {n: column_kind(n) for n in names}
    has_angles = any(k == "angle" for k in kinds.values())
    if angle_unit is not None:
        unit_a = angle_unit
        if file_angle and file_angle != angle_unit:
            notes.append(f"angle unit {angle_unit} from the angle_unit option ({how} says "
                         f"{file_angle})")
        elif has_angles and not file_angle:
            notes.append(f"angle unit {angle_unit} from the angle_unit option")
    elif file_angle:
        unit_a = file_angle
    else:
        unit_a = "deg" if fmt == "mot" else "rad"
        if has_angles:
            why = ("the SIMM .mot convention" if fmt == "mot"
                   else "OpenSim's rule for .sto files without inDegrees")
            notes.append(f"the header does not say whether angles are in degrees; {unit_a} "
                         f"assumed ({why}); give angle_unit= to override")
    unit_l = length_unit or "m"
    if length_unit and length_unit != "m":
        notes.append(f"positions read in {length_unit} (length_unit option) and converted to m")

    columns: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    converted = []
    for k, name in enumerate(names):
        if k == ti:
            continue
        kind = kinds[name]
        values = st.array[:, k].copy()
        if name in columns:
            raise MotionFileError(path, line=st.names_line, column=k + 1, column_name=name,
                                  problem="column named twice", accepted="distinct column names")
        if kind == "angle" and unit_a == "rad":
            values = np.degrees(values)
            converted.append(name)
        if kind == "position" and unit_l != "m":
            values = values * C.LENGTH_UNITS[unit_l]
        columns[name] = values
        units[name] = _UNIT_OF_KIND[kind]
    if converted:
        notes.append(f"{len(converted)} angle columns converted from radians to degrees "
                     f"(angle unit from {how or 'the angle_unit option or the default'})")
    elif has_angles and unit_a == "deg" and file_angle == "deg":
        notes.append(f"angle columns in degrees ({how})")
    n_force = sum(1 for n in columns if kinds[n] in ("force", "moment"))
    if n_force:
        notes.append(f"{n_force} force/moment columns kept in N and N m")

    rate_src = "the rate_hz option" if rate_hz is not None else None
    decimals = C.decimals_of(r[ti] for r in st.data.rows if len(r) > ti)
    time, rate = C.settle_time(time, quantum_s=C.quantum_from_decimals(decimals),
                               rate_hz=rate_hz, rate_source=rate_src, notes=notes)
    if "range" in st.meta:
        _check_range(path, st, time)
    meta = dict(st.meta)
    return Motion(source=path, format=fmt, time_s=time, markers={}, columns=columns, units=units,
                  rate_hz=rate, notes=notes, meta=meta)


def _check_range(path, st, time):
    parts = st.meta["range"].split()
    try:
        lo, hi = float(parts[0]), float(parts[1])
    except (ValueError, IndexError):
        raise MotionFileError(path, line=st.meta_lines["range"], column_name="range",
                              found=repr(st.meta["range"]),
                              accepted="two numbers: the first and last time") from None
    step = float(np.median(np.diff(time))) if time.size > 1 else 0.0
    if abs(lo - time[0]) > 0.5 * step + 1e-9 or abs(hi - time[-1]) > 0.5 * step + 1e-9:
        raise MotionFileError(
            path, line=st.meta_lines["range"], column_name="range",
            problem=f"header range {lo:g}..{hi:g} does not match the time column "
                    f"({time[0]:g}..{time[-1]:g})",
            accepted="the first and last time of the data")
