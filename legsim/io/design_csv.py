"""Reader for the CSV layouts of design.md: joint angles, or 2-D marker coordinates.

Joint angles: ``t_s, thigh_angle_deg, knee_flexion_deg`` (+ any other numeric columns).
Markers: ``t_s, hip_x_m, hip_y_m, knee_x_m, knee_y_m, ankle_x_m, ankle_y_m`` (+ ``heel_*``,
``toe_*`` and any other ``<name>_x_<unit>, <name>_y_<unit>`` pairs). Units come from the column
names (``_m``, ``_cm``, ``_mm``, ``_deg``, ``_rad``, time ``t_s`` or ``t_ms``); comma, semicolon
or tab delimiters; ``#`` comment lines at the top. Rules in docs/motion_files.md.
"""
from __future__ import annotations

import csv
import io
import re

import numpy as np

from legsim.io import _common as C
from legsim.io.motion import Motion, MotionFileError

__all__ = ["read_design_csv", "ANGLE_COLUMNS", "MARKER_COLUMNS"]

#: Required columns of the joint-angle layout (the time column is ``t_s`` or ``t_ms``).
ANGLE_COLUMNS = ("thigh_angle_deg", "knee_flexion_deg")
#: Required columns of the 2-D marker layout.
MARKER_COLUMNS = ("hip_x_m", "hip_y_m", "knee_x_m", "knee_y_m", "ankle_x_m", "ankle_y_m")

_TIME_NAMES = {"t_s": "s", "time_s": "s", "t_ms": "ms", "time_ms": "ms", "t": None, "time": None}
_MARKER_RE = re.compile(r"^(?P<name>.+?)_(?P<axis>[xyz])(?:_(?P<unit>[^_\s]+))?$", re.IGNORECASE)
_ANGLE_BASES = ("thigh_angle", "knee_flexion")
_ANGLE_RE = re.compile(r"^(?P<base>.+)_(?P<unit>deg|rad)(?P<rate>_s2?)?$")


def _read_table(path: str, text: str):
    """Header names and data cells of a delimited text table with leading # comments."""
    lines = text.splitlines()
    comments = []
    start = 0
    while start < len(lines) and (not lines[start].strip() or lines[start].lstrip().startswith("#")):
        if lines[start].strip():
            comments.append(lines[start].lstrip()[1:].strip())
        start += 1
    if start >= len(lines):
        raise MotionFileError(path, problem="no header line (only comments or blank lines)",
                              accepted="a header row of column names, then rows of numbers")
    header = lines[start]
    delim = C.sniff_delimiter(header)
    if delim is None:
        raise MotionFileError(path, line=start + 1,
                              problem=f"found one column ({header.strip()[:40]!r})",
                              accepted="columns separated by commas, semicolons or tabs")
    reader = csv.reader(io.StringIO("\n".join(lines[start:])), delimiter=delim, quotechar='"')
    rows = list(reader)
    names = [c.strip() for c in rows[0]]
    while names and names[-1] == "":
        names.pop()
    data = C.DataRows([], [])
    for k, cells in enumerate(rows[1:], start=start + 2):
        if not any(c.strip() for c in cells):
            continue
        if cells and cells[0].lstrip().startswith("#"):
            continue
        data.rows.append(cells)
        data.line_numbers.append(k)
    decimal_comma = delim != "," and any("," in c for r in data.rows[:50] for c in r)
    return names, data, start + 1, delim, decimal_comma, comments


