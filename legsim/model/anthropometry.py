"""Segment parameters of the swing leg from published anthropometric tables.

Two rigid bodies hang from the hip joint centre: the thigh (hip -> knee) and a shank+foot
composite (knee -> ankle, with the foot rigidly fixed at ``ankle_angle_deg``). Values are
scaled to the subject's body mass and stature from

- de Leva (1996), *J Biomech* 29:1223-1230, Table 4 (sex-specific; default), and
- Winter (2009), *Biomechanics and Motor Control of Human Movement*, 4th ed., Table 4.1
  (Dempster's cadaver data; not sex-specific).

Every number, its source and every assumption made here is listed in
``docs/anthropometry.md``. Plain Python and numpy only (this module is imported by the
scenario layer; the numba core receives the plain floats).

Conventions (``docs/architecture.md``): hip frame x forward, y up, origin at the hip joint
centre. Shank frame: ``e_s`` along knee -> ankle, ``n_s`` = ``e_s`` rotated +90 deg
(anterior when the shank hangs vertically). A point of the shank+foot body is
``knee + along * e_s + perp * n_s``.

Run ``python -m legsim.model.anthropometry --mass-kg 75 --height-m 1.80`` for a summary.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Mapping

import numpy as np

__all__ = [
    "TABLES",
    "SEXES",
    "LegParameters",
    "SegmentFractions",
    "leg_parameters",
    "table_fractions",
    "combine_bodies",
    "foot_geometry",
    "heel_buttock_clearance",
    "first_heel_contact_knee_flexion_deg",
]

TABLES = ("de_leva_1996", "winter_2009")
SEXES = ("male", "female")

# Accepted input ranges (inclusive), used in the error messages.
MASS_RANGE_KG = (20.0, 300.0)
HEIGHT_RANGE_M = (1.0, 2.5)
ANKLE_RANGE_DEG = (45.0, 180.0)


@dataclass(frozen=True)
class SegmentFractions:
    """One segment of a table, as fractions.

    mass: of body mass; com: of segment length, from the proximal endpoint; gyration: radius
    of gyration about the CoM for flexion-extension, as a fraction of segment length;
    length: segment length as a fraction of stature (None where the table has none).
    """

    endpoints: str
    mass: float
    com: float
    gyration: float
    length: float | None


# ---------------------------------------------------------------------------------------
# Table values (docs/anthropometry.md, section "Tables")
# ---------------------------------------------------------------------------------------

#: de Leva (1996) Table 4, "transverse" radius column (the axis normal to the sagittal plane,
#: following R. Gurchiek's reading; see the docs). Lengths as fractions of stature: male from
#: de Leva's mean male lengths (stature 1741 mm: thigh 422.2, shank 434.0, foot 258.1 mm);
#: female from de Leva's Table 1 mean female lengths (stature 1735 mm: thigh 368.5, shank 432.3,
#: foot 228.3 mm; not cross-checked against the paper in this project).
_DE_LEVA_1996 = {
    "male": {
        "thigh": SegmentFractions("HJC-KJC", 0.1416, 0.4095, 0.329, 422.2 / 1741.0),
        "shank": SegmentFractions("KJC-AJC", 0.0433, 0.4395, 0.246, 434.0 / 1741.0),
        "foot": SegmentFractions("HEEL-TTIP", 0.0137, 0.4415, 0.245, 258.1 / 1741.0),
    },
    "female": {
        "thigh": SegmentFractions("HJC-KJC", 0.1478, 0.3612, 0.364, 368.5 / 1735.0),
        "shank": SegmentFractions("KJC-AJC", 0.0481, 0.4352, 0.263, 432.3 / 1735.0),
        "foot": SegmentFractions("HEEL-TTIP", 0.0129, 0.4014, 0.279, 228.3 / 1735.0),
    },
}

#: Winter (2009) Table 4.1 (Dempster), file BSP_DempsterWinter.txt: mass, CoM from proximal,
#: radius of gyration about the CoM. Lengths from Winter's stature fractions: hip 0.530 H,
#: knee 0.285 H, ankle 0.039 H, foot length 0.152 H. The foot's own length (LMAL-MT2) is not a
#: stature fraction in the table; it follows from the foot geometry below (``length=None``).
_WINTER_2009_SEGMENTS = {
    "thigh": SegmentFractions("GTR-KJC", 0.100, 0.433, 0.323, 0.530 - 0.285),
    "shank": SegmentFractions("KJC-MMAL", 0.0465, 0.433, 0.302, 0.285 - 0.039),
    "foot": SegmentFractions("LMAL-MT2", 0.0145, 0.50, 0.475, None),
}
_WINTER_2009 = {"male": _WINTER_2009_SEGMENTS, "female": _WINTER_2009_SEGMENTS}

#: Winter (2009) Table 4.1 composite rows, kept for checks (tests and docs), not used to build
#: the model: "foot and leg" (KJC-MMAL) and "total leg" (GTR-MMAL); (mass, com from
#: proximal, r about CoM, r about proximal) as fractions.
WINTER_2009_FOOT_LEG = (0.061, 0.606, 0.416, 0.735)
WINTER_2009_TOTAL_LEG = (0.161, 0.447, 0.326, 0.560)

# Foot geometry (fractions; docs/anthropometry.md, "Foot, heel and toe").
#: Ankle joint centre above the sole, fraction of stature (Winter 2009, Fig. 4.1: 0.039 H).
ANKLE_HEIGHT_FRACTION = 0.039
#: Winter's foot length, fraction of stature (Winter 2009, Fig. 4.1: 0.152 H).
WINTER_FOOT_LENGTH_FRACTION = 0.152
#: Heel behind the ankle along the foot axis, fraction of foot length. Estimate: no published
#: value found; Winter's Appendix A walking subject (raw heel, ankle, toe markers) gives 0.244.
HEEL_BEHIND_ANKLE_FRACTION = 0.24
#: Height of the foot CoM above the sole, fraction of the ankle height. Estimate (Winter's foot
#: CoM is the midpoint of LMAL and MT2 with MT2 at sole level; adopted for de Leva too).
FOOT_COM_HEIGHT_FRACTION = 0.5
#: Head of the 2nd metatarsal (Winter's distal foot endpoint) from the heel along the foot,
#: fraction of foot length, at sole level. Estimate.
MT2_FROM_HEEL_FRACTION = 0.73

#: Default buttock circle in the hip frame, fractions of stature (centre x, centre y, radius).
#: Estimate (no published source); see docs/anthropometry.md, "Buttock".
BUTTOCK_DEFAULT_FRACTIONS = (-0.025, 0.005, 0.055)

_TABLE_DATA = {"de_leva_1996": _DE_LEVA_1996, "winter_2009": _WINTER_2009}

_THIGH_KEYS = ("mass_kg", "length_m", "com_m", "inertia_kgm2")
_SHANK_KEYS = ("mass_kg", "length_m", "com_m", "com_offset_m", "inertia_kgm2")
_BUTTOCK_KEYS = ("x_m", "y_m", "radius_m")


# ---------------------------------------------------------------------------------------
# Result type
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LegParameters:
    """Segment parameters of one leg, SI units.

    Thigh: ``thigh_com_m`` from the hip along hip -> knee; ``thigh_inertia_kgm2`` about the
    thigh CoM (flexion-extension axis). Shank: the shank+foot **composite**; ``shank_com_m``
    from the knee along knee -> ankle, ``shank_com_offset_m`` perpendicular (anterior +),
    ``shank_inertia_kgm2`` about the composite CoM. Heel and toe are (along, perp) coordinates
    in the shank frame from the knee. The buttock is a circle fixed in the hip frame.
    """

    thigh_mass_kg: float
    thigh_length_m: float
    thigh_com_m: float
    thigh_inertia_kgm2: float
    shank_mass_kg: float
    shank_length_m: float
    shank_com_m: float
    shank_com_offset_m: float
    shank_inertia_kgm2: float
    heel_along_m: float
    heel_perp_m: float
    toe_along_m: float
    toe_perp_m: float
    foot_length_m: float
    ankle_angle_deg: float
    buttock_x_m: float
    buttock_y_m: float
    buttock_radius_m: float
    table: str
    notes: tuple[str, ...]

    def hip_moment_of_inertia(self, knee_flexion_rad):
        """Moment of inertia of the whole leg (thigh + shank+foot) about the hip, kg m^2.

        Depends only on knee flexion (the thigh angle does not enter). Accepts a float or an
        array of knee flexion angles in radians; returns the same shape.
        """
        phi = np.asarray(knee_flexion_rad, dtype=float)
        lt, c, d = self.thigh_length_m, self.shank_com_m, self.shank_com_offset_m
        # composite CoM in thigh coordinates: knee + c e_s + d n_s with
        # e_s = (cos phi, -sin phi), n_s = (sin phi, cos phi)
        r2 = lt * lt + c * c + d * d + 2.0 * lt * (c * np.cos(phi) + d * np.sin(phi))
        out = (
            self.thigh_inertia_kgm2
            + self.thigh_mass_kg * self.thigh_com_m**2
            + self.shank_inertia_kgm2
            + self.shank_mass_kg * r2
        )
        return float(out) if out.ndim == 0 else out

    @property
    def total_mass_kg(self) -> float:
        return self.thigh_mass_kg + self.shank_mass_kg

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of every field (notes as a list), e.g. for metrics or YAML output."""
        d = asdict(self)
        d["notes"] = list(self.notes)
        return d


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def table_fractions(table: str = "de_leva_1996", sex: str = "male") -> dict[str, SegmentFractions]:
    """The table's fractions for thigh, shank and foot (copies of the module constants)."""
    table = _check_choice("table", table, TABLES)
    sex = _check_choice("sex", sex, SEXES)
    return dict(_TABLE_DATA[table][sex])


