"""One module per indicator family. Each defines ``CODE`` (the catalog code) and
``compute(inputs, windows, indicator) -> Computed``: a plain function over DataFrames."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType


@cache
def registry() -> dict[str, ModuleType]:
    """Indicator modules by catalog code."""
    import kinerja.indicators as pkg

    found = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        code = getattr(module, "CODE", None)
        if code:
            found[code] = module
    return found