def read_design_csv(path: str, text: str, *, fmt: str | None = None, length_unit=None,
                    angle_unit=None, rate_hz=None, **_ignored) -> Motion:
    """Read a design.md CSV (joint angles or 2-D markers).

    Parameters
    ----------
    path, text : str
        File name (for messages) and content.
    fmt : {'angles-csv', 'markers-csv', None}
        Forces the layout; None decides from the columns.
    length_unit, angle_unit : str, optional
        Override the units of the column names, or supply them for names without a unit.
    rate_hz : float, optional
        Nominal sample rate (otherwise from the time column).
    """
    names, data, header_line, delim, decimal_comma, comments = _read_table(path, text)
    notes: list[str] = []
    meta = {"delimiter": {"\t": "tab", ";": "semicolon", ",": "comma"}[delim]}
    if comments:
        meta["comments"] = " | ".join(comments)
    if delim != ",":
        notes.append(f"columns separated by {meta['delimiter']}s"
                      + (" with decimal commas" if decimal_comma else ""))
    empty = [k for k, n in enumerate(names) if not n]
    if empty:
        raise MotionFileError(path, line=header_line, column=empty[0] + 1,
                              problem="empty column name", accepted="a name for every column")
    dup = [n for n in names if names.count(n) > 1]
    if dup:
        raise MotionFileError(path, line=header_line, column=names.index(dup[0]) + 1,
                              column_name=dup[0], problem="column named twice",
                              accepted="distinct column names")
    if not data.rows:
        raise MotionFileError(path, line=header_line, problem="no rows of data after the header",
                              accepted="rows of numbers under the column names")

    # classify the columns ---------------------------------------------------------------
    lower = [n.lower() for n in names]
    time_idx = next((k for k, n in enumerate(lower) if n in _TIME_NAMES), None)
    angle_cols: dict[str, tuple[int, str | None]] = {}
    marker_cols: dict[str, dict[str, tuple[int, str | None]]] = {}
    other_cols: list[int] = []
    for k, name in enumerate(names):
        if k == time_idx:
            continue
        low = lower[k]
        base_unit = _angle_column(path, header_line, k, name)
        if base_unit is not None:
            angle_cols[base_unit[0]] = (k, base_unit[1])
            continue
        m = _MARKER_RE.match(name)
        if m and not _ANGLE_RE.match(low):
            unit_txt = m.group("unit")
            unit = C.canonical_length_unit(unit_txt) if unit_txt else None
            if unit_txt and unit is None:
                if _looks_like_unit(unit_txt):
                    raise MotionFileError(path, line=header_line, column=k + 1, column_name=name,
                                          problem=f"unknown unit {unit_txt!r}",
                                          accepted=f"a length unit ({C.ACCEPTED_LENGTH})")
                other_cols.append(k)
                continue
            marker_cols.setdefault(m.group("name"), {})[m.group("axis").lower()] = (k, unit)
            continue
        other_cols.append(k)
    axes_named = {name: set(axes) for name, axes in marker_cols.items()}
    # a lone x (or y) is not a marker: keep it as an ordinary column
    for mname in list(marker_cols):
        axes = marker_cols[mname]
        if not ("x" in axes and "y" in axes):
            other_cols.extend(k for k, _ in axes.values())
            del marker_cols[mname]

    has_angles = all(b in angle_cols for b in _ANGLE_BASES)
    has_markers = all(n in marker_cols for n in ("hip", "knee", "ankle"))
    if fmt is None:
        if has_angles or any(b in angle_cols for b in _ANGLE_BASES):
            fmt = "angles-csv"
        elif marker_cols:
            fmt = "markers-csv"
        else:
            raise MotionFileError(
                path, line=header_line,
                problem=f"not a recognised CSV layout; found columns: {C.listing(names)}",
                accepted="a design.md CSV: t_s, thigh_angle_deg, knee_flexion_deg (joint "
                         "angles) or t_s, hip_x_m, hip_y_m, knee_x_m, knee_y_m, ankle_x_m, "
                         "ankle_y_m (2-D markers); see docs/motion_files.md")
    if time_idx is None:
        raise MotionFileError(path, line=header_line,
                              problem=f"missing column t_s; found: {C.listing(names)}",
                              accepted="a time column t_s (seconds) or t_ms (milliseconds)")
    if fmt == "angles-csv":
        missing = [f"{b}_deg" for b in _ANGLE_BASES if b not in angle_cols]
        if missing:
            raise MotionFileError(path, line=header_line,
                                  problem=f"missing column {missing[0]} (or {missing[0][:-4]}"
                                          f"_rad); found: {C.listing(names)}",
                                  accepted="t_s, thigh_angle_deg, knee_flexion_deg")
    elif fmt == "markers-csv":
        missing = [c for c in MARKER_COLUMNS
                   if c.rsplit("_", 2)[1] not in axes_named.get(c.rsplit("_", 2)[0], ())]
        if missing:
            raise MotionFileError(path, line=header_line,
                                  problem=f"missing column {missing[0]}; found: {C.listing(names)}",
                                  accepted="t_s, " + ", ".join(MARKER_COLUMNS)
                                           + " (units _m, _cm or _mm)")

    arr = C.cells_to_array(path, data, names, decimal_comma=decimal_comma)

    # time ---------------------------------------------------------------------------------
    tname = names[time_idx]
    tunit = _TIME_NAMES[lower[time_idx]]
    if tunit is None:
        tunit = "s"
        notes.append(f"time column {tname!r} has no unit; seconds assumed (name it t_s or t_ms)")
    time = arr[:, time_idx] * C.TIME_UNITS[tunit]
    if tunit == "ms":
        notes.append(f"time converted from milliseconds ({tname})")
    C.check_increasing(path, time, data.line_numbers, column=time_idx + 1, column_name=tname)
    tdec = C.decimals_of(r[time_idx] for r in data.rows if len(r) > time_idx)
    quantum = C.quantum_from_decimals(tdec)
    if quantum is not None:
        quantum *= C.TIME_UNITS[tunit]

    columns: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    # angles ---------------------------------------------------------------------------------
    for base, (k, unit) in angle_cols.items():
        used = unit
        if angle_unit is not None:
            if unit and unit != angle_unit:
                notes.append(f"{names[k]}: read as {angle_unit} (angle_unit option), not as "
                             f"its name says")
            used = angle_unit
        elif unit is None:
            used = "deg"
            notes.append(f"{names[k]}: no unit in the name; degrees assumed (name it {base}_deg)")
        values = arr[:, k] * C.ANGLE_UNITS[used]
        name = f"{base}_deg"
        if used == "rad":
            notes.append(f"{names[k]} converted from radians to degrees ({name})")
        columns[name] = values
        units[name] = "deg"
    # markers ---------------------------------------------------------------------------------
    markers: dict[str, np.ndarray] = {}
    said = set()
    for mname, axes in marker_cols.items():
        parts = []
        for axis in ("x", "y", "z"):
            if axis not in axes:
                continue
            k, unit = axes[axis]
            used = unit
            if length_unit is not None:
                if unit and unit != length_unit:
                    said.add(f"marker columns read in {length_unit} (length_unit option), not "
                             f"in {unit} as their names say")
                used = length_unit
            elif unit is None:
                used = "m"
                said.add("marker columns without a unit in their names read as metres")
            elif unit != "m":
                said.add(f"marker coordinates converted from {unit} to m")
            parts.append(arr[:, k] * C.LENGTH_UNITS[used])
        markers[mname] = np.ascontiguousarray(np.stack(parts, axis=1))
        units[mname] = "m"
    notes.extend(sorted(said))
    # other columns ---------------------------------------------------------------------------
    for k in other_cols:
        name, values, unit = _other_column(names[k], arr[:, k], length_unit)
        if name != names[k]:
            notes.append(f"{names[k]} converted to {name}")
        if name in columns:
            raise MotionFileError(path, line=header_line, column=k + 1, column_name=names[k],
                                  problem=f"gives a second column {name}",
                                  accepted="distinct column names")
        columns[name] = values
        units[name] = unit

    rate_src = "the rate_hz option" if rate_hz is not None else None
    time, rate = C.settle_time(time, quantum_s=quantum, rate_hz=rate_hz, rate_source=rate_src,
                               notes=notes)
    return Motion(source=path, format=fmt, time_s=time, markers=markers, columns=columns,
                  units=units, rate_hz=rate, notes=notes, meta=meta)


