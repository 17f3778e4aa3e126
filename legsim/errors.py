"""Errors raised for bad user input (scenario files, tables, command-line values).

Every error a user can cause derives from `LegsimError`; the command line prints ``str(error)``
(one line, no traceback) and exits with `LegsimError.exit_status` (2). A `ScenarioError` names
where the problem is (file, line, key path), what was found and what is accepted::

    scenarios/x.yaml:12: subject.mass_kg: found -70 (a number); accepted: a number from 20 to 300 (kg)

The format is documented in docs/scenarios.md, section "Errors".
"""
from __future__ import annotations

import datetime as _dt

__all__ = ["LegsimError", "ScenarioError", "MISSING", "describe"]


class _Missing:
    """Marker for "the key is not there" (distinct from an explicit ``null``)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self):
        return (_Missing, ())


#: Value of `ScenarioError.found` when a required key is absent.
MISSING = _Missing()


def describe(value) -> str:
    """A value as a user wrote it, with its kind: ``-70 (a number)``, ``'yes' (a string)``."""
    if value is MISSING:
        return "nothing (the key is missing)"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a boolean)"
    if isinstance(value, (int, float)):
        return f"{value!r} (a number)"
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return f"{text!r} (a string)"
    if isinstance(value, dict):
        keys = ", ".join(str(k) for k in list(value)[:8])
        if len(value) > 8:
            keys += ", ..."
        return f"a mapping with keys {keys}" if value else "an empty mapping"
    if isinstance(value, (list, tuple)):
        n = len(value)
        return "an empty list" if n == 0 else f"a list of {n} item{'s' if n != 1 else ''}"
    if isinstance(value, (_dt.date, _dt.datetime)):
        return f"{value.isoformat()} (a date)"
    return f"{value!r} (a {type(value).__name__})"


def _rebuild(cls, state):
    err = cls.__new__(cls)
    Exception.__init__(err)
    err.__dict__.update(state)
    return err


class LegsimError(Exception):
    """Base of every error caused by user input; the CLI prints it and exits with status 2."""

    exit_status = 2


class ScenarioError(LegsimError):
    """A problem in a scenario file, a scenario dict or a file a scenario names.

    Attributes
    ----------
    file : str or None
        The file as shown to the user (relative to the working directory when below it).
    key : str or None
        Dotted key path, e.g. ``strategies[1].phases[0].until``.
    line, column : int or None
        1-based position in `file` where the parser knows it.
    found : object
        The offending value (`MISSING` when a required key is absent).
    accepted : str or None
        What would have been accepted.
    problem : str or None
        Text that replaces the default ``found <value>`` part of the message.
    note : str or None
        Extra context, printed last in parentheses.
    """

    def __init__(self, problem: str | None = None, *, file=None, key: str | None = None,
                 line: int | None = None, column: int | None = None, found=MISSING,
                 accepted: str | None = None, note: str | None = None):
        self.problem = problem
        self.file = None if file is None else str(file)
        self.key = key
        self.line = line
        self.column = column
        self.found = found
        self.accepted = accepted
        self.note = note
        super().__init__()

    @property
    def location(self) -> str:
        """``file:line:column`` as far as known ('' when nothing is known)."""
        loc = self.file or ""
        if self.line is not None:
            loc = f"{loc}:{self.line}" if loc else f"line {self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        return loc

    @property
    def message(self) -> str:
        return self.problem if self.problem is not None else f"found {describe(self.found)}"

    def __str__(self) -> str:
        head = ": ".join(part for part in (self.location, self.key) if part)
        text = f"{head}: {self.message}" if head else self.message
        if self.accepted:
            text += f"; accepted: {self.accepted}"
        if self.note:
            text += f" ({self.note})"
        return text

    def __reduce__(self):
        return (_rebuild, (type(self), dict(self.__dict__)))
