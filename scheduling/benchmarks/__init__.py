"""Benchmarks run by `python manage.py bench NAME`.

Each module here is one benchmark: it defines `run() -> list[dict]`, one dict per case with at
least `label` and `seconds` (and whatever else the case measures, e.g. `optimal`, `objective`).
The module's docstring is its one-line description.
"""