def combine_bodies(bodies) -> tuple[float, float, float, float]:
    """Combine planar rigid bodies rigidly fixed to each other.

    ``bodies``: iterable of (mass, x, y, inertia about own CoM). Returns
    (mass, x_com, y_com, inertia about the combined CoM) by the parallel-axis theorem.
    """
    bodies = [tuple(float(v) for v in b) for b in bodies]
    m = sum(b[0] for b in bodies)
    if not m > 0.0:
        raise ValueError(f"combine_bodies: total mass must be positive, found {m}")
    x = sum(b[0] * b[1] for b in bodies) / m
    y = sum(b[0] * b[2] for b in bodies) / m
    inertia = sum(b[3] + b[0] * ((b[1] - x) ** 2 + (b[2] - y) ** 2) for b in bodies)
    return m, x, y, inertia


def foot_geometry(
    table: str, sex: str, height_m: float, shank_length_m: float, ankle_angle_deg: float
) -> dict[str, Any]:
    """Foot points and foot CoM in shank coordinates (along, perp) from the knee.

    The ankle joint centre is at (shank_length, 0). Foot frame: ``u`` heel -> toe,
    ``w`` perpendicular to the sole pointing from the sole towards the ankle. With alpha the
    ankle angle, ``u = (-cos alpha, sin alpha)`` and ``w = (-sin alpha, -cos alpha)`` in
    (along, perp) components. Heel and toe lie on the sole line, the ankle ``ankle_height``
    above it and ``HEEL_BEHIND_ANKLE_FRACTION * foot_length`` in front of the heel.

    Returns a dict with heel, toe, com (tuples), foot_length_m, ankle_height_m,
    foot_mass_fraction, foot_inertia_length_m (the length the radius-of-gyration fraction
    multiplies) and, for Winter, mt2 (tuple).
    """
    table = _check_choice("table", table, TABLES)
    sex = _check_choice("sex", sex, SEXES)
    foot = _TABLE_DATA[table][sex]["foot"]
    a = math.radians(ankle_angle_deg)
    u = np.array([-math.cos(a), math.sin(a)])
    w = np.array([-math.sin(a), -math.cos(a)])
    ankle = np.array([shank_length_m, 0.0])
    h_a = ANKLE_HEIGHT_FRACTION * height_m
    if table == "de_leva_1996":
        lf = foot.length * height_m
    else:
        lf = WINTER_FOOT_LENGTH_FRACTION * height_m
    heel = ankle - HEEL_BEHIND_ANKLE_FRACTION * lf * u - h_a * w
    toe = heel + lf * u

    def at(x, y):  # foot coordinates (x from the heel along u, y above the sole) -> shank
        return heel + x * u + y * w

    out: dict[str, Any] = {"foot_length_m": lf, "ankle_height_m": h_a}
    if table == "de_leva_1996":
        com = at(foot.com * lf, FOOT_COM_HEIGHT_FRACTION * h_a)
        out["foot_inertia_length_m"] = lf  # HEEL-TTIP
    else:
        mt2 = at(MT2_FROM_HEEL_FRACTION * lf, 0.0)
        com = ankle + foot.com * (mt2 - ankle)  # LMAL-MT2, LMAL taken as the ankle centre
        out["foot_inertia_length_m"] = float(np.hypot(*(mt2 - ankle)))
        out["mt2"] = (float(mt2[0]), float(mt2[1]))
    out["heel"] = (float(heel[0]), float(heel[1]))
    out["toe"] = (float(toe[0]), float(toe[1]))
    out["com"] = (float(com[0]), float(com[1]))
    out["foot_mass_fraction"] = foot.mass
    out["foot_gyration"] = foot.gyration
    return out


