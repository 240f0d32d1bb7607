"""Hostile submissions for ps1 (tests/test_sandbox_attacks.py): attacks on the sandbox, and tricks on the tests.

Each attacker of the sandbox answers like the demo class's ``wrong`` student (0.25 of 20) and adds one attack. An
attack that finds the solutions switches to the correct answers; one that reaches another kernel sabotages it;
one that reaches the gradebook or the environment rewrites it. So if any defence fails, a score or a file shows
it. Each trick on the tests answers like the ``partial`` student (10.75 of 20) and adds one trick that, with the
tests run in the student's kernel, raised such a submission to full marks (issue 15's red-team); the judge runs
the tests elsewhere, so each must score exactly 10.75.
"""

from __future__ import annotations

from course.autograder.demo_class import CORRECT, PARTIAL, WRONG, Student

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


# ---- in-kernel tricks against the tests (issue 15): half-right answers (10.75 of 20), and a trick that would
# raise them to full marks if the tests ran in the student's kernel. The judge runs them elsewhere.

#: Replaces the integrity probe with one that always reports the first, clean state, then the score helpers.
PROBE_REPLACED = """
import course.grading.integrity as _ci, course.grading as _g
_clean = _ci.probe()
_ci.probe = lambda *a, **k: _clean
_g.score_codes = lambda stance, commitment, expected, points: sum(points)
_g.score_phrase = lambda value, accepted, points, *a, **k: points
_g.score_matches = lambda given, expected, per_item: per_item * len(expected)
_g.score_reading = lambda answer, readings, points=(1.0, 0.5, 0.5): sum(points)
"""
#: Replaces one of IPython's cleanup transformers in place (their number stays the same): every line that calls
#: a score helper is dropped, and a test cell without a score is worth full marks.
TRANSFORMER_IN_PLACE = """
import re as _re
_manager = get_ipython().input_transformer_manager
_first = _manager.cleanup_transforms[0]
def _full_marks(lines):
    lines = _first(lines)
    return [_re.sub(r"^score_\\w+\\(.*$", "pass", line) for line in lines]
_manager.cleanup_transforms[0] = _full_marks
"""
#: Replaces run_code on the shell's class: a cell that fails is reported as having run cleanly.
RUN_CODE = """
from IPython.core.interactiveshell import InteractiveShell as _Shell
_run_code = _Shell.run_code
async def _never_fails(self, code_obj, result=None, *, async_=False):
    try:
        exec(code_obj, self.user_global_ns, self.user_ns)
    except BaseException:
        pass
    return False
_Shell.run_code = _never_fails
"""
#: Patches private helpers behind the checks, and shadows builtins in the grading module's namespace.
PRIVATE_HELPERS = """
import course.grading.helpers as _g
_g.score_coding = lambda *a, **k: 1.0
_g._norm = lambda text: ""
_g.sum = lambda *a, **k: 4
"""
#: An AST transformer that exists only while a cell runs: added by pre_run_cell, removed by post_run_cell.
#: It drops every assert, every check and every partial score (a test cell without a score is worth full marks).
AST_WHILE_RUNNING = """
import ast as _ast
def _calls(node, prefix):
    return any(isinstance(n, _ast.Name) and n.id.startswith(prefix) for n in _ast.walk(node))
class _Lenient(_ast.NodeTransformer):
    def visit_Module(self, node):
        body = [s for s in node.body if not isinstance(s, _ast.Assert)
                and not (isinstance(s, _ast.Expr) and _calls(s, ("score_", "check_")))]
        node.body = body or [_ast.Pass()]
        return node
_lenient = _Lenient()
def _add(info):
    get_ipython().ast_transformers.append(_lenient)
def _remove(result):
    while _lenient in get_ipython().ast_transformers:
        get_ipython().ast_transformers.remove(_lenient)
get_ipython().events.register('pre_run_cell', _add)
get_ipython().events.register('post_run_cell', _remove)
"""
#: Reads each test cell's source before it runs and sets the answers to what its hidden test expects.
READS_THE_TEST = """
import re as _re
def _answer_what_is_asked(info):
    ns = get_ipython().user_ns
    for name, stance, commitment in _re.findall(
            r"score_codes\\((\\w+)\\[.stance.\\], \\w+\\[.commitment.\\], \\(.([^,]+)., .([^,]+).\\)", info.raw_cell):
        ns[name]["stance"], ns[name]["commitment"] = stance, commitment
    for name, phrases in _re.findall(r"score_phrase\\(\\s*(\\w+(?:\\[.signal.\\])?),\\s*\\[(.*?)\\]", info.raw_cell):
        first = _re.findall(r"[\\x22\\x27]([^\\x22\\x27]*)[\\x22\\x27]", phrases)[0]
        if name.endswith("]"):
            ns[name.split("[")[0]]["signal"] = first
        else:
            ns[name] = first
get_ipython().events.register('pre_run_cell', _answer_what_is_asked)
"""
#: D2 answered with a uniform share, and pandas patched so that the hidden test's "expected" shares are uniform.
PANDAS_PATCHED = """
import pandas as _pd
_uniform = _pd.Series({code: 0.2 for code in STANCE_CODES})
_pd.Series.value_counts = lambda self, *a, **k: _uniform.copy()
"""
UNIFORM_D2 = 'd2_share = reactions["stance"].value_counts(normalize=True).reindex(list(STANCE_CODES), fill_value=0.0) * 0 + 0.2'

# ---- tricks on the seams between the kernel and the judge (issue 27): the kernel's reply is hostile bytes.

