"""The compiled core: numba functions over float arrays, SI units, radians.

Never imports the API layer, sympy, matplotlib or YAML.

numba's on-disk cache (``cache=True``) checks only the timestamp of the file that defines a
function, not of the modules it calls: after `legsim derive` regenerates the equations, or after
an edit of `dynamics.py`, the cached `integrate` would still run the old code. So the package
keeps a hash of its own sources beside the cache and empties the cache when they change.
"""
from __future__ import annotations


def _refresh_numba_cache() -> None:
    import hashlib
    import os
    from pathlib import Path

    if os.environ.get("NUMBA_CACHE_DIR"):  # a user-chosen cache location is the user's to manage
        return
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for src in sorted(here.glob("*.py")):
        digest.update(src.name.encode())
        digest.update(src.read_bytes())
    cache = here / "__pycache__"
    stamp = cache / "legsim-core-sources.sha256"
    try:
        if stamp.is_file() and stamp.read_text() == digest.hexdigest():
            return
        if cache.is_dir():
            for f in list(cache.glob("*.nbi")) + list(cache.glob("*.nbc")):
                f.unlink()
        cache.mkdir(exist_ok=True)
        stamp.write_text(digest.hexdigest())
    except OSError:  # read-only installation: numba falls back to its own cache locations
        pass


_refresh_numba_cache()
