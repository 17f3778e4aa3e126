"""Readers for plain numeric tables: 3-D marker tables and any headed table of numbers.

Marker table (the Fukuchi et al. 2017 layout): tab-separated, ``Time`` then
``<marker>X, <marker>Y, <marker>Z`` for each marker, no unit in the file; the length unit comes
from the ``length_unit`` option, or from the size of the marker set (docs/motion_files.md,
"Marker tables"). `read_table` reads any headed table of numbers (e.g. Fukuchi's
``RBDS001processed.txt`` of gait-cycle curves) with the same file/line/column errors.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from legsim.io import _common as C
from legsim.io.motion import Motion, MotionFileError

__all__ = ["read_marker_table", "read_table", "Table", "is_marker_table_header"]


@dataclass
class Table:
    """A headed table of numbers read by `read_table`.

    Attributes
    ----------
    source : str
        The path as given.
    columns : dict of str to numpy.ndarray
        Column name -> (n,) float64, NaN for missing cells, in file order.
    notes : list of str
        What the reader detected.
    """

    source: str
    columns: dict[str, np.ndarray]
    notes: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """Column names in file order."""
        return list(self.columns)

    @property
    def n_rows(self) -> int:
        """Number of data rows."""
        return 0 if not self.columns else int(next(iter(self.columns.values())).shape[0])

    def column(self, name: str) -> np.ndarray:
        """One column; the error lists the columns of the file."""
        try:
            return self.columns[name]
        except KeyError:
            raise MotionFileError(self.source, column_name=f"column {name!r}",
                                  problem="no such column",
                                  accepted="one of " + C.listing(self.columns)) from None


def _headed_table(path: str, text: str):
    lines = text.splitlines()
    start = 0
    while start < len(lines) and (not lines[start].strip() or lines[start].lstrip().startswith("#")):
        start += 1
    if start >= len(lines):
        raise MotionFileError(path, problem="no header line",
                              accepted="a header row of column names, then rows of numbers")
    header = lines[start]
    delim = "\t" if "\t" in header else C.sniff_delimiter(header)
    names = C.split_cells(header, delim)
    while names and names[-1] == "":
        names.pop()
    names = [n.strip().strip('"') for n in names]
    empty = [k for k, n in enumerate(names) if not n]
    if empty:
        raise MotionFileError(path, line=start + 1, column=empty[0] + 1,
                              problem="empty column name", accepted="a name for every column")
    dup = [n for n in names if names.count(n) > 1]
    if dup:
        raise MotionFileError(path, line=start + 1, column=names.index(dup[0]) + 1,
                              column_name=dup[0], problem="column named twice",
                              accepted="distinct column names")
    data = C.DataRows([], [])
    for i in range(start + 1, len(lines)):
        if not lines[i].strip():
            continue
        data.rows.append(C.split_cells(lines[i], delim))
        data.line_numbers.append(i + 1)
    if not data.rows:
        raise MotionFileError(path, line=start + 1, problem="no rows of data after the header",
                              accepted="rows of numbers under the column names")
    decimal_comma = delim not in (",", None) and any("," in c for r in data.rows[:50] for c in r)
    arr = C.cells_to_array(path, data, names, decimal_comma=decimal_comma)
    return names, data, arr, start + 1


def read_table(path) -> Table:
    """Read a headed table of numbers (tab, comma, semicolon or space separated).

    ``NaN``, ``NA`` and empty cells are missing values. Nothing is converted: the units are
    whatever the file's columns hold.

    Raises
    ------
    MotionFileError
        File missing or empty, a cell that is not a number (line, column and name), rows of the
        wrong length.
    """
    from legsim.io.read import _guarded

    return _guarded(str(path), "a table of numbers", lambda text: _read_table_text(str(path), text))


def _read_table_text(path: str, text: str) -> Table:
    names, data, arr, _ = _headed_table(path, text)
    n_missing = int(np.isnan(arr).sum())
    notes = [f"{arr.shape[0]} rows, {len(names)} columns"]
    if n_missing:
        notes.append(f"{n_missing} missing cells (NaN)")
    return Table(source=path, columns={n: arr[:, k].copy() for k, n in enumerate(names)},
                 notes=notes)


def is_marker_table_header(header: str) -> bool:
    """True for ``Time`` followed by ``<name>X <name>Y <name>Z`` triplets."""
    names = [c.strip() for c in (header.split("\t") if "\t" in header else header.split())]
    while names and not names[-1]:
        names.pop()
    if len(names) < 4 or names[0].lower() not in ("time", "time_s", "t"):
        return False
    rest = names[1:]
    if len(rest) % 3:
        return False
    for k in range(0, len(rest), 3):
        a, b, c = rest[k: k + 3]
        if not (a[-1:].upper() == "X" and b[-1:].upper() == "Y" and c[-1:].upper() == "Z"):
            return False
        if not (a[:-1] == b[:-1] == c[:-1]) or not a[:-1]:
            return False
    return True


def read_marker_table(path: str, text: str, *, length_unit=None, rate_hz=None,
                      **_ignored) -> Motion:
    """Read a ``Time, <marker>X, <marker>Y, <marker>Z ...`` table (Fukuchi et al. 2017 layout).

    The file states no unit. ``length_unit`` gives it; otherwise the unit is recognised from the
    size of the marker set (0.3-3 units: m; 300-3000 units: mm; see `_common.SPAN_WINDOWS`),
    and a note says so. Spans in between raise an error naming the ``length_unit`` option.
    Time is in seconds; a time column rounded to few digits is rebuilt on the uniform grid.
    """
    names, data, arr, header_line = _headed_table(path, text)
    if not is_marker_table_header("\t".join(names)):
        raise MotionFileError(path, line=header_line,
                              problem=f"not a marker table; found columns: {C.listing(names, 8)}",
                              accepted="Time, then <marker>X, <marker>Y, <marker>Z for each "
                                       "marker")
    notes: list[str] = []
    time = arr[:, 0]
    C.check_increasing(path, time, data.line_numbers, column=1, column_name=names[0])
    raw = {}
    for k in range(1, len(names), 3):
        raw[names[k][:-1]] = arr[:, k: k + 3]
    if length_unit is not None:
        unit = length_unit
        notes.append(f"length unit {unit} from the length_unit option")
    else:
        unit, span = C.guess_length_unit(raw)
        if unit is None:
            raise MotionFileError(
                path, line=header_line,
                problem="the file gives no length unit and the size of the marker set "
                        f"({span:.4g} units) does not tell m from mm",
                accepted="the length_unit option (m, cm, mm): read_motion(..., length_unit='mm')")
        notes.append(f"the file gives no length unit; {unit} recognised from the size of the "
                     f"marker set (largest distance between markers in a frame: median "
                     f"{span:.4g} {unit}); give length_unit= to override")
    scale = C.LENGTH_UNITS[unit]
    markers = {name: np.ascontiguousarray(v * scale) for name, v in raw.items()}
    n_missing = int(np.isnan(arr[:, 1:]).sum())
    if n_missing:
        gappy = [n for n, v in markers.items() if np.isnan(v).any()]
        notes.append(f"{n_missing} missing cells (NaN) in markers {C.listing(gappy)}")
    empty = [n for n, v in markers.items() if not np.isfinite(v).any()]
    if empty:
        notes.append(f"{len(empty)} markers are empty in every frame and kept as all-NaN: "
                     f"{C.listing(empty)}")
    rate_src = "the rate_hz option" if rate_hz is not None else None
    quantum = C.quantum_from_decimals(C.decimals_of(r[0] for r in data.rows))
    time, rate = C.settle_time(time, quantum_s=quantum, rate_hz=rate_hz, rate_source=rate_src,
                               notes=notes)
    units = {n: "m" for n in markers}
    return Motion(source=path, format="marker-table", time_s=time, markers=markers, columns={},
                  units=units, rate_hz=rate, notes=notes, meta={})