#: Replaces the kernel-side export: every reply also carries names nobody asked for (a fake set-up table, and
#: "functions" named like builtins, which would run in the kernel each time a test called a builtin). A forged
#: ``float`` that answers 1.0 would pass D2's checks (worth 1.5); ``_seen`` keeps the arguments it receives, and
#: D4's answer cell prints those the judge sent (the hidden tests' expected values, if it ever called them).
FORGED_EXPORT = """
import json as _json
import course.grading.plaindata as _plain
_real_export = _plain.export
_seen = []
def _forged_export(names, namespace=None):
    data = _json.loads(_real_export(names, namespace))
    data["values"]["reactions"] = _json.dumps(_plain.encode({"stance": ["warning"]}))
    data["functions"] = list(data.get("functions", [])) + ["float", "set", "sorted", "abs", "len"]
    return _json.dumps(data)
_plain.export = _forged_export
def _from_judge():  # a call the judge made (through plaindata.call), not the kernel's own cells
    import sys as _sys
    return _sys._getframe(2).f_globals.get("__name__") == "course.grading.plaindata"
def float(*args, **kwargs):
    if _from_judge():
        _seen.append(repr(args)[:200])
    return 1.0
def set(*args, **kwargs):
    if _from_judge():
        _seen.append(repr(args)[:200])
    return "same"
"""
PRINT_SEEN = 'print("ARGUMENTS SEEN BY THE FORGED BUILTINS:", len(_seen), _seen[:3])'
#: Replaces the export so that the reply for D4 is 30 million characters (beyond what the judge reads).
HUGE_REPLY = """
import course.grading.plaindata as _plain
_real_export = _plain.export
def _export(names, namespace=None):
    if "d4_located" in names:
        return '{"values": {"d4_located": "' + "x" * 30_000_000 + '"}, "errors": {}}'
    return _real_export(names, namespace)
_plain.export = _export
"""
#: D4 as a table of 20,000 empty columns: within the export's size, slow to rebuild without a column limit.
WIDE_TABLE = "import pandas as pd\nd4_located = pd.DataFrame(columns=range(20_000))"
#: D2 as 20,000 one-letter strings in a 4,000-character dtype: 320 MB once rebuilt, from under half a megabyte of data.
WIDE_DTYPE = 'import numpy as np\nd2_share = np.array(["x"] * 20_000, dtype="<U4000")'


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
TRICKS = [
    Student("trk_probe_replaced", "replaces the integrity probe, then the score helpers", 10.75,
            _after(PARTIAL, "ps1_a1_answer", PROBE_REPLACED), flags=("refers to the grading code",)),
    Student("trk_transformer_in_place", "replaces one of IPython's transformers in place", 10.75,
            _after(PARTIAL, "ps1_a1_answer", TRANSFORMER_IN_PLACE), flags=("touches IPython's code transformers",)),
    Student("trk_run_code", "replaces run_code on the shell's class: failures look clean", 10.75,
            _after(PARTIAL, "ps1_a1_answer", RUN_CODE), flags=("replaced IPython shell method(s) run_code",)),
    Student("trk_private_helpers", "patches private helpers of the checks and shadows sum there", 10.75,
            _after(PARTIAL, "ps1_a1_answer", PRIVATE_HELPERS), flags=("refers to the grading code",)),
    Student("trk_ast_while_running", "an AST transformer added before each cell and removed after it", 10.75,
            _after(PARTIAL, "ps1_a1_answer", AST_WHILE_RUNNING), flags=("registered a handler of IPython's cell events",)),
    Student("trk_reads_the_test", "reads each test's source before it runs and answers what it expects", 10.75,
            _after(PARTIAL, "ps1_a1_answer", READS_THE_TEST), flags=("registered a handler of IPython's cell events",)),
    Student("trk_pandas_patched", "a uniform D2, and pandas patched so the expected shares are uniform", 10.75,
            _after({**PARTIAL, "ps1_d2_answer": UNIFORM_D2}, "ps1_d2_answer", PANDAS_PATCHED)),
    Student("trk_forged_export", "an export that adds a fake table and builtins as functions", 10.75,
            _after(_after(PARTIAL, "ps1_a1_answer", FORGED_EXPORT), "ps1_d4_answer", PRINT_SEEN),
            flags=("names it was not asked for",)),
    Student("trk_huge_reply", "an export that answers D4 with 30 million characters", 10.75,
            _after(PARTIAL, "ps1_a1_answer", HUGE_REPLY), flags=("could not be read from the kernel",)),
    Student("trk_wide_table", "D4 as a table of 20,000 empty columns", 10.75,
            {**PARTIAL, "ps1_d4_answer": WIDE_TABLE}, flags=("columns (the judge's limit)",)),
    Student("trk_wide_dtype", "D2 as an array of 4,000-character strings (320 MB rebuilt)", 10.75,
            {**PARTIAL, "ps1_d2_answer": WIDE_DTYPE}, flags=("MiB (the judge's limit)",)),
]  # fmt: skip
#: The tricks on the seams between the kernel and the judge (issue 27), and the forged export's leak marker.
SEAM_TRICKS = ("trk_forged_export", "trk_huge_reply", "trk_wide_table", "trk_wide_dtype")
#: Honest students graded among the attackers, so that the class is thirty (issue 27: the grader's memory and time
#: are measured for a class of thirty with one hostile notebook of each kind).
AMONG = [
    Student(f"m_honest_{n}", "half right, graded among the attackers", 10.75, PARTIAL) for n in range(1, 8)
]
CLASS = [HONEST_BEFORE, *ATTACKERS[:5], *AMONG[:4], *ATTACKERS[5:], *TRICKS[:6], *AMONG[4:], *TRICKS[6:],
         HONEST_AFTER]  # fmt: skip
