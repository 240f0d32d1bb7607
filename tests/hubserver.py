"""A real course JupyterHub for tests and benchmarks: installed with hub/hubctl.py into a folder of its own,
filled from a roster, started on free local ports, and removed afterwards with every account it made.

Needs root (it makes Unix accounts, as ``make hub-users`` does), npm and a system Python 3.11+ with venv.
"""

from __future__ import annotations

import contextlib
import csv
import grp
import http.cookiejar
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HUBCTL = ROOT / "hub" / "hubctl.py"
GROUPS = ("nas", "nas-instructors")
#: Every account a test hub makes starts with this; nothing else is ever removed.
TEST_PREFIX = "nt-"
#: Each test student's home: a filesystem this big (small: the tests fill one).
HOME_SIZE = "200M"
#: The exchange: a filesystem this big (a test fills it; one file of 1 GiB must fit, to meet the file-size limit).
EXCHANGE_SIZE = "1500M"
#: The hub installation is kept between runs (its venv takes a minute or two): only its state is made new. Not
#: under /tmp or /var/tmp: each person's server gets private ones, where the hub's files would not be seen.
CACHE = Path(os.environ.get("COURSE_HUB_TEST_PREFIX", "/var/lib/nas-hub-test"))


_getaddrinfo = socket.getaddrinfo


def _localhost_names(host, *args, **kwargs):
    """Every name under .localhost is this machine (as browsers resolve it, RFC 6761): the hub serves each person
    at <login>.localhost:<port>, and Python's resolver does not know those names on its own."""
    if isinstance(host, str) and host.endswith(".localhost"):
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _localhost_names


def browser_get(page, url: str) -> dict:
    """GET ``url`` from inside the page, with its cookies: {"status", "headers", "text"}. (Playwright's own request
    client does not resolve <login>.localhost names; the browser does.) The page must be on the URL's origin."""
    return page.evaluate(
        """async (url) => {
            // as JupyterLab does: the XSRF token from its cookie (the server checks it on API requests too)
            const xsrf = (document.cookie.match(/(?:^|; )_xsrf=([^;]*)/) || [])[1] || "";
            const r = await fetch(url, {credentials: "same-origin", headers: {"X-XSRFToken": decodeURIComponent(xsrf)}});
            return {status: r.status, headers: Object.fromEntries(r.headers.entries()), text: await r.text()};
        }""",
        url,
    )


def log_in(browser, hub: Hub, login: str, viewport: tuple[int, int] = (1400, 950)):
    """The hub's login page in a browser context of the person's own (only this machine reachable), as a person uses
    it; returns the page once their JupyterLab shows a notebook."""
    from urllib.parse import urlparse

    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})

    def only_local(route):
        host = urlparse(route.request.url).hostname or ""
        local = host in ("127.0.0.1", "localhost") or host.endswith(".localhost")
        route.continue_() if local or route.request.url.startswith(("data:", "blob:")) else route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.goto(f"{hub.base}/hub/login")
    page.fill("#username_input", login)
    page.fill("#password_input", hub.passwords[login])
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{login}/lab"), timeout=240_000)
    page.locator(".jp-Notebook:visible").first.wait_for(timeout=120_000)
    return page


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Hub:
    base: str
    prefix: Path
    passwords: dict[str, str]
    users_output: str
    users_status: int
    log: Path
    logins: list[str] = field(default_factory=list)
    process: subprocess.Popen | None = None

    def restart(self) -> None:
        """Stop the hub as an administrator would (it stops every server first), and start it again."""
        settings = hub_json(self.prefix)
        seconds = stop_hub(self.process, (settings["port"], settings["hub_port"], settings["proxy_api_port"]))
        if seconds > 15:
            print(f"the hub took {seconds:.1f} s to stop", file=sys.stderr)
        self.process = start_hub(self.prefix, self.base, self.log, append=True)

    def user_url(self, login: str) -> str:
        """The person's own origin and server (``subdomain_host``: each person on a host of their own)."""
        scheme, rest = self.base.split("://", 1)
        return f"{scheme}://{login}.{rest}/user/{login}"

    @property
    def inbound(self) -> Path:
        return self.prefix / "exchange" / "northeast-asian-security" / "inbound"

    def env(self, login: str) -> dict[str, str]:
        """The environment a person's terminal on the hub has (as the hub's spawner sets it)."""
        role = "instructor" if login in grp.getgrnam("nas-instructors").gr_mem else "student"
        return {
            "HOME": pwd.getpwnam(login).pw_dir,
            "USER": login,
            "PATH": f"{self.prefix / 'venv' / 'bin'}:/usr/bin:/bin",
            "JUPYTER_CONFIG_PATH": str(self.prefix / "etc" / role),
            "COURSE_ROOT": str(self.prefix / "lessons"),
            "PYTHONWARNINGS": "ignore:::nbgrader.api",
            "LANG": "C.UTF-8",
        }

    def as_user(self, login: str, command: str, cwd: str | Path | None = None) -> subprocess.CompletedProcess:
        """Run a shell command as ``login``, as from their JupyterLab terminal."""
        where = str(cwd or pwd.getpwnam(login).pw_dir)
        return subprocess.run(
            ["runuser", "-u", login, "--", "env", "-i", *[f"{k}={v}" for k, v in self.env(login).items()],
             "bash", "-c", f"cd {shlex_quote(where)} && {command}"],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip

    def login(
        self, login: str, password: str | None = None, wait: bool = True
    ) -> tuple[urllib.request.OpenerDirector, str]:
        """Log in over HTTP (the hub's form); return the cookie-carrying opener and the page it ended on."""
        # The hub's cookies are __Host- cookies, so Secure: browsers send them to http://localhost, and so must we.
        jar = http.cookiejar.CookieJar(
            http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
        )
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{self.base}/hub/login", timeout=30).read().decode()
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)
        form = {"username": login, "password": password or self.passwords[login], "_xsrf": xsrf}
        try:
            response = opener.open(
                f"{self.base}/hub/login", data=urllib.parse.urlencode(form).encode(), timeout=120
            )
            landed = response.read().decode(errors="replace")
        except urllib.error.HTTPError as err:
            return opener, err.read().decode(errors="replace")
        if wait:
            self.wait_for_server(opener, login)
        return opener, landed

    def wait_for_server(self, opener, login: str, timeout: float = 300) -> float:
        """Open the person's JupyterLab page until it is theirs (not the hub's "starting" page); return how long
        that took. The page also sets the cookies their JupyterLab's API wants (with its ``_xsrf``)."""
        began = time.monotonic()
        while True:
            try:
                with opener.open(f"{self.user_url(login)}/lab", timeout=60) as response:
                    if f"/user/{login}/lab" in response.geturl() and response.status == 200:
                        return time.monotonic() - began
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() - began > timeout:
                raise TimeoutError(f"{login}'s JupyterLab did not answer within {timeout} s")
            time.sleep(0.5)