def heel_buttock_clearance(params: LegParameters, thigh_angle_rad, knee_flexion_rad):
    """Distance from the heel point to the buttock circle's surface, m (negative inside).

    Reference implementation in numpy for checks and docs (the simulation uses the numba
    kinematics in ``legsim.core``). Accepts floats or broadcastable arrays.
    """
    th = np.asarray(thigh_angle_rad, dtype=float)
    psi = th - np.asarray(knee_flexion_rad, dtype=float)
    kx = params.thigh_length_m * np.sin(th)
    ky = -params.thigh_length_m * np.cos(th)
    hx = kx + params.heel_along_m * np.sin(psi) + params.heel_perp_m * np.cos(psi)
    hy = ky - params.heel_along_m * np.cos(psi) + params.heel_perp_m * np.sin(psi)
    dist = np.hypot(hx - params.buttock_x_m, hy - params.buttock_y_m) - params.buttock_radius_m
    return float(dist) if dist.ndim == 0 else dist


def first_heel_contact_knee_flexion_deg(params: LegParameters, thigh_angle_deg: float = 0.0):
    """Smallest knee flexion (deg, 0-180 in 0.01 deg steps) at which the heel touches the
    buttock circle with the thigh held at ``thigh_angle_deg``; None if it never does."""
    phi = np.radians(np.arange(0.0, 180.0 + 1e-9, 0.01))
    d = heel_buttock_clearance(params, math.radians(thigh_angle_deg), phi)
    idx = np.flatnonzero(d <= 0.0)
    return None if idx.size == 0 else float(np.degrees(phi[idx[0]]))


