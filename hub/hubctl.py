"""Set up and start the course's JupyterHub on one Linux server (run as root; the Makefile calls it).

    python hub/hubctl.py install [--prefix P] [--port 8000] [--ip ""]   everything the hub needs, under P
    python hub/hubctl.py users ROSTER.csv [--prefix P]                 Unix accounts and course groups
    python hub/hubctl.py start [--prefix P]                            run JupyterHub (Ctrl+C stops it)
    python hub/hubctl.py prestart [--prefix P]                         start the students' servers before a class

What goes where (P defaults to /opt/nas-hub; see hub/README.md for why each permission is what it is):

    P/venv        JupyterHub, JupyterLab, nbgrader and the course, from a system Python every user can run
    P/node        configurable-http-proxy, pinned, from npm
    P/lessons     the lessons and data, read-only; each user's first start copies notebooks/ into their home
    P/grading     the instructors' nbgrader course (source, release, gradebook): group nas-instructors only
    P/exchange    nbgrader's exchange: the course's folder for group nas only; inbound write-only
    P/etc         jupyterhub_config.py, hub.json, and the Jupyter settings for students and for instructors
    P/state       the hub's database, cookie secret, the pre-start's token, and the first passwords of new
                  accounts: root only
"""

from __future__ import annotations

import argparse
import csv
import grp
import hashlib
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from course.deploy import prestart as pre  # noqa: E402
from course.deploy.limits import Cgroups  # noqa: E402
from course.deploy.roster import Member, RosterError, read_roster  # noqa: E402

DEFAULT_PREFIX = Path("/opt/nas-hub")
COURSE_ID = "northeast-asian-security"
#: Unix groups: everyone in the course, and those who grade. nbgrader's hub groups are named after them.
COURSE_GROUP = "nas"
INSTRUCTOR_GROUP = "nas-instructors"
CHP_VERSION = "5.3.0"
#: Files of assignments/ the instructors' course starts from (never a class's submissions or gradebook).
GRADING_FILES = ("source", "release", "nbgrader_config.py", "INSTRUCTORS.md")

#: Files of the course package a hub never installs: the demo class answers ps1 (its reference answers and its
#: attackers); it is for ``make grade-demo`` on an instructor's own machine.
NOT_ON_HUB = ("demo_class.py",)

EXCHANGE_PLUGINS = ("@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list")
#: On the hub, students' servers answer the Assignments panel: its lists, and its Validate button (the notebook
#: toolbar's Validate stays off: on a lesson it would only say "Success!").
EXCHANGE_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.validate_assignment",
)
INSTRUCTOR_PLUGINS = (
    "@jupyter/nbgrader:menu",
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:validate-assignment",
)
INSTRUCTOR_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader",)


