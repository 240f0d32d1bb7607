"""JupyterHub for the course on one Linux server (hub/README.md). ``hub/hubctl.py install`` copies this file to
``<prefix>/etc/`` beside ``hub.json``, which holds the values of this installation.

- People log in with their Unix account (PAM); only members of the course's Unix group may (``make hub-users``).
- Each person's JupyterLab runs as their own Unix user (LocalProcessSpawner) from the hub's venv, with the course
  installed; the first start copies the lessons into their home.
- Students get nbgrader's Assignments and Courses panels; instructors also get the formgrader, on the shared
  course in ``<prefix>/grading`` (group ``nas-instructors``). Which is which: the Unix group, read at each start.
- Idle servers are stopped by jupyterhub-idle-culler.

What keeps people apart (hub/README.md, "What a hostile student meets", has the whole table):

- Each person is served on their own origin, ``<login>.<host>`` (``subdomain_host``), with the hub's cookies
  locked to the hub's host (``__Host-``): a page a student serves from their server cannot read the hub's pages,
  or anyone else's server, with another person's login.
- Nothing is done as root in a person's home: the lessons are copied by a process running as the person.
- Each server runs in control groups of its own (memory, processes, CPU; ``course.deploy.limits``) with a private
  ``/tmp`` and ``/dev/shm``; when it stops, everything started from it is killed.
- The server's own settings come only from the hub's folders (``JUPYTER_CONFIG_DIR``), not from ``~/.jupyter``.
"""

import asyncio
import grp
import json
import os
import pwd
import subprocess
import sys
from pathlib import Path

from jupyterhub.auth import PAMAuthenticator
from jupyterhub.spawner import LocalProcessSpawner
from jupyterhub.utils import random_port
from tornado import web

from course.deploy import prestart, zygote
from course.deploy.limits import Cgroups, Limits, file_size_limit, join, private_tmp

c = get_config()  # noqa: F821 (provided by JupyterHub)

HERE = Path(__file__).resolve().parent
SETTINGS = json.loads((HERE / "hub.json").read_text(encoding="utf-8"))
PREFIX = Path(SETTINGS["prefix"])
VENV = PREFIX / "venv"
COURSE_ID = SETTINGS["course_id"]


def members(group: str) -> set[str]:
    """Logins in a Unix group, read now (a roster added while the hub runs counts at once)."""
    try:
        entry = grp.getgrnam(group)
    except KeyError:
        return set()
    return set(entry.gr_mem) | {p.pw_name for p in pwd.getpwall() if p.pw_gid == entry.gr_gid}


class CourseAuthenticator(PAMAuthenticator):
    """PAM, for the course's members only: anyone else with an account on the server is refused, and told why."""

    def check_allowed(self, username, authentication=None):
        return username in members(SETTINGS["course_group"])

    async def authenticate(self, handler, data):
        user = await super().authenticate(handler, data)
        name = user.get("name") if isinstance(user, dict) else user
        if name and not self.check_allowed(name):  # the password was right: say what is wrong instead
            raise web.HTTPError(
                403,
                f"{name} is not on this course's roster. If you take the course, ask your instructor to add you "
                "(make hub-users).",
            )
        return user