# ---------------------------------------------------------------------------------------
# Main entry
# ---------------------------------------------------------------------------------------


def leg_parameters(
    mass_kg: float,
    height_m: float,
    sex: str = "male",
    table: str = "de_leva_1996",
    ankle_angle_deg: float = 90.0,
    segments: Mapping[str, Mapping[str, float]] | None = None,
    buttock: Mapping[str, float] | None = None,
) -> LegParameters:
    """Segment parameters for a subject of ``mass_kg`` and ``height_m``.

    ``segments`` overrides table values: ``{"thigh": {mass_kg, length_m, com_m, inertia_kgm2},
    "shank": {mass_kg, length_m, com_m, com_offset_m, inertia_kgm2}}``, any subset; shank
    values are those of the shank+foot composite. A length alone (a measured length) replaces
    the stature-scaled one, and the CoM and inertia are recomputed from the table fractions
    with it; a mass alone scales the derived inertia (same radius of gyration). Explicit
    values always win. ``buttock`` overrides the buttock circle: ``{x_m, y_m, radius_m}``,
    any subset. Every override is recorded in ``notes``.

    Raises ValueError naming the parameter, the value found and what is accepted.
    """
    mass_kg = _check_number("mass_kg", mass_kg, *MASS_RANGE_KG, unit="kg")
    height_m = _check_number("height_m", height_m, *HEIGHT_RANGE_M, unit="m")
    sex = _check_choice("sex", sex, SEXES)
    table = _check_choice("table", table, TABLES)
    ankle_angle_deg = _check_number("ankle_angle_deg", ankle_angle_deg, *ANKLE_RANGE_DEG, unit="deg")
    seg = _check_segments(segments)
    butt = _check_buttock(buttock)

    fr = _TABLE_DATA[table][sex]
    notes: list[str] = []
    if table == "winter_2009":
        notes.append("winter_2009 is not sex-specific: the same fractions serve male and female")
    elif sex == "female":
        notes.append(
            "de_leva_1996 female segment lengths from de Leva (1996) Table 1 mean lengths "
            "(not cross-checked against the paper in this project)"
        )
    notes.append(
        "foot geometry (heel 0.24 foot length behind the ankle, foot CoM height) is an estimate; "
        "see docs/anthropometry.md"
    )

    # --- thigh -------------------------------------------------------------------------
    t = seg.get("thigh", {})
    tf = fr["thigh"]
    lt = t.get("length_m", tf.length * height_m)
    mt = t.get("mass_kg", tf.mass * mass_kg)
    ct = t.get("com_m", tf.com * lt)
    it = t.get("inertia_kgm2", mt * (tf.gyration * lt) ** 2)
    if "com_m" in t and not t["com_m"] <= lt:
        raise ValueError(
            f"segments.thigh.com_m: found {t['com_m']} m, accepted 0 <= com_m <= thigh length "
            f"({lt:.4g} m)"
        )
    for key in _THIGH_KEYS:
        if key in t:
            notes.append(_override_note("thigh", key, t[key], list(t)))

    # --- shank + foot composite ----------------------------------------------------------
    s = seg.get("shank", {})
    sf = fr["shank"]
    ls = s.get("length_m", sf.length * height_m)
    geo = foot_geometry(table, sex, height_m, ls, ankle_angle_deg)
    m_shank = sf.mass * mass_kg
    m_foot = geo["foot_mass_fraction"] * mass_kg
    i_shank = m_shank * (sf.gyration * ls) ** 2
    i_foot = m_foot * (geo["foot_gyration"] * geo["foot_inertia_length_m"]) ** 2
    m_c, c_along, c_perp, i_c = combine_bodies(
        [(m_shank, sf.com * ls, 0.0, i_shank), (m_foot, geo["com"][0], geo["com"][1], i_foot)]
    )
    ms = s.get("mass_kg", m_c)
    cs = s.get("com_m", c_along)
    ds = s.get("com_offset_m", c_perp)
    # a composite mass override keeps the composite's radius of gyration
    is_ = s.get("inertia_kgm2", i_c * ms / m_c)
    if "com_m" in s and not s["com_m"] <= ls:
        raise ValueError(
            f"segments.shank.com_m: found {s['com_m']} m, accepted 0 <= com_m <= shank length "
            f"({ls:.4g} m)"
        )
    for key in _SHANK_KEYS:
        if key in s:
            notes.append(_override_note("shank", key, s[key], list(s)))

    # --- buttock -----------------------------------------------------------------------
    bx, by, br = (f * height_m for f in BUTTOCK_DEFAULT_FRACTIONS)
    bx = butt.get("x_m", bx)
    by = butt.get("y_m", by)
    br = butt.get("radius_m", br)
    if butt:
        notes.append("buttock overridden: " + ", ".join(f"{k}={v:g}" for k, v in butt.items()))
    else:
        notes.append("buttock circle: default estimate scaled with height (no published source)")

    return LegParameters(
        thigh_mass_kg=float(mt),
        thigh_length_m=float(lt),
        thigh_com_m=float(ct),
        thigh_inertia_kgm2=float(it),
        shank_mass_kg=float(ms),
        shank_length_m=float(ls),
        shank_com_m=float(cs),
        shank_com_offset_m=float(ds),
        shank_inertia_kgm2=float(is_),
        heel_along_m=geo["heel"][0],
        heel_perp_m=geo["heel"][1],
        toe_along_m=geo["toe"][0],
        toe_perp_m=geo["toe"][1],
        foot_length_m=float(geo["foot_length_m"]),
        ankle_angle_deg=float(ankle_angle_deg),
        buttock_x_m=float(bx),
        buttock_y_m=float(by),
        buttock_radius_m=float(br),
        table=table,
        notes=tuple(notes),
    )


