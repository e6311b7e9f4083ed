"""Benchmarks run by `python manage.py bench NAME`.

Each module here is one benchmark: it defines `run() -> list[dict]`, one dict per case with at
least `label` and `seconds` (and whatever else the case measures, e.g. `optimal`, `objective`).
The module's docstring is its one-line description.
"""

import importlib
import pkgutil


def available() -> dict[str, str]:
    names = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        names[info.name] = (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""
    return names


def run(name: str) -> list[dict]:
    module = importlib.import_module(f"{__name__}.{name}")
    return module.run()
