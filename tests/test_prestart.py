"""The pre-start's plan and its conversation with the hub's API (the live hub: tests/test_hub.py)."""

from __future__ import annotations

import io
import json
import urllib.error
from datetime import datetime

import pytest

from course.deploy import prestart as pre


def test_the_plan_starts_whoever_fits_in_memory_in_roster_order():
    logins = [f"s{i:02d}" for i in range(1, 11)]
    chosen = pre.plan(logins, {"s02"}, available_mb=1024 + 4 * 300 + 299, mb_per_server=300, reserve_mb=1024)
    assert chosen.running == ["s02"]
    assert chosen.start == ["s01", "s03", "s04", "s05"]
    assert chosen.no_room == ["s06", "s07", "s08", "s09", "s10"]
    assert pre.plan(logins, set(), available_mb=900).start == []  # less than the reserve: nobody
    with pytest.raises(ValueError, match="positive"):
        pre.plan(logins, set(), 4000, mb_per_server=0)


class FakeHub:
    """JupyterHub's answers for a few users: who exists, whose server runs, and one who cannot start."""

    def __init__(self, known: set[str], running: set[str], broken: str = "") -> None:
        self.known, self.running, self.broken = known, running, broken
        self.calls: list[tuple[str, str]] = []

    def __call__(self, request, timeout=None):
        method, path = request.get_method(), request.full_url.split("/hub/api", 1)[1]
        self.calls.append((method, path))
        assert request.get_header("Authorization") == "token secret"
        login = path.split("/")[2]
        if method == "GET":
            if login not in self.known:
                return self._error(404, "no such user")
            server = {"": {"ready": True}} if login in self.running else {}
            return self._ok(200, {"name": login, "servers": server})
        if path.endswith("/server"):
            if login in self.running:
                return self._error(400, f"{login} is already running")
            if login == self.broken:
                return self._error(500, "spawn failed: no such file")
            self.running.add(login)
            return self._ok(202, {})
        self.known.add(login)
        return self._ok(201, {"name": login})

    @staticmethod
    def _ok(status, body):
        response = io.BytesIO(json.dumps(body).encode())
        response.status = status
        return response

    @staticmethod
    def _error(status, message):
        raise urllib.error.HTTPError(
            "url", status, message, {}, io.BytesIO(json.dumps({"message": message}).encode())
        )


def test_prestart_adds_unknown_users_starts_the_rest_and_reports_the_culler(monkeypatch):
    monkeypatch.setattr(pre.time, "sleep", lambda _: None)
    hub = FakeHub(known={"s01", "s02", "s03"}, running={"s01"}, broken="s03")
    api = pre.HubAPI("http://127.0.0.1:1/hub/api", "secret", opener=hub)
    said = []
    report = pre.prestart(
        api, ["s01", "s02", "s03", "s04", "s05"], available_mb=1024 + 3 * 300, cull_idle_seconds=3600,
        wait_seconds=5, say=said.append, now=lambda: datetime(2026, 12, 7, 8, 40),
    )  # fmt: skip
    assert report["already_running"] == ["s01"]
    assert report["started"] == ["s02", "s04"]  # s04 was not known to the hub: added first
    assert report["no_room"] == ["s05"]
    assert set(report["failed"]) == {"s03"} and "spawn failed" in report["failed"]["s03"]
    assert ("POST", "/users/s04") in hub.calls and ("POST", "/users/s02") not in hub.calls
    text = "\n".join(said)
    assert "not started, for want of memory (room for 3): s05" in text
    assert "s03: not started: 500: spawn failed" in text
    assert "stopped by the idle culler 60 min after it started (about 09:40)" in text


def test_a_hub_that_does_not_answer_gets_a_clear_error():
    def refuse(request, timeout=None):
        raise urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))

    api = pre.HubAPI("http://127.0.0.1:1/hub/api", "secret", opener=refuse)
    with pytest.raises(pre.PrestartError, match="is the hub running"):
        pre.prestart(api, ["s01"], 4000, 3600, say=lambda _: None)