# ---------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------


def _check_number(name, value, lo=None, hi=None, unit="", positive=False):
    unit_s = f" {unit}" if unit else ""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name}: found {value!r} ({type(value).__name__}), accepted a number{unit_s}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name}: found {value!r}, accepted a finite number{unit_s}")
    if positive and not v > 0.0:
        raise ValueError(f"{name}: found {value!r}, accepted a positive number{unit_s}")
    if lo is not None and not (lo <= v <= hi):
        raise ValueError(f"{name}: found {value!r}, accepted {lo:g} to {hi:g}{unit_s}")
    return v


def _check_choice(name, value, choices):
    if not isinstance(value, str) or value.strip().lower() not in choices:
        raise ValueError(f"{name}: found {value!r}, accepted one of {', '.join(choices)}")
    return value.strip().lower()


def _check_segments(segments) -> dict[str, dict[str, float]]:
    if segments is None:
        return {}
    if not isinstance(segments, Mapping):
        raise ValueError(
            f"segments: found {segments!r} ({type(segments).__name__}), accepted a mapping with "
            "keys thigh, shank"
        )
    out: dict[str, dict[str, float]] = {}
    for name, block in segments.items():
        if name not in ("thigh", "shank"):
            raise ValueError(f"segments: found key {name!r}, accepted thigh, shank")
        keys = _THIGH_KEYS if name == "thigh" else _SHANK_KEYS
        if block is None:
            continue
        if not isinstance(block, Mapping):
            raise ValueError(
                f"segments.{name}: found {block!r} ({type(block).__name__}), accepted a mapping "
                f"with keys {', '.join(keys)}"
            )
        vals: dict[str, float] = {}
        for key, value in block.items():
            path = f"segments.{name}.{key}"
            if key not in keys:
                raise ValueError(f"{path}: unknown key {key!r}, accepted {', '.join(keys)}")
            if key == "com_offset_m":
                v = _check_number(path, value, -1.0, 1.0, unit="m")
            elif key == "com_m":
                v = _check_number(path, value, unit="m")
                if v < 0.0:
                    raise ValueError(
                        f"{path}: found {value!r}, accepted 0 <= com_m <= {name} length (m)"
                    )
            elif key == "length_m":
                v = _check_number(path, value, unit="m", positive=True)
                if v > 1.5:
                    raise ValueError(f"{path}: found {value!r}, accepted 0 < length_m <= 1.5 m")
            elif key == "mass_kg":
                v = _check_number(path, value, unit="kg", positive=True)
                if v > 100.0:
                    raise ValueError(f"{path}: found {value!r}, accepted 0 < mass_kg <= 100 kg")
            else:  # inertia
                v = _check_number(path, value, unit="kg m^2", positive=True)
                if v > 10.0:
                    raise ValueError(
                        f"{path}: found {value!r}, accepted 0 < inertia_kgm2 <= 10 kg m^2"
                    )
            vals[key] = v
        out[name] = vals
    return out


