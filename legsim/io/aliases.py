"""Marker names in several languages: `ALIASES` and `standard_marker_names`.

Labs and coaches name their points in their own language (Kinovea's ``Hanche``, ``Genou``,
``Malleole``) or after a marker set (``RHJC``, ``R.Knee``). `standard_marker_names` finds the
file's names for hip, knee, ankle, heel and toe. Matching ignores case, accents, spaces, dots,
dashes and underscores; with ``side=`` it also strips a side prefix or suffix (``R``, ``R_``,
``R.``, ``Right``, ``_r``, ``_R``). The table is documented in docs/motion_files.md.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["ALIASES", "standard_marker_names", "normalise_marker_name"]

#: Standard name -> names that mean it (English, French, German, Spanish, Portuguese, Italian,
#: Dutch, and joint-centre and Plug-in-Gait-style abbreviations: HJC, KNE, ANK, HEE, TOE). Compared after
#: `normalise_marker_name`, so case and accents do not matter.
ALIASES: dict[str, tuple[str, ...]] = {
    "hip": ("hip", "hip joint", "hip joint centre", "hip joint center", "hjc", "hip centre", "hip center",
            "greater trochanter", "trochanter", "gtr",
            "hanche", "grand trochanter",                      # French
            "hüfte", "huefte", "hufte", "hüftgelenk",          # German
            "cadera", "trocánter",                             # Spanish
            "quadril", "anca", "heup"),                        # Portuguese, Italian, Dutch
    "knee": ("knee", "kne", "knee joint", "knee joint centre", "knee joint center", "kjc", "knee centre",
             "knee center", "lateral epicondyle", "lateral femoral condyle",
             "genou",                                          # French
             "knie",                                           # German, Dutch
             "rodilla",                                        # Spanish
             "joelho", "ginocchio"),                           # Portuguese, Italian
    "ankle": ("ankle", "ank", "ankle joint", "ankle joint centre", "ankle joint center", "ajc", "ankle centre",
              "ankle center", "lateral malleolus", "malleolus",
              "malleole", "malléole", "cheville",              # French
              "knöchel", "knoechel", "sprunggelenk",           # German
              "tobillo", "maléolo", "maleolo",                 # Spanish
              "tornozelo", "caviglia", "malleolo", "enkel"),   # Portuguese, Italian, Dutch
    "heel": ("heel", "hee", "calcaneus", "cal", "calc",
             "talon",                                          # French
             "ferse",                                          # German
             "talón",                                          # Spanish
             "calcanhar", "calcagno", "tallone", "hiel"),      # Portuguese, Italian, Dutch
    "toe": ("toe", "toes", "toe tip", "hallux", "big toe",
            "orteil", "gros orteil", "pointe du pied",        # French
            "zehe", "zehen", "großzehe", "grosszehe",          # German
            "dedo", "dedo del pie", "punta del pie",           # Spanish
            "dedo do pé", "ponta do pé", "alluce", "punta", "teen"),  # Pt, It, Dutch
}

_SIDE_PREFIX = {
    "right": ("right", "rt", "r", "d", "droite", "derecha", "direita", "rechts", "destra"),
    "left": ("left", "lt", "l", "g", "gauche", "izquierda", "esquerda", "links", "sinistra"),
}


def normalise_marker_name(name: str) -> str:
    """Lower case, accents removed, separators (space . - _ /) removed: ``'R.Knee'`` -> ``'rknee'``."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("ß", "ss").lower()
    return re.sub(r"[\s._\-/]+", "", text)


def _strip_side(name: str, side: str) -> str | None:
    """The name without a side word for ``side`` ('right'/'left'); None if it has no such side."""
    raw = unicodedata.normalize("NFKD", str(name))
    raw = "".join(c for c in raw if not unicodedata.combining(c)).lower().strip()
    for word in sorted(_SIDE_PREFIX[side], key=len, reverse=True):
        # prefix: "r knee", "r.knee", "r_knee", "rknee" (single letters glued only when the rest
        # is a known alias, checked by the caller), "right knee"
        m = re.match(rf"^{re.escape(word)}(?P<sep>[\s._\-]*)(?P<rest>.+)$", raw)
        if m and (m.group("sep") or len(word) == 1):
            return normalise_marker_name(m.group("rest"))
        m = re.match(rf"^(?P<rest>.+?)[\s._\-]+{re.escape(word)}$", raw)
        if m:
            return normalise_marker_name(m.group("rest"))
    return None


_NORMALISED = {std: {normalise_marker_name(a) for a in names} for std, names in ALIASES.items()}


def standard_marker_names(motion, side: str | None = None) -> dict[str, str]:
    """The file's marker names for hip, knee, ankle, heel and toe.

    Parameters
    ----------
    motion : Motion or iterable of str
        A motion (its marker names are searched) or a list of names.
    side : {None, 'right', 'left'}
        None: names must match an alias exactly (``Hanche``, ``knee``). 'right'/'left': names
        must carry that side (``RKJC``, ``R.Knee``, ``Right knee``, ``knee_r``) and match once it
        is removed.

    Returns
    -------
    dict
        Standard name -> file name, only for the standard names found; when several file
        names match, the first in file order with data (not all-NaN) is returned.

    Examples
    --------
    >>> standard_marker_names(['Hanche', 'Genou', 'Malleole', 'Orteil', 'Epaule'])
    {'hip': 'Hanche', 'knee': 'Genou', 'ankle': 'Malleole', 'toe': 'Orteil'}
    >>> standard_marker_names(['R.Knee', 'L.Knee', 'R.Ankle'], side='left')
    {'knee': 'L.Knee'}
    """
    if side not in (None, "right", "left"):
        raise ValueError(f"side must be None, 'right' or 'left', not {side!r}")
    markers = getattr(motion, "markers", None)
    names = list(markers) if markers is not None else list(motion)
    has_data = (lambda n: motion.has_marker(n)) if markers is not None else (lambda n: True)
    found: dict[str, list[str]] = {}
    for name in names:
        key = normalise_marker_name(name) if side is None else _strip_side(name, side)
        if not key:
            continue
        for std, aliases in _NORMALISED.items():
            if key in aliases:
                found.setdefault(std, []).append(name)
    result = {}
    for std in ALIASES:
        if std in found:
            with_data = [n for n in found[std] if has_data(n)]
            result[std] = (with_data or found[std])[0]
    return result
