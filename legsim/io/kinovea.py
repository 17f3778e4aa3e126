"""Readers for Kinovea's exports: spreadsheet XML, CSV (trajectories, kinematics dialogs), Gnuplot text.

Kinovea (kinovea.org) tracks points on video and exports them three ways (Kinovea's documentation,
"Exporting data and measurements"; the layouts below were checked against Kinovea's source, see
docs/motion_files.md for what was confirmed and what is assumed):

* *File > Export to spreadsheet > Microsoft Excel (.xml)*: SpreadsheetML 2003; one table per
  track (``Label :`` row, ``Coords (x,y:cm; t:time)`` row, ``x | y | t`` rows, time as a
  timecode such as ``0:00:01:13``).
* CSV: *File > Export > CSV trajectories* (``"Time","<object>/<point>/X",...``, every cell quoted,
  missing values empty, separators following the locale) and the kinematics dialogs (time in
  ms, then one column per data source).
* *Gnuplot (.txt)*: ``#Kinovea Trajectory data export``, ``#T X Y``, then one block of
  ``t x y`` rows per track.

Tracks of different lengths are aligned on the union of their sample times (NaN where a track
has no sample); a repeated timestamp within a track keeps its first sample.
"""
from __future__ import annotations

import csv
import io
import os
import re
import xml.parsers.expat

import numpy as np

from legsim.io import _common as C
from legsim.io.motion import Motion, MotionFileError

__all__ = ["read_kinovea_xml", "read_kinovea_csv", "read_kinovea_text", "parse_timecode",
           "Y_AXIS_NOTE"]

#: Note added to every Kinovea motion: the sign of y depends on the calibration.
Y_AXIS_NOTE = ("Kinovea's calibrated y axis may point up or down (image rows point down; a "
               "calibrated coordinate system usually points up): check the sign of y before "
               "computing angles (design.md wants +y up)")

_UNCALIBRATED = {"px", "pixel", "pixels", "%"}


# --------------------------------------------------------------------------- timecodes
_NUMBER_RE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def parse_timecode(text: str) -> tuple[float, float]:
    """Seconds and resolution of a Kinovea time cell.

    Accepts the classic timecode ``h:mm:ss:cc`` (cc hundredths, or thousandths when three
    digits), the newer ``[h:][mm:]ss.xx``, a plain number of seconds, an optional leading ``-``
    (times before the time origin) and a trailing frame number in parentheses
    (``0:00:06:46 (155)``).

    Returns
    -------
    seconds : float
    resolution_s : float
        Value of one unit of the last digit written (0.01 for ``0:00:01:13``).

    Raises
    ------
    ValueError
        When the text is not a time.
    """
    t = text.strip()
    t = re.sub(r"\s*\(\d+\)\s*$", "", t)
    sign = 1.0
    if t.startswith("-"):
        sign, t = -1.0, t[1:].strip()
    if not t:
        raise ValueError(text)
    if _NUMBER_RE.match(t):
        t = t.replace(",", ".")
        dec = len(t) - t.index(".") - 1 if "." in t else 0
        return sign * float(t), 10.0 ** (-dec)
    parts = t.split(":")
    if not all(parts):
        raise ValueError(text)
    last = parts[-1].replace(",", ".")
    if "." in last:  # [h:][mm:]ss.xx
        if len(parts) > 3 or not all(p.isdigit() for p in parts[:-1]):
            raise ValueError(text)
        seconds = float(last)
        dec = len(last) - last.index(".") - 1
        mult = 60.0
        for p in reversed(parts[:-1]):
            seconds += int(p) * mult
            mult *= 60.0
        return sign * seconds, 10.0 ** (-dec)
    if len(parts) == 4 and all(p.isdigit() for p in parts):  # h:mm:ss:cc
        h, m, s, frac = parts
        res = 10.0 ** (-len(frac))
        return sign * (int(h) * 3600 + int(m) * 60 + int(s) + int(frac) * res), res
    raise ValueError(text)


