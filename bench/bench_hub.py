"""A class arriving at once: 20 students log in to the course's JupyterHub and run lesson 01 (issue 18).

Each simulated student, in a thread of their own, does what a browser does: logs in on the hub's page, waits for
their JupyterLab (time to first page: from the login to the lab page answering), opens lesson 01 in a new session
(kernel ready: until the kernel answers), runs every code cell over the kernel's websocket, and saves the
notebook with its outputs. Then: memory per person (the resident memory of everything their account runs, the
kernel included), whether the hub is still up, and whether every student's saved lesson holds its outputs.

Then the class arrives again with their servers started ahead (``hubctl prestart``, as ``make hub-prestart`` before
a class): the hub is restarted (which stops every server), the pre-start is timed, the CPU-seconds each server's
start cost are read from its processes, and the 20 log in at once again: time to first page, pre-started. Last,
the same cold storm with the preloaded starter switched off (each server importing everything itself, as stock
JupyterHub's LocalProcessSpawner starts it): first page and CPU-seconds per server start, beside the preloaded ones.

Needs root (real Unix accounts; tests/hubserver.py makes and removes them), npm and bubblewrap, like the hub test.
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

LESSON = "notebooks/01_the_summit.ipynb"
CLASS_SIZE = 20


def _cookies(opener, login: str) -> tuple[str, str]:
    """The Cookie header for the person's JupyterLab, and its XSRF token (the hub sets one of its own too)."""
    jar = next(h.cookiejar for h in opener.handlers if hasattr(h, "cookiejar"))
    mine = [c for c in jar if c.domain.lstrip(".").startswith(f"{login}.")]  # their own origin's cookies
    header = "; ".join(f"{c.name}={c.value}" for c in mine)
    xsrf = next((c.value for c in mine if c.name == "_xsrf"), "")
    return header, xsrf


def _request(opener, url: str, method: str = "GET", body: dict | None = None, xsrf: str = "") -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if xsrf:
        request.add_header("X-XSRFToken", xsrf)
    with opener.open(request, timeout=300) as response:
        text = response.read().decode()
    return json.loads(text) if text else {}


def _execute(ws, session: str, login: str, code: str) -> str:
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": login, "session": session,
                   "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))  # fmt: skip
    outputs = []
    while True:
        message = json.loads(ws.recv())
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = message["msg_type"]
        if kind in ("stream", "display_data", "execute_result", "error"):
            content = message["content"]
            outputs.append({"output_type": kind if kind != "stream" else "stream", **content})
        if message["channel"] == "shell" and kind == "execute_reply":
            return message["content"]["status"], outputs


def student(hub, login: str, results: dict) -> None:
    import websocket

    record: dict[str, object] = {}
    results[login] = record
    try:
        started = time.monotonic()
        opener, _ = hub.login(login, wait=True)  # until their JupyterLab page answers
        record["first_page_s"] = time.monotonic() - started
        record["server_cpu_s"] = server_cpu_s(login)
        cookie, xsrf = _cookies(opener, login)
        api = f"{hub.user_url(login)}/api"
        began = time.monotonic()
        session = _request(opener, f"{api}/sessions", "POST",
                           {"path": LESSON, "type": "notebook", "kernel": {"name": "python3"}}, xsrf)  # fmt: skip
        kernel = session["kernel"]["id"]
        ws_url = f"{hub.user_url(login).replace('http', 'ws', 1)}/api/kernels/{kernel}/channels"
        ws = websocket.create_connection(
            ws_url, header=[f"Cookie: {cookie}", f"X-XSRFToken: {xsrf}"], timeout=600
        )
        _execute(ws, session["id"], login, "1")
        record["kernel_ready_s"] = time.monotonic() - began
        notebook = _request(opener, f"{api}/contents/{LESSON}", xsrf=xsrf)["content"]
        failed = []
        for cell in notebook["cells"]:
            if cell["cell_type"] != "code":
                continue
            status, outputs = _execute(ws, session["id"], login, cell["source"])
            cell["outputs"] = (
                [o for o in outputs if o["output_type"] != "error"] if status == "ok" else outputs
            )
            for output in cell["outputs"]:
                output.pop("transient", None)
                if output["output_type"] in ("display_data", "execute_result"):
                    output.setdefault("metadata", {})
                if output["output_type"] == "execute_result":
                    output.setdefault("execution_count", None)
            if status != "ok":
                failed.append(cell["source"][:60])
        ws.close()
        record["lesson_s"] = time.monotonic() - began
        record["failed_cells"] = failed
        _request(opener, f"{api}/contents/{LESSON}", "PUT", {"type": "notebook", "content": notebook}, xsrf)
    except Exception as error:  # one student's failure is a figure, not the end of the run
        record["error"] = f"{type(error).__name__}: {error}"[:300]


def first_page(hub, login: str, results: dict, cpu: dict | None = None) -> None:
    try:
        started = time.monotonic()
        hub.login(login, wait=True)
        results[login] = time.monotonic() - started
        if cpu is not None:
            cpu[login] = server_cpu_s(login)
    except Exception as error:
        print(f"bench: {login}: {type(error).__name__}: {error}"[:300])


