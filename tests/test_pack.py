"""Class packs (issue 31): the instructor's private bank, a different draw for every student, graded through the
real nbgrader, with no key where a student can read it."""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import random
import re
import shutil
import statistics
import subprocess
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from test_grading_pipeline import nbgrader

from course.autograder import pack
from course.content.bank import BANK_FACTOR, draw, load_bank
from course.content.data import DataError
from course.content.reactions import COMMITMENT_CODES, STANCE_CODES
from course.grading import helpers, variants

PS1 = pack.PS1


@pytest.fixture(scope="module")
def bank_folder(tmp_path_factory) -> Path:
    return pack.example_bank(tmp_path_factory.mktemp("bank") / "bank")


def _roster(folder: Path, count: int) -> Path:
    path = folder / "roster.csv"
    path.write_text("id,first_name,last_name\n" + "".join(f"s{n:03d},S,{n}\n" for n in range(count)))
    return path


def _copy(bank: Path, tmp: Path) -> Path:
    copy = tmp / "bank"
    shutil.copytree(bank, copy)
    return copy


def _edit(path: Path, line: int, column: str, value: str) -> None:
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[line - 2][column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def test_the_example_bank_is_valid_and_shows_a_reading_in_full_and_one_with_a_share(bank_folder):
    bank = load_bank(bank_folder)
    assert len(bank) == 18 >= BANK_FACTOR * len(pack.SLOTS)
    shares = [r for item in bank.items.values() for r in item.readings if r.credit < 1]
    assert {r.credit for r in shares} == {0.5} and len(shares) == 2
    for item in bank.items.values():
        assert (
            item.text
            and item.url.startswith("http")
            and item.grade in ("official", "wire", "outlet", "aggregator")
        )
    assert bank.items["cn_202311_zhang_jun"].date == "2023-11", "a date known to the month stays a month"


@pytest.mark.parametrize(
    ("file", "line", "column", "value", "message"),
    [
        ("readings.csv", 2, "stance", "approval", "readings.csv, line 2, column 'stance': 'approval' is not a stance code"),
        ("readings.csv", 3, "commitment", "sanctions", "line 3, column 'commitment': 'sanctions' is not a commitment code"),
        ("readings.csv", 4, "reason", "", "line 4, column 'reason': every reading needs a reason"),
        ("readings.csv", 5, "signals", "the moon", "line 5, column 'signals': 'the moon' is not in the text of item"),
        ("readings.csv", 6, "credit", "1.5", "line 6, column 'credit': 1.5: a share of the item's points"),
        ("readings.csv", 6, "credit", "0.5", "has no reading in full (credit 1)"),
        ("readings.csv", 3, "item_id", "nobody", "line 3, column 'item_id': 'nobody' is not an item of items.csv"),
        ("readings.csv", 7, "stance", "endorsement", "line 7, column 'commitment': item 'ru_20240328_nebenzia' already has the reading endorsement/words_only"),
        ("items.csv", 3, "item_id", "kp_20230913_kim", "items.csv, line 3, column 'item_id': item 'kp_20230913_kim' is already on line 2"),
        ("items.csv", 4, "date", "2024-13-01", "line 4, column 'date': '2024-13-01' is not a date"),
        ("items.csv", 4, "grade", "blog", "line 4, column 'grade': 'blog'; expected one of official, wire, outlet, aggregator"),
        ("items.csv", 5, "url", "", "line 5, column 'url': empty; every item needs it"),
    ],
)  # fmt: skip
def test_a_bad_bank_is_refused_with_the_file_line_and_column(bank_folder, tmp_path, file, line, column, value,
                                                             message):  # fmt: skip
    bank = _copy(bank_folder, tmp_path)
    _edit(bank / file, line, column, value)
    with pytest.raises(DataError) as caught:
        load_bank(bank)
    assert message in str(caught.value)


def test_a_banks_signal_words_are_found_as_a_students_signal_is(bank_folder, tmp_path):
    """One comparison for both: a signal typed with a straight apostrophe where the statement has a curly one passes
    the student's check, so the bank accepts it too."""
    bank = _copy(bank_folder, tmp_path)
    _edit(bank / "readings.csv", 4, "signals", "China's position")  # cn_20240105_wang: "China’s position ..."
    text = load_bank(bank).items["cn_20240105_wang"].text
    assert "China’s position" in text
    helpers.check_phrase("China's position", text, "signal")


def test_a_duplicate_statement_and_an_item_without_a_reading_are_refused(bank_folder, tmp_path):
    bank = _copy(bank_folder, tmp_path)
    rows = (bank / "items.csv").read_text(encoding="utf-8").splitlines()
    first = next(csv.reader([rows[1]]))
    copy = [*first[:1], "again", *first[2:]]
    copy[0] = "again"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(copy)
    (bank / "items.csv").write_text("\n".join(rows) + "\n" + out.getvalue(), encoding="utf-8")
    with pytest.raises(
        DataError, match=r"items.csv, line 20, column 'text': the same words as item 'kp_20230913_kim'"
    ):
        load_bank(bank)
    copy[7] = "A statement nobody coded."
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(copy)
    (bank / "items.csv").write_text("\n".join(rows) + "\n" + out.getvalue(), encoding="utf-8")
    with pytest.raises(DataError, match=r"items.csv, line 20: item 'again' has no reading in readings.csv"):
        load_bank(bank)


def _codes_shown(card: str, item) -> list[str]:
    """The scheme's codes a card shows beyond the item's own words (its text, occasion, speaker and role)."""
    rest = " ".join(card.split())
    for words in (item.text, item.occasion, item.speaker, item.role, item.context):
        rest = rest.replace(" ".join(words.split()), "") if words else rest
    return [code for code in (*STANCE_CODES, *COMMITMENT_CODES) if code in rest]


def _pack_error(bank: Path, tmp: Path, **kwargs) -> str:
    tmp.mkdir(parents=True, exist_ok=True)
    out = tmp / "pack"
    with pytest.raises(pack.PackError) as caught:
        pack.build(bank, _roster(tmp, 30), out, **kwargs)
    assert not out.exists(), "nothing is written before everything is checked"
    return str(caught.value)


def test_the_pack_refuses_a_bad_bank_before_anything_is_written(bank_folder, tmp_path):
    small = _copy(bank_folder, tmp_path / "small")
    items = (small / "items.csv").read_text(encoding="utf-8").splitlines()
    keep = {next(csv.reader([row]))[0] for row in items[1:14]}
    (small / "items.csv").write_text("\n".join(items[:14]) + "\n", encoding="utf-8")
    readings = (small / "readings.csv").read_text(encoding="utf-8").splitlines()
    kept = [row for row in readings[1:] if next(csv.reader([row]))[0] in keep]
    (small / "readings.csv").write_text("\n".join([readings[0], *kept]) + "\n", encoding="utf-8")
    assert "the bank holds 13 items; a draw of 5 per student needs at least 15" in _pack_error(
        small, tmp_path / "small", allow_public=True
    )
    assert "are statements the public repository already codes" in _pack_error(
        bank_folder, tmp_path / "public"
    )
    readable = _copy(bank_folder, tmp_path / "readable")
    os.chmod(readable / "readings.csv", 0o644)
    message = _pack_error(readable, tmp_path / "readable", allow_public=True)
    assert "readable by other users (mode 644)" in message and "chmod -R go-rwx" in message
    with pytest.raises(pack.PackError, match="outside the course's public repository"):
        pack.build(bank_folder, _roster(tmp_path, 3), ROOT / "assignments" / "pack", allow_public=True)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    with pytest.raises(pack.PackError, match="every user of this machine can read it"):
        pack.build(bank_folder, _roster(tmp_path, 3), shared, allow_public=True)
    assert list(shared.iterdir()) == []
    bad = tmp_path / "bad_roster.csv"
    bad.write_text("id\ns1\n../etc\n")
    with pytest.raises(pack.PackError, match=r"bad_roster.csv, line 3: '../etc' is not a student id"):
        pack.build(bank_folder, bad, tmp_path / "out", allow_public=True)


def test_the_draw_is_reproducible_per_student_and_spreads_the_bank(bank_folder):
    bank = load_bank(bank_folder)
    secret = b"0123456789abcdef0123456789abcdef"
    first = {f"s{n}": draw(secret, PS1, f"s{n}", bank.items, 5) for n in range(300)}
    assert first["s7"] == draw(secret, PS1, "s7", reversed(list(bank.items)), 5), (
        "the bank's order changes nothing"
    )
    assert first["s7"] != draw(b"another secret, another class....", PS1, "s7", bank.items, 5)
    assert all(len(set(items)) == 5 for items in first.values())
    # two students share the item of a place with the chance 1/18; measured over 300 students' pairs
    students = list(first)
    shared = statistics.mean(
        first[a][k] == first[b][k]
        for i, a in enumerate(students)
        for b in students[i + 1 :]
        for k in range(5)
    )
    assert 0.8 / 18 < shared < 1.2 / 18, shared
    counts = [sum(items[0] == item for items in first.values()) for item in bank.items]
    assert max(counts) < 3 * min(counts), counts


def test_a_reading_with_a_share_scales_what_an_answer_scored_against_it_earns(capsys):
    readings = [("endorsement", "words_only", ["defend"], "in full."), ("condemnation", "words_only", ["biased"],
                "a share.", 0.5)]  # fmt: skip
    full = helpers.score_reading(
        {"stance": "endorsement", "commitment": "words_only", "signal": "defend"}, readings
    )
    share = helpers.score_reading(
        {"stance": "condemnation", "commitment": "words_only", "signal": "biased"}, readings
    )
    assert (full, share) == (2.0, 1.0)
    said = capsys.readouterr().out
    assert (
        "accepts for 50% of the points" in said
        and "also accepted for 50% of the points: condemnation" in said
    )


def test_an_existing_course_folder_keeps_its_configuration_sharing_and_problem_sets(bank_folder, tmp_path):
    """The hub's grading/ (group nas-instructors, mode 2770): the pack writes ps1's source and nothing else."""
    grading = tmp_path / "grading"
    (grading / "source" / "ps2_geography_and_logistics").mkdir(parents=True)
    (grading / "nbgrader_config.py").write_text("# the hub's own\n")
    (grading / "source" / "ps2_geography_and_logistics" / "mine.ipynb").write_text("{}")
    os.chmod(grading, 0o2770)
    pack.build(bank_folder, _roster(tmp_path, 3), grading, allow_public=True)
    assert (grading / "nbgrader_config.py").read_text() == "# the hub's own\n"
    assert oct(grading.stat().st_mode & 0o7777) == "0o2770"
    assert [p.name for p in (grading / "source" / "ps2_geography_and_logistics").iterdir()] == ["mine.ipynb"]
    assert (grading / "source" / PS1 / variants.FILE).is_file()
    assert (grading / "source" / "ps3_treaties_and_scenarios").is_dir()


def test_a_students_notebook_finds_its_own_draw_and_says_what_to_do_without_one(
    bank_folder, tmp_path, monkeypatch
):
    built = pack.build(bank_folder, _roster(tmp_path, 4), tmp_path / "pack", allow_public=True)
    folder = tmp_path / "pack" / "source" / PS1
    table = json.loads((folder / variants.FILE).read_text(encoding="utf-8"))
    assert "s001" not in json.dumps(table), "the roster is not listed in the clear"
    card_fields = {"item_id", "speaker", "role", "date", "occasion", "language", "translated", "text", "context",
                   "outlet", "url", "published", "grade"}  # fmt: skip
    assert all(set(card) == card_fields for card in table["items"].values()), "cards only, never a reading"
    monkeypatch.chdir(folder)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.setenv("COURSE_STUDENT", "s001")
    mine = variants.my_variant(PS1)
    assert [mine.item_id(slot) for slot in pack.SLOTS] == built.draws["s001"]
    monkeypatch.setenv("COURSE_STUDENT", "s999")
    with pytest.raises(variants.VariantMissing, match="no items were drawn for 's999'"):
        variants.my_variant(PS1)
    monkeypatch.delenv("COURSE_STUDENT")
    with pytest.raises(variants.VariantMissing, match="chosen by their user name on the class's hub"):
        variants.my_variant(PS1)
    from course.views.display import drawn_statement

    text = drawn_statement(mine, "A1").data
    item = load_bank(bank_folder).items[mine.item_id("A1")]
    assert item.text in text and item.speaker in text and f"`{item.item_id}`" in text
    assert _codes_shown(text, item) == []


# --- the real pipeline --------------------------------------------------------------------------------------------


def _keys(source: str) -> dict[str, list]:
    """The KEYS table of a pack's hidden test cell."""
    block = re.search(r"^KEYS = (\{.*?^\})", source, re.S | re.M).group(1)
    return ast.literal_eval(block)


def _score(answer: dict, text: str, readings: list) -> float:
    """What the check cell gives: 0 when the visible checks fail, else score_reading (quietly)."""
    try:
        helpers.check_phrase(answer["signal"], text, "signal")
    except AssertionError:
        return 0.0
    with io.StringIO() as sink, __import__("contextlib").redirect_stdout(sink):
        return helpers.score_reading(answer, readings)


def _random_answer(rng: random.Random, text: str) -> dict:
    words = text.split()
    start = rng.randrange(len(words))
    return {"stance": rng.choice(STANCE_CODES), "commitment": rng.choice(COMMITMENT_CODES),
            "signal": " ".join(words[start : start + rng.randint(1, 4)]).strip(".,;:'\"")}  # fmt: skip


@pytest.mark.slow
def test_a_class_of_30_is_graded_each_against_their_own_draw_and_copying_gains_nothing(bank_folder, tmp_path):
    """Issue 31's must-show, through the real generate_assignment, release (an exchange), autograde and feedback.

    Ten students answer their own items as the key does, ten submit a classmate's correct answers, ten answer at
    random. Measured over the class: copying scores no more than answering at random."""
    root = tmp_path / "course"
    built = pack.build(bank_folder, _roster(tmp_path, 30), root, allow_public=True)
    nbgrader(root, "generate_assignment", PS1, "--force")
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    nbgrader(root, "release_assignment", PS1, f"--Exchange.root={exchange}", "--force")
    source = nbformat.read(root / "source" / PS1 / f"{PS1}.ipynb", as_version=4)
    cells = {c.id: c.source for c in source.cells}
    keys = {slot: _keys(cells[f"ps1-a{n}-check"]) for n, slot in enumerate(pack.SLOTS, start=1)}
    bank = load_bank(bank_folder)
    reasons = [r.reason for item in bank.items.values() for r in item.readings]

    # no file a student can read holds a key: the release, the exchange (world-readable), the repository
    readable = [p for folder in (root / "release", exchange) for p in folder.rglob("*") if p.is_file()]
    assert len(readable) >= 4
    for path in readable:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert "KEYS" not in text and "SOLUTIONS" not in text and "BEGIN HIDDEN" not in text, path
        assert not [r for r in reasons if r[:60] in text], f"{path} holds a reason of the key"
        stances, commitments = "|".join(STANCE_CODES), "|".join(COMMITMENT_CODES)
        assert not re.search(rf"\('(?:{stances})', '(?:{commitments})', \[", text), path
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert not [p for p in tracked if p.endswith(variants.FILE) or "class-secret" in p]
    assert oct(root.stat().st_mode & 0o777) == "0o700", "the pack's folder is the instructor's alone"

    texts = {item: bank.items[item].text for item in bank.items}
    solution = {item: {"stance": r.stance, "commitment": r.commitment, "signal": r.signals[0]}
                for item in bank.items for r in bank.items[item].readings[:1]}  # fmt: skip
    students = built.students
    rng = random.Random(31)
    answers, kinds = {}, {}
    for n, student in enumerate(students):
        mine = built.draws[student]
        if n < 10:
            kinds[student], answers[student] = "own", [solution[item] for item in mine]
        elif n < 20:
            classmate = students[(n + 1) % 10]  # a classmate who answered their own items as the key does
            kinds[student], answers[student] = "copied", [solution[item] for item in built.draws[classmate]]
        else:
            kinds[student], answers[student] = "random", [_random_answer(rng, texts[item]) for item in mine]
    release = root / "release" / PS1 / f"{PS1}.ipynb"
    for student in students:
        nb = nbformat.read(release, as_version=4)
        for cell in nb.cells:
            match = re.fullmatch(r"ps1_a(\d)_answer", cell.metadata.get("nbgrader", {}).get("grade_id", ""))
            if match:
                cell.source = f"a{match.group(1)} = {answers[student][int(match.group(1)) - 1]!r}"
        folder = root / "submitted" / student / PS1
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{PS1}.ipynb")
        shutil.copy(root / "release" / PS1 / variants.FILE, folder)
        (folder / "timestamp.txt").write_text("2026-12-01 12:00:00.000000 UTC\n")
    # A copier who forges their draw: their variants.json files the classmate's items under their own id, and a
    # cell of their own tells the kernel it grades the classmate's items. The judge reads neither.
    forger, classmate = students[10], students[11 % 10]
    folder = root / "submitted" / forger / PS1
    table = json.loads((folder / variants.FILE).read_text(encoding="utf-8"))
    table["students"][variants.digest(PS1, forger)] = built.draws[classmate]
    (folder / variants.FILE).write_text(json.dumps(table), encoding="utf-8")
    nb = nbformat.read(folder / f"{PS1}.ipynb", as_version=4)
    cards = {
        slot: table["items"][item] for slot, item in zip(pack.SLOTS, built.draws[classmate], strict=True)
    }
    forged = f"import course.grading.variants as v\nv.attend({PS1!r}, {classmate!r}, {cards!r})\nvariant = v.my_variant({PS1!r})"
    nb.cells.insert(2, nbformat.v4.new_code_cell(forged))
    nbformat.write(nb, folder / f"{PS1}.ipynb")
    assert kinds[forger] == "copied" and answers[forger] == [
        solution[item] for item in built.draws[classmate]
    ]
    nbgrader(root, "autograde", PS1)

    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for student in students:
            nb = gb.find_submission_notebook(PS1, PS1, student)
            scores[student] = [nb.grades[[g.name for g in nb.grades].index(f"ps1_a{n}_check")].score
                               for n in range(1, 6)]  # fmt: skip
    expected = {
        student: [
            round(_score(answer, texts[item], keys[slot][item]), 4)
            for answer, item, slot in zip(answers[student], built.draws[student], pack.SLOTS, strict=True)
        ]
        for student in students
    }
    rounded = {student: [round(score, 4) for score in got] for student, got in scores.items()}
    assert rounded == expected, "every student is graded against the key of their own items"
    assert all(sum(scores[s]) == 10 for s in students if kinds[s] == "own")
    # measured over the class: the mean of copying any classmate's correct answers, and of random answers
    copying = statistics.mean(
        sum(_score(solution[theirs], texts[ours], keys[slot][ours])
            for ours, theirs, slot in zip(built.draws[a], built.draws[b], pack.SLOTS, strict=True))
        for a in students for b in students if a != b
    )  # fmt: skip
    guessing = statistics.mean(
        sum(_score(_random_answer(rng, texts[item]), texts[item], keys[slot][item])
            for item, slot in zip(built.draws[s], pack.SLOTS, strict=True))
        for s in students for _ in range(40)
    )  # fmt: skip
    graded_copying = statistics.mean(sum(scores[s]) for s in students if kinds[s] == "copied")
    print(f"Part A of 10: copying {copying:.2f} (graded {graded_copying:.2f}), at random {guessing:.2f}")
    assert copying <= guessing, (copying, guessing)

    nbgrader(root, "generate_feedback", PS1)
    for student in students[:3]:
        page = (root / "feedback" / student / PS1 / f"{PS1}.html").read_text(encoding="utf-8")
        for slot, item in zip(pack.SLOTS, built.draws[student], strict=True):
            assert (
                f"your item for {slot} was &#39;{item}&#39;" in page
                or f"your item for {slot} was '{item}'" in page
            )
            assert texts[item][:40].replace("'", "&#39;") in page or texts[item][:40] in page
        others = [r.reason for item, entry in bank.items.items() if item not in built.draws[student]
                  for r in entry.readings]  # fmt: skip
        assert "KEYS" not in page and not [r for r in others if r[:50].replace("'", "&#39;") in page]


# --- what a student sees ------------------------------------------------------------------------------------------

SIZES = {"laptop": (1280, 800), "desktop": (1920, 1080)}


@pytest.mark.browser
@pytest.mark.parametrize("size", list(SIZES))
def test_a_student_sees_their_own_items_in_jupyterlab(tmp_path, browser, monkeypatch, size):
    """The released class pack opened in JupyterLab as student s001 (``COURSE_STUDENT``, as on a hub the user
    name): each Part A card shows s001's own item, its words and source, and no code; at both window sizes."""
    from labserver import running_lab
    from test_browser import run_all
    from test_screens import ARTIFACTS

    bank = pack.example_bank(tmp_path / "bank")
    built = {}

    def prepare(root: Path) -> None:
        built["pack"] = pack.build(bank, _roster(tmp_path, 3), root / "pack", allow_public=True)
        nbgrader(root / "pack", "generate_assignment", PS1, "--force")
        release = root / "pack" / "release" / PS1 / f"{PS1}.ipynb"
        nb = nbformat.read(release, as_version=4)
        for cell in nb.cells:  # an unanswered cell raises: carry on, as a student reading it would
            cell.metadata.setdefault("tags", []).append("raises-exception")
        nbformat.write(nb, release)

    monkeypatch.setenv("COURSE_STUDENT", "s001")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    with running_lab(tmp_path, subdir=f"pack/release/{PS1}", prepare=prepare) as lab:
        page.goto(lab.url(f"lab/tree/{PS1}.ipynb"))
        page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
        run_all(page)
        drawn = built["pack"].draws["s001"]
        items = load_bank(bank).items
        cards = []
        for slot in pack.SLOTS:
            card = page.locator(".jp-OutputArea-output", has_text=f"Your item for {slot}:").first
            for _ in range(3):  # cells above are painted as they come into view, and move the card: again
                card.evaluate("element => element.scrollIntoView({block: 'center'})")
                page.wait_for_timeout(300)
            cards.append(" ".join((card.text_content() or "").split()))
            if slot == "A1":
                page.screenshot(path=str(ARTIFACTS / f"pack_ps1_a1_{size}.png"))
        errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        stderr = errors.all_inner_texts()
    context.close()
    for card, item in zip(cards, drawn, strict=True):
        assert (
            " ".join(items[item].text.split())[:60] in card and item in card and items[item].speaker in card
        )
        assert _codes_shown(card, items[item]) == [], item
    assert not [e for e in stderr if "VariantMissing" in e or "variants.json" in e], stderr


def test_an_instructor_codes_the_bank_with_the_coding_labs_choices_and_the_pack_accepts_it(
    bank_folder, tmp_path
):
    """Issue 31: the bank's items coded in a notebook form; each change saved to readings.csv (owner only), what a
    class pack would refuse said at once, other readings (with their credit) kept."""
    from course.views.bank import BankCoder

    bank = _copy(bank_folder, tmp_path)
    kept = [
        row
        for row in csv.DictReader(io.StringIO((bank / "readings.csv").read_text()))
        if row["credit"] != "1"
    ]
    full = {row["item_id"]: row for row in csv.DictReader(io.StringIO((bank / "readings.csv").read_text()))
            if row["credit"] == "1"}  # fmt: skip
    rows = io.StringIO()
    writer = csv.DictWriter(rows, fieldnames=list(kept[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(kept)
    (bank / "readings.csv").write_text(rows.getvalue())
    (bank / "readings.csv").write_text(
        ",".join(["item_id", "stance", "commitment", "credit", "signals", "reason"]) + "\n"
    )
    assert BankCoder(bank).done() == 0, "a header and nothing coded yet: a bank just begun"
    (bank / "readings.csv").write_text(rows.getvalue())
    coder = BankCoder(bank)
    assert coder.done() == 0 and "not coded yet" in coder.status.value
    assert [label for label, _ in coder.choices["stance"].options][0] != "endorsement", (
        "labels, as the lab shows"
    )
    for index, item_id in enumerate(coder.ids):
        coder.go(index)
        assert item_id in coder.card.value
        row = full[item_id]
        coder.code(stance=row["stance"], commitment=row["commitment"])
        assert "Not ready yet" in coder.status.value and "signals" in coder.status.value
        coder.code(signals="words nobody said")
        assert "is not in the text of item" in coder.status.value
        coder.code(signals=row["signals"], reason=row["reason"])
        assert "This reading is complete" in coder.status.value
    assert coder.done() == len(coder.ids) == 18
    assert oct((bank / "readings.csv").stat().st_mode & 0o777) == "0o600"
    rebuilt, example = load_bank(bank).items, load_bank(bank_folder).items
    assert {i: set(item.readings) for i, item in rebuilt.items()} == {
        i: set(item.readings) for i, item in example.items()
    }, "the coded bank is the example bank again, its readings with a share kept"
    reopened = BankCoder(bank)
    assert reopened.done() == 18 and reopened.choices["stance"].value == full[reopened.ids[0]]["stance"]


def test_the_commands_write_the_example_bank_and_a_pack_and_say_what_is_wrong(tmp_path, capsys):
    from course.autograder.__main__ import main

    assert main(["example-bank", str(tmp_path / "bank"), "--templates", str(ROOT / "assignments")]) == 0
    roster = _roster(tmp_path, 4)
    assert (
        main(
            ["pack", "--bank", str(tmp_path / "bank"), "--roster", str(roster), "--out", str(tmp_path / "o")]
        )
        == 2
    )
    assert "are statements the public repository already codes" in capsys.readouterr().err
    args = ["pack", "--bank", str(tmp_path / "bank"), "--roster", str(roster), "--out", str(tmp_path / "o"),
            "--allow-public", "--templates", str(ROOT / "assignments")]  # fmt: skip
    assert main(args) == 0
    assert "4 students, 5 items each" in capsys.readouterr().out
    assert (tmp_path / "o" / "source" / PS1 / variants.FILE).is_file()


@pytest.mark.browser
@pytest.mark.parametrize("size", list(SIZES))
def test_an_instructor_codes_a_bank_item_in_jupyterlab(tmp_path, browser, size):
    """The bank coder in JupyterLab at both window sizes: the card, the codebook's choices by label, the signal and
    the reason; choosing and typing saves readings.csv, and the form says what a pack would still refuse."""
    from labserver import running_lab
    from test_screens import ARTIFACTS

    def prepare(root: Path) -> None:
        bank = pack.example_bank(root / "bank")
        rows = (bank / "readings.csv").read_text().splitlines()
        (bank / "readings.csv").write_text(rows[0] + "\n")  # nothing coded yet
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        }
        nb.cells = [nbformat.v4.new_code_cell('from course.views.bank import BankCoder\n\nBankCoder("bank")')]
        nbformat.write(nb, root / "bank_coder.ipynb")

    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    with running_lab(tmp_path, prepare=prepare) as lab:
        page.goto(lab.url("lab/tree/bank_coder.ipynb"))
        page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
        from test_browser import run_all

        run_all(page)
        form = page.locator(".jp-OutputArea-output", has_text="Item 1 of 18").first
        form.wait_for(timeout=60_000)
        assert "not coded yet" in form.inner_text()
        form.get_by_text("Endorsement", exact=True).click()
        form.get_by_text("Words only", exact=True).click()
        signal = form.locator("input[type=text]").nth(0)
        signal.fill("build stable and future-oriented")
        signal.press("Enter")
        reason = form.locator("input[type=text]").nth(1)
        reason.fill(
            "Kim pledges to build relations with Russia: approval of the partnership, no measure named."
        )
        reason.press("Enter")
        page.get_by_text("This reading is complete.").wait_for(timeout=15_000)
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / f"bank_coder_{size}.png"))
        saved = (lab.root / "bank" / "readings.csv").read_text()
        from test_screens import _PROBLEMS

        problems = page.evaluate(_PROBLEMS)
    context.close()
    (row,) = csv.DictReader(io.StringIO(saved))
    assert (row["item_id"], row["stance"], row["commitment"], row["signals"]) == (
        "kp_20230913_kim", "endorsement", "words_only", "build stable and future-oriented"
    ) and row["reason"].startswith("Kim pledges")  # fmt: skip
    assert problems == [], problems
