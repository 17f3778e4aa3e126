"""The measured motion every reader returns: `Motion`, and `MotionFileError` for bad files.

`Motion` is the one data model shared by the readers (`legsim.io`), the kinematic processing
(`legsim.kinematics`) and inverse dynamics (`legsim.inverse`): times in seconds, marker
positions in metres in the file's own lab axes, angles in degrees. What a reader detected or
decided (units, dropped samples, empty markers) is written to ``notes`` in a user's words.
The formats and rules are documented in docs/motion_files.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from legsim.errors import LegsimError

__all__ = ["Motion", "MotionFileError", "FORMATS"]

#: Every value `Motion.format` can take, with what it means.
FORMATS = {
    "angles-csv": "design.md CSV of joint angles (t_s, thigh_angle_deg, knee_flexion_deg)",
    "markers-csv": "design.md CSV of 2-D markers (t_s, hip_x_m, hip_y_m, ...)",
    "trc": "OpenSim / motion-capture TRC marker file",
    "mot": "OpenSim motion / storage file (.mot)",
    "sto": "OpenSim storage file (.sto)",
    "kinovea-xml": "Kinovea spreadsheet export (SpreadsheetML 2003 .xml)",
    "kinovea-csv": "Kinovea CSV export (trajectories or kinematics dialog)",
    "kinovea-text": "Kinovea Gnuplot text export (#Kinovea Trajectory data export)",
    "marker-table": "tab-separated marker table (Time, <marker>X, <marker>Y, <marker>Z)",
}


class MotionFileError(LegsimError):
    """A motion or force file that cannot be read: names the file, line and column.

    The message reads like
    ``data/run.trc:7: column 14 (RKNEE Y): found 'abc'; accepted: a number (or an empty cell
    for a missing value)``.

    Attributes
    ----------
    path : str
        The file as the user gave it.
    line : int or None
        1-based line number in the file (None when the problem is not on one line).
    column : int or None
        1-based column number (None when the problem is not in one column).
    column_name : str or None
        Name of that column (or key) when known.
    found : str or None
        What was found.
    accepted : str or None
        What would have been accepted.
    """

    def __init__(self, path, problem: str | None = None, *, line: int | None = None,
                 column: int | None = None, column_name: str | None = None,
                 found: str | None = None, accepted: str | None = None):
        self.path = str(path)
        self.line = line
        self.column = column
        self.column_name = column_name
        self.problem = problem
        self.found = found
        self.accepted = accepted
        super().__init__(self._text())

    def _text(self) -> str:
        head = self.path
        if self.line is not None:
            head += f":{self.line}"
        parts = [head]
        if self.column is not None:
            where = f"column {self.column}"
            if self.column_name:
                where += f" ({self.column_name})"
            parts.append(where)
        elif self.column_name:
            parts.append(self.column_name)
        body = self.problem if self.problem is not None else ""
        if self.found is not None:
            body = f"{body}: found {self.found}" if body else f"found {self.found}"
        if body:
            parts.append(body)
        text = ": ".join(parts)
        if self.accepted:
            text += f"; accepted: {self.accepted}"
        return text

    def __str__(self) -> str:
        return self._text()

    def __reduce__(self):
        return (_rebuild_error, (dict(self.__dict__),))


def _rebuild_error(state):
    err = MotionFileError.__new__(MotionFileError)
    Exception.__init__(err, "")
    err.__dict__.update(state)
    return err


@dataclass
class Motion:
    """Measured motion read from a file.

    Attributes
    ----------
    source : str
        The path as given.
    format : str
        One of the keys of `FORMATS` ('angles-csv', 'markers-csv', 'trc', 'mot', 'sto',
        'kinovea-xml', 'kinovea-csv', 'kinovea-text', 'marker-table').
    time_s : numpy.ndarray
        (n,) float64, strictly increasing, in seconds.
    markers : dict of str to numpy.ndarray
        Marker name -> (n, 3) or (n, 2) float64 positions in metres, in the file's lab axes,
        NaN where missing.
    columns : dict of str to numpy.ndarray
        Other numeric columns, name -> (n,) float64; angles in degrees, lengths in metres,
        anything else as in the file.
    units : dict of str to str
        Name (marker or column) -> unit of the stored values: 'm', 'deg', 'N', 'N m', or ''
        when unknown.
    rate_hz : float or None
        Nominal sample rate (from the header, or from the median time step).
    notes : list of str
        What the reader detected or did, in a user's words.
    meta : dict of str to str
        Header key/values.
    """

    source: str
    format: str
    time_s: np.ndarray
    markers: dict[str, np.ndarray]
    columns: dict[str, np.ndarray]
    units: dict[str, str]
    rate_hz: float | None
    notes: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------ conveniences
    @property
    def n_frames(self) -> int:
        """Number of samples."""
        return int(self.time_s.shape[0])

    @property
    def duration_s(self) -> float:
        """Last time minus first time (0 for fewer than two samples)."""
        if self.time_s.shape[0] < 2:
            return 0.0
        return float(self.time_s[-1] - self.time_s[0])

    @property
    def marker_names(self) -> list[str]:
        """Marker names in file order."""
        return list(self.markers)

    def marker(self, name: str) -> np.ndarray:
        """Positions of one marker, (n, 2) or (n, 3) in metres.

        Raises
        ------
        MotionFileError
            When the marker is not in the file; the message lists the markers that are.
        """
        try:
            return self.markers[name]
        except KeyError:
            raise MotionFileError(
                self.source, column_name=f"marker {name!r}", problem="no such marker",
                accepted="one of " + _listing(self.markers)) from None

    def column(self, name: str) -> np.ndarray:
        """One numeric column, (n,).

        Raises
        ------
        MotionFileError
            When the column is not in the file; the message lists the columns that are.
        """
        try:
            return self.columns[name]
        except KeyError:
            raise MotionFileError(
                self.source, column_name=f"column {name!r}", problem="no such column",
                accepted="one of " + _listing(self.columns)) from None

    def has_marker(self, name: str) -> bool:
        """True when the marker exists and has at least one finite sample."""
        arr = self.markers.get(name)
        return arr is not None and bool(np.isfinite(arr).any())

    def to_dataframe(self):
        """All columns and marker coordinates as a pandas DataFrame indexed by ``time_s``.

        Marker coordinates become columns ``<name>_x_m``, ``<name>_y_m`` (and ``_z_m``).
        """
        import pandas as pd

        data = {}
        for name, arr in self.markers.items():
            for k, axis in enumerate("xyz"[: arr.shape[1]]):
                data[f"{name}_{axis}_m"] = arr[:, k]
        for name, arr in self.columns.items():
            data[name] = arr
        return pd.DataFrame(data, index=pd.Index(self.time_s, name="time_s"))

    def __repr__(self) -> str:
        return (f"Motion(source={self.source!r}, format={self.format!r}, n_frames={self.n_frames}, "
                f"duration_s={self.duration_s:.4g}, rate_hz={self.rate_hz!r}, "
                f"markers={len(self.markers)}, columns={len(self.columns)})")


def _listing(names, limit: int = 40) -> str:
    names = list(names)
    if not names:
        return "(none: the file has none)"
    shown = ", ".join(names[:limit])
    if len(names) > limit:
        shown += f", ... ({len(names)} in all)"
    return shown
