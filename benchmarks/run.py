"""`make bench`: runs every benchmarks/bench_*.py in turn and prints their figures.

Each bench module has a main() that prints lines of the form `name: value unit (goal ...)`.
"""
import importlib
import logging
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "tests")]  # this checkout's pwa, not an installed one


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no request log lines among the figures
    only = sys.argv[1:]
    for path in sorted(HERE.glob("bench_*.py")):
        if only and path.stem.removeprefix("bench_") not in only:
            continue
        print(f"== {path.stem.removeprefix('bench_')}", flush=True)
        importlib.import_module(path.stem).main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
