"""Ground reaction forces for checking kinematic event detection: `read_forces` and `Forces`.

Two layouts: an OpenSim GRF ``.mot`` (``<prefix>ground_force_vy`` vertical force per foot or
plate, y up) and a force-plate table such as the Fukuchi et al. (2017) treadmill file
(``Time Fx Fy Fz COPx COPy COPz Ty``, where ``Time`` is the sample index, so ``rate_hz`` is
required; vertical is ``Fy``). Documented in docs/motion_files.md ("Force files").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from legsim.io import _common as C
from legsim.io.motion import MotionFileError

__all__ = ["Forces", "read_forces"]

_VERTICAL_RE = re.compile(r"^(?P<prefix>.*?)_?ground_force_vy$", re.IGNORECASE)


@dataclass
class Forces:
    """Vertical ground reaction force per foot or plate.

    Attributes
    ----------
    source : str
        The path as given.
    format : str
        'opensim-grf' or 'force-table'.
    time_s : numpy.ndarray
        (n,) seconds, strictly increasing.
    vertical_N : dict of str to numpy.ndarray
        Foot or plate -> (n,) vertical force in newtons (+ up, pushing the body). Keys: the
        prefix of OpenSim's ``<prefix>_ground_force_vy`` (``'R'``, ``'L'``), or the column name
        (``'Fy'``) of a force table.
    columns : dict of str to numpy.ndarray
        Every other column of the file, as written.
    units : dict of str to str
        Unit of each entry of ``vertical_N`` and ``columns`` ('' when the file does not say).
    rate_hz : float or None
        Sample rate.
    notes : list of str
        What the reader detected or did.
    """

    source: str
    format: str
    time_s: np.ndarray
    vertical_N: dict[str, np.ndarray]
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    rate_hz: float | None = None
    notes: list[str] = field(default_factory=list)

    def vertical(self, name: str | None = None) -> np.ndarray:
        """Vertical force of one foot or plate (the only one when ``name`` is None).

        ``name`` may also be 'right'/'left' for keys ``R``/``L`` (any case).
        """
        key = self._key(name)
        return self.vertical_N[key]

    def _key(self, name):
        if name is None:
            if len(self.vertical_N) == 1:
                return next(iter(self.vertical_N))
            raise MotionFileError(self.source, column_name="vertical force",
                                  problem="the file has several feet or plates",
                                  accepted="a name: one of " + C.listing(self.vertical_N))
        if name in self.vertical_N:
            return name
        side = {"right": "r", "left": "l"}.get(str(name).lower(), str(name).lower())
        for key in self.vertical_N:
            if key.lower() == side or key.lower().startswith(side + "_"):
                return key
        raise MotionFileError(self.source, column_name=f"vertical force {name!r}",
                              problem="no such foot or plate",
                              accepted="one of " + C.listing(self.vertical_N))

    def contact_intervals(self, name: str | None = None, threshold_N: float = 20.0
                          ) -> list[tuple[float, float]]:
        """Intervals where the vertical force exceeds ``threshold_N``: [(first, last time), ...].

        The times are those of the first and the last sample above the threshold in each run of
        samples (no interpolation). A contact that is under way at the start or end of the file
        is included, clipped there.
        """
        force = self.vertical(name)
        above = np.nan_to_num(force, nan=0.0) > threshold_N
        out = []
        i, n = 0, above.size
        while i < n:
            if above[i]:
                j = i
                while j + 1 < n and above[j + 1]:
                    j += 1
                out.append((float(self.time_s[i]), float(self.time_s[j])))
                i = j + 1
            else:
                i += 1
        return out


def read_forces(path, *, rate_hz: float | None = None) -> Forces:
    """Read ground reaction forces: an OpenSim GRF .mot or a force-plate table.

    Parameters
    ----------
    path : str or path-like
        The file.
    rate_hz : float, optional
        Sample rate; required when the time column is a sample index (the Fukuchi treadmill
        files, 300 Hz).

    Returns
    -------
    Forces

    Raises
    ------
    MotionFileError
        Unreadable file, no vertical force column, a sample-index time without ``rate_hz``,
        and every error of the table readers (line, column and name of a bad cell).
    """
    from legsim.io.read import _guarded

    shown = str(path)
    rate = C.check_rate_option(shown, rate_hz)
    return _guarded(shown, "a force file", lambda text: _read_forces_text(shown, text, rate))


def _read_forces_text(path: str, text: str, rate_hz):
    head = text[:20000].lower()
    if re.search(r"^\s*endheader\s*$", head, re.MULTILINE):
        return _opensim_grf(path, text, rate_hz)
    return _force_table(path, text, rate_hz)


def _opensim_grf(path, text, rate_hz):
    from legsim.io.opensim import column_kind, parse_storage

    st = parse_storage(path, text)
    lower = [n.lower() for n in st.names]
    if "time" not in lower:
        raise MotionFileError(path, line=st.names_line,
                              problem=f"missing column time; found: {C.listing(st.names)}",
                              accepted="a column named time")
    ti = lower.index("time")
    time = st.array[:, ti]
    C.check_increasing(path, time, st.data.line_numbers, column=ti + 1, column_name="time")
    vertical = {}
    columns = {}
    units = {}
    for k, name in enumerate(st.names):
        if k == ti:
            continue
        m = _VERTICAL_RE.match(name.strip())
        if m:
            key = m.group("prefix").strip("_") or "ground_force"
            vertical[key] = st.array[:, k].copy()
            units[key] = "N"
        else:
            columns[name] = st.array[:, k].copy()
            units[name] = {"force": "N", "moment": "N m", "position": "m"}.get(
                column_kind(name), "")
    if not vertical:
        raise MotionFileError(path, line=st.names_line,
                              problem=f"no vertical force column; found: {C.listing(st.names)}",
                              accepted="columns named <prefix>_ground_force_vy (OpenSim, y up)")
    sources = [f"{k}_ground_force_vy" if k != "ground_force" else "ground_force_vy"
               for k in vertical]
    notes = [f"vertical force from {', '.join(sources)} (OpenSim: y up)"]
    decimals = C.decimals_of(r[ti] for r in st.data.rows if len(r) > ti)
    time, rate = C.settle_time(time, quantum_s=C.quantum_from_decimals(decimals),
                               rate_hz=rate_hz,
                               rate_source="the rate_hz option" if rate_hz else None, notes=notes)
    return Forces(source=path, format="opensim-grf", time_s=time, vertical_N=vertical,
                  columns=columns, units=units, rate_hz=rate, notes=notes)


def _force_table(path, text, rate_hz):
    from legsim.io.tables import _headed_table

    names, data, arr, header_line = _headed_table(path, text)
    lower = [n.lower() for n in names]
    if "time" not in lower:
        raise MotionFileError(path, line=header_line,
                              problem=f"missing column Time; found: {C.listing(names)}",
                              accepted="Time, then force columns (Fx, Fy, Fz ...)")
    ti = lower.index("time")
    if "fy" not in lower:
        raise MotionFileError(path, line=header_line,
                              problem=f"missing column Fy (vertical force); found: "
                                      f"{C.listing(names)}",
                              accepted="a column Fy: the vertical force in N (lab y up)")
    fi = lower.index("fy")
    raw_time = arr[:, ti]
    notes = []
    C.check_increasing(path, raw_time, data.line_numbers, column=ti + 1, column_name=names[ti])
    is_index = bool(np.all(raw_time == np.round(raw_time))) and bool(
        np.all(np.diff(raw_time) == 1.0)) if raw_time.size > 1 else False
    if is_index:
        if rate_hz is None:
            raise MotionFileError(
                path, line=data.line_numbers[0], column=ti + 1, column_name=names[ti],
                problem=f"{names[ti]} is a sample index ({raw_time[0]:g}, {raw_time[1]:g}, ...), "
                        "not a time",
                accepted="the rate_hz option, e.g. read_forces(path, rate_hz=300) for the "
                         "Fukuchi et al. (2017) treadmill files")
        time = (raw_time - raw_time[0]) / rate_hz
        rate = rate_hz
        notes.append(f"{names[ti]} is a sample index; time = (index - {raw_time[0]:g}) / "
                     f"{rate_hz:g} Hz (rate_hz option)")
    else:
        quantum = C.quantum_from_decimals(C.decimals_of(r[ti] for r in data.rows))
        time, rate = C.settle_time(raw_time, quantum_s=quantum, rate_hz=rate_hz,
                                   rate_source="the rate_hz option" if rate_hz else None,
                                   notes=notes)
    vertical = {names[fi]: arr[:, fi].copy()}
    notes.append(f"vertical force from column {names[fi]} (lab y up)")
    columns, units = {}, {names[fi]: "N"}
    for k, n in enumerate(names):
        if k in (ti, fi):
            continue
        columns[n] = arr[:, k].copy()
        units[n] = "N" if re.fullmatch(r"F[xyz]", n) else ""
    return Forces(source=path, format="force-table", time_s=time, vertical_N=vertical,
                  columns=columns, units=units, rate_hz=rate, notes=notes)