# --------------------------------------------------------------------------- alignment
class _Track:
    def __init__(self, name: str, line: int | None = None):
        self.name = name
        self.line = line
        self.samples: list[tuple[float, float, float, int | None, str]] = []
        self.unit: str | None = None
        self.unit_line: int | None = None
        self.resolution = 0.0
        self.time_unit = "time"


def _assemble(path: str, fmt: str, tracks: list[_Track], *, unit: str, unit_note: str,
              rate_hz, notes: list[str], meta: dict, columns=None, time_name="t") -> Motion:
    """One `Motion` from tracks sampled at (possibly) different times."""
    tracks = [t for t in tracks if t.samples]
    if not tracks:
        raise MotionFileError(path, problem="no tracked points with data",
                              accepted="at least one track with x, y and time")
    dropped = []
    for tr in tracks:
        kept = []
        for s in tr.samples:
            if kept and abs(s[0] - kept[-1][0]) < 1e-9:
                dropped.append(f"{tr.name} at {s[4]} (line {s[3]})" if s[3] else
                               f"{tr.name} at {s[4]}")
                continue
            if kept and s[0] < kept[-1][0]:
                raise MotionFileError(
                    path, line=s[3], column_name=f"{tr.name} {time_name}",
                    problem=f"time not increasing: found {s[4]} after {kept[-1][4]}",
                    accepted="times that increase within each track")
            kept.append(s)
        tr.samples = kept
    if dropped:
        notes.append(f"{len(dropped)} samples repeat the timestamp of the sample before them and "
                     f"were dropped (the first sample at each time is kept): {'; '.join(dropped)}")
    keys = sorted({round(s[0] * 1e6) for tr in tracks for s in tr.samples})
    index = {k: i for i, k in enumerate(keys)}
    n = len(keys)
    time = np.array(keys, dtype=float) / 1e6
    scale = C.LENGTH_UNITS[unit]
    markers = {}
    for tr in tracks:
        xy = np.full((n, 2), np.nan)
        for t, x, y, _, _ in tr.samples:
            xy[index[round(t * 1e6)]] = (x * scale, y * scale)
        name = tr.name
        k = 2
        while name in markers:
            name = f"{tr.name} ({k})"
            k += 1
        if name != tr.name:
            notes.append(f"a second track labelled {tr.name!r} was named {name!r}")
        markers[name] = xy
    counts = {name: int(np.isfinite(v[:, 0]).sum()) for name, v in markers.items()}
    if len(set(counts.values())) > 1 or any(c < n for c in counts.values()):
        detail = ", ".join(f"{k} {v}" for k, v in counts.items())
        notes.append(f"tracks have different sample times; all were placed on the {n} times "
                     f"found in any track, NaN where a track has no sample (samples per track: "
                     f"{detail})")
    notes.append(unit_note)
    notes.append(Y_AXIS_NOTE)
    resolution = max((tr.resolution for tr in tracks), default=0.0) or None
    rate_src = "the rate_hz option" if rate_hz is not None else None
    time, rate = C.settle_time(time, quantum_s=resolution, rate_hz=rate_hz,
                               rate_source=rate_src, notes=notes)
    units = {name: "m" for name in markers}
    cols = columns or {}
    for c in cols:
        units.setdefault(c, "")
    return Motion(source=path, format=fmt, time_s=time, markers=markers, columns=cols,
                  units=units, rate_hz=rate, notes=notes, meta=meta)


def _resolve_unit(path: str, file_unit_text: str | None, length_unit, line: int | None,
                  what: str) -> tuple[str, str]:
    """Length unit to use and the note saying where it came from."""
    file_unit = C.canonical_length_unit(file_unit_text) if file_unit_text else None
    if length_unit is not None:
        if file_unit_text and file_unit != length_unit:
            return length_unit, (f"length unit {length_unit} from the length_unit option "
                                 f"({what} says {file_unit_text})")
        return length_unit, f"length unit {length_unit} from the length_unit option"
    if file_unit_text is None:
        raise MotionFileError(
            path, column_name="length unit",
            problem=f"{what} does not say in which unit the coordinates are (Kinovea writes "
                    "calibrated units or pixels)",
            accepted="the length_unit option, e.g. read_motion(path, length_unit='cm') "
                     f"({C.ACCEPTED_LENGTH})")
    if file_unit is None:
        if file_unit_text.strip().lower() in _UNCALIBRATED:
            raise MotionFileError(
                path, line=line, column_name="Coords",
                problem=f"coordinates are in {file_unit_text} (the video was not calibrated)",
                accepted="calibrated coordinates (calibrate a line or grid in Kinovea and export "
                         f"again) in {C.ACCEPTED_LENGTH}")
        raise MotionFileError(path, line=line, column_name="Coords",
                              problem=f"unknown unit {file_unit_text!r}",
                              accepted=C.ACCEPTED_LENGTH)
    return file_unit, (f"length unit {file_unit} from {what} ({file_unit_text}); "
                       "converted to m")