def shlex_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _remove_account(login: str) -> None:
    """Remove a test account and everything it runs; never a system account (uid below 1000) or a name not
    made by these tests."""
    try:
        uid = pwd.getpwnam(login).pw_uid
    except KeyError:
        return
    if uid < 1000 or not login.startswith(TEST_PREFIX):
        raise RuntimeError(f"refusing to remove the account {login} (uid {uid}): not one these tests made")
    subprocess.run(["pkill", "-KILL", "-u", str(uid)], capture_output=True)
    time.sleep(0.2)
    _unmount(pwd.getpwnam(login).pw_dir)  # a student's home is a filesystem of its own (hubctl's --home-size)
    subprocess.run(["userdel", "--remove", "--force", login], capture_output=True)
    with contextlib.suppress(KeyError):
        grp.getgrnam(login)
        subprocess.run(["groupdel", login], capture_output=True)


def _unmount(where: str | Path) -> None:
    for _ in range(5):
        if not os.path.ismount(where):
            return
        if subprocess.run(["umount", str(where)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


def install(prefix: Path, ports: dict[str, int], log: Path) -> None:
    """``hubctl install`` into ``prefix`` (fast when the venv is already there)."""
    done = subprocess.run(
        [sys.executable, str(HUBCTL), "--prefix", str(prefix), "install", "--ip", "127.0.0.1",
         "--port", str(ports["port"]), "--hub-port", str(ports["hub"]), "--proxy-api-port", str(ports["api"]),
         "--subdomain-host", f"http://localhost:{ports['port']}", "--home-size", HOME_SIZE,
         "--exchange-size", EXCHANGE_SIZE],
        capture_output=True, text=True,
    )  # fmt: skip
    log.write_text(done.stdout + done.stderr)
    if done.returncode:
        raise RuntimeError(f"hubctl install failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


@contextlib.contextmanager
def running_hub(roster: str, workdir: Path, extra_accounts: tuple[str, ...] = ()):
    """Install (reusing the cached venv), add the roster's people, start the hub; yield a :class:`Hub`; then stop
    it and remove every account, group and folder it made."""
    prefix = CACHE
    _unmount(prefix / "exchange")
    for state in ("state", "grading", "exchange", "etc", "lessons", "disks"):
        shutil.rmtree(prefix / state, ignore_errors=True)
    groups_before = {g for g in GROUPS if _group_exists(g)}
    workdir.mkdir(parents=True, exist_ok=True)
    roster_file = workdir / "roster.csv"
    roster_file.write_text(roster, encoding="utf-8")
    named = {row["username"] for row in csv.DictReader(roster.splitlines())} | set(extra_accounts)
    # Only the test's own people (a roster may name root or others on purpose: they must be refused, not touched).
    logins = sorted(login for login in named if login.startswith(TEST_PREFIX))
    for login in logins:  # left by a run that was killed
        _remove_account(login)
    ports = {"port": free_port(), "hub": free_port(), "api": free_port()}
    hub_process = hub = None
    log = workdir / "jupyterhub.log"
    try:
        install(prefix, ports, workdir / "install.log")
        users = subprocess.run([sys.executable, str(HUBCTL), "--prefix", str(prefix), "users", str(roster_file)],
                               capture_output=True, text=True)  # fmt: skip
        passwords = {}
        new = prefix / "state" / "new-passwords.csv"
        if new.exists():
            passwords = {r["login"]: r["first_password"] for r in csv.DictReader(new.open(encoding="utf-8"))}
        for login in extra_accounts:
            subprocess.run(["useradd", "--create-home", login], check=True, capture_output=True)
            passwords[login] = f"pw-{login}-{os.getpid()}"
            subprocess.run(["chpasswd"], input=f"{login}:{passwords[login]}\n", text=True, check=True)
        base = f"http://localhost:{ports['port']}"
        hub_process = start_hub(prefix, base, log)
        hub = Hub(base, prefix, passwords, users.stdout + users.stderr, users.returncode, log, logins)
        hub.process = hub_process
        yield hub
    finally:
        stop_hub(hub.process if hub is not None else hub_process)  # hub.process: restarted, perhaps
        # Anything still running from this installation (a service in a session of its own).
        subprocess.run(["pkill", "-KILL", "-f", str(prefix / "venv")], capture_output=True)
        subprocess.run(["pkill", "-KILL", "-f", str(prefix / "node")], capture_output=True)
        for login in logins:
            _remove_account(login)
        for group in GROUPS:
            if group not in groups_before and _group_exists(group):
                subprocess.run(["groupdel", group], capture_output=True)
        _unmount(prefix / "exchange")
        for state in ("state", "grading", "exchange", "disks"):
            shutil.rmtree(prefix / state, ignore_errors=True)


@contextlib.contextmanager
def class_hub(roster: str, workdir: Path, artifacts: Path, extra_accounts: tuple[str, ...] = (),
              log_name: str | None = None):  # fmt: skip
    """A test module's hub: skipped (failed under CI) where it cannot run, bubblewrap required, screenshots' folder
    made; ``log_name``: the hub's log copied into ``artifacts`` after it stopped (it ends with its shutdown)."""
    from conftest import require_bubblewrap, skip_or_fail

    reason = cannot_run_reason()
    if reason:
        skip_or_fail(reason)
    require_bubblewrap()
    artifacts.mkdir(parents=True, exist_ok=True)
    with running_hub(roster, workdir, extra_accounts=extra_accounts) as hub:
        yield hub
    if log_name:
        (artifacts / log_name).write_text(hub.log.read_text(errors="replace"))


def start_hub(prefix: Path, base: str, log: Path, append: bool = False) -> subprocess.Popen:
    """``hubctl start``, until the hub's API answers."""
    process = subprocess.Popen(
        [sys.executable, str(HUBCTL), "--prefix", str(prefix), "start"],
        stdout=log.open("a" if append else "w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{base}/hub/api", timeout=5)
            return process
        except (urllib.error.URLError, OSError):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the hub did not start:\n{log.read_text()[-4000:]}") from None
            time.sleep(0.5)


def stop_hub(process: subprocess.Popen | None, ports: tuple[int, ...] = ()) -> float:
    """SIGTERM, as an administrator stops the hub (it stops its servers, services and proxy); a hub that has not
    ended in 45 s is killed with its process group, and a note goes to stderr. Then wait (up to 15 s) until nothing
    listens on ``ports``, so that a test binding them next finds them free. Returns the seconds the stop took."""
    started = time.monotonic()
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=45)
        except subprocess.TimeoutExpired:
            print(f"the hub (pid {process.pid}) did not stop within 45 s of SIGTERM: killed", file=sys.stderr)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    deadline = time.monotonic() + 15
    while any(_listening(port) for port in ports) and time.monotonic() < deadline:
        time.sleep(0.1)
    return time.monotonic() - started


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def hub_json(prefix: Path) -> dict:
    return json.loads((prefix / "etc" / "hub.json").read_text())


def memory_holds(pid: int, needles: dict[str, bytes]) -> list[str]:
    """Which of the needles are anywhere in the process's readable memory (read as root): the hub suites' proof
    that no server and no starter holds a token that is not its own."""
    found = set()
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            span, perms = line.split()[:2]
            if not perms.startswith("r"):
                continue
            start, end = (int(x, 16) for x in span.split("-"))
            try:
                mem.seek(start)
                chunk = mem.read(end - start)
            except (OSError, OverflowError, ValueError):
                continue
            found |= {name for name, needle in needles.items() if needle in chunk}
    return sorted(found)


def cannot_run_reason() -> str | None:
    """Why this machine cannot run a test hub, or None."""
    if os.geteuid() != 0:
        return "the hub test makes Unix accounts (as make hub-users does): run it as root (CI does)"
    if not shutil.which("npm"):
        return "npm is needed for the hub's proxy (apt-get install nodejs npm)"
    if not shutil.which("bwrap"):
        return "bubblewrap is needed for grading on the hub (apt-get install bubblewrap)"
    return None