c.JupyterHub.authenticator_class = CourseAuthenticator
c.PAMAuthenticator.open_sessions = (
    False  # no login session per server: nothing to clean up, works in containers
)
c.Authenticator.any_allow_config = True  # check_allowed above is the allow rule
c.JupyterHub.ip = SETTINGS["ip"]
c.JupyterHub.port = SETTINGS["port"]
# Each person on their own origin (<login>.<host>): the browser keeps one person's pages from reading another's, or
# the hub's. Over HTTPS the cookies carry the __Host- prefix: no subdomain can set or replace them (cookie tossing).
# Needs a wildcard DNS name (*.hub.example.edu) and HTTPS. http://localhost:<port> works for a trial on one machine:
# there no prefix (the single-user servers set __Host- cookies without Secure over plain HTTP, which browsers
# refuse), and none is needed: a browser lets no <login>.localhost set a cookie for localhost, a top-level name.
c.JupyterHub.subdomain_host = SETTINGS["subdomain_host"]
c.JupyterHub.cookie_host_prefix_enabled = SETTINGS["subdomain_host"].startswith("https://")
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = SETTINGS["hub_port"]
c.ConfigurableHTTPProxy.command = [str(PREFIX / "node" / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{SETTINGS['proxy_api_port']}"
c.JupyterHub.db_url = f"sqlite:///{PREFIX / 'state' / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(PREFIX / "state" / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(PREFIX / "state" / "jupyterhub.pid")
# nbgrader's naming for hub groups (its JupyterHubAuthPlugin reads them): students and instructors of the course.
c.JupyterHub.load_groups = {
    f"nbgrader-{COURSE_ID}": {"users": sorted(members(SETTINGS["course_group"]))},
    f"formgrade-{COURSE_ID}": {"users": sorted(members(SETTINGS["instructor_group"]))},
}


def is_instructor(spawner) -> bool:
    return spawner.user.name in members(SETTINGS["instructor_group"])


def config_path(spawner) -> str:
    """The Jupyter settings folder for this person: it switches the nbgrader panels on, and the formgrader for
    instructors (the environment's own settings hide both, as in ``make lab``)."""
    return str(PREFIX / "etc" / ("instructor" if is_instructor(spawner) else "student"))


def copy_lessons(spawner) -> None:
    """Each start: the lessons the person's ``~/notebooks`` lacks, copied by a process running as the person (never
    as root: root would follow a link a student planted in their home). See ``course.deploy.lessons``."""
    account = pwd.getpwnam(spawner.user.name)
    command = [
        str(VENV / "bin" / "python"),
        "-I",
        "-m",
        "course.deploy.lessons",
        str(PREFIX / "lessons" / "notebooks"),
    ]
    if is_instructor(spawner):  # the shared course, where the formgrader can serve it (see etc/instructor)
        command += ["--grading", str(PREFIX / "grading")]
    done = subprocess.run(
        command,
        user=account.pw_uid,
        group=account.pw_gid,
        extra_groups=os.getgrouplist(account.pw_name, account.pw_gid),
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        cwd="/",
        capture_output=True,
        text=True,
        timeout=120,
    )
    for line in (done.stdout + done.stderr).splitlines():
        spawner.log.info("%s: %s", spawner.user.name, line)


c.Spawner.pre_spawn_hook = copy_lessons

LIMITS = Limits(**SETTINGS.get("limits", {}))
CGROUPS = Cgroups()


# The preloaded starter (course.deploy.zygote): JupyterLab's imports once, a fork per server, so that a class logging
# in at once does not pay them twenty times. Started here, by the hub, as root, with an empty environment; it ends
# with the hub. Until it answers (its imports take a few seconds), or if it fails, servers start the ordinary way.
ZYGOTE_SOCKET = PREFIX / "state" / "zygote.sock"
ZYGOTE = None
ZYGOTE_SOCKET.unlink(missing_ok=True)  # a socket left by the last hub's starter answers no one
if SETTINGS.get("preload", True):
    ZYGOTE = subprocess.Popen(
        [str(VENV / "bin" / "python"), "-m", "course.deploy.zygote", str(ZYGOTE_SOCKET)],
        env={"PATH": f"{VENV / 'bin'}:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/nonexistent"},
        cwd="/",
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=zygote.parent_death_signal,
    )


class CourseSpawner(LocalProcessSpawner):
    """The local spawner, with each person's server in control groups of its own, a private /tmp and /dev/shm, and
    everything it started killed when it stops (course.deploy.limits); started by the preloaded starter when it
    runs (course.deploy.zygote)."""

    def make_preexec_fn(self, name):
        become = super().make_preexec_fn(name)
        procs = CGROUPS.prepare(name, LIMITS)  # here, in the hub, as root
        self.log.info("%s: %s", name, CGROUPS.describe())

        def preexec():  # in the new process, as root, before it becomes the person
            join(procs)
            private_tmp(LIMITS)
            file_size_limit(LIMITS)
            become()

        return preexec

    async def start(self):
        leftover = CGROUPS.kill(self.user.name)
        if leftover:
            self.log.warning("%s: killed %d processes left from an earlier server", self.user.name, leftover)
        if ZYGOTE is not None and ZYGOTE.poll() is None and ZYGOTE_SOCKET.exists():
            try:
                return await self.start_preloaded()
            except Exception as error:  # noqa: BLE001 (any failure: the ordinary start still works)
                self.log.warning(
                    "%s: the preloaded start failed (%s); starting the ordinary way", self.user.name, error
                )
        return await super().start()

    async def start_preloaded(self):
        """What LocalProcessSpawner.start does, with the starter's fork in place of Popen (same command, environment,
        control groups and preexec steps: course.deploy.zygote)."""
        if self.port == 0:
            self.port = random_port()
        request = {
            "login": self.user.name,
            "cmd": [*self.cmd, *self.get_args()],
            "env": self.get_env(),
            "procs": [str(p) for p in CGROUPS.prepare(self.user.name, LIMITS)],
            "limits": SETTINGS.get("limits", {}),
        }
        reader, writer = await asyncio.open_unix_connection(str(ZYGOTE_SOCKET))
        try:
            writer.write(json.dumps(request).encode() + b"\n")
            await writer.drain()
            reply = json.loads(await asyncio.wait_for(reader.readline(), 60) or b"{}")
        finally:
            writer.close()
        if "pid" not in reply:
            raise RuntimeError(reply.get("error", "no answer from the starter"))
        self.proc = None
        self.pid = reply["pid"]
        self.log.info("%s: server started by the preloaded starter (pid %d)", self.user.name, self.pid)
        return (self.ip or "127.0.0.1", self.port)

    def run_post_stop_hook(self):
        """After every stop, the hub's or the server's own (JupyterHub calls ``stop`` only for a server still
        running, this always): what is left in the person's groups ends."""
        killed = CGROUPS.kill(self.user.name)
        self.log.info("%s: server stopped; %d processes in its groups ended", self.user.name, killed)
        return super().run_post_stop_hook()


# A hub that was killed leaves its people's processes behind: none may outlive it into the next start (one could
# be holding the ports the hub is about to take).
for _login in sorted(CGROUPS.logins()):
    CGROUPS.kill(_login)

c.JupyterHub.spawner_class = CourseSpawner
c.JupyterHub.cleanup_servers = True
c.Spawner.cmd = [str(VENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab/tree/notebooks/00_start_here.ipynb"
c.Spawner.environment = {
    "COURSE_ROOT": str(PREFIX / "lessons"),
    # The server's settings from the hub's folders only: ~/.jupyter is not read (a student cannot switch their
    # server's protections off there). JupyterLab's own settings and workspaces stay the person's.
    "JUPYTER_CONFIG_DIR": config_path,
    "JUPYTER_CONFIG_PATH": config_path,
    "JUPYTERLAB_SETTINGS_DIR": lambda spawner: str(
        Path(pwd.getpwnam(spawner.user.name).pw_dir) / ".jupyter" / "lab" / "user-settings"
    ),
    "JUPYTERLAB_WORKSPACES_DIR": lambda spawner: str(
        Path(pwd.getpwnam(spawner.user.name).pw_dir) / ".jupyter" / "lab" / "workspaces"
    ),
    "PATH": f"{VENV / 'bin'}:/usr/local/bin:/usr/bin:/bin",
    "PYTHONWARNINGS": "ignore:::nbgrader.api",
}
# Twenty people starting at once on two cores take a while; see make bench.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120
# Stopping (Ctrl+C, or the culler): a server gets SIGINT, then SIGTERM after 5 s, then SIGKILL after 3 s more.
# The culler service ignores the first two, and JupyterHub's defaults (10 s, 5 s, 5 s) made Ctrl+C take half a minute.
c.LocalProcessSpawner.interrupt_timeout = 5
c.LocalProcessSpawner.term_timeout = 3
c.LocalProcessSpawner.kill_timeout = 3
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={SETTINGS['cull_idle_seconds']}",
        ],
    },
    {
        # Each student's share of the exchange's inbound folder (this kernel may have no disk quotas): what is not
        # a submission goes at once, and a student's superseded, then largest, submissions beyond the budget.
        "name": "inbound-sweep",
        "command": [
            str(VENV / "bin" / "python"),
            "-I",
            "-m",
            "course.deploy.sweep",
            str(PREFIX / "exchange" / COURSE_ID / "inbound"),
            f"--budget-mb={max(1, SETTINGS.get('inbound_budget_bytes', 200 * 1024**2) // 1024**2)}",
            "--every=5",
            f"--exempt-group={SETTINGS['instructor_group']}",
        ],
    },
]
# The pre-start (hubctl prestart, course.deploy.prestart): starts the class's servers before a class. Its token is
# in the hub's state folder (root only), written by hubctl install; a service without a command: hubctl calls the API.
PRESTART_TOKEN = PREFIX / "state" / "prestart-token"
if PRESTART_TOKEN.exists():
    c.JupyterHub.services.append(
        {"name": "prestart", "api_token": PRESTART_TOKEN.read_text(encoding="utf-8").strip()}
    )
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
    {
        "name": "prestart",
        "scopes": prestart.SCOPES,
        "services": ["prestart"] if PRESTART_TOKEN.exists() else [],
    },
]
