"""How a bench module reports a figure, so `make bench` (run.py) can put it in its summary table.

One line per figure:

    name: value unit (goal OP number; ratio goal OP number; anchor WHAT value unit, ratio R) [load L]

Every part after the unit may be left out. `goal` is checked against the value, `ratio goal` against the ratio
(value / anchor value, the anchor being what the figure is measured beside in the same run, e.g. nginx serving
the same bytes, or GOV.UK Frontend's component). `load` is the machine's 1-minute load average when the figure
was taken. Example:

    from figures import figure
    figure("load_proxy_page_rps", 9876, "req/s", ratio_goal=">= 0.5", anchor=19500, anchor_name="nginx static")

prints

    load_proxy_page_rps: 9876 req/s (ratio goal >= 0.5; anchor nginx static 19500 req/s, ratio 0.51) [load 1.20]

Lines written by hand in this shape are read the same way (run.py also reads the older `(goal <= 50 ms)` lines).
"""
from __future__ import annotations

import os


def load_average() -> float:
    return os.getloadavg()[0]


def figure(name: str, value: float, unit: str = "", *, goal: str | None = None, ratio_goal: str | None = None,
           anchor: float | None = None, anchor_name: str = "", digits: int | None = None, note: str = "",
           load: float | None = None) -> None:
    """Print one figure. goal / ratio_goal: ">= 2000", "<= 50". load: taken before the measurement if the
    caller has it (a benchmark's own work raises the average), else now."""
    parts = []
    if goal:
        parts.append(f"goal {goal}")
    if ratio_goal:
        parts.append(f"ratio goal {ratio_goal}")
    if anchor is not None:
        ratio = value / anchor if anchor else float("inf")
        parts.append(f"anchor {anchor_name + ' ' if anchor_name else ''}{number(anchor, digits)} {unit}".rstrip()
                     + f", ratio {ratio:.3g}")
    if note:
        parts.append(note)
    paren = f" ({'; '.join(parts)})" if parts else ""
    load = load_average() if load is None else load
    print(f"{name}: {number(value, digits)}{' ' + unit if unit else ''}{paren} [load {load:.2f}]", flush=True)


def number(value: float, digits: int | None) -> str:
    if digits is None:
        digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{value:.{digits}f}"