def storm(hub, logins: list[str]) -> tuple[dict[str, float], dict[str, float]]:
    """Everyone logs in at once; their first-page times and their servers' CPU-seconds then."""
    pages: dict[str, float] = {}
    cpu: dict[str, float] = {}
    threads = [threading.Thread(target=first_page, args=(hub, login, pages, cpu)) for login in logins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    return pages, cpu


def ordinary_starts(hub, logins: list[str]) -> dict[str, object]:
    """The same storm with the preloaded starter switched off (hubctl install --no-preload): each server imports
    everything itself, as every JupyterHub's LocalProcessSpawner does."""
    settings_file = hub.prefix / "etc" / "hub.json"
    settings = json.loads(settings_file.read_text(encoding="utf-8"))
    settings_file.write_text(json.dumps({**settings, "preload": False}), encoding="utf-8")
    try:
        hub.restart()
        pages, cpu = storm(hub, logins)
    finally:
        settings_file.write_text(json.dumps(settings), encoding="utf-8")
    values = list(pages.values()) or [-1.0]
    return {
        "hub_first_page_no_preload_s_median": round(statistics.median(values), 1),
        "hub_first_page_no_preload_s_worst": round(max(values), 1),
        "hub_server_start_cpu_no_preload_s_median": round(statistics.median(cpu.values() or [-1.0]), 2),
    }


def server_cpu_s(login: str) -> float:
    """CPU-seconds (user + system) the person's JupyterLab server has used so far, its children included."""
    import psutil

    total = 0.0
    for process in psutil.process_iter(["username", "cmdline", "cpu_times"]):
        if process.info["username"] == login and any(
            "jupyterhub-singleuser" in a for a in process.info["cmdline"] or []
        ):
            times = process.info["cpu_times"]
            total += times.user + times.system + times.children_user + times.children_system
    return total


def prestarted(hub, logins: list[str]) -> dict[str, object]:
    """Restart the hub (every server stops), pre-start the class, and let them log in at once again."""
    import subprocess

    hub.restart()
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(ROOT / "hub" / "hubctl.py"), "--prefix", str(hub.prefix), "prestart", "--wait", "900"],
        capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    prestart_s = time.monotonic() - began
    print(done.stdout + done.stderr)
    cpu = [server_cpu_s(login) for login in logins]
    pages, _ = storm(hub, logins)
    values = list(pages.values()) or [-1.0]
    return {
        "hub_prestart_s": round(prestart_s, 1),
        "hub_prestart_ok": done.returncode == 0,
        "hub_server_start_cpu_prestarted_s_median": round(statistics.median(cpu), 2),
        "hub_first_page_prestarted_s_median": round(statistics.median(values), 2),
        "hub_first_page_prestarted_s_worst": round(max(values), 2),
        "hub_prestarted_logins": len(pages),
    }


def memory_per_user_mb(logins: list[str]) -> list[float]:
    import psutil

    totals = dict.fromkeys(logins, 0)
    for process in psutil.process_iter(["username", "memory_info"]):
        user = process.info["username"]
        if user in totals and process.info["memory_info"]:
            totals[user] += process.info["memory_info"].rss
    return [round(v / 2**20, 1) for v in totals.values()]


def saved_with_outputs(login: str) -> bool:
    path = Path(f"/home/{login}") / LESSON
    notebook = json.loads(path.read_text())
    return any(cell.get("outputs") for cell in notebook["cells"] if cell["cell_type"] == "code")


def main(workdir: Path, class_size: int = CLASS_SIZE) -> dict[str, object]:
    from hubserver import cannot_run_reason, running_hub

    reason = cannot_run_reason()
    if reason:
        print(f"bench: hub load skipped: {reason}")
        return {}
    import signal

    # Stopped from outside (timeout, kill): still stop the hub and remove the accounts (running_hub's finally).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench: hub load stopped"))
    logins = [f"nt-s{i:02d}" for i in range(1, class_size + 1)]
    roster = "username,name,role\nnt-teach,Tess Teacher,instructor\n" + "".join(
        f"{login},Student {login[-2:]},student\n" for login in logins
    )
    with running_hub(roster, workdir) as hub:
        results: dict[str, dict] = {}
        threads = [threading.Thread(target=student, args=(hub, login, results)) for login in logins]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=1200)
        wall = time.monotonic() - began
        memory = memory_per_user_mb(logins)
        hub_up = urllib.request.urlopen(f"{hub.base}/hub/api", timeout=10).status == 200
        saved = sum(saved_with_outputs(login) for login in logins)
        early = prestarted(hub, logins)
        ordinary = ordinary_starts(hub, logins)
    done = [r for r in results.values() if "lesson_s" in r]
    errors = {login: r["error"] for login, r in results.items() if "error" in r}
    for login, error in errors.items():
        print(f"bench: {login}: {error}")

    def spread(key: str) -> tuple[float, float]:
        values = [r[key] for r in results.values() if key in r]
        return (round(statistics.median(values), 1), round(max(values), 1)) if values else (-1.0, -1.0)

    first_median, first_worst = spread("first_page_s")
    kernel_median, kernel_worst = spread("kernel_ready_s")
    lesson_median, lesson_worst = spread("lesson_s")
    cpu_median, _ = spread("server_cpu_s")
    return {
        "hub_class_size": class_size,
        "hub_students_done": len(done),
        "hub_students_saved": saved,
        "hub_up_after": hub_up,
        "hub_wall_s": round(wall, 1),
        "hub_first_page_s_median": first_median,
        "hub_first_page_s_worst": first_worst,
        "hub_server_start_cpu_s_median": cpu_median,
        "hub_kernel_ready_s_median": kernel_median,
        "hub_kernel_ready_s_worst": kernel_worst,
        "hub_lesson_s_median": lesson_median,
        "hub_lesson_s_worst": lesson_worst,
        "hub_memory_per_user_mb_median": round(statistics.median(memory), 1),
        "hub_memory_per_user_mb_worst": max(memory),
        "hub_failed_cells": sum(len(r.get("failed_cells", [])) for r in results.values()),
        **early,
        **ordinary,
    }


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        size = int(sys.argv[1]) if len(sys.argv) > 1 else CLASS_SIZE
        print(json.dumps(main(Path(tmp), size), indent=2))
