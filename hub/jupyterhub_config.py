"""JupyterHub for the course on one Linux server (hub/README.md). ``hub/hubctl.py install`` copies this file to
``<prefix>/etc/`` beside ``hub.json``, which holds the values of this installation.

- People log in with their Unix account (PAM); only members of the course's Unix group may (``make hub-users``).
- Each person's JupyterLab runs as their own Unix user (LocalProcessSpawner) from the hub's venv, with the course
  installed; the first start copies the lessons into their home.
- Students get nbgrader's Assignments and Courses panels; instructors also get the formgrader, on the shared
  course in ``<prefix>/grading`` (group ``nas-instructors``). Which is which: the Unix group, read at each start.
- Idle servers are stopped by jupyterhub-idle-culler.
"""

import grp
import json
import os
import pwd
import shutil
import sys
from pathlib import Path

from jupyterhub.auth import PAMAuthenticator
from tornado import web

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
    """First start: the lessons into the person's home, theirs to edit. Later starts add only what is new."""
    account = pwd.getpwnam(spawner.user.name)
    target = Path(account.pw_dir) / "notebooks"
    source = PREFIX / "lessons" / "notebooks"
    target.mkdir(exist_ok=True)
    os.chown(target, account.pw_uid, account.pw_gid)
    if is_instructor(spawner):  # the shared course, where the formgrader can serve it (see etc/instructor)
        link = Path(account.pw_dir) / "grading"
        if not link.is_symlink() and not link.exists():
            link.symlink_to(PREFIX / "grading")
            os.lchown(link, account.pw_uid, account.pw_gid)
    for notebook in sorted(source.glob("*.ipynb")):
        mine = target / notebook.name
        if not mine.exists():
            shutil.copy(notebook, mine)
            os.chown(mine, account.pw_uid, account.pw_gid)
            mine.chmod(0o644)


c.Spawner.pre_spawn_hook = copy_lessons
c.Spawner.cmd = [str(VENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab/tree/notebooks/00_start_here.ipynb"
c.Spawner.environment = {
    "COURSE_ROOT": str(PREFIX / "lessons"),
    "JUPYTER_CONFIG_PATH": config_path,
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
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