def _check_buttock(buttock) -> dict[str, float]:
    if buttock is None:
        return {}
    if not isinstance(buttock, Mapping):
        raise ValueError(
            f"buttock: found {buttock!r} ({type(buttock).__name__}), accepted a mapping with keys "
            f"{', '.join(_BUTTOCK_KEYS)}"
        )
    out: dict[str, float] = {}
    for key, value in buttock.items():
        path = f"buttock.{key}"
        if key not in _BUTTOCK_KEYS:
            raise ValueError(f"{path}: unknown key {key!r}, accepted {', '.join(_BUTTOCK_KEYS)}")
        if key == "radius_m":
            v = _check_number(path, value, unit="m", positive=True)
            if v > 0.5:
                raise ValueError(f"{path}: found {value!r}, accepted 0 < radius_m <= 0.5 m")
        else:
            v = _check_number(path, value, -1.0, 1.0, unit="m")
        out[key] = v
    return out


def _override_note(segment, key, value, given) -> str:
    note = f"segments.{segment}.{key} = {value:g} (explicit)"
    if key == "length_m":
        derived = [k for k in ("com_m", "inertia_kgm2") if k not in given]
        if derived:
            note += "; " + " and ".join(derived) + " recomputed from the table fractions with this length"
    if key == "mass_kg" and "inertia_kgm2" not in given:
        note += "; inertia scaled with the mass (table radius of gyration)"
    return note