# =========================================================================== spreadsheet XML
_COORDS_RE = re.compile(r"^Coords\s*\(\s*x\s*,\s*y\s*:\s*(?P<unit>[^;)]+?)\s*;\s*t\s*:\s*"
                        r"(?P<time>[^)]+?)\s*\)\s*$", re.IGNORECASE)


def _xml_rows(path: str, text: str):
    """(line, [cell texts]) for every Row of every Worksheet, honouring ss:Index."""
    parser = xml.parsers.expat.ParserCreate()
    rows: list[tuple[int, list[str]]] = []
    state = {"row": None, "line": 0, "col": 0, "data": None, "in_table": 0}

    def local(name):
        return name.rsplit(":", 1)[-1]

    def start(name, attrs):
        tag = local(name)
        if tag == "Table":
            state["in_table"] += 1
        elif tag == "Row" and state["in_table"]:
            state["row"] = []
            state["line"] = parser.CurrentLineNumber
            state["col"] = 0
        elif tag == "Cell" and state["row"] is not None:
            idx = next((v for k, v in attrs.items() if local(k) == "Index"), None)
            if idx is not None and idx.isdigit():
                while len(state["row"]) < int(idx) - 1:
                    state["row"].append("")
            state["row"].append("")
        elif tag == "Data" and state["row"] is not None:
            state["data"] = []

    def end(name):
        tag = local(name)
        if tag == "Table":
            state["in_table"] -= 1
        elif tag == "Row" and state["row"] is not None:
            rows.append((state["line"], state["row"]))
            state["row"] = None
        elif tag == "Data" and state["data"] is not None:
            if state["row"]:
                state["row"][-1] = "".join(state["data"]).strip()
            state["data"] = None

    def chars(data):
        if state["data"] is not None:
            state["data"].append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(text, True)
    except xml.parsers.expat.ExpatError as exc:
        raise MotionFileError(path, line=exc.lineno, column=exc.offset + 1,
                              problem=f"not well-formed XML ({xml.parsers.expat.ErrorString(exc.code)})",
                              accepted="a Kinovea spreadsheet export (SpreadsheetML 2003 XML)"
                              ) from None
    return rows


