"""Side-by-side comparison of strategies from one or several scenarios.

A `Comparison` holds labelled `StrategyResult` objects (labels are unique: the strategy name
for one scenario; the scenario name when each scenario has one strategy; otherwise
``scenario/strategy``) and computes the differences of every metric against the first one.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from .metrics import METRIC_KEYS, UNITS
from .result import Result, StrategyResult


@dataclass
class Comparison:
    """Labelled strategies, in order; the first one is the reference of the differences."""

    items: list[tuple[str, StrategyResult]]
    results: list[Result] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.items]

    @property
    def strategies(self) -> dict[str, StrategyResult]:
        return dict(self.items)

    def __getitem__(self, label: str) -> StrategyResult:
        return self.strategies[label]

    def metrics(self) -> dict[str, dict]:
        return {label: r.metrics for label, r in self.items}

    def differences(self) -> dict[str, dict[str, dict]]:
        """For each strategy after the first: metric -> {"absolute": b - a, "percent": 100 (b - a)/|a|}
        against the first strategy (None where either value is missing or not a number; percent
        None where the reference is 0)."""
        ref = self.items[0][1].metrics
        out = {}
        for label, r in self.items[1:]:
            d = {}
            for key in METRIC_KEYS:
                d[key] = difference(ref.get(key), r.metrics.get(key))
            out[label] = d
        return out

    def document(self) -> dict:
        """Content of comparison.json."""
        return {
            "reference": self.labels[0],
            "strategies": self.labels,
            "units": {k: UNITS.get(k, "") for k in METRIC_KEYS},
            "metrics": {label: {k: _clean(v) for k, v in r.metrics.items()} for label, r in self.items},
            "differences": self.differences(),
        }

    def to_dataframe(self):
        """Metrics as a pandas DataFrame, one row per strategy (needs pandas)."""
        import pandas as pd

        return pd.DataFrame.from_dict(self.metrics(), orient="index")


def _clean(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def difference(a, b) -> dict:
    """Absolute and relative difference b - a of two metric values."""
    num = (int, float)
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, num) or not isinstance(b, num):
        return {"absolute": None, "percent": None}
    absolute = float(b) - float(a)
    percent = 100.0 * absolute / abs(a) if a != 0 else None
    return {"absolute": absolute, "percent": percent}


def _labelled(results: list[Result]) -> list[tuple[str, StrategyResult]]:
    if len(results) == 1:
        return list(results[0].strategies.items())
    names = [res.scenario.name for res in results]
    single = all(len(res.strategies) == 1 for res in results) and len(set(names)) == len(names)
    items = []
    for k, res in enumerate(results):
        for sname, r in res.strategies.items():
            if single:
                label = res.scenario.name
            else:
                label = f"{res.scenario.name}/{sname}"
            items.append((label, r))
    # make labels unique (the same scenario given twice)
    seen: dict[str, int] = {}
    unique = []
    for label, r in items:
        n = seen.get(label, 0)
        seen[label] = n + 1
        unique.append((label if n == 0 else f"{label}#{n + 1}", r))
    return [(label, dataclasses.replace(r, name=label)) for label, r in unique]


def comparison_of(results) -> Comparison:
    """A `Comparison` of one `Result` (its strategies) or of several (all their strategies)."""
    if isinstance(results, Result):
        results = [results]
    results = list(results)
    if not results:
        raise ValueError("nothing to compare")
    return Comparison(_labelled(results), results)


def format_table(cmp: Comparison) -> str:
    """Terminal table: one row per metric, a column per strategy, then the differences of each
    later strategy against the first (absolute and %)."""
    labels = cmp.labels
    diffs = cmp.differences()
    header = ["metric", "unit"] + labels
    for label in labels[1:]:
        header += [f"Δ {label}", "Δ %"]
    rows = []
    for key in METRIC_KEYS:
        row = [key, UNITS.get(key, "")]
        for label in labels:
            row.append(_fmt(cmp.strategies[label].metrics.get(key)))
        for label in labels[1:]:
            d = diffs[label][key]
            row.append(_fmt(d["absolute"], signed=True))
            row.append("—" if d["percent"] is None else f"{d['percent']:+.1f}%")
        rows.append(row)
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) if i < 2 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths)))]
    lines.append("-" * len(lines[0]))
    for r in rows:
        lines.append("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
    for label, r in cmp.items:
        lines.append(f"{label}: {r.reason}")
    return "\n".join(lines)


def _fmt(v, signed: bool = False) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    if isinstance(v, (int, float)):
        return f"{v:+.4g}" if signed else f"{v:.4g}"
    return str(v)
