"""Readers for measured motion: design.md CSVs, OpenSim TRC/MOT/STO, Kinovea exports, marker tables.

`read_motion` returns a `Motion` (times in s, markers in m, angles in degrees); `read_forces`
returns `Forces` (vertical ground reaction force per foot or plate, for checking event
detection); `read_table` reads any headed table of numbers. `standard_marker_names` finds hip,
knee, ankle, heel and toe among a file's marker names in several languages (`ALIASES`).
Formats, unit rules and errors are documented in docs/motion_files.md.
"""
from legsim.io.aliases import ALIASES, normalise_marker_name, standard_marker_names
from legsim.io.forces import Forces, read_forces
from legsim.io.motion import FORMATS, Motion, MotionFileError
from legsim.io.read import detect_format, read_motion
from legsim.io.tables import Table, read_table

__all__ = ["ALIASES", "FORMATS", "Forces", "Motion", "MotionFileError", "Table", "detect_format",
           "normalise_marker_name", "read_forces", "read_motion", "read_table",
           "standard_marker_names"]