def read_kinovea_xml(path: str, text: str, *, length_unit=None, rate_hz=None,
                     **_ignored) -> Motion:
    """Read Kinovea's *Export to spreadsheet > Microsoft Excel (.xml)* file.

    Marker names are the track labels as written (``Hanche``, ``Genou``...; see
    `legsim.io.standard_marker_names` for hip/knee/ankle in several languages). Coordinates are
    converted from the unit of each track's ``Coords (x,y:<unit>; t:time)`` row to metres.
    """
    if "urn:schemas-microsoft-com:office:spreadsheet" not in text[:5000]:
        raise MotionFileError(path, line=1, problem="not a SpreadsheetML 2003 workbook",
                              accepted="a Kinovea export made with File > Export to spreadsheet "
                                       "> Microsoft Excel (.xml)")
    rows = _xml_rows(path, text)
    notes: list[str] = []
    meta: dict[str, str] = {}
    tracks: list[_Track] = []
    cur: _Track | None = None
    stage = None  # 'coords', 'header', 'data'
    prev = None
    for line, cells in rows:
        first = cells[0].strip() if cells else ""
        if first.lower().startswith("label"):
            label = next((c.strip() for c in cells[1:] if c.strip()), "")
            cur = _Track(label or f"track {len(tracks) + 1}", line)
            tracks.append(cur)
            stage = "coords"
            continue
        if cur is None:
            # the Key Images and Lines tables: keep what they say in meta
            if prev and prev[0].strip().lower().startswith("length (") and first:
                unit_txt = prev[0].strip()[len("length ("):].rstrip(")")
                meta.setdefault("calibration_lines", "")
                meta["calibration_lines"] = (meta["calibration_lines"] + "; " if
                                             meta["calibration_lines"] else "") + \
                    f"{first} {unit_txt}"
            elif prev and prev[0].strip().lower() == "title" and first:
                meta["key_images"] = (meta.get("key_images", "") + "; " if "key_images" in meta
                                      else "") + first
            prev = cells if first else None
            continue
        if stage == "coords":
            m = _COORDS_RE.match(first)
            if not m:
                raise MotionFileError(path, line=line, column=1, column_name=f"track {cur.name}",
                                      found=repr(first),
                                      accepted="'Coords (x,y:<unit>; t:time)' after the "
                                               "'Label :' row")
            cur.unit = m.group("unit").strip()
            cur.unit_line = line
            if m.group("time").strip().lower() not in ("time", "s", "ms"):
                raise MotionFileError(path, line=line, column=1, column_name=f"track {cur.name}",
                                      problem=f"times are {m.group('time').strip()!r}, not times",
                                      accepted="'t:time' (timecodes); export again with a time "
                                               "format")
            cur.time_unit = m.group("time").strip().lower()
            stage = "header"
            continue
        if stage == "header":
            if [c.strip().lower() for c in cells[:3]] != ["x", "y", "t"]:
                raise MotionFileError(path, line=line, column_name=f"track {cur.name}",
                                      found=repr(" | ".join(cells[:3])),
                                      accepted="the column titles x | y | t")
            stage = "data"
            continue
        if stage == "data":
            if not any(c.strip() for c in cells):
                cur, stage = None, None
                continue
            if len(cells) < 3:
                cur, stage = None, None
                continue
            x = _xml_number(path, cells[0], line, 1, f"{cur.name} x")
            y = _xml_number(path, cells[1], line, 2, f"{cur.name} y")
            t_text = cells[2].strip()
            try:
                t, res = parse_timecode(t_text)
            except ValueError:
                raise MotionFileError(path, line=line, column=3, column_name=f"{cur.name} t",
                                      found=repr(t_text),
                                      accepted="a time such as 0:00:01:13 or 1.13") from None
            if cur.time_unit == "ms":
                t, res = t / 1000.0, res / 1000.0
            cur.resolution = max(cur.resolution, res)
            cur.samples.append((t, x, y, line, t_text))
    if not tracks:
        raise MotionFileError(path, problem="no Track tables ('Label :' rows) in the workbook",
                              accepted="a Kinovea spreadsheet export with tracked trajectories")
    units = {tr.unit for tr in tracks if tr.samples}
    if len(units) > 1 and length_unit is None:
        tr = next(t for t in tracks if t.unit != tracks[0].unit)
        raise MotionFileError(path, line=tr.unit_line, column_name=f"track {tr.name}",
                              problem=f"tracks use different units ({', '.join(sorted(units))})",
                              accepted="one length unit for every track")
    first_tr = next(t for t in tracks if t.samples) if any(t.samples for t in tracks) else tracks[0]
    unit, unit_note = _resolve_unit(path, first_tr.unit, length_unit, first_tr.unit_line,
                                    "the Coords row of each track")
    meta["tracks"] = ", ".join(t.name for t in tracks)
    return _assemble(path, "kinovea-xml", tracks, unit=unit, unit_note=unit_note,
                     rate_hz=rate_hz, notes=notes, meta=meta)


def _xml_number(path, text, line, column, name):
    try:
        v = float(text.strip().replace(",", "."))
    except ValueError:
        v = None
    if v is None or not np.isfinite(v):
        raise MotionFileError(path, line=line, column=column, column_name=name,
                              found=repr(text.strip()), accepted="a number")
    return v


