"""`make bench`: runs every benchmarks/bench_*.py in turn, prints their figures, then one summary table.

Each bench module has a main() that prints lines of the form `name: value unit (goal ...)`, ideally through
benchmarks/figures.py's figure(), which adds the anchor, the ratio to it and the load average. The machine's
1-minute load average is printed before and after each module; a figure taken while it was above the number of
cores is marked busy in the table (its own `[load ...]` if it has one, else the higher of its module's two).
`python benchmarks/run.py load pwa` runs only bench_load.py and bench_pwa.py.
"""
from __future__ import annotations

import importlib
import io
import logging
import os
import re
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "tests")]  # this checkout's pwa, not an installed one

from figures import load_average

CORES = os.cpu_count() or 1
LINE = re.compile(r"^(?P<name>[a-z][a-z0-9_]*): (?P<value>-?[\d,]*\.?\d+)(?: (?P<unit>[^\s(\[]+))?(?P<rest>.*)$")
PAREN = re.compile(r"\((.*)")  # to the line's end: some modules continue the parenthesis on the next line
LOAD = re.compile(r"\[load (?P<load>[\d.]+)\]")
GOAL = re.compile(r"(?<!ratio )goal:? *(?P<op>>=|<=|≥|≤|<|>)? *(?P<number>-?[\d,]*\.?\d+)")
RATIO_GOAL = re.compile(r"ratio goal (?P<op>>=|<=|≥|≤|<|>) *(?P<number>-?[\d.]+)")
RATIO = re.compile(r", ratio (?P<ratio>[\d.e+-]+|inf)")


class Tee(io.TextIOBase):
    """Writes through to the terminal and keeps the lines, to read the figures back."""

    def __init__(self, out):
        self.out, self.text = out, []

    def write(self, text):
        self.text.append(text)
        return self.out.write(text)

    def flush(self):
        self.out.flush()


def parse(lines: list[str], module: str, module_load: float) -> list[dict]:
    figures = []
    for line in lines:
        found = LINE.match(line.strip())
        if not found or found["name"] == module:  # "load: 25,205 byte bundle, ..." introduces a module's figures
            continue
        paren = PAREN.search(found["rest"])
        paren = paren[1] if paren else ""
        load = LOAD.search(found["rest"])
        goal, ratio_goal, ratio = GOAL.search(paren), RATIO_GOAL.search(paren), RATIO.search(paren)
        value = float(found["value"].replace(",", ""))
        figure = {"module": module, "name": found["name"], "value": value, "unit": found["unit"] or "",
                  "goal": "", "ratio": float(ratio["ratio"]) if ratio else None,
                  "load": float(load["load"]) if load else module_load, "passes": []}
        if goal and not re.search(r"no goal|reference only", paren):
            op = goal["op"] or "<="  # "(goal 0)": at most that
            figure["goal"] = f"{op} {goal['number']}"
            figure["passes"].append(meets(value, op, float(goal["number"].replace(",", ""))))
        if ratio_goal:
            figure["goal"] = (figure["goal"] + "; " if figure["goal"] else "") + f"ratio {ratio_goal['op']} " \
                             f"{ratio_goal['number']}"
            figure["passes"].append(figure["ratio"] is not None
                                    and meets(figure["ratio"], ratio_goal["op"], float(ratio_goal["number"])))
        figures.append(figure)
    return figures


def meets(value: float, op: str, goal: float) -> bool:
    return {">=": value >= goal, "≥": value >= goal, ">": value > goal, "<": value < goal}.get(op, value <= goal)


def summary(figures: list[dict]) -> None:
    print(f"\n== summary ({CORES} cores; busy: the 1-minute load average was above {CORES} when the figure was "
          "taken, so it is slower than on a quiet machine)")
    width = max([len(f["name"]) for f in figures] + [6])
    print(f"{'figure':<{width}}  {'value':>12}  {'goal':<20}  {'ratio':>8}  {'result':<6}  {'load':>5}")
    for f in figures:
        digits = 0 if abs(f["value"]) >= 100 or f["value"].is_integer() else 1 if abs(f["value"]) >= 10 else 2
        value = f"{f['value']:,.{digits}f} {f['unit']}".strip()
        ratio = "" if f["ratio"] is None else f"{f['ratio']:.2f}" if f["ratio"] >= 0.1 else f"{f['ratio']:.2g}"
        result = "-" if not f["passes"] else "pass" if all(f["passes"]) else "OVER"
        busy = "  busy" if f["load"] > CORES else ""
        print(f"{f['name']:<{width}}  {value:>12}  {f['goal']:<20}  {ratio:>8}  {result:<6}  {f['load']:>5.2f}{busy}")


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no request log lines among the figures
    only = sys.argv[1:]
    figures, failed = [], []
    for path in sorted(HERE.glob("bench_*.py")):
        module = path.stem.removeprefix("bench_")
        if only and module not in only:
            continue
        before = load_average()
        print(f"== {module} (load average before: {before:.2f} on {CORES} cores)", flush=True)
        tee = Tee(sys.stdout)
        sys.stdout = tee
        try:
            importlib.import_module(path.stem).main()
        except Exception:  # noqa: BLE001 (one broken bench must not hide the others' figures)
            traceback.print_exc()
            failed.append(module)
        finally:
            sys.stdout = tee.out
        after = load_average()
        print(f"== {module} done (load average after: {after:.2f})", flush=True)
        figures += parse("".join(tee.text).splitlines(), module, max(before, after))
    summary(figures)
    if failed:
        print(f"failed to run: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
