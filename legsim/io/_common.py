"""Shared machinery of the motion-file readers: reading text, numbers with their place, units, time.

Every reader turns a problem in the file into a `MotionFileError` naming the file, the line and
the column; the helpers here do the common parts (cells to numbers, unit names, the time column)
so that each reader only knows its own layout. The rules are documented in docs/motion_files.md.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from legsim.io.motion import MotionFileError

#: Length units accepted in headers, column names and the ``length_unit`` option -> metres per unit.
LENGTH_UNITS = {"m": 1.0, "cm": 0.01, "mm": 0.001, "in": 0.0254, "ft": 0.3048, "yd": 0.9144}
_LENGTH_SPELLINGS = {
    "m": "m", "meter": "m", "meters": "m", "metre": "m", "metres": "m",
    "cm": "cm", "centimeter": "cm", "centimeters": "cm", "centimetre": "cm", "centimetres": "cm",
    "mm": "mm", "millimeter": "mm", "millimeters": "mm", "millimetre": "mm", "millimetres": "mm",
    "in": "in", "inch": "in", "inches": "in", "ft": "ft", "feet": "ft", "foot": "ft",
    "yd": "yd", "yard": "yd", "yards": "yd",
}
#: Angle units -> degrees per unit.
ANGLE_UNITS = {"deg": 1.0, "rad": 180.0 / math.pi}
_ANGLE_SPELLINGS = {
    "deg": "deg", "degree": "deg", "degrees": "deg", "°": "deg",
    "rad": "rad", "radian": "rad", "radians": "rad",
}
#: Time units -> seconds per unit.
TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6}
_TIME_SPELLINGS = {
    "s": "s", "sec": "s", "second": "s", "seconds": "s",
    "ms": "ms", "millisecond": "ms", "milliseconds": "ms",
    "us": "us", "µs": "us", "μs": "us", "microseconds": "us",
}

ACCEPTED_LENGTH = "one of m, cm, mm, in, ft, yd"
ACCEPTED_ANGLE = "deg or rad"
ACCEPTED_NUMBER = "a number (or an empty cell for a missing value)"
#: Cell texts read as a missing value.
MISSING_TEXTS = frozenset({"", "nan", "NaN", "NAN", "-nan", "NA", "N/A", "null", "-1.#IND", "1.#QNAN"})


def canonical_length_unit(text: str | None) -> str | None:
    """'mm', 'millimetres' -> 'mm'; None when the text is not a length unit."""
    if text is None:
        return None
    return _LENGTH_SPELLINGS.get(text.strip().lower().rstrip("."))


def canonical_angle_unit(text: str | None) -> str | None:
    """'deg', 'degrees', '°' -> 'deg'; 'rad', 'radians' -> 'rad'; None otherwise."""
    if text is None:
        return None
    return _ANGLE_SPELLINGS.get(text.strip().lower())


def canonical_time_unit(text: str | None) -> str | None:
    """'s', 'seconds' -> 's'; 'ms' -> 'ms'; 'µs' -> 'us'; None otherwise."""
    if text is None:
        return None
    return _TIME_SPELLINGS.get(text.strip().lower())


def check_length_option(path: str, value: str | None) -> str | None:
    """Validate the ``length_unit=`` option; returns its canonical form."""
    if value is None:
        return None
    unit = canonical_length_unit(str(value))
    if unit is None:
        raise MotionFileError(path, column_name="option length_unit", found=repr(value),
                              accepted=ACCEPTED_LENGTH)
    return unit


def check_angle_option(path: str, value: str | None) -> str | None:
    """Validate the ``angle_unit=`` option; returns 'deg' or 'rad'."""
    if value is None:
        return None
    unit = canonical_angle_unit(str(value))
    if unit is None:
        raise MotionFileError(path, column_name="option angle_unit", found=repr(value),
                              accepted=ACCEPTED_ANGLE)
    return unit


def check_rate_option(path: str, value) -> float | None:
    """Validate the ``rate_hz=`` option (a positive finite number)."""
    if value is None:
        return None
    try:
        rate = float(value)
    except (TypeError, ValueError):
        rate = float("nan")
    if not math.isfinite(rate) or rate <= 0 or isinstance(value, bool):
        raise MotionFileError(path, column_name="option rate_hz", found=repr(value),
                              accepted="a positive number of samples per second")
    return rate


# --------------------------------------------------------------------------- file text
def read_text(path) -> str:
    """The text of a file, for the readers.

    UTF-8 (with or without a byte-order mark) is tried first, then Windows-1252 (Kinovea and
    older lab software write the local code page). Line endings are normalised by the caller's
    ``splitlines``.

    Raises
    ------
    MotionFileError
        File not found, a directory, unreadable, or empty.
    """
    shown = str(path)
    if not os.path.exists(path):
        raise MotionFileError(shown, problem="file not found",
                              accepted="the path of an existing motion file")
    if os.path.isdir(path):
        raise MotionFileError(shown, problem="is a directory", accepted="a motion file")
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise MotionFileError(shown, problem=f"cannot be read ({exc.strerror or exc})") from None
    if not raw.strip():
        raise MotionFileError(shown, problem="the file is empty",
                              accepted="a header and at least one row of data")
    if b"\x00" in raw[:4096]:
        # UTF-16 files (some Windows exports) have NUL bytes; try them before giving up.
        for enc in ("utf-16",):
            try:
                return raw.decode(enc)
            except UnicodeDecodeError:
                pass
        raise MotionFileError(shown, problem="is a binary file, not text",
                              accepted="a text motion file (CSV, TRC, MOT, STO, TXT, XML)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


@dataclass
class DataRows:
    """Cells of a table with the 1-based line number of each row."""

    rows: list[list[str]]
    line_numbers: list[int]


def split_cells(line: str, delimiter: str | None) -> list[str]:
    """Cells of one line: by ``delimiter``, or by runs of white space when it is None."""
    if delimiter is None:
        return line.split()
    return [c.strip() for c in line.split(delimiter)]


def cells_to_array(path: str, data: DataRows, names: list[str], *, first_column: int = 1,
                   decimal_comma: bool = False, allow_short: bool = False) -> np.ndarray:
    """Numbers of a table, (n_rows, len(names)) float64, NaN for missing cells.

    Parameters
    ----------
    path : str
        File name for error messages.
    data : DataRows
        The cells and line numbers; each row may have trailing empty cells beyond ``names``.
    names : list of str
        Column names (for messages), one per expected cell.
    first_column : int
        1-based column number of the first cell (for messages).
    decimal_comma : bool
        Cells use ``,`` as the decimal separator.
    allow_short : bool
        Rows with fewer cells than ``names`` are padded with missing values instead of raising.

    Raises
    ------
    MotionFileError
        A cell that is not a number, a non-finite number, or a row with the wrong number of cells.
    """
    m = len(names)
    table = []
    for cells, line_no in zip(data.rows, data.line_numbers):
        if len(cells) > m:
            extra = cells[m:]
            if any(c.strip() for c in extra):
                raise MotionFileError(
                    path, line=line_no, problem=f"found {len(cells)} cells",
                    accepted=f"{m} cells, one per column of the header ({names[0]} ... {names[-1]})")
            cells = cells[:m]
        elif len(cells) < m:
            if not allow_short:
                raise MotionFileError(
                    path, line=line_no, problem=f"found {len(cells)} cells",
                    accepted=f"{m} cells, one per column of the header ({names[0]} ... {names[-1]})")
            cells = list(cells) + [""] * (m - len(cells))
        table.append(cells)
    if not table:
        return np.empty((0, m))
    cleaned = [[_clean(c, decimal_comma) for c in row] for row in table]
    try:
        arr = np.array(cleaned, dtype=float)
    except ValueError:
        arr = None
    if arr is None or not np.all(np.isfinite(arr) | np.isnan(arr)):
        _locate_bad_cell(path, table, cleaned, data.line_numbers, names, first_column)
    return arr.reshape(len(table), m)


def _clean(cell: str, decimal_comma: bool) -> str:
    c = cell.strip().strip('"').strip()
    if c in MISSING_TEXTS:
        return "nan"
    if decimal_comma:
        c = c.replace(",", ".")
    return c


def _locate_bad_cell(path, table, cleaned, line_numbers, names, first_column):
    for row, crow, line_no in zip(table, cleaned, line_numbers):
        for j, (raw, c) in enumerate(zip(row, crow)):
            try:
                v = float(c)
            except ValueError:
                v = None
            if v is None or math.isinf(v):
                raise MotionFileError(path, line=line_no, column=first_column + j,
                                      column_name=names[j], found=repr(raw.strip()),
                                      accepted=ACCEPTED_NUMBER)
    raise MotionFileError(path, problem="could not convert the data to numbers",
                          accepted=ACCEPTED_NUMBER)  # pragma: no cover - defensive


def decimals_of(texts) -> int:
    """Largest number of digits after the decimal point among number texts (0 when none)."""
    best = 0
    for t in texts:
        t = t.strip().strip('"').replace(",", ".")
        if "e" in t.lower():
            return 12  # scientific notation: treat as exact
        if "." in t:
            best = max(best, len(t) - t.index(".") - 1)
    return best


# --------------------------------------------------------------------------- time column
def check_increasing(path: str, time_s: np.ndarray, line_numbers, column: int | None = None,
                     column_name: str | None = "time") -> None:
    """Raise when the time column is missing a value or does not increase strictly."""
    bad = np.flatnonzero(np.isnan(time_s))
    if bad.size:
        i = int(bad[0])
        raise MotionFileError(path, line=line_numbers[i], column=column, column_name=column_name,
                              problem="the time is missing",
                              accepted="a time on every row")
    steps = np.diff(time_s)
    bad = np.flatnonzero(steps <= 0)
    if bad.size:
        i = int(bad[0]) + 1
        raise MotionFileError(
            path, line=line_numbers[i], column=column, column_name=column_name,
            problem=(f"time not increasing: found {time_s[i]:.9g} after {time_s[i - 1]:.9g} "
                     f"(line {line_numbers[i - 1]})"),
            accepted="times that increase strictly from row to row")


_NICE_RATES = (24000 / 1001, 30000 / 1001, 60000 / 1001, 120000 / 1001, 240000 / 1001)


def _rate_text(rate: float) -> str:
    return f"{rate:.6g} Hz"


def settle_time(time_s: np.ndarray, *, quantum_s: float | None, rate_hz: float | None,
                rate_source: str | None, notes: list[str]) -> tuple[np.ndarray, float | None]:
    """Nominal sample rate, and times rebuilt on a uniform grid when the file rounded them.

    A time column written with few digits (0.007, 0.013, ... for 150 Hz; Kinovea's centisecond
    timecodes) gives steps that jump between neighbouring values, which finite differences turn
    into noise. When every time is within one unit of the last written digit (``quantum_s``) of
    the grid ``t0 + k / rate``, the times are replaced by that grid and a note says so. The rate
    is the one the file or the ``rate_hz`` option states; otherwise the fitted rate, snapped to a
    whole number of hertz or a video rate (23.976, 29.97, 59.94, ...) when the grid still fits.

    Parameters
    ----------
    time_s : numpy.ndarray
        Strictly increasing times (s).
    quantum_s : float or None
        Resolution with which the file wrote the times (None: exact).
    rate_hz : float or None
        Rate stated by the file header or the ``rate_hz`` option.
    rate_source : str or None
        Words for where ``rate_hz`` came from ("the header", "the rate_hz option").
    notes : list of str
        Appended with what was done.

    Returns
    -------
    time_s : numpy.ndarray
    rate_hz : float or None
    """
    n = time_s.shape[0]
    if n < 2:
        return time_s, rate_hz
    t0 = float(time_s[0])
    k = np.arange(n)
    span = float(time_s[-1] - t0)
    steps = np.diff(time_s)
    tol = (quantum_s if quantum_s else 0.0) + 1e-9 * max(1.0, abs(float(time_s[-1])))

    def deviation(rate):
        return float(np.max(np.abs(time_s - (t0 + k / rate))))

    if rate_hz is not None:
        dev = deviation(rate_hz)
        if dev <= tol:
            return _adopt_grid(time_s, t0, k, rate_hz, dev, quantum_s, rate_source, notes), rate_hz
        fitted = (n - 1) / span
        notes.append(f"the times in the file do not follow {_rate_text(rate_hz)} from "
                     f"{rate_source} (largest difference {dev:.3g} s; the times fit "
                     f"{fitted:.6g} Hz); the times are kept as written")
        return time_s, rate_hz

    fitted = (n - 1) / span
    candidates = [float(round(fitted))] if round(fitted) > 0 else []
    candidates += [r for r in _NICE_RATES if abs(r - fitted) < 0.01 * fitted]
    candidates.append(fitted)
    for rate in candidates:
        dev = deviation(rate)
        if dev <= tol:
            nominal = rate
            if rate == fitted:
                # report a whole number of hertz when the fitted rate is within 10 ppm of it
                # (OpenSim's inverse-dynamics output drifts by less than that)
                whole = float(round(fitted))
                if whole > 0 and abs(fitted - whole) <= 1e-5 * fitted:
                    nominal = whole
                if not quantum_s:
                    return time_s, nominal
            return _adopt_grid(time_s, t0, k, rate, dev, quantum_s, None, notes), nominal
    median_step = float(np.median(steps))
    rate = 1.0 / median_step
    if abs(rate - round(rate)) <= 1e-3 * rate:
        rate = float(round(rate))
    spread = float(steps.max() - steps.min())
    if spread > 1e-3 * median_step:
        notes.append(f"time steps are not uniform (from {steps.min():.6g} to {steps.max():.6g} s); "
                     f"the times are kept as written and the nominal rate {_rate_text(rate)} comes "
                     "from the median step")
    return time_s, rate


def _adopt_grid(time_s, t0, k, rate, dev, quantum_s, rate_source, notes):
    grid = t0 + k / rate
    if dev > 1e-6:
        where = f" from {rate_source}" if rate_source else ""
        digits = (f"rounded to {quantum_s:g} s" if quantum_s else "rounded")
        notes.append(f"the file's times are {digits}; they were replaced by the uniform grid "
                     f"t0 + k/{rate:.6g} Hz{where} (largest change {dev:.2g} s)")
    return grid


def quantum_from_decimals(decimals: int) -> float | None:
    """Resolution of numbers written with ``decimals`` digits after the point (None: exact)."""
    if decimals >= 9:
        return None
    return 10.0 ** (-decimals)


# --------------------------------------------------------------------------- name helpers
def listing(names, limit: int = 30) -> str:
    """'a, b, c' (shortened past ``limit`` names)."""
    names = [str(n) for n in names]
    if not names:
        return "(none)"
    text = ", ".join(names[:limit])
    if len(names) > limit:
        text += f", ... ({len(names)} in all)"
    return text


def sniff_delimiter(header: str) -> str | None:
    """The most frequent of tab, ``;`` and ``,`` in a header line (None: white space)."""
    counts = {d: header.count(d) for d in ("\t", ";", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else None


def marker_span(markers: dict[str, np.ndarray]) -> float:
    """Median over frames of the largest distance between two markers in the same frame.

    The size of the marker set in the file's unit; used to recognise mm, cm or m when a file
    does not say (see `guess_length_unit`).
    """
    arrays = [a for a in markers.values() if np.isfinite(a).any()]
    if len(arrays) < 2:
        return float("nan")
    stack = np.stack(arrays, axis=1)  # (n, k, d)
    n = stack.shape[0]
    idx = np.unique(np.linspace(0, n - 1, min(n, 50)).astype(int))
    spans = []
    for i in idx:
        pts = stack[i]
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        if pts.shape[0] < 2:
            continue
        lo = pts.min(axis=0)
        hi = pts.max(axis=0)
        spans.append(float(np.linalg.norm(hi - lo)))
    return float(np.median(spans)) if spans else float("nan")


#: Body-size windows of `guess_length_unit`: marker-set span (largest distance between markers in
#: one frame) -> unit. A person's markers span roughly 0.3-3 m; a span of 0.3-3 units is read as
#: metres and 300-3000 units as millimetres. Spans of 3-300 units are ambiguous (centimetres of a
#: whole body, or millimetres of a small marker set) and are never guessed.
SPAN_WINDOWS = (("m", 0.3, 3.0), ("mm", 300.0, 3000.0))


def guess_length_unit(markers: dict[str, np.ndarray]) -> tuple[str | None, float]:
    """Length unit of 3-D marker coordinates from the size of the marker set.

    Returns ``(unit, span)``; unit is None when the span is outside the windows of
    `SPAN_WINDOWS`.
    """
    span = marker_span(markers)
    if not math.isfinite(span):
        return None, span
    for unit, lo, hi in SPAN_WINDOWS:
        if lo <= span < hi:
            return unit, span
    return None, span
