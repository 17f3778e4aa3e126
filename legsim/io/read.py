"""`read_motion`: one entry point for every motion format, chosen from the content and extension.

The format is recognised from the first lines of the file (``PathFileType`` for TRC,
``endheader`` for MOT/STO, the SpreadsheetML namespace for Kinovea XML, ...) and, when they do
not tell, from the extension; ``format=`` forces one. Every failure caused by the file becomes a
`MotionFileError` naming the file (and line and column where known) — never a traceback.
"""
from __future__ import annotations

import os
import re

from legsim.io import _common as C
from legsim.io.motion import FORMATS, Motion, MotionFileError

__all__ = ["read_motion", "detect_format"]

_EXTENSIONS = {".trc": "trc", ".mot": "mot", ".sto": "sto", ".xml": "kinovea-xml"}
_DESIGN_NAME_RE = re.compile(r"^(t_s|t_ms|time_s|time_ms|thigh_angle(_\w+)?|knee_flexion(_\w+)?"
                             r"|\w+_[xy](_[a-z]+)?)$", re.IGNORECASE)


def _accepted_formats() -> str:
    return ("one of " + ", ".join(FORMATS) +
            " (extensions .csv, .trc, .mot, .sto, .xml, .txt; see docs/motion_files.md)")


def detect_format(path: str, text: str) -> tuple[str | None, str]:
    """The format of a file from its first lines, then its extension.

    Returns ``(format, how)``: format is one of `FORMATS`, or ``'design-csv'`` when only the
    ``.csv`` extension tells (the design.md CSV reader then decides between angles and markers,
    or says what is missing), or None when neither content nor extension tells.
    """
    ext = os.path.splitext(str(path))[1].lower()
    head = text[:20000]
    lines = head.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    low_first = first.strip().lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in head[:5000]:
        return "kinovea-xml", "its content (SpreadsheetML workbook)"
    if low_first.startswith("pathfiletype"):
        return "trc", "its content (PathFileType header)"
    if low_first.startswith("#kinovea trajectory data export"):
        return "kinovea-text", "its content (#Kinovea Trajectory data export)"
    if any(ln.strip().lower() == "endheader" for ln in lines[:500]):
        fmt = "sto" if ext == ".sto" else "mot"
        return fmt, "its content (endheader) and extension"
    header = next((ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
    from legsim.io.tables import is_marker_table_header

    if is_marker_table_header(header):
        return "marker-table", "its content (Time, <marker>X, <marker>Y, <marker>Z columns)"
    stripped = header.strip()
    if stripped.startswith('"'):
        first_cell = stripped[1:].split('"', 1)[0].strip().lower()
        if first_cell.startswith(("time", "temps", "zeit", "tiempo", "tempo")):
            return "kinovea-csv", "its content (quoted \"Time\" header of a Kinovea CSV)"
    delim = C.sniff_delimiter(header)
    if delim is not None:
        names = [c.strip().strip('"') for c in header.split(delim)]
        if any(_DESIGN_NAME_RE.match(n) for n in names if n):
            from legsim.io.design_csv import _ANGLE_BASES

            lows = [n.lower() for n in names]
            if any(n == b or n.startswith(b + "_") for n in lows for b in _ANGLE_BASES):
                return "angles-csv", "its content (joint-angle columns)"
            return "markers-csv", "its content (marker coordinate columns)"
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext], f"its extension {ext}"
    if ext in (".csv", ".tsv"):
        # a CSV whose columns did not tell: the design.md reader says what is missing
        return "design-csv", f"its extension {ext}"
    return None, ""


_READERS = {}


def _reader(fmt: str):
    if not _READERS:
        from legsim.io import design_csv, kinovea, opensim, tables

        _READERS.update({
            "design-csv": lambda p, t, **kw: design_csv.read_design_csv(p, t, fmt=None, **kw),
            "angles-csv": lambda p, t, **kw: design_csv.read_design_csv(p, t, fmt="angles-csv", **kw),
            "markers-csv": lambda p, t, **kw: design_csv.read_design_csv(p, t, fmt="markers-csv",
                                                                         **kw),
            "trc": opensim.read_trc,
            "mot": lambda p, t, **kw: opensim.read_storage(p, t, fmt="mot", **kw),
            "sto": lambda p, t, **kw: opensim.read_storage(p, t, fmt="sto", **kw),
            "kinovea-xml": kinovea.read_kinovea_xml,
            "kinovea-csv": kinovea.read_kinovea_csv,
            "kinovea-text": kinovea.read_kinovea_text,
            "marker-table": tables.read_marker_table,
        })
    return _READERS[fmt]


def _guarded(path: str, what: str, parse):
    """Read the file's text and run ``parse(text)``; any failure becomes a MotionFileError."""
    text = C.read_text(path)
    try:
        return parse(text)
    except MotionFileError:
        raise
    except RecursionError:  # pragma: no cover - pathological nesting
        raise MotionFileError(path, problem=f"could not be read as {what} (nested too deeply)"
                              ) from None
    except Exception as exc:  # noqa: BLE001 - a malformed file must never give a traceback
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise MotionFileError(path, problem=f"could not be read as {what} "
                                            f"({type(exc).__name__}{': ' + detail if detail else ''})",
                              accepted="a well-formed file of that format (docs/motion_files.md)"
                              ) from None


def read_motion(path, *, format: str | None = None, length_unit: str | None = None,
                angle_unit: str | None = None, rate_hz: float | None = None) -> Motion:
    """Read measured motion from a file.

    Parameters
    ----------
    path : str or path-like
        A design.md CSV (joint angles or 2-D markers), an OpenSim TRC, MOT or STO file, a
        Kinovea export (spreadsheet XML, CSV, Gnuplot text) or a marker table.
    format : str, optional
        Force a format, one of `legsim.io.FORMATS`; by default it is recognised from the
        first lines of the file, then from the extension.
    length_unit : {'m', 'cm', 'mm', 'in', 'ft', 'yd'}, optional
        Unit of the file's positions: overrides the header (or column names), or supplies it
        when the file does not say.
    angle_unit : {'deg', 'rad'}, optional
        Unit of the file's angles: overrides or supplies the header's or column names'.
    rate_hz : float, optional
        Sample rate: overrides or supplies the header's; times that the file rounded are rebuilt
        on the uniform grid of this rate when they fit it.

    Returns
    -------
    Motion
        Times in s, markers in m, angles in degrees; ``notes`` says what was detected and done.

    Raises
    ------
    MotionFileError
        With the file, line and column: file not found, empty, undetectable format, missing
        column, non-numeric cell, time not increasing, header counts that disagree with the data,
        unknown unit.
    """
    shown = str(path)
    if format is not None and format not in FORMATS:
        raise MotionFileError(shown, column_name="option format", found=repr(format),
                              accepted=_accepted_formats())
    length_unit = C.check_length_option(shown, length_unit)
    angle_unit = C.check_angle_option(shown, angle_unit)
    rate = C.check_rate_option(shown, rate_hz)

    def parse(text: str) -> Motion:
        if format is not None:
            fmt, how = format, "the format option"
        else:
            fmt, how = detect_format(shown, text)
            if fmt is None:
                ext = os.path.splitext(shown)[1] or "(no extension)"
                raise MotionFileError(shown, problem=f"unknown motion format (extension {ext}, "
                                                     "content not recognised)",
                                      accepted=_accepted_formats())
        motion = _reader(fmt)(shown, text, length_unit=length_unit, angle_unit=angle_unit,
                              rate_hz=rate)
        motion.notes.insert(0, f"read as {motion.format} ({FORMATS[motion.format]}), "
                               f"recognised from {how}")
        if motion.time_s.size == 0:
            raise MotionFileError(shown, problem="no samples", accepted="at least one row of data")
        return motion

    return _guarded(shown, f"a {format} file" if format else "a motion file", parse)