class HubError(SystemExit):
    """A step that cannot go on: the message says what is wrong and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(f"hub: {message}")


def say(message: str) -> None:
    print(f"hub: {message}", flush=True)


#: Root's tools (useradd, mount, mkfs.ext4) are in the sbin folders, which a stripped environment may lack.
for _sbin in ("/usr/sbin", "/sbin"):
    if _sbin not in os.environ.get("PATH", "").split(":"):
        os.environ["PATH"] = f"{os.environ.get('PATH', '/usr/bin:/bin')}:{_sbin}"


def run(*cmd: str | Path, quiet: bool = True, env: dict[str, str] | None = None) -> None:
    done = subprocess.run([str(c) for c in cmd], capture_output=quiet, text=True, env=env)
    if done.returncode:
        tail = "\n".join((done.stdout or "").splitlines()[-8:] + (done.stderr or "").splitlines()[-12:])
        raise HubError(f"{' '.join(str(c) for c in cmd)} failed (exit {done.returncode}):\n{tail}")


def need_root(what: str) -> None:
    if os.geteuid() != 0:
        raise HubError(
            f"{what} makes Unix accounts and folders other users own: run it as root (sudo make ...)"
        )


# ---- the interpreter ---------------------------------------------------------------------------------------


def readable_by_all(path: Path) -> bool:
    """Whether any user can run ``path``: every folder above it searchable by others, the file readable."""
    path = path.resolve()
    for folder in path.parents:
        if not os.stat(folder).st_mode & 0o001:
            return False
    return bool(os.stat(path).st_mode & 0o005)


def system_python() -> Path:
    """A Python 3.11+ every hub user can run (``HUB_PYTHON`` names one). The course's own ``.venv`` usually
    cannot serve: pyenv's or a user's Python lives under a home folder others may not enter."""
    named = os.environ.get("HUB_PYTHON")
    candidates = [Path(named)] if named else [Path(f"/usr/bin/python3.{m}") for m in (13, 12, 11)]
    candidates += [] if named else [Path("/usr/bin/python3"), Path("/usr/local/bin/python3")]
    for python in candidates:
        if not python.exists():
            continue
        check = "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))"
        if subprocess.run([str(python), "-c", check], capture_output=True).returncode:
            continue
        if readable_by_all(python):
            return python
    raise HubError(
        "no Python 3.11+ with venv that every user can run was found (tried "
        + ", ".join(str(c) for c in candidates)
        + "). On Debian or Ubuntu: apt-get install python3 python3-venv; or name one: HUB_PYTHON=/path/python3"
    )


# ---- install -----------------------------------------------------------------------------------------------


def ensure_group(name: str) -> int:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        run("groupadd", name)
        say(f"created the Unix group {name}")
        return grp.getgrnam(name).gr_gid


def place(path: Path, mode: int, group: str = "root", owner: str = "root") -> Path:
    """Make a folder (if missing) with this owner, group and mode, exactly."""
    path.mkdir(parents=True, exist_ok=True)
    os.chown(path, pwd.getpwnam(owner).pw_uid, grp.getgrnam(group).gr_gid)
    os.chmod(path, mode)
    return path


def install_venv(prefix: Path) -> Path:
    venv = prefix / "venv"
    wanted = hashlib.sha256(
        (HERE / "requirements.txt").read_bytes()
        + (REPO / "requirements.txt").read_bytes()
        + (REPO / "requirements-omitted.txt").read_bytes()
    ).hexdigest()
    stamp = venv / ".hub-requirements"
    if not (venv / "bin" / "python").exists():
        python = system_python()
        say(f"creating {venv} with {python}")
        run(python, "-m", "venv", venv)
    pip = [venv / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    if not stamp.exists() or stamp.read_text() != wanted:
        say("installing JupyterHub, JupyterLab, nbgrader and the course's pinned packages (a minute or two)")
        # Whole closures, so --no-deps: that keeps requirements-omitted.txt's packages out (a JupyterLab start would
        # spend seconds of CPU on them: nine o'clock, twenty students); an older venv loses them.
        run(*pip, "--no-deps", "-r", HERE / "requirements.txt")
        run(
            venv / "bin" / "python",
            "-m",
            "pip",
            "uninstall",
            "-q",
            "-y",
            "-r",
            REPO / "requirements-omitted.txt",
        )
        stamp.write_text(wanted)
    # The course itself, as a copy (not editable: the checkout may be in a folder users cannot read).
    build = prefix / "state" / "build"
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    for name in ("course", "pyproject.toml", "README.md"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(
                source, build / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", *NOT_ON_HUB)
            )
        else:
            shutil.copy(source, build / name)
    run(*pip, "--no-deps", "--force-reinstall", build)
    shutil.rmtree(build)
    run(venv / "bin" / "python", "-m", "course.deploy.lab_settings")
    run(venv / "bin" / "python", "-m", "course.autograder.sandbox", "install")
    run("chmod", "-R", "a+rX", venv)
    return venv


def install_proxy(prefix: Path) -> Path:
    proxy = prefix / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
    package = prefix / "node" / "node_modules" / "configurable-http-proxy" / "package.json"
    if package.exists() and json.loads(package.read_text())["version"] == CHP_VERSION:
        return proxy
    if not shutil.which("npm"):
        raise HubError(
            "npm is needed for the hub's proxy (configurable-http-proxy): apt-get install nodejs npm"
        )
    say(f"installing configurable-http-proxy {CHP_VERSION} from npm")
    run("npm", "install", "--loglevel=error", "--no-audit", "--no-fund", "--prefix", prefix / "node",
        f"configurable-http-proxy@{CHP_VERSION}", env=npm_env())  # fmt: skip
    return proxy


#: The system's certificate authorities (Debian's ca-certificates).
SYSTEM_CAS = Path("/etc/ssl/certs/ca-certificates.crt")


def npm_env() -> dict[str, str]:
    """npm's environment: Node.js trusts its own bundled authorities only, so a network whose HTTPS goes through
    a proxy with its own authority (trusted by the system, as pip and git do) fails with SELF_SIGNED_CERT_IN_CHAIN.
    Node.js adds the system's authorities to its own with NODE_EXTRA_CA_CERTS, unless that is already set."""
    env = dict(os.environ)
    if "NODE_EXTRA_CA_CERTS" not in env and SYSTEM_CAS.is_file():
        env["NODE_EXTRA_CA_CERTS"] = str(SYSTEM_CAS)
    return env