# =========================================================================== CSV
_PAREN_RE = re.compile(r"^(?P<label>.*?)\s*\((?P<unit>[^()]*)\)\s*$")


def read_kinovea_csv(path: str, text: str, *, length_unit=None, rate_hz=None,
                     **_ignored) -> Motion:
    """Read a Kinovea CSV export (trajectories, a single track, or a kinematics dialog).

    * ``"Time","<object>/<point>/X","<object>/<point>/Y",...`` (*Export > CSV trajectories*):
      markers named after the object (``object/point`` when an object has several points);
      time in seconds (Kinovea's default time format); the length unit is not in the file and
      must be given with ``length_unit``.
    * ``"Time (s)","X (cm)","Y (cm)"``: one trajectory, named after the file; units from the
      header.
    * ``"Time (ms)","<source>",...`` (kinematics dialogs): one column per data source, stored in
      ``columns`` as written (the dialog's quantity and unit are not in the file).

    Decimal commas are recognised when the separator is ``;`` (or tab).
    """
    lines = text.splitlines()
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    header_line = start + 1
    delim = _csv_delimiter(lines[start])
    reader = csv.reader(io.StringIO("\n".join(lines[start:])), delimiter=delim, quotechar='"')
    rows = list(reader)
    names = [c.strip() for c in rows[0]]
    while names and names[-1] == "":
        names.pop()
    if len(names) < 2:
        raise MotionFileError(path, line=header_line,
                              problem=f"found one column ({lines[start].strip()[:40]!r})",
                              accepted="a Kinovea CSV: \"Time\" then one column per coordinate")
    data = C.DataRows([], [])
    for k, cells in enumerate(rows[1:], start=header_line + 1):
        if not any(c.strip() for c in cells):
            continue
        data.rows.append(cells)
        data.line_numbers.append(k)
    if not data.rows:
        raise MotionFileError(path, line=header_line, problem="no rows of data after the header",
                              accepted="rows of numbers under the column names")
    decimal_comma = delim != "," and any("," in c for r in data.rows[:50] for c in r)
    notes: list[str] = []
    if delim != ",":
        notes.append(f"cells separated by {'semicolons' if delim == ';' else 'tabs'}"
                     + (" with decimal commas (a locale that writes 1,5)" if decimal_comma else ""))
    arr = C.cells_to_array(path, data, names, decimal_comma=decimal_comma)

    # time column ------------------------------------------------------------------------
    m = _PAREN_RE.match(names[0])
    tlabel, tunit_txt = (m.group("label"), m.group("unit")) if m else (names[0], None)
    if tlabel.strip().lower() not in ("time", "temps", "zeit", "tiempo", "tempo", "t"):
        raise MotionFileError(path, line=header_line, column=1, column_name=names[0],
                              problem="the first column is not a time",
                              accepted="a first column \"Time\", \"Time (s)\" or \"Time (ms)\"")
    time = arr[:, 0]
    tdec = C.decimals_of(r[0] for r in data.rows if r)
    quantum = C.quantum_from_decimals(tdec)
    if tunit_txt is not None and tunit_txt.strip() in ("F", "f", "frames"):
        if rate_hz is None:
            raise MotionFileError(path, line=header_line, column=1, column_name=names[0],
                                  problem="time is in frames",
                                  accepted="the rate_hz option (frames per second of the video)")
        time = (time - time[0]) / rate_hz + 0.0
        quantum = None
        notes.append(f"time converted from frames at {rate_hz:g} Hz (rate_hz option)")
    elif tunit_txt is not None:
        tunit = C.canonical_time_unit(tunit_txt)
        if tunit is None:
            raise MotionFileError(path, line=header_line, column=1, column_name=names[0],
                                  problem=f"unknown unit {tunit_txt!r}",
                                  accepted="s, ms, µs or F (frames, with rate_hz)")
        time = time * C.TIME_UNITS[tunit]
        if quantum is not None:
            quantum *= C.TIME_UNITS[tunit]
        if tunit != "s":
            notes.append(f"time converted from {tunit_txt} to s")
    else:
        notes.append("time column without a unit: seconds assumed (Kinovea's default time "
                     "format; with another time format in Kinovea's preferences the column "
                     "holds milliseconds or frames)")
        if time.size > 1 and np.nanmedian(np.diff(time)) >= 1.0:
            notes.append("the median time step is 1 s or more: the times are probably "
                         "milliseconds or frames, not seconds")
    C.check_increasing(path, time, data.line_numbers, column=1, column_name=names[0])

    rest = names[1:]
    traj = [re.match(r"^(?P<obj>.+)/(?P<pt>[^/]*)/(?P<axis>[XY])$", n) for n in rest]
    if all(traj):
        return _csv_trajectories(path, names, arr, time, quantum, traj, length_unit, rate_hz,
                                 notes)
    single = [_PAREN_RE.match(n) for n in rest]
    if (len(rest) == 2 and all(single)
            and [s.group("label").strip().upper() for s in single] == ["X", "Y"]):
        unit_txt = single[0].group("unit").strip()
        unit, unit_note = _resolve_unit(path, unit_txt, length_unit, header_line,
                                        "the column titles")
        track = _Track(os.path.splitext(os.path.basename(path))[0])
        track.resolution = quantum or 0.0
        for i in range(arr.shape[0]):
            track.samples.append((time[i], arr[i, 1], arr[i, 2], data.line_numbers[i],
                                  data.rows[i][0]))
        return _assemble(path, "kinovea-csv", [track], unit=unit, unit_note=unit_note,
                         rate_hz=rate_hz, notes=notes, meta={"variant": "single trajectory"})
    # kinematics dialog: one column per data source, quantity unknown
    if tunit_txt is None and names[0].strip().lower() == "time" and np.nanmax(time) <= 1.0 + 1e-9 \
            and time.size > 2 and abs(time[0]) < 1e-12:
        raise MotionFileError(path, line=header_line, column=1, column_name=names[0],
                              problem="the time looks normalised (0 to 1), not in seconds",
                              accepted="an export with absolute or relative time (Time (ms))")
    columns = {n: arr[:, k + 1].copy() for k, n in enumerate(rest)}
    notes.append("a Kinovea kinematics-dialog export: one column per data source, kept as "
                 "written in columns (the file does not say which quantity or unit; Kinovea "
                 "filters these values)")
    time, rate = C.settle_time(time, quantum_s=quantum, rate_hz=rate_hz,
                               rate_source="the rate_hz option" if rate_hz else None, notes=notes)
    return Motion(source=path, format="kinovea-csv", time_s=time, markers={}, columns=columns,
                  units={n: "" for n in columns}, rate_hz=rate, notes=notes,
                  meta={"variant": "kinematics dialog"})


