"""The benchmark's output has every figure the course tracks (timings are measured by `make bench`, not here)."""

import json

from conftest import ROOT

KEYS = {
    "course_exec_s", "kernel_floor_s", "autograde_ps1_s", "autograde_stock_ps1_s", "autograde_vs_stock",
    "sandbox_start_s", "kernel_start_s", "autograde_floor_per_submission_s", "widget_update_ms", "map_html_kb_offline", "map_html_kb_online", "import_course_s",
    "setup_s", "venv_mb", "lab_start_cpu_s", "lab_start_cpu_stock_s", "class_pack_300_s", "autograde_pack_vs_stock",
}  # fmt: skip
#: Measured only as root (real Unix accounts): in the committed results when the bench ran as root, as it should.
HUB_KEYS = {
    "hub_first_page_s_median",
    "hub_first_page_prestarted_s_median",
    "hub_first_page_no_preload_s_median",
}


def test_committed_results_have_every_key():
    results = json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8"))
    assert KEYS <= set(results), f"missing: {sorted(KEYS - set(results))}; run make bench BENCH_ARGS=--fresh"
    assert all(isinstance(results[k], int | float) for k in KEYS)


def test_readme_reports_the_committed_figures():
    """The README's Performance table shows the figures of bench/results.json, not older ones."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Performance", 1)[1].split("\n## ", 1)[0]
    results = json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8"))
    stale = [k for k in sorted(KEYS | (HUB_KEYS & set(results))) if f"{results[k]}" not in section]
    assert not stale, f"README.md's Performance section does not show results.json's {stale}: update it"