# ---------------------------------------------------------------------------------------
# Summary (docs/anthropometry.md names this command)
# ---------------------------------------------------------------------------------------


def _summary(mass_kg: float, height_m: float, sex: str, ankle_angle_deg: float) -> str:
    rows = [
        ("thigh mass (kg)", "thigh_mass_kg", 3),
        ("thigh length (m)", "thigh_length_m", 4),
        ("thigh CoM from hip (m)", "thigh_com_m", 4),
        ("thigh I about CoM (kg m^2)", "thigh_inertia_kgm2", 4),
        ("shank+foot mass (kg)", "shank_mass_kg", 3),
        ("shank length knee-ankle (m)", "shank_length_m", 4),
        ("shank+foot CoM along, from knee (m)", "shank_com_m", 4),
        ("shank+foot CoM offset, anterior + (m)", "shank_com_offset_m", 4),
        ("shank+foot I about CoM (kg m^2)", "shank_inertia_kgm2", 4),
        ("heel (along, perp) (m)", ("heel_along_m", "heel_perp_m"), 4),
        ("toe (along, perp) (m)", ("toe_along_m", "toe_perp_m"), 4),
        ("foot length (m)", "foot_length_m", 4),
        ("buttock centre (x, y) (m)", ("buttock_x_m", "buttock_y_m"), 4),
        ("buttock radius (m)", "buttock_radius_m", 4),
    ]
    ps = [leg_parameters(mass_kg, height_m, sex, t, ankle_angle_deg) for t in TABLES]
    lines = [
        f"Subject: {mass_kg:g} kg, {height_m:g} m, {sex}, ankle {ankle_angle_deg:g} deg",
        "",
        "| quantity | " + " | ".join(TABLES) + " |",
        "|---|" + "---:|" * len(TABLES),
    ]

    def fmt(p, attr, nd):
        if isinstance(attr, tuple):
            return "(" + ", ".join(f"{getattr(p, a):.{nd}f}" for a in attr) + ")"
        return f"{getattr(p, attr):.{nd}f}"

    for label, attr, nd in rows:
        lines.append(f"| {label} | " + " | ".join(fmt(p, attr, nd) for p in ps) + " |")
    for phi in (0, 60, 90, 130, 145):
        lines.append(
            f"| I about hip, knee {phi} deg (kg m^2) | "
            + " | ".join(f"{p.hip_moment_of_inertia(math.radians(phi)):.3f}" for p in ps)
            + " |"
        )
    contact = [first_heel_contact_knee_flexion_deg(p, 0.0) for p in ps]
    lines.append(
        "| first heel-buttock contact, thigh vertical (knee flexion, deg) | "
        + " | ".join("never" if c is None else f"{c:.1f}" for c in contact)
        + " |"
    )
    return "\n".join(lines)


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(
        prog="python -m legsim.model.anthropometry",
        description="Print the derived leg parameters for both tables as a Markdown table.",
    )
    ap.add_argument("--mass-kg", type=float, default=75.0)
    ap.add_argument("--height-m", type=float, default=1.80)
    ap.add_argument("--sex", default="male")
    ap.add_argument("--ankle-angle-deg", type=float, default=90.0)
    a = ap.parse_args(argv)
    try:
        print(_summary(a.mass_kg, a.height_m, a.sex, a.ankle_angle_deg))
    except ValueError as exc:
        ap.exit(2, f"error: {exc}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
