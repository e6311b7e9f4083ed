import importlib
import json
import pkgutil

from django.core.management.base import BaseCommand, CommandError

from scheduling import benchmarks


def benchmarks_known() -> dict[str, str]:
    """Each module of scheduling/benchmarks not starting with "_", with its docstring's first
    line."""
    names = {}
    for info in pkgutil.iter_modules(benchmarks.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{benchmarks.__name__}.{info.name}")
        names[info.name] = (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""
    return names


class Command(BaseCommand):
    help = "Run a benchmark by name and print its figures (see scheduling/benchmarks/)."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="benchmark name; omit to list them")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="print one JSON list of cases"
        )

    def handle(self, *args, name=None, as_json=False, **options):
        known = benchmarks_known()
        if not name:
            for bench_name, description in sorted(known.items()):
                self.stdout.write(f"{bench_name:16} {description}")
            return
        if name not in known:
            raise CommandError(f"unknown benchmark {name!r}; known: {', '.join(sorted(known))}")
        cases = importlib.import_module(f"{benchmarks.__name__}.{name}").run()
        if as_json:
            self.stdout.write(json.dumps(cases, indent=2, default=str))
            return
        for case in cases:
            extras = "  ".join(f"{k}={v}" for k, v in case.items() if k not in {"label", "seconds"})
            self.stdout.write(f"{case['label']:60} {case['seconds'] * 1000:10.1f} ms  {extras}")
