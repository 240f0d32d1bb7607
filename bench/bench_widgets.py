"""Median time of one scenario-explorer update (model + redraw), the budget being 50 ms.

Run: ``.venv/bin/python bench/bench_widgets.py``. It drives each explorer's controls programmatically, as the
widget tests do, and times ``control.value = ...`` (which runs the model and rebuilds the HTML output).
"""

from __future__ import annotations

import json
import statistics
import time

from course.views import widgets


def _time(setter, values) -> list[float]:
    times = []
    for value in values:
        start = time.perf_counter()
        setter(value)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> dict[str, float]:
    beijing = widgets.BeijingExplorer()
    slider = beijing.weight_sliders["ties_with_russia"]
    weights = [round(0.05 + 0.9 * i / 40, 3) for i in range(41)]
    b = _time(lambda v: setattr(slider, "value", v), weights)
    estimate = widgets.EstimateExplorer()
    ranges = [(10.0, 10.0 + i / 2) for i in range(41)]
    e = _time(lambda v: setattr(estimate.tonnes, "value", v), ranges)
    result = {
        "beijing_update_ms_median": round(statistics.median(b), 2),
        "estimate_update_ms_median": round(statistics.median(e), 2),
        "widget_update_ms": round(statistics.median(b + e), 2),
    }
    print(json.dumps(result, indent=2))
    print("budget: 50 ms per update:", "met" if result["widget_update_ms"] < 50 else "NOT met")
    return result


if __name__ == "__main__":
    main()
