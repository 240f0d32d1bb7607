"""Start the class's servers before the class (``make hub-prestart``; hub/README.md, "Before a class").

At nine o'clock twenty students log in at once, and each JupyterLab start costs CPU-seconds: on a small server the
last of them waits for all the others. Started a few minutes before, the servers are running when the students
arrive, and their first page is the lab itself (``make bench``: hub_first_page_s, cold and pre-started).

Two things are accounted for before anything starts:

- **memory**: each server is counted at what a student's server uses once they work (JupyterLab and a lesson's
  kernel: ``make bench`` measures it, hub_memory_per_user_mb), and a reserve is kept for the hub and for grading;
  when the server's free memory does not hold everyone, the roster's first ones are started and the others are
  named, so that nobody's server is killed for want of memory in the middle of the class;
- **the idle culler**: a pre-started server no one opens counts as idle from its start, and the culler stops it
  after the hub's idle time (``hubctl install --cull-idle``); the report says when, so that an instructor starts
  them close enough to the class.

The hub is reached through its REST API, with the token of the ``prestart`` service (``<prefix>/state``, root
only), whose role may list users, create the hub's record of a user on the roster, and start servers: nothing else.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

#: What one student's server uses once they work, in MB: JupyterLab and a lesson's kernel (bench/results.json,
#: hub_memory_per_user_mb_worst was 285.5 MB, lesson 01 on the course's hub).
MB_PER_SERVER = 300
#: Kept free for the hub, its proxy, the services and grading, in MB.
RESERVE_MB = 1024

#: The scopes of the prestart service's role (hub/jupyterhub_config.py).
SCOPES = ["list:users", "read:users", "read:servers", "servers", "admin:users"]


class PrestartError(RuntimeError):
    """The hub cannot be asked (no token, not running): the message says what to do."""


@dataclass
class Plan:
    start: list[str]
    running: list[str]
    no_room: list[str]
    mb_per_server: int
    available_mb: int
    reserve_mb: int

    @property
    def room(self) -> int:
        return max(0, (self.available_mb - self.reserve_mb) // self.mb_per_server)


def plan(
    logins: Iterable[str],
    running: set[str],
    available_mb: int,
    mb_per_server: int = MB_PER_SERVER,
    reserve_mb: int = RESERVE_MB,
) -> Plan:
    """Who to start: everyone not running, in the roster's order, as far as memory holds them."""
    if mb_per_server <= 0:
        raise ValueError(f"the memory per server must be positive, not {mb_per_server} MB")
    waiting = [login for login in logins if login not in running]
    result = Plan([], sorted(running & set(logins)), [], mb_per_server, available_mb, reserve_mb)
    room = result.room
    result.start, result.no_room = waiting[:room], waiting[room:]
    return result


@dataclass
class HubAPI:
    """The few calls of JupyterHub's REST API the pre-start needs."""

    url: str  # e.g. http://127.0.0.1:8081/hub/api
    token: str
    opener: Callable = field(default=urllib.request.urlopen, repr=False)

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method)
        request.add_header("Authorization", f"token {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with self.opener(request, timeout=60) as response:
                text = response.read().decode() or "{}"
                return response.status, json.loads(text)
        except urllib.error.HTTPError as error:
            text = error.read().decode(errors="replace")
            try:
                return error.code, json.loads(text)
            except ValueError:
                return error.code, {"message": text[:300]}
        except (urllib.error.URLError, OSError) as error:
            raise PrestartError(
                f"the hub's API at {self.url} does not answer ({error}): is the hub running?"
            ) from None

    def user(self, login: str) -> dict | None:
        status, body = self.call("GET", f"/users/{urllib.parse.quote(login)}")
        if status == 404:
            return None
        if status != 200:
            raise PrestartError(f"the hub refused to describe {login} ({status}: {body.get('message', '')})")
        return body

    def running(self, login: str) -> bool:
        user = self.user(login)
        server = (user or {}).get("servers", {}).get("", {})
        return bool(server.get("ready"))

    def start(self, login: str) -> str:
        """Ask the hub to start ``login``'s server; return '' or why it could not."""
        if self.user(login) is None:  # on the roster since the hub started: the hub has no record of them yet
            status, body = self.call("POST", f"/users/{urllib.parse.quote(login)}")
            if status not in (200, 201, 409):
                return f"the hub would not add {login} ({status}: {body.get('message', '')})"
        status, body = self.call("POST", f"/users/{urllib.parse.quote(login)}/server")
        if status in (201, 202, 400) and (status != 400 or "already running" in body.get("message", "")):
            return ""
        return f"{status}: {body.get('message', '')}"


def prestart(
    api: HubAPI,
    logins: list[str],
    available_mb: int,
    cull_idle_seconds: int,
    mb_per_server: int = MB_PER_SERVER,
    reserve_mb: int = RESERVE_MB,
    wait_seconds: float = 600,
    say: Callable[[str], None] = print,
    now: Callable[[], datetime] = lambda: datetime.now().astimezone(),
) -> dict[str, object]:
    """Start the servers of ``logins`` that are not running, wait until they answer, and report."""
    running = {login for login in logins if api.running(login)}
    chosen = plan(logins, running, available_mb, mb_per_server, reserve_mb)
    say(
        f"{len(logins)} on the roster: {len(chosen.running)} already running, {len(chosen.start)} to start "
        f"({available_mb} MB free; {mb_per_server} MB counted per server once its student works, {reserve_mb} MB "
        "kept for the hub and grading)"
    )
    if chosen.no_room:
        say(
            f"not started, for want of memory (room for {chosen.room}): {', '.join(chosen.no_room)}. They start "
            "when they log in, as usual; add memory, or pre-start fewer students (--mb-per-server if a server "
            "really takes less)"
        )
    began = time.monotonic()
    failed = {}
    for login in chosen.start:
        why = api.start(login)
        if why:
            failed[login] = why
    pending = [login for login in chosen.start if login not in failed]
    while pending and time.monotonic() - began < wait_seconds:
        time.sleep(1)
        pending = [login for login in pending if not api.running(login)]
    for login in pending:
        failed[login] = f"not ready after {wait_seconds:.0f} s"
    for login, why in failed.items():
        say(f"{login}: not started: {why}")
    started = [login for login in chosen.start if login not in failed]
    seconds = time.monotonic() - began
    culled_at = now() + timedelta(seconds=cull_idle_seconds)
    zone = f" {culled_at:%Z}" if culled_at.tzinfo else ""
    say(
        f"started {len(started)} servers in {seconds:.0f} s. A server nobody opens is stopped by the idle culler "
        f"{cull_idle_seconds // 60} min after it started (about {culled_at:%H:%M}{zone}): the class should begin "
        "before"
    )
    return {
        "started": started,
        "already_running": chosen.running,
        "no_room": chosen.no_room,
        "failed": failed,
        "seconds": round(seconds, 1),
        "culled_at": culled_at.isoformat(timespec="minutes"),
    }
