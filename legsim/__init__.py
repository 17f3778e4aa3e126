"""legsim: the swing-leg recovery of a runner, simulated.

Public API (imported lazily so that ``import legsim`` stays fast and never imports sympy,
numba-compiled code or matplotlib until needed):

- `load_scenario(path)` -> Scenario
- `simulate(scenario)` -> Result
- `compare(scenarios)` -> Comparison
- `sweep(scenario, params, mode=..., n=..., seed=..., out=..., executor=...)` -> DataFrame (or
  the output file's path); the module is `legsim.sweeps`
- `inverse_dynamics(motion, mass_kg=..., height_m=..., sex=...)` -> InverseResult (net hip and
  knee torques of measured motion; `legsim.inverse`)
- `analyze(motion, ...)` -> Analysis (technique classification and what-if; `legsim.analysis`)
- `read_motion(path)` -> Motion (`legsim.io`)
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["load_scenario", "simulate", "compare", "sweep", "inverse_dynamics", "analyze",
           "read_motion", "ScenarioError", "__version__"]


def __getattr__(name):
    if name == "load_scenario":
        from .scenario import load_scenario

        return load_scenario
    if name in ("simulate", "compare"):
        from . import simulation as _sim

        return getattr(_sim, name)
    if name == "sweep":
        from .sweeps import sweep

        return sweep
    if name == "inverse_dynamics":
        from .inverse import inverse_dynamics

        return inverse_dynamics
    if name == "analyze":
        from .analysis import analyze

        return analyze
    if name == "read_motion":
        from .io import read_motion

        return read_motion
    if name == "ScenarioError":
        from .errors import ScenarioError

        return ScenarioError
    raise AttributeError(f"module 'legsim' has no attribute {name!r}")