def _csv_delimiter(header: str) -> str:
    """Separator of a Kinovea CSV header, counting only outside quotes."""
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {d: outside.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_trajectories(path, names, arr, time, quantum, traj, length_unit, rate_hz, notes):
    unit, unit_note = _resolve_unit(path, None, length_unit, 1, "a Kinovea CSV trajectories file")
    points: dict[tuple[str, str], dict[str, int]] = {}
    for k, m in enumerate(traj, start=1):
        points.setdefault((m.group("obj"), m.group("pt")), {})[m.group("axis")] = k
    per_object: dict[str, int] = {}
    for obj, _ in points:
        per_object[obj] = per_object.get(obj, 0) + 1
    tracks = []
    for (obj, pt), axes in points.items():
        if set(axes) != {"X", "Y"}:
            raise MotionFileError(path, line=1, column_name=f"{obj}/{pt}",
                                  problem="a point with only one coordinate column",
                                  accepted="both <object>/<point>/X and <object>/<point>/Y")
        name = obj if per_object[obj] == 1 else f"{obj}/{pt}"
        tr = _Track(name)
        tr.resolution = quantum or 0.0
        xs, ys = arr[:, axes["X"]], arr[:, axes["Y"]]
        for i in range(arr.shape[0]):
            tr.samples.append((time[i], xs[i], ys[i], None, f"{time[i]:g} s"))
        tracks.append(tr)
    motion = _assemble(path, "kinovea-csv", tracks, unit=unit, unit_note=unit_note,
                       rate_hz=rate_hz, notes=notes, meta={"variant": "CSV trajectories"})
    empty_cells = int(np.isnan(arr[:, 1:]).sum())
    if empty_cells:
        motion.notes.insert(0, f"{empty_cells} empty cells (a point not tracked at that time) "
                               "read as missing values")
    return motion


# =========================================================================== Gnuplot text
def read_kinovea_text(path: str, text: str, *, length_unit=None, rate_hz=None,
                      **_ignored) -> Motion:
    """Read Kinovea's *Export to spreadsheet > Gnuplot (.txt)* file.

    ``#Kinovea Trajectory data export`` and ``#T X Y``, then one block per track: recent Kinovea
    versions start each block with ``# <name>`` and write the time as a number (seconds);
    older ones write timecodes and separate unnamed blocks by blank lines (named ``track 1``,
    ``track 2``...). Decimal commas (locale) are accepted. The file does not state the length
    unit: give ``length_unit``.
    """
    lines = text.splitlines()
    if not lines or not lines[0].strip().lower().startswith("#kinovea trajectory data export"):
        raise MotionFileError(path, line=1, found=repr(lines[0][:40] if lines else ""),
                              accepted="'#Kinovea Trajectory data export' (Kinovea's Gnuplot "
                                       "export)")
    tracks: list[_Track] = []
    cur: _Track | None = None
    ended = True
    for i, line in enumerate(lines[1:], start=2):
        s = line.strip()
        if s.startswith("#"):
            body = s[1:].strip()
            if i == 2 and body.replace(" ", "").upper().startswith("TXY"):
                continue
            cur = _Track(body or f"track {len(tracks) + 1}", i)
            tracks.append(cur)
            ended = False
            continue
        if not s:
            ended = True
            continue
        if cur is None or (ended and cur.samples):
            cur = _Track(f"track {len(tracks) + 1}", i)
            tracks.append(cur)
        ended = False
        cells = s.split()
        if len(cells) < 3 or len(cells) % 2 == 0:
            raise MotionFileError(path, line=i, problem=f"found {len(cells)} values",
                                  accepted="t x y (or t x1 y1 x2 y2 ... for objects with several "
                                           "points)")
        try:
            t, res = parse_timecode(cells[0])
        except ValueError:
            raise MotionFileError(path, line=i, column=1, column_name=f"{cur.name} T",
                                  found=repr(cells[0]),
                                  accepted="a time (1.25 or 0:00:01:25)") from None
        values = []
        for j, c in enumerate(cells[1:], start=2):
            try:
                v = float(c.replace(",", "."))
            except ValueError:
                v = float("inf")
            if not np.isfinite(v):
                axis = "X" if j % 2 == 0 else "Y"
                raise MotionFileError(path, line=i, column=j, column_name=f"{cur.name} {axis}",
                                      found=repr(c), accepted="a number") from None
            values.append(v)
        cur.resolution = max(cur.resolution, res)
        cur.samples.append((t, values, None, i, cells[0]))
    # split objects with several points into one track per point
    final: list[_Track] = []
    for tr in tracks:
        if not tr.samples:
            continue
        n_pts = {len(s[1]) // 2 for s in tr.samples}
        if len(n_pts) > 1:
            bad = next(s for s in tr.samples if len(s[1]) // 2 != min(n_pts))
            raise MotionFileError(path, line=bad[3], problem="rows of one block have different "
                                  "numbers of values", accepted="the same number on every row")
        k = n_pts.pop()
        for p in range(k):
            name = tr.name if k == 1 else f"{tr.name}/{p + 1}"
            new = _Track(name, tr.line)
            new.resolution = tr.resolution
            new.samples = [(s[0], s[1][2 * p], s[1][2 * p + 1], s[3], s[4]) for s in tr.samples]
            final.append(new)
    unit, unit_note = _resolve_unit(path, None, length_unit, None, "a Kinovea Gnuplot export")
    return _assemble(path, "kinovea-text", final, unit=unit, unit_note=unit_note,
                     rate_hz=rate_hz, notes=[], meta={"tracks": ", ".join(t.name for t in final)},
                     time_name="T")