def _angle_column(path, header_line, k, name):
    """(base, unit) for thigh_angle_*/knee_flexion_* columns; None for other columns."""
    low = name.lower()
    for base in _ANGLE_BASES:
        if low == base:
            return base, None
        if low.startswith(base + "_") and "_" not in low[len(base) + 1:]:
            unit_txt = low[len(base) + 1:]
            unit = C.canonical_angle_unit(unit_txt)
            if unit is None:
                raise MotionFileError(path, line=header_line, column=k + 1, column_name=name,
                                      problem=f"unknown unit {unit_txt!r}",
                                      accepted=f"an angle unit: {base}_deg or {base}_rad")
            return base, unit
    return None


def _looks_like_unit(text: str) -> bool:
    """A short alphabetic suffix (``km``, ``px``) that reads as a unit, not part of a name."""
    return text.isalpha() and len(text) <= 3


def _other_column(name: str, values: np.ndarray, length_unit):
    """Name, values and unit of a column that is neither time, a required angle nor a marker."""
    m = _ANGLE_RE.match(name)
    if m:
        base, unit, rate = m.group("base"), m.group("unit"), m.group("rate") or ""
        stored = {"": "deg", "_s": "deg/s", "_s2": "deg/s2"}[rate]
        if unit == "rad":
            return f"{base}_deg{rate}", np.degrees(values), stored
        return name, values, stored
    low = name.lower()
    for suffix, unit in (("_mm", "mm"), ("_cm", "cm")):
        if low.endswith(suffix):
            return name[: -len(suffix)] + "_m", values * C.LENGTH_UNITS[unit], "m"
    if low.endswith("_m"):
        return name, values, "m"
    if name.endswith("_Nm") or low.endswith("_n_m"):
        return name, values, "N m"
    if name.endswith("_N"):
        return name, values, "N"
    return name, values, ""