def install_lessons(prefix: Path) -> Path:
    """The lessons and their data, read-only for everyone (a new copy each install; users' own copies are kept)."""
    lessons = prefix / "lessons"
    fresh = prefix / "lessons.new"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "prep")
    for name in ("notebooks", "data"):
        shutil.copytree(REPO / name, fresh / name, ignore=ignore)
    run("chmod", "-R", "u=rwX,go=rX", fresh)
    shutil.rmtree(lessons, ignore_errors=True)
    fresh.rename(lessons)
    return lessons


def install_grading(prefix: Path) -> Path:
    """The instructors' nbgrader course: created once, then left alone (it holds the gradebook)."""
    grading = prefix / "grading"
    if grading.exists():
        say(
            f"kept the instructors' course in {grading} (it holds the gradebook); new problem sets: copy them in"
        )
    else:
        grading.mkdir()
        for name in GRADING_FILES:
            source = REPO / "assignments" / name
            if source.is_dir():
                shutil.copytree(source, grading / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            elif source.exists():
                shutil.copy(source, grading / name)
        # The gradebook learns each problem set (as the formgrader's Generate button would).
        for problem_set in sorted(p.name for p in (grading / "source").iterdir() if p.is_dir()):
            nbgrader(prefix, "generate_assignment", problem_set, "--force", "--log-level=WARN")
    share_with_instructors(grading)
    return grading


def nbgrader(prefix: Path, *args: str) -> None:
    """Run nbgrader in the instructors' course, with the hub's environment (as root; permissions fixed after)."""
    env = dict(
        os.environ, PATH=f"{prefix / 'venv' / 'bin'}:/usr/bin:/bin", PYTHONWARNINGS="ignore:::nbgrader.api"
    )
    done = subprocess.run([str(prefix / "venv" / "bin" / "nbgrader"), *args], cwd=prefix / "grading", env=env,
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode:
        raise HubError(f"nbgrader {' '.join(args)} failed in {prefix / 'grading'}:\n{done.stderr[-2000:]}")


def share_with_instructors(folder: Path) -> None:
    """Everything in ``folder`` belongs to root and the instructors' group, which may read and write it."""
    gid = grp.getgrnam(INSTRUCTOR_GROUP).gr_gid
    for where, _, files in os.walk(folder):
        os.chown(where, 0, gid)
        os.chmod(where, 0o2770)
        for name in files:
            os.chown(Path(where, name), 0, gid)
            os.chmod(Path(where, name), 0o660)


def install_exchange(prefix: Path, size: int = 0) -> Path:
    """nbgrader's exchange with the permissions that keep students apart (hub/README.md, "The exchange"), on a
    filesystem of its own of ``size`` bytes (0: on the server's disk): a student who fills ``inbound`` fills only
    the exchange, never the disk the hub's database and the homes are on."""
    if size:
        make_disk(prefix / "disks" / "exchange.img", size, prefix / "exchange")
    exchange = place(prefix / "exchange", 0o755)
    course = place(exchange / COURSE_ID, 0o750, group=COURSE_GROUP)
    place(course / "outbound", 0o2775, group=INSTRUCTOR_GROUP)
    place(course / "inbound", 0o3773, group=INSTRUCTOR_GROUP)
    place(course / "feedback", 0o2771, group=INSTRUCTOR_GROUP)
    return exchange


def _json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def nbgrader_config(prefix: Path, instructor: bool) -> str:
    lines = [
        "# Written by hub/hubctl.py install: nbgrader on the course's JupyterHub.",
        "import os",
        "# The course's data, for the grading sandbox too (the hub sets it; a cron job or ssh session may not).",
        f"os.environ.setdefault('COURSE_ROOT', {str(prefix / 'lessons')!r})",
        f"c.CourseDirectory.course_id = {COURSE_ID!r}",
        f"c.Exchange.root = {str(prefix / 'exchange')!r}",
        "c.Authenticator.plugin_class = 'course.autograder.exchange.UnixGroupAuthPlugin'",
        f"c.UnixGroupAuthPlugin.course_groups = {{{COURSE_ID!r}: [{COURSE_GROUP!r}]}}",
        "c.ExchangeFactory.submit = 'course.autograder.exchange.PrivateSubmit'",
        "# The deployment sets the exchange's permissions; without this nbgrader wants its root world-writable.",
        "c.CourseDirectory.groupshared = True",
    ]
    if instructor:
        grading = prefix / "grading"
        lines += [
            "# The instructors' shared course: its own configuration (the sandboxed autograder), then the hub's.",
            f"load_subconfig({str(grading / 'nbgrader_config.py')!r})",
            "# Seen from the instructor's home as ~/grading (a link the hub makes): the formgrader wants the course",
            "# inside the folder JupyterLab serves, and compares the paths as written.",
            "_linked = os.path.expanduser('~/grading')",
            f"c.CourseDirectory.root = _linked if os.path.isdir(_linked) else {str(grading)!r}",
            "c.ExchangeFactory.collect = 'course.autograder.exchange.CheckedCollect'",
        ]
    return "\n".join(lines) + "\n"


def install_settings(prefix: Path, settings: dict) -> None:
    """etc/: the hub's own configuration, and one Jupyter configuration folder for students, one for instructors.

    The hub puts the right folder first on each user's ``JUPYTER_CONFIG_PATH``; entries there win over the
    environment's, which hides the exchange panels and the instructor tools (course.deploy.lab_settings).
    """
    etc = place(prefix / "etc", 0o755)
    shutil.copy(HERE / "jupyterhub_config.py", etc / "jupyterhub_config.py")
    _json(etc / "hub.json", settings)
    for role, instructor in (("student", False), ("instructor", True)):
        folder = etc / role
        shutil.rmtree(folder, ignore_errors=True)
        # Students get the Nbgrader menu for its Assignment List and Course List; its formgrader entry is hidden
        # when the formgrader plugin is off (a menu entry whose command is missing is not shown).
        disabled = (
            dict.fromkeys(EXCHANGE_PLUGINS, False)
            | dict.fromkeys(INSTRUCTOR_PLUGINS, not instructor)
            | {"@jupyter/nbgrader:menu": False}
        )
        extensions = dict.fromkeys(EXCHANGE_SERVER_EXTENSIONS, True) | dict.fromkeys(
            INSTRUCTOR_SERVER_EXTENSIONS, instructor
        )
        _json(folder / "labconfig" / "page_config.json", {"disabledExtensions": disabled})
        _json(
            folder / "jupyter_server_config.d" / "course-hub.json",
            {"ServerApp": {"jpserver_extensions": extensions}},
        )
        # Terminals as plain (not login) shells: a login shell's /etc/profile resets PATH, and the terminal loses
        # the hub's environment (no nbgrader, no course). (In jupyter_server_config.json: the .d folder is read for
        # the extensions only.)
        _json(
            folder / "jupyter_server_config.json",
            {"ServerApp": {"terminado_settings": {"shell_command": ["/bin/bash"]}}},
        )
        (folder / "nbgrader_config.py").write_text(nbgrader_config(prefix, instructor), encoding="utf-8")
        # The folder is each person's JUPYTER_CONFIG_DIR, read-only to them: Jupyter's and nbgrader's one-time
        # migration of old settings would write this marker there, and fail, on every start.
        (folder / "migrated").write_text(
            "written by hub/hubctl.py install: nothing to migrate\n", encoding="utf-8"
        )
    run("chmod", "-R", "a+rX", etc)


def readable_by_others(repo: Path) -> list[Path]:
    """Folders of this clone that hold the key (problem sets' sources, the git history) and that another user of
    the server can read: every folder above them searchable by others and the folder itself readable by others."""
    exposed = []
    for inner in (repo / "assignments" / "source", repo / ".git"):
        if not inner.exists():
            continue
        chain = [inner, *inner.parents]
        if all(os.stat(folder).st_mode & 0o001 for folder in chain[1:]) and os.stat(inner).st_mode & 0o004:
            exposed.append(inner)
    return exposed


def warn_if_clone_is_readable(repo: Path) -> None:
    for folder in readable_by_others(repo):
        print(
            f"hub: WARNING: {folder} can be read by every account on this server, students included: it holds "
            f"the problem sets' keys. Make the clone private (chmod 700 {repo}) or keep it where only root reads "
            "(the hub runs from its own copy under the prefix).",
            file=sys.stderr,
            flush=True,
        )


def install(args: argparse.Namespace) -> None:
    need_root("make hub")
    warn_if_clone_is_readable(REPO)
    prefix = Path(args.prefix).resolve()
    for private in (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm")):
        if prefix == private or private in prefix.parents:
            raise HubError(
                f"the prefix {prefix} is under {private}: each person's server gets a private {private} of its own, "
                "where the hub's files would not be seen. Choose another (the default is /opt/nas-hub)."
            )
    place(prefix, 0o755)
    place(prefix / "state", 0o700)
    ensure_group(COURSE_GROUP)
    ensure_group(INSTRUCTOR_GROUP)
    install_venv(prefix)
    install_proxy(prefix)
    install_lessons(prefix)
    install_grading(prefix)
    install_exchange(prefix, parse_size(args.exchange_size))
    settings = {
        "subdomain_host": args.subdomain_host or f"http://localhost:{args.port}",
        "home_bytes": parse_size(args.home_size),
        "inbound_budget_bytes": parse_size(args.inbound_budget),
        "prefix": str(prefix),
        "ip": args.ip,
        "port": args.port,
        "hub_port": args.hub_port,
        "proxy_api_port": args.proxy_api_port,
        "cull_idle_seconds": args.cull_idle,
        "preload": not args.no_preload,
        "course_id": COURSE_ID,
        "course_group": COURSE_GROUP,
        "instructor_group": INSTRUCTOR_GROUP,
    }
    install_settings(prefix, settings)
    token = prefix / "state" / "prestart-token"
    if (
        not token.exists()
    ):  # the prestart service's (hub/jupyterhub_config.py): root only, like the state folder
        token.touch(mode=0o600)
        token.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    say(f"installed under {prefix}; add people with: make hub-users ROSTER=roster.csv")


# ---- users -------------------------------------------------------------------------------------------------

SIZE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def parse_size(text: str) -> int:
    """'2G', '256M', '0' -> bytes."""
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = text[-1:] if text[-1:] in SIZE_UNITS else ""
    number = text[: -len(unit)] if unit else text
    try:
        return int(float(number) * SIZE_UNITS[unit])
    except ValueError:
        raise HubError(f"not a size: {text!r} (say 2G, 256M or 0)") from None


def make_disk(
    image: Path, size: int, where: Path, owner: tuple[int, int] = (0, 0), mode: int | None = None
) -> None:
    """``where`` as a filesystem of its own: a sparse ext4 image of ``size`` bytes, made once, mounted with nosuid and
    nodev. What ``where`` already held is copied in first (nothing is hidden under the mount)."""
    if image.exists():
        mount_disk(image, where)
        return
    place(image.parent, 0o700)
    with open(image, "wb") as fh:
        fh.truncate(size)
    run("mkfs.ext4", "-q", "-F", "-m", "0", "-E", f"root_owner={owner[0]}:{owner[1]}", image)
    where.mkdir(parents=True, exist_ok=True)
    staging = image.parent / f".staging-{image.stem}"
    staging.mkdir(exist_ok=True)
    mount_disk(image, staging)
    try:
        run("cp", "-a", f"{where}/.", f"{staging}/")
        shutil.rmtree(staging / "lost+found", ignore_errors=True)
        if mode is not None:
            os.chmod(staging, mode)
    finally:
        run("umount", staging)
        staging.rmdir()
    mount_disk(image, where)


def mount_disk(image: Path, where: Path) -> None:
    if not os.path.ismount(where):
        where.mkdir(parents=True, exist_ok=True)
        run("mount", "-o", "loop,nosuid,nodev", image, where)


def home_disk(prefix: Path, login: str) -> Path:
    return prefix / "disks" / f"{login}.img"


def make_home_disk(prefix: Path, login: str, size: int) -> None:
    """A student's home as a filesystem of its own, ``size`` bytes: filling it ends only that student's work, never
    the disk the hub's database and the other homes are on. Its skeleton files are copied in."""
    account = pwd.getpwnam(login)
    home = Path(account.pw_dir)
    if not os.path.ismount(home):
        make_disk(home_disk(prefix, login), size, home, (account.pw_uid, account.pw_gid), 0o700)


def mount_home_disk(prefix: Path, login: str) -> None:
    mount_disk(home_disk(prefix, login), Path(pwd.getpwnam(login).pw_dir))


def mount_home_disks(prefix: Path) -> None:
    """After a reboot: the exchange's and every student's home filesystem mounted again before the hub starts."""
    images = sorted((prefix / "disks").glob("*.img")) if (prefix / "disks").is_dir() else []
    for image in images:
        if image.name == "exchange.img":
            mount_disk(image, prefix / "exchange")
            continue
        try:
            mount_home_disk(prefix, image.stem)
        except KeyError:
            say(f"{image} belongs to no account any more: not mounted")


def plan(members: list[Member], existing: set[str]) -> list[tuple[Member, bool]]:
    """Each member and whether their account must be made (``existing``: logins the server already has)."""
    return [(member, member.login not in existing) for member in members]


def add_to_group(login: str, group: str) -> None:
    if login not in grp.getgrnam(group).gr_mem:
        run("gpasswd", "--add", login, group)


def users(args: argparse.Namespace) -> int:
    need_root("make hub-users")
    prefix = Path(args.prefix).resolve()
    try:
        members, problems = read_roster(args.roster)
    except RosterError as error:
        raise HubError(str(error)) from None
    for problem in problems:
        print(f"hub: refused: {problem}", file=sys.stderr)
    ensure_group(COURSE_GROUP)
    ensure_group(INSTRUCTOR_GROUP)
    existing = {p.pw_name for p in pwd.getpwall()}
    refused: list[str] = []
    settings_file = prefix / "etc" / "hub.json"
    settings = json.loads(settings_file.read_text(encoding="utf-8")) if settings_file.exists() else {}
    home_size = settings.get("home_bytes", 0)
    passwords = prefix / "state" / "new-passwords.csv"
    place(prefix / "state", 0o700)
    new_rows = []
    for member, create in plan(members, existing):
        if create:
            comment = member.name.replace(":", " ").replace(",", " ")
            run("useradd", "--create-home", "--shell", "/bin/bash", "--comment", comment, member.login)
            password = secrets.token_urlsafe(12)
            done = subprocess.run(
                ["chpasswd"], input=f"{member.login}:{password}\n", text=True, capture_output=True
            )
            if done.returncode:
                raise HubError(f"could not set a password for {member.login}: {done.stderr.strip()}")
            new_rows.append([member.login, password, "instructor" if member.instructor else "student"])
        else:
            account = pwd.getpwnam(member.login)
            if account.pw_uid < 1000:
                print(
                    f"hub: refused: {member.login} is a system account (uid {account.pw_uid})",
                    file=sys.stderr,
                )
                refused.append(member.login)
                continue
        add_to_group(member.login, COURSE_GROUP)
        if member.instructor:
            add_to_group(member.login, INSTRUCTOR_GROUP)
        # A home only its owner can enter: nbgrader keeps each submission's secret name in it.
        os.chmod(pwd.getpwnam(member.login).pw_dir, 0o700)
        if create and not member.instructor and home_size:
            make_home_disk(prefix, member.login, home_size)
        say(
            f"{'added' if create else 'updated'} {member.login} ({'instructor' if member.instructor else 'student'})"
        )
    students = [m for m in members if not m.instructor and m.login not in refused]
    if students and (prefix / "grading").exists():
        # The gradebook knows the class by name (the formgrader's Students page, grades.csv).
        for member in students:
            first, _, last = member.name.rpartition(" ")
            args = ["db", "student", "add", member.login, f"--last-name={last or member.login}"]
            args += [f"--first-name={first}"] if first else []
            args += [f"--email={member.email}"] if member.email else []
            nbgrader(prefix, *args, "--log-level=WARN")
        share_with_instructors(prefix / "grading")
    if new_rows:
        fresh = not passwords.exists()
        with passwords.open("a", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            if fresh:
                writer.writerow(["login", "first_password", "role"])
            writer.writerows(new_rows)
        passwords.chmod(0o600)
        say(
            f"first passwords of the {len(new_rows)} new accounts: {passwords} (root only; hand them out, then delete)"
        )
    say(f"{len(members) - len(refused)} in the course; {len(problems) + len(refused)} refused (listed above)")
    return 1 if problems or refused else 0


# ---- start -------------------------------------------------------------------------------------------------


def holders(port: int) -> list[tuple[int, str, str]]:
    """Processes listening on a TCP port, as (pid, login, command line), from /proc (no extra tool needed)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # 0A: LISTEN
                inodes.add(fields[9])
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            links = set()
            for fd in (proc / "fd").iterdir():
                try:
                    links.add(os.readlink(fd))
                except OSError:  # closed meanwhile (the listing's own descriptor, for one)
                    continue
            if any(f"socket:[{inode}]" in links for inode in inodes):
                owner = pwd.getpwuid(proc.stat().st_uid).pw_name
                command = (
                    (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                )
                found.append((int(proc.name), owner, command))
        except (OSError, KeyError):
            continue
    return found


def busy_ports(settings: dict, prefix: Path) -> list[str]:
    """The hub's ports that something else holds now, each with who holds it. This installation's own proxy, left
    by a hub that was killed, does not count: JupyterHub stops it (its pid file) before starting a new one."""
    import socket

    own_proxy = str(prefix / "node")

    busy = []
    for key, ip in (("port", settings["ip"]), ("hub_port", "127.0.0.1"), ("proxy_api_port", "127.0.0.1")):
        port = settings[key]
        who = holders(port)  # anything listening on the port, on any address
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            # SO_REUSEADDR: connections of a hub just stopped, waiting out TIME_WAIT, do not count; a listener does
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((ip or "0.0.0.0", port))
                free = not who
            except OSError:
                free = False
        if free or (who and all(owner == "root" and own_proxy in command for _, owner, command in who)):
            continue
        named = ", ".join(f"process {pid} ({owner}: {command[:80]})" for pid, owner, command in who)
        busy.append(f"port {port} ({key}) is held by {named or 'another process'}")
    return busy


def start(args: argparse.Namespace) -> None:
    need_root("make hub")
    prefix = Path(args.prefix).resolve()
    config = prefix / "etc" / "jupyterhub_config.py"
    if not config.exists():
        raise HubError(f"{config} is missing: run make hub (it installs first)")
    settings = json.loads((prefix / "etc" / "hub.json").read_text(encoding="utf-8"))
    mount_home_disks(prefix)
    stop_leftovers(prefix)
    busy = busy_ports(settings, prefix)
    if busy:  # a process on the proxy's port would receive every password; on its API port, the proxy's token
        raise HubError(
            "not starting: "
            + "; ".join(busy)
            + ". Stop it (or choose other ports with make hub-install), then "
            "start again."
        )
    os.chdir(prefix / "state")
    env = dict(os.environ, PATH=f"{prefix / 'venv' / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}")
    os.execve(str(prefix / "venv" / "bin" / "jupyterhub"), ["jupyterhub", "-f", str(config)], env)


def available_mb() -> int:
    """The server's free memory (MemAvailable), in MB."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) // 1024
    raise HubError("cannot read the free memory from /proc/meminfo")


def members(group: str) -> list[str]:
    """Logins in a Unix group, sorted."""
    try:
        entry = grp.getgrnam(group)
    except KeyError:
        return []
    return sorted(set(entry.gr_mem) | {p.pw_name for p in pwd.getpwall() if p.pw_gid == entry.gr_gid})


def prestart(args: argparse.Namespace) -> int:
    need_root("make hub-prestart")
    prefix = Path(args.prefix).resolve()
    settings_file = prefix / "etc" / "hub.json"
    token = prefix / "state" / "prestart-token"
    if not settings_file.exists() or not token.exists():
        raise HubError(
            f"no hub installed under {prefix} (or installed before the pre-start): run make hub-install"
        )
    settings = json.loads(settings_file.read_text(encoding="utf-8"))
    instructors = set(members(INSTRUCTOR_GROUP))
    logins = [login for login in members(COURSE_GROUP) if args.everyone or login not in instructors]
    if not logins:
        raise HubError(f"nobody is in the course's group {COURSE_GROUP}: add the class with make hub-users")
    api = pre.HubAPI(
        f"http://127.0.0.1:{settings['hub_port']}/hub/api", token.read_text(encoding="utf-8").strip()
    )
    try:
        report = pre.prestart(
            api, logins, available_mb(), settings["cull_idle_seconds"], args.mb_per_server, args.reserve_mb,
            args.wait, say=say,
        )  # fmt: skip
    except pre.PrestartError as error:
        raise HubError(str(error)) from None
    return 1 if report["failed"] else 0


def stop_leftovers(prefix: Path) -> None:
    """Before the hub starts: kill what the course's people left running from a hub that was killed (their
    servers' control groups), so that nothing of theirs holds the hub's ports."""
    groups = Cgroups()
    for login in sorted(groups.logins()):
        killed = groups.kill(login)
        if killed:
            say(f"stopped {killed} processes {login} left running from the last hub")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--prefix", default=os.environ.get("HUB_PREFIX", str(DEFAULT_PREFIX)))
    sub = parser.add_subparsers(dest="command", required=True)
    inst = sub.add_parser("install", help="install or update everything the hub needs")
    inst.add_argument("--ip", default="", help="address the hub listens on ('' = all)")
    inst.add_argument("--port", type=int, default=8000)
    inst.add_argument("--hub-port", type=int, default=8081)
    inst.add_argument("--proxy-api-port", type=int, default=8001)
    inst.add_argument("--cull-idle", type=int, default=3600, help="stop servers idle this many seconds")
    inst.add_argument(
        "--no-preload",
        action="store_true",
        help="start each server the ordinary way, not by forking the preloaded starter (course.deploy.zygote)",
    )
    inst.add_argument(
        "--exchange-size",
        default="10G",
        help="the exchange (submissions, feedback) is a filesystem of this size; 0: on the server's own disk",
    )
    inst.add_argument(
        "--inbound-budget",
        default="200M",
        help="what one student may keep in the exchange's inbound folder: the hub's sweep removes what is not a "
        "submission at once, and a student's superseded, then largest, submissions beyond this (course.deploy.sweep)",
    )
    inst.add_argument(
        "--home-size",
        default="2G",
        help="each new student's home is a filesystem of this size (a disk quota that needs no quota support); "
        "0: homes on the server's own disk",
    )
    inst.add_argument(
        "--subdomain-host",
        default="",
        help="the hub's public address, e.g. https://hub.example.edu (with a wildcard DNS name *.hub.example.edu): "
        "each person is served at <login>.<host>. Default: http://localhost:<port>, for a trial on this machine",
    )
    add = sub.add_parser("users", help="add the people of a roster (CSV from an LMS)")
    add.add_argument("roster")
    sub.add_parser("start", help="run JupyterHub")
    early = sub.add_parser(
        "prestart", help="start the students' servers before a class (the hub must be running)"
    )
    early.add_argument("--everyone", action="store_true", help="the instructors' servers too")
    early.add_argument("--mb-per-server", type=int, default=pre.MB_PER_SERVER,
                       help="memory counted per server once its student works (JupyterLab and a lesson's kernel)")  # fmt: skip
    early.add_argument(
        "--reserve-mb", type=int, default=pre.RESERVE_MB, help="memory kept free for the hub and grading"
    )
    early.add_argument("--wait", type=float, default=600, help="seconds to wait for the servers to answer")
    args = parser.parse_args(argv)
    if args.command == "install":
        install(args)
        return 0
    if args.command == "users":
        return users(args)
    if args.command == "prestart":
        return prestart(args)
    start(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
