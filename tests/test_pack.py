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
import time
from pathlib import Path

import nbformat
import pytest
from attacks import _LOOK
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
    assert len(bank.codable) == 18 >= BANK_FACTOR * len(pack.SLOTS)
    # Part C: six items (two per student), each with its best option, one true but less sharp, and one the
    # statement does not avoid (it says it); none is coded for Part A or has a hedge
    assert len(bank.avoidable) == 6 == BANK_FACTOR * len(pack.AVOIDED_SLOTS) and len(bank) == 24
    for item_id in bank.avoidable:
        item = bank.items[item_id]
        assert {c.credit for c in item.avoided} == {1.0, 0.5, 0.0}, item_id
        assert not item.readings and item.hedge is None
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
        ("hedges.csv", 2, "words", "the moon", "hedges.csv, line 2, column 'words': 'the moon' is not in the text of item 'cn_20240105_wang'"),
        ("hedges.csv", 4, "words", "not an end in itself", "line 4, column 'words': 'not an end in itself' is 5 words; an answer is at most 4"),
        ("hedges.csv", 3, "right", "", "line 3, column 'right': every hedge needs its 'right' sentence"),
        ("hedges.csv", 3, "wrong", "Look for the word seems.", "line 3, column 'wrong': the sentence for a wrong answer quotes an accepted word"),
        ("hedges.csv", 5, "item_id", "nobody", "line 5, column 'item_id': 'nobody' is not an item of items.csv"),
        ("hedges.csv", 6, "words", " ; ", "line 6, column 'words': empty: name the words the key accepts"),
        ("avoided.csv", 2, "credit", "2", "avoided.csv, line 2, column 'credit': 2: an option's share of the point, from 0 to 1"),
        ("avoided.csv", 2, "credit", "half", "line 2, column 'credit': 'half' is not a number"),
        ("avoided.csv", 2, "credit", "0.5", "line 2, column 'credit': item 'cn_20240620_lin_en' has no option in full (credit 1)"),
        ("avoided.csv", 3, "reason", "", "line 3, column 'reason': every option needs a reason"),
        ("avoided.csv", 4, "option", "", "line 4, column 'option': 0 words: an option is a phrase of 1 to 16 words"),
        ("avoided.csv", 4, "option", "Whose matter the cooperation is", "line 4, column 'option': item 'cn_20240620_lin_en' already has the option 'Whose matter the cooperation is'"),
        ("avoided.csv", 5, "item_id", "nobody", "line 5, column 'item_id': 'nobody' is not an item of items.csv"),
        ("avoided.csv", 5, "item_id", "kp_20230913_kim", "avoided.csv, line 5, column 'item_id': item 'kp_20230913_kim' has 1 option(s); Part C offers 2 to 6"),
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
        DataError, match=r"items.csv, line 26, column 'text': the same words as item 'kp_20230913_kim'"
    ):
        load_bank(bank)
    copy[7] = "A statement nobody coded."
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(copy)
    (bank / "items.csv").write_text("\n".join(rows) + "\n" + out.getvalue(), encoding="utf-8")
    with pytest.raises(DataError, match=r"items.csv, line 26: item 'again' has no reading in readings.csv"):
        load_bank(bank)
    # an item coded for Part A cannot also be read for Part C: its options, released, would hint at its codes
    bank = _copy(bank_folder, tmp_path / "both")
    with (bank / "avoided.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            "kp_20230913_kim,any date,1,A reason for the feedback.\nkp_20230913_kim,any place,0,Another reason for the feedback.\n"
        )
    with pytest.raises(
        DataError,
        match=r"avoided.csv, line 25, column 'item_id': item 'kp_20230913_kim' has readings in readings.csv too",
    ):
        load_bank(bank)
    bank = _copy(bank_folder, tmp_path / "hedged and read")
    with (bank / "hedges.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            "chang_violation,directly or indirectly,The rule covers every kind of help.,Look at how wide the rule is.\n"
        )
    with pytest.raises(
        DataError,
        match=r"avoided.csv, line 13, column 'item_id': item 'chang_violation' has a hedge in hedges.csv too",
    ):
        load_bank(bank)
    bank = _copy(bank_folder, tmp_path / "hedged twice")
    rows = (bank / "hedges.csv").read_text(encoding="utf-8").splitlines()
    (bank / "hedges.csv").write_text("\n".join([*rows, rows[2]]) + "\n", encoding="utf-8")
    with pytest.raises(
        DataError,
        match=r"hedges.csv, line 13, column 'item_id': item 'kr_202403_hwang' already has a hedge on line 3",
    ):
        load_bank(bank)


def _codes_shown(card: str, item) -> list[str]:
    """The scheme's codes a card shows beyond the item's own words (its text, occasion, speaker, role, context and
    the source's address, whose slug is the outlet's: "japan-seriously-concerned-over-...")."""
    rest = " ".join(card.split())
    for words in (item.text, item.occasion, item.speaker, item.role, item.context, item.url):
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
    keep = {next(csv.reader([row]))[0] for row in [*items[1:14], *items[19:]]}  # 13 to code, Part C's 6
    (small / "items.csv").write_text("\n".join([*items[:14], *items[19:]]) + "\n", encoding="utf-8")
    for name in ("readings.csv", "hedges.csv"):
        rows = (small / name).read_text(encoding="utf-8").splitlines()
        kept = [row for row in rows[1:] if next(csv.reader([row]))[0] in keep]
        (small / name).write_text("\n".join([rows[0], *kept]) + "\n", encoding="utf-8")
    assert (
        "the bank holds 13 items to code (besides 6 with Part C options); a draw of 5 per student needs at least 15"
        in _pack_error(small, tmp_path / "small", allow_public=True)
    )
    # Part C: two per student need six items with options; without the last one's, five are left
    fewer = _copy(bank_folder, tmp_path / "fewer")
    rows = (fewer / "avoided.csv").read_text(encoding="utf-8").splitlines()
    (fewer / "avoided.csv").write_text("\n".join(rows[:-4]) + "\n", encoding="utf-8")
    items = (fewer / "items.csv").read_text(encoding="utf-8").splitlines()
    assert items[-1].startswith("hayashi_regional_security,")
    (fewer / "items.csv").write_text("\n".join(items[:-1]) + "\n", encoding="utf-8")
    assert (
        "avoided.csv: the bank has Part C options for 5 items; a draw of 2 per student needs at least 6 (3 x 2). "
        "Add items, or remove avoided.csv to keep Part C's public items"
    ) in _pack_error(fewer, tmp_path / "fewer", allow_public=True)
    # hedges (Part B): three per student need nine hedged items; the example bank has eleven
    few = _copy(bank_folder, tmp_path / "few")
    rows = (few / "hedges.csv").read_text(encoding="utf-8").splitlines()
    (few / "hedges.csv").write_text("\n".join(rows[:9]) + "\n", encoding="utf-8")
    assert (
        "hedges.csv: the bank has hedges for 8 items; a draw of 3 per student needs at least 9 (3 x 3). Add "
        "hedges, or remove hedges.csv to keep Part B's public items"
    ) in _pack_error(few, tmp_path / "few", allow_public=True)
    # a hedges.csv with its header only (a template not yet filled) keeps Part B's public items, as no file does
    (few / "hedges.csv").write_text(rows[0] + "\n", encoding="utf-8")
    assert load_bank(few).hedged == []
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


def test_a_bank_without_hedges_keeps_part_bs_public_items_and_says_so(bank_folder, tmp_path):
    bank = _copy(bank_folder, tmp_path)
    (bank / "hedges.csv").unlink()
    built = pack.build(bank, _roster(tmp_path, 3), tmp_path / "pack", allow_public=True)
    assert built.hedges == {} and "Part B: the public items (the bank has no hedges.csv)" in built.summary()
    folder = tmp_path / "pack" / "source" / PS1
    cells = {c.id: c.source for c in nbformat.read(folder / f"{PS1}.ipynb", as_version=4).cells}
    assert 'reactions.loc["kirby_of_concern", "paraphrase"]' in cells["ps1-b1-check"]
    assert "HEDGES" not in cells["ps1-b1-check"] and "drawn_statement" in cells["ps1-a1-show"]
    slots = json.loads((folder / variants.FILE).read_text(encoding="utf-8"))["slots"]
    assert slots == [*pack.SLOTS, *pack.AVOIDED_SLOTS]
    with_hedges = pack.build(bank_folder, _roster(tmp_path, 3), tmp_path / "hedged", allow_public=True)
    table = json.loads((tmp_path / "hedged" / "source" / PS1 / variants.FILE).read_text(encoding="utf-8"))
    assert table["slots"] == [*pack.SLOTS, *pack.HEDGE_SLOTS, *pack.AVOIDED_SLOTS]
    assert "Part B: 3 hedges each" in with_hedges.summary()
    assert "Part C: 2 statements each from" in with_hedges.summary()


def test_the_example_banks_part_c_quotes_its_statements_word_for_word(bank_folder):
    """Every quotation in a Part C option's reason ('...') is the item's own words, and every quotation in a card's
    context ("...") is the words of a statement of the course's data (the rest of the same answer)."""
    from course.content.data import load

    bank = load_bank(bank_folder)
    from course.content.reactions import phrase_form as norm

    for item_id in bank.avoidable:
        item = bank.items[item_id]
        for choice in item.avoided:
            for quoted in re.findall(r"(?<![A-Za-z])'(.+?)'(?![A-Za-z])", choice.reason):
                for part in quoted.split(" ... "):
                    assert norm(part) in norm(item.text), (item_id, part)
    data = [*load("statements")["text"].dropna(), *load("reactions")["quote"].dropna()]
    contexts = [bank.items[i].context for i in bank.avoidable if bank.items[i].context]
    assert len(contexts) == 3
    for context in contexts:
        for quoted in re.findall(r'"(.+?)"', context):
            assert any(quoted in text for text in data), quoted


def test_a_bank_without_part_c_options_keeps_part_cs_public_items_and_says_so(bank_folder, tmp_path):
    bank = _copy(bank_folder, tmp_path)
    header = (bank / "avoided.csv").read_text(encoding="utf-8").splitlines()[0]
    (bank / "avoided.csv").write_text(header + "\n", encoding="utf-8")  # a template not yet filled
    items = (bank / "items.csv").read_text(encoding="utf-8").splitlines()
    (bank / "items.csv").write_text("\n".join(items[:19]) + "\n", encoding="utf-8")  # the items Part A codes
    built = pack.build(bank, _roster(tmp_path, 3), tmp_path / "pack", allow_public=True)
    assert built.avoided == {} and "Part C: the public items (the bank has no avoided.csv)" in built.summary()
    folder = tmp_path / "pack" / "source" / PS1
    cells = {c.id: c.source for c in nbformat.read(folder / f"{PS1}.ipynb", as_version=4).cells}
    assert 'statement("lin_jian_troops", committed=False)' in cells["ps1-c1-show"]
    assert "AVOIDED" not in cells["ps1-c1-check"]


def test_part_c_shows_each_student_their_own_statements_and_options_never_the_key(bank_folder, tmp_path):
    """Part C drawn from the bank's options: each student's two statements, none of their Part A or B items, their
    options in an order shuffled once per class (the bank's order puts the best first); the released draw holds
    the options, never their credit or reasons; the hidden test scores the answer against the student's own item."""
    built = pack.build(bank_folder, _roster(tmp_path, 30), tmp_path / "pack", allow_public=True)
    bank = load_bank(bank_folder)
    folder = tmp_path / "pack" / "source" / PS1
    table = json.loads((folder / variants.FILE).read_text(encoding="utf-8"))
    released = json.dumps(table)
    for item_id in bank.avoidable:
        for choice in bank.items[item_id].avoided:
            assert choice.reason[:40] not in released
    orders = []
    for student in built.students:
        own = built.avoided[student]
        assert len(set(own)) == 2 and set(own) <= set(bank.avoidable)
        assert not set(own) & {*built.draws[student], *built.hedges[student]}
        theirs = variants.read(folder / variants.FILE, PS1, student)
        for slot, item_id in zip(pack.AVOIDED_SLOTS, own, strict=True):
            options = theirs.options(slot)
            assert sorted(options) == sorted(c.option for c in bank.items[item_id].avoided)
            orders.append(options.index(bank.items[item_id].avoided[0].option))
    assert len(set(orders)) > 1, "the best option is not always in the same place"
    with pytest.raises(variants.VariantMissing, match="not a Part C item"):
        theirs.options("A1")
    cells = {c.id: c.source for c in nbformat.read(folder / f"{PS1}.ipynb", as_version=4).cells}
    assert cells["ps1-c1-options"].startswith('c1_options = variant.options("C1")')
    assert 'score_choice(c1_avoided, AVOIDED[variant.item_id("C1")])' in cells["ps1-c1-check"]
    assert 'say(variant.graded_line("C1"))' in cells["ps1-c1-check"]
    keys = ast.literal_eval(re.search(r"^AVOIDED = (\{.*?^\})", cells["ps1-c2-check"], re.S | re.M).group(1))
    assert set(keys) == {built.avoided[s][1] for s in built.students} | {
        pack.draw_avoided(
            pack.read_secret(tmp_path / "pack" / "class-secret"), PS1, variants.PREVIEW, bank, 2
        )[1]
    }
    # the student's own key decides: the best option of their item earns the point, another item's earns nothing
    student = built.students[0]
    mine, other = (
        built.avoided[student][0],
        next(i for i in bank.avoidable if i not in built.avoided[student]),
    )
    with io.StringIO() as sink, __import__("contextlib").redirect_stdout(sink):
        best = next(c.option for c in bank.items[mine].avoided if c.credit == 1)
        assert helpers.score_choice(best, keys_of(bank, mine)) == 1.0
        assert (
            helpers.score_choice(next(c.option for c in bank.items[other].avoided), keys_of(bank, mine))
            == 0.0
        )


def keys_of(bank, item_id: str) -> dict:
    from course.content.bank import choice_key

    return choice_key(bank.items[item_id].avoided)


def test_the_draw_is_reproducible_per_student_and_spreads_the_bank(bank_folder):
    bank = load_bank(bank_folder)
    secret = b"0123456789abcdef0123456789abcdef"
    first = {f"s{n}": draw(secret, PS1, f"s{n}", bank.codable, 5) for n in range(300)}
    assert first["s7"] == draw(secret, PS1, "s7", reversed(bank.codable), 5), (
        "the bank's order changes nothing"
    )
    assert first["s7"] != draw(b"another secret, another class....", PS1, "s7", bank.codable, 5)
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
    counts = [sum(items[0] == item for items in first.values()) for item in bank.codable]
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
    """The hub's grading/ (group nas-instructors, mode 2770): the pack writes the notebooks it draws (ps1, ps2, ps3)
    and their variants.json, and nothing else of the folder changes; a notebook it replaces is kept."""
    grading = tmp_path / "grading"
    (grading / "source" / "ps2_geography_and_logistics").mkdir(parents=True)
    (grading / "nbgrader_config.py").write_text("# the hub's own\n")
    (grading / "source" / "ps2_geography_and_logistics" / "mine.ipynb").write_text("{}")
    os.chmod(grading, 0o2770)
    pack.build(bank_folder, _roster(tmp_path, 3), grading, allow_public=True)
    assert (grading / "nbgrader_config.py").read_text() == "# the hub's own\n"
    assert oct(grading.stat().st_mode & 0o7777) == "0o2770"
    ps2 = grading / "source" / pack.PS2
    assert sorted(p.name for p in ps2.iterdir()) == ["mine.ipynb", f"{pack.PS2}.ipynb", variants.FILE]
    assert (grading / "source" / PS1 / variants.FILE).is_file()
    assert (grading / "source" / "ps3_treaties_and_scenarios").is_dir()
    # the instructor's own copy of a problem set the pack rewrites is kept, outside source/ (never released)
    edited = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5, "note": "mine"}'
    (ps2 / f"{pack.PS2}.ipynb").write_text(edited)
    pack.build(bank_folder, _roster(tmp_path, 3), grading, allow_public=True)
    assert (grading / pack.REPLACED / pack.PS2 / f"{pack.PS2}.ipynb").read_text() == edited
    assert not (grading / pack.REPLACED / PS1).exists(), "an unchanged notebook is not kept twice"


def test_a_students_notebook_finds_its_own_draw_and_says_what_to_do_without_one(
    bank_folder, tmp_path, monkeypatch
):
    built = pack.build(bank_folder, _roster(tmp_path, 4), tmp_path / "pack", allow_public=True)
    folder = tmp_path / "pack" / "source" / PS1
    table = json.loads((folder / variants.FILE).read_text(encoding="utf-8"))
    assert "s001" not in json.dumps(table), "the roster is not listed in the clear"
    card_fields = {"item_id", "speaker", "role", "date", "occasion", "language", "translated", "text", "context",
                   "outlet", "url", "published", "grade"}  # fmt: skip
    assert all(set(card) - {"options"} == card_fields for card in table["items"].values()), (
        "cards only, never a reading"
    )
    assert all(
        isinstance(option, str) for card in table["items"].values() for option in card.get("options", [])
    )
    monkeypatch.chdir(folder)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.setenv("COURSE_STUDENT", "s001")
    mine = variants.my_variant(PS1)
    assert [mine.item_id(slot) for slot in pack.SLOTS] == built.draws["s001"]
    monkeypatch.setenv("COURSE_STUDENT", "s999")
    with pytest.raises(variants.VariantMissing, match="nothing was drawn for 's999'"):
        variants.my_variant(PS1)
    monkeypatch.delenv("COURSE_STUDENT")
    # the instructor's own source/ folder, with no student named: the pack's preview draw, labelled so
    preview = variants.my_variant(PS1)
    assert preview.preview and preview.student == variants.PREVIEW
    assert [preview.item_id(slot) for slot in pack.SLOTS] == draw(
        pack.read_secret(tmp_path / "pack" / "class-secret"),
        PS1,
        variants.PREVIEW,
        load_bank(bank_folder).codable,
        5,
    )
    from course.views.display import drawn_statement

    assert "Instructor preview for A1" in drawn_statement(preview, "A1").data
    # a student's fetched copy is not in a source/ folder: with no user name, it says what to do
    fetched = tmp_path / "home" / PS1
    shutil.copytree(folder, fetched)
    monkeypatch.chdir(fetched)
    with pytest.raises(variants.VariantMissing, match="chosen by their user name on the class's hub"):
        variants.my_variant(PS1)
    monkeypatch.setenv("JUPYTERHUB_USER", "instructor")
    with pytest.raises(variants.VariantMissing, match="nothing was drawn for 'instructor'"):
        variants.my_variant(PS1)
    monkeypatch.delenv("JUPYTERHUB_USER")

    text = drawn_statement(mine, "A1").data
    item = load_bank(bank_folder).items[mine.item_id("A1")]
    assert item.text in text and item.speaker in text and f"`{item.item_id}`" in text
    assert _codes_shown(text, item) == []
    # ps3: the student's own criterion for C3, from the released variants.json beside ps3
    from course.content import scenarios
    from course.views.display import drawn_input

    monkeypatch.chdir(tmp_path / "pack" / "source" / pack.PS3)
    monkeypatch.setenv("COURSE_STUDENT", "s002")
    theirs = variants.my_variant(pack.PS3)
    assert theirs.param("C3")["id"] == built.inputs["s002"] and theirs.cards == {}
    shown = drawn_input(theirs, "C3").data
    assert scenarios.CRITERIA[built.inputs["s002"]][0] in shown and f"`{built.inputs['s002']}`" in shown
    with pytest.raises(variants.VariantMissing, match="no input 'C9'"):
        theirs.param("C9")


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


def _score_hedge(answer: str, text: str, hedge) -> float:
    """What a Part B check cell gives: 0 when the phrase is not copied from the statement, else score_phrase."""
    try:
        helpers.check_phrase(answer, text, "b")
    except AssertionError:
        return 0.0
    with io.StringIO() as sink, __import__("contextlib").redirect_stdout(sink):
        return helpers.score_phrase(answer, hedge.words, 1.0, max_words=4)


def _random_phrase(rng: random.Random, text: str) -> str:
    words = text.split()
    start = rng.randrange(len(words))
    return " ".join(words[start : start + rng.randint(1, 4)]).strip(".,;:'\"")


def _random_answer(rng: random.Random, text: str) -> dict:
    words = text.split()
    start = rng.randrange(len(words))
    return {"stance": rng.choice(STANCE_CODES), "commitment": rng.choice(COMMITMENT_CODES),
            "signal": " ".join(words[start : start + rng.randint(1, 4)]).strip(".,;:'\"")}  # fmt: skip


@pytest.mark.slow
def test_the_instructor_validates_a_packs_source_with_no_student_named(bank_folder, tmp_path):
    """nbgrader's Validate on the pack's source/ notebooks (ps1's drawn items, ps2's D1 and ps3's C3 inputs), with
    neither COURSE_STUDENT nor a hub user set, as the formgrader's button runs it: the pack's preview draw is used,
    and the solutions pass every test (before, each said 'no draw')."""
    root = tmp_path / "course"
    pack.build(bank_folder, _roster(tmp_path, 3), root, allow_public=True)
    env = {"COURSE_STUDENT": "", "JUPYTERHUB_USER": ""}
    for assignment in (PS1, pack.PS2, pack.PS3):
        result = nbgrader(root, "validate", f"source/{assignment}/{assignment}.ipynb", env=env)
        out = result.stdout + result.stderr
        assert "Success! Your notebook passes all the tests." in out, (assignment, out[-2000:])
        table = json.loads((root / "source" / assignment / variants.FILE).read_text(encoding="utf-8"))
        assert variants.digest(assignment, variants.PREVIEW) in table["students"], assignment


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
    reasons += [bank.items[item].hedge.right for item in bank.hedged]  # Part B's feedback on a found hedge
    reasons += [c.reason for item in bank.avoidable for c in bank.items[item].avoided]  # Part C's feedback

    # no file a student can read holds a key: the release, the exchange (world-readable), the repository
    readable = [p for folder in (root / "release", exchange) for p in folder.rglob("*") if p.is_file()]
    assert len(readable) >= 4
    for path in readable:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert "KEYS" not in text and "HEDGES" not in text and "SOLUTIONS" not in text, path
        assert "AVOIDED" not in text, path
        assert "BEGIN HIDDEN" not in text, path
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
    # Part B, the same three ways: one's own hedges as the key has them, a classmate's, random words of one's own
    hedges = {}
    for n, student in enumerate(students):
        mine = built.hedges[student]
        source_of = {"own": mine, "copied": built.hedges[students[(n + 1) % 10]]}.get(kinds[student])
        hedges[student] = (
            [bank.items[item].hedge.words[0] for item in source_of]
            if source_of
            else [_random_phrase(rng, texts[item]) for item in mine]
        )
    # Part C, the same three ways: one's own best options, a classmate's, a random option of one's own lists
    best = {
        item: next(c.option for c in bank.items[item].avoided if c.credit == 1) for item in bank.avoidable
    }
    options = {item: [c.option for c in bank.items[item].avoided] for item in bank.avoidable}
    chosen = {}
    for n, student in enumerate(students):
        mine = built.avoided[student]
        source_of = {"own": mine, "copied": built.avoided[students[(n + 1) % 10]]}.get(kinds[student])
        chosen[student] = (
            [best[item] for item in source_of] if source_of else [rng.choice(options[item]) for item in mine]
        )
    release = root / "release" / PS1 / f"{PS1}.ipynb"
    for student in students:
        nb = nbformat.read(release, as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            match = re.fullmatch(r"ps1_a(\d)_answer", grade_id)
            if match:
                cell.source = f"a{match.group(1)} = {answers[student][int(match.group(1)) - 1]!r}"
            match = re.fullmatch(r"ps1_b(\d)_answer", grade_id)
            if match:
                cell.source = f"b{match.group(1)} = {hedges[student][int(match.group(1)) - 1]!r}"
            match = re.fullmatch(r"ps1_c(\d)_answer", grade_id)
            if match:
                cell.source = f"c{match.group(1)}_avoided = {chosen[student][int(match.group(1)) - 1]!r}"
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

    scores, part_b, part_c = {}, {}, {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for student in students:
            nb = gb.find_submission_notebook(PS1, PS1, student)
            grades = {g.name: g.score for g in nb.grades}
            scores[student] = [grades[f"ps1_a{n}_check"] for n in range(1, 6)]
            part_b[student] = [grades[f"ps1_b{n}_check"] for n in range(1, 4)]
            part_c[student] = [grades[f"ps1_c{n}_check"] for n in range(1, 3)]
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

    # Part B: each hedge graded against the student's own item; a classmate's hedges, copied, gain nothing
    hedge_of = {item: bank.items[item].hedge for item in bank.hedged}
    assert part_b == {
        s: [_score_hedge(answer, texts[item], hedge_of[item]) for answer, item in zip(hedges[s], built.hedges[s], strict=True)]
        for s in students
    }  # fmt: skip
    assert all(sum(part_b[s]) == 3 for s in students if kinds[s] == "own")
    assert not any(set(built.hedges[s]) & set(built.draws[s]) for s in students), "no item asked about twice"
    copying_b = statistics.mean(
        sum(_score_hedge(hedge_of[theirs].words[0], texts[ours], hedge_of[ours])
            for ours, theirs in zip(built.hedges[a], built.hedges[b], strict=True))
        for a in students for b in students if a != b
    )  # fmt: skip
    guessing_b = statistics.mean(
        sum(_score_hedge(_random_phrase(rng, texts[item]), texts[item], hedge_of[item]) for item in built.hedges[s])
        for s in students for _ in range(40)
    )  # fmt: skip
    coinciding = statistics.mean(
        sum(ours == theirs for ours, theirs in zip(built.hedges[a], built.hedges[b], strict=True))
        for a in students for b in students if a != b
    )  # fmt: skip
    print(f"Part B of 3: copying {copying_b:.2f} (the same item in the same place: {coinciding:.2f}), "
          f"at random {guessing_b:.2f}; with the public items, copying earns 3")  # fmt: skip
    # A copied hedge earns where the two students drew the same item for the place, and (almost) nowhere else. With
    # the example bank's 11 hedged items that is about 1 in 9 per place, close to what random words earn (a hedge
    # in a short statement is found by chance about 1 time in 12): measured over 20 class secrets, copying 0.27 and
    # random 0.25 of 3 on average (INSTRUCTORS.md says so, and how a bigger bank lowers it).
    assert copying_b <= coinciding + 0.05 and copying_b < 0.5, (copying_b, coinciding)

    # Part C: each answer graded against the student's own item's options; a classmate's best options gain nothing
    credit = {item: {c.option: c.credit for c in bank.items[item].avoided} for item in bank.avoidable}
    assert part_c == {
        s: [credit[item].get(answer, 0.0) for answer, item in zip(chosen[s], built.avoided[s], strict=True)]
        for s in students
    }  # fmt: skip
    assert all(sum(part_c[s]) == 2 for s in students if kinds[s] == "own")
    assert not any(set(built.avoided[s]) & {*built.draws[s], *built.hedges[s]} for s in students)
    copying_c = statistics.mean(
        sum(credit[ours].get(best[theirs], 0.0) for ours, theirs in zip(built.avoided[a], built.avoided[b], strict=True))
        for a in students for b in students if a != b
    )  # fmt: skip
    guessing_c = statistics.mean(
        sum(statistics.mean(credit[item].values()) for item in built.avoided[s]) for s in students
    )  # the expected score of a random option, exactly
    print(
        f"Part C of 2: copying {copying_c:.2f}, at random {guessing_c:.2f}; with the public items, copying earns 2"
    )
    assert copying_c <= guessing_c, (copying_c, guessing_c)

    nbgrader(root, "generate_feedback", PS1)
    for student in students[:3]:
        page = (root / "feedback" / student / PS1 / f"{PS1}.html").read_text(encoding="utf-8")
        own = [*built.draws[student], *built.hedges[student], *built.avoided[student]]
        for slot, item in zip([*pack.SLOTS, *pack.HEDGE_SLOTS, *pack.AVOIDED_SLOTS], own, strict=True):
            assert (
                f"your item for {slot} was &#39;{item}&#39;" in page
                or f"your item for {slot} was '{item}'" in page
            )
            assert texts[item][:40].replace("'", "&#39;") in page or texts[item][:40] in page
        others = [r.reason for item, entry in bank.items.items() if item not in built.draws[student]
                  for r in entry.readings]  # fmt: skip
        others += [hedge_of[item].right for item in bank.hedged if item not in built.hedges[student]]
        others += [c.reason for item in bank.avoidable if item not in built.avoided[student]
                   for c in bank.items[item].avoided]  # fmt: skip
        assert "KEYS" not in page and "HEDGES" not in page and "AVOIDED" not in page
        said = [
            c.reason
            for item in built.avoided[student]
            for c in bank.items[item].avoided
            if c.option in chosen[student]
        ]
        assert said and all(r[:40].replace("'", "&#39;") in page or r[:40] in page for r in said), (
            "why, as feedback"
        )
        assert not [r for r in others if r[:50].replace("'", "&#39;") in page]


# --- what a student sees ------------------------------------------------------------------------------------------

SIZES = {"laptop": (1280, 800), "desktop": (1920, 1080)}


@pytest.mark.browser
@pytest.mark.parametrize("size", list(SIZES))
def test_a_student_sees_their_own_items_in_jupyterlab(tmp_path, browser, monkeypatch, size):
    """The released class pack opened in JupyterLab as student s001 (``COURSE_STUDENT``, as on a hub the user
    name): each Part A, B and C card shows s001's own item, its words and source, and no code, and Part C's options
    are their item's own; at both window sizes."""
    from labserver import running_lab
    from test_browser import run_all
    from test_screens import ARTIFACTS

    bank = pack.example_bank(tmp_path / "bank")
    built = {}

    def prepare(root: Path) -> None:
        secret = tmp_path / "secret"
        secret.write_text(f"{2:064d}\n")
        built["pack"] = pack.build(bank, _roster(tmp_path, 3), root / "pack", secret, allow_public=True)
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
        drawn = [*built["pack"].draws["s001"], *built["pack"].hedges["s001"], *built["pack"].avoided["s001"]]
        items = load_bank(bank).items
        cards = []
        for slot in (*pack.SLOTS, *pack.HEDGE_SLOTS, *pack.AVOIDED_SLOTS):
            card = page.locator(".jp-OutputArea-output", has_text=f"Your item for {slot}:").first
            for _ in range(3):  # cells above are painted as they come into view, and move the card: again
                card.evaluate("element => element.scrollIntoView({block: 'center'})")
                page.wait_for_timeout(300)
            cards.append(" ".join((card.text_content() or "").split()))
            if slot in ("A1", "B1", "C1"):
                page.screenshot(path=str(ARTIFACTS / f"pack_ps1_{slot.lower()}_{size}.png"))
        # Part C's options: the student's own item's, as the options cell shows them
        shown = page.locator(".jp-OutputArea-output", has_text=items[drawn[-2]].avoided[0].option[:30]).first
        options_text = " ".join((shown.text_content() or "").split())
        errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        stderr = errors.all_inner_texts()
    context.close()
    for card, item in zip(cards, drawn, strict=True):
        assert (
            " ".join(items[item].text.split())[:60] in card and item in card and items[item].speaker in card
        )
        assert _codes_shown(card, items[item]) == [], (item, card)
    assert all(c.option in options_text.replace("\\'", "'") for c in items[drawn[-2]].avoided), options_text
    assert not [c for c in items[drawn[-2]].avoided if c.reason[:30] in options_text], (
        "options, never the reasons"
    )
    assert not [e for e in stderr if "VariantMissing" in e or "variants.json" in e], stderr


@pytest.mark.browser
@pytest.mark.parametrize("size", list(SIZES))
def test_a_student_sees_their_own_inputs_in_jupyterlab(tmp_path, browser, monkeypatch, size):
    """ps3 C3 and ps2 D1 of a released pack opened as student s002: the question says "your criterion" ("your
    place"), the cell under it names the student's own, and the notebook runs with it; at both window sizes."""
    from labserver import running_lab
    from test_browser import run_all
    from test_screens import ARTIFACTS

    from course.content import scenarios
    from course.content.data import load

    bank = pack.example_bank(tmp_path / "bank")
    built = {}

    def prepare(root: Path) -> None:
        built["pack"] = pack.build(bank, _roster(tmp_path, 3), root / "pack", allow_public=True)
        for assignment in (pack.PS2, pack.PS3):
            nbgrader(root / "pack", "generate_assignment", assignment, "--force")
            release = root / "pack" / "release" / assignment / f"{assignment}.ipynb"
            nb = nbformat.read(release, as_version=4)
            for cell in nb.cells:  # an unanswered cell raises: carry on, as a student reading it would
                cell.metadata.setdefault("tags", []).append("raises-exception")
            nbformat.write(nb, release)

    monkeypatch.setenv("COURSE_STUDENT", "s002")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    shown, stderr = {}, []
    with running_lab(tmp_path, subdir="pack/release", prepare=prepare) as lab:
        for assignment, slot in ((pack.PS3, "C3"), (pack.PS2, "D1")):
            page.goto(lab.url(f"lab/tree/{assignment}/{assignment}.ipynb"))
            page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
            run_all(page)
            line = page.locator(
                ".jp-OutputArea-output", has_text=f"Your input for {slot}, drawn for you"
            ).first
            for _ in range(3):
                line.evaluate("element => element.scrollIntoView({block: 'center'})")
                page.wait_for_timeout(300)
            shown[slot] = " ".join((line.text_content() or "").split())
            page.screenshot(path=str(ARTIFACTS / f"pack_{slot.lower()}_{size}.png"))
            errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
            stderr += errors.all_inner_texts()
    context.close()
    criterion, place = built["pack"].inputs["s002"], built["pack"].places["s002"]
    assert scenarios.CRITERIA[criterion][0] in shown["C3"] and criterion in shown["C3"], shown
    assert load("places").loc[place, "name"] in shown["D1"] and place in shown["D1"], shown
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
    said = capsys.readouterr().out
    assert "4 students; ps1 Part A: 5 items each" in said and "ps2 D1" in said and "ps3 C3" in said
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


# --- hostile submissions against a class pack, as root and as an unprivileged grader --------------------------------

#: The leaker's search, at grading time, for anything holding a pack's key: the pack's source and gradebook through
#: /proc, the instructor's homes, the bank's readings. ``leaked`` is true if any of them was read.
_LEAK = (
    _LOOK
    + r"""
places = ['/', '/root', '/home', *glob.glob('/home/*'), *glob.glob('/tmp/*'), os.path.expanduser('~')]
for pid in os.listdir('/proc'):
    if pid.isdigit():
        for link in ('cwd', 'root'):
            try:
                places.append(os.readlink(f'/proc/{pid}/{link}'))
            except OSError:
                pass
for place in places:
    for base in [pathlib.Path(place), *pathlib.Path(place).parents]:
        for name in ('source/PS1/PS1.ipynb', 'source/PS1/variants.json', 'class-secret', 'gradebook.db',
                     'bank/readings.csv', 'readings.csv'):
            look(base / name)
leaked = 'KEYS = {' in leak or 'HEDGES = {' in leak or 'item_id,stance' in leak or "('non-committal'," in leak
""".replace("PS1", PS1)
)

#: Patches the kernel's Python: the checks always pass, every reading scores in full, the draw is a classmate's.
_PATCH = """
import builtins
import course.grading as g, course.grading.helpers as h, course.grading.variants as v
for module in (g, h):
    module.check_phrase = lambda *a, **k: None
    module.check_choice = lambda *a, **k: None
    module.score_reading = lambda *a, **k: 2.0
    module.score_phrase = lambda *a, **k: 1.0
v.my_variant = lambda *a, **k: CLASSMATE
builtins.float = lambda *a, **k: 2.0
"""


@pytest.mark.slow
@pytest.mark.parametrize("who", ["root", "unprivileged"])
def test_hostile_submissions_to_a_class_pack_gain_nothing(who, tmp_path_factory):
    """Issue 31, graded as the standard says: through the real autograde, as root and as an unprivileged user.

    Four students of a pack: an honest one; a copier who forges their draw (variants.json, ``attend`` in the kernel)
    and patches the kernel's checks and scoring; a leaker who searches the machine at grading time for the pack's
    source, gradebook, secret and the instructor's bank, and answers right if anything leaks; a student who plants
    links to the class secret and the instructor's draw in the submission. Each must score exactly what their
    answers earn against their own items (Parts A, B and C; the copier gives the honest student's answers to all
    three), the honest student in full; no autograded notebook or feedback holds a
    key or the secret; nothing started by grading is left running."""
    from conftest import require_bubblewrap
    from test_sandbox_attacks import _grading_processes, _root_grader, _unprivileged_grader

    from course.autograder.report import collect_report

    require_bubblewrap()
    grader = _root_grader(tmp_path_factory) if who == "root" else _unprivileged_grader()
    base = grader.workdir
    templates = base / "assignments"
    shutil.copytree(ROOT / "assignments" / "source", templates / "source")
    shutil.copy(ROOT / "assignments" / "nbgrader_config.py", templates)
    bank = pack.example_bank(base / "bank", templates=ROOT / "assignments")
    roster = base / "roster.csv"
    roster.write_text("id\nhonest\ncopier\nleaker\nlinker\n", encoding="utf-8")
    root = base / "course"
    built = pack.build(bank, roster, root, allow_public=True, templates=templates)
    grader.chown(base)
    done = grader.run(root, "generate_assignment", PS1, "--force")
    assert done.returncode == 0, done.stderr[-3000:]

    loaded = load_bank(bank)
    texts = {item: entry.text for item, entry in loaded.items.items()}
    solution = {item: {"stance": r.stance, "commitment": r.commitment, "signal": r.signals[0]}
                for item in loaded.items for r in loaded.items[item].readings[:1]}  # fmt: skip
    source = nbformat.read(root / "source" / PS1 / f"{PS1}.ipynb", as_version=4)
    keys = {slot: _keys(c.source) for n, slot in enumerate(pack.SLOTS, start=1)
            for c in source.cells if c.id == f"ps1-a{n}-check"}  # fmt: skip
    table = json.loads((root / "source" / PS1 / variants.FILE).read_text(encoding="utf-8"))
    draws = built.draws
    fallback = {"stance": "concern", "commitment": "words_only", "signal": "the"}
    answers = {
        "honest": [solution[item] for item in draws["honest"]],
        "copier": [solution[item] for item in draws["honest"]],
        "leaker": [fallback] * 5,
        "linker": [solution[item] for item in draws["honest"]],
    }
    release = root / "release" / PS1 / f"{PS1}.ipynb"
    honest_cards = {
        slot: table["items"][item] for slot, item in zip(pack.SLOTS, draws["honest"], strict=True)
    }
    # Part B: the honest student finds their own hedges; the copier gives the honest student's
    hedge_of = {item: loaded.items[item].hedge for item in loaded.hedged}
    hedges = {s: [hedge_of[item].words[0] for item in built.hedges["honest"]] for s in ("honest", "copier")}
    # Part C: the honest student chooses their own items' best options; the copier gives the honest student's
    credit = {item: {c.option: c.credit for c in loaded.items[item].avoided} for item in loaded.avoidable}
    best = {item: loaded.items[item].best_option for item in loaded.avoidable}
    chosen = {s: [best[item] for item in built.avoided["honest"]] for s in ("honest", "copier")}
    for student, given in answers.items():
        nb = nbformat.read(release, as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            hedge = re.fullmatch(r"ps1_b(\d)_answer", grade_id)
            if hedge and student in hedges:
                cell.source = f"b{hedge.group(1)} = {hedges[student][int(hedge.group(1)) - 1]!r}"
            option = re.fullmatch(r"ps1_c(\d)_answer", grade_id)
            if option and student in chosen:
                cell.source = f"c{option.group(1)}_avoided = {chosen[student][int(option.group(1)) - 1]!r}"
            match = re.fullmatch(r"ps1_a(\d)_answer", grade_id)
            if not match:
                continue
            n = int(match.group(1))
            cell.source = f"a{n} = {given[n - 1]!r}"
            if student == "leaker":  # answers right only if the search found a key
                right = solution[draws["leaker"][n - 1]]
                cell.source = f"{_LEAK}\na{n} = {right!r} if leaked else {given[n - 1]!r}"
        if student == "copier":
            forged = (
                "import course.grading.variants as v\n"
                f"CLASSMATE = v.Variant({PS1!r}, 'honest', {honest_cards!r})\n"
                f"v.attend({PS1!r}, 'honest', {honest_cards!r})\n"
                f"variant = v.my_variant({PS1!r})\n{_PATCH}"
            )
            nb.cells.insert(2, nbformat.v4.new_code_cell(forged))
        folder = root / "submitted" / student / PS1
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{PS1}.ipynb")
        (folder / "timestamp.txt").write_text("2026-12-01 12:00:00.000000 UTC\n")
        mine = json.loads((root / "release" / PS1 / variants.FILE).read_text(encoding="utf-8"))
        if student == "copier":  # the forged draw: the honest student's items filed under the copier's id
            mine["students"][variants.digest(PS1, "copier")] = draws["honest"]
        if student == "linker":
            (folder / variants.FILE).symlink_to(root / "source" / PS1 / variants.FILE)
            (folder / "secret.txt").symlink_to(root / "class-secret")
            (folder / "source").symlink_to(root / "source")
        else:
            (folder / variants.FILE).write_text(json.dumps(mine), encoding="utf-8")
    grader.chown(root)

    run = grader.run(root, "autograde", PS1)
    assert run.returncode == 0, run.stderr[-3000:]
    deadline = time.monotonic() + 10
    while (leftover := _grading_processes(grader)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert leftover == [], f"{who}: still running after grading: {leftover}"

    report = {row["student"]: row for row in collect_report(root, PS1)}
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        scores = {}
        for student in answers:
            nb = gb.find_submission_notebook(PS1, PS1, student)
            by_name = {g.name: g.score for g in nb.grades}
            scores[student] = [round(by_name[f"ps1_a{n}_check"], 4) for n in range(1, 6)]
            if student in hedges:
                part_b = [by_name[f"ps1_b{n}_check"] for n in range(1, 4)]
                assert part_b == [
                    _score_hedge(answer, texts[item], hedge_of[item])
                    for answer, item in zip(hedges[student], built.hedges[student], strict=True)
                ], (who, student, part_b)
                assert student == "copier" or part_b == [1.0, 1.0, 1.0], (who, student, part_b)
                part_c = [by_name[f"ps1_c{n}_check"] for n in range(1, 3)]
                assert part_c == [
                    credit[item].get(answer, 0.0)
                    for answer, item in zip(chosen[student], built.avoided[student], strict=True)
                ], (who, student, part_c)
                assert student == "copier" or part_c == [1.0, 1.0], (who, student, part_c)
    expected = {
        student: [round(_score(answer, texts[item], keys[slot][item]), 4)
                  for answer, item, slot in zip(given, draws[student], pack.SLOTS, strict=True)]
        for student, given in answers.items()
    }  # fmt: skip
    assert scores == expected, (
        f"{who}: {scores} != {expected}; flags: {[r['flags'] for r in report.values()]}"
    )
    assert sum(scores["honest"]) == 10
    assert sum(scores["copier"]) < 10 and sum(scores["leaker"]) < 10, scores
    # the tripwire: the copier's notebook showed the classmate's cards, so a person looks at it
    assert "its cards were changed in the kernel" in str(report["copier"]["flags"]), report["copier"]["flags"]
    assert not [s for s in ("honest", "leaker") if "cards were changed" in str(report[s]["flags"])]
    print(f"{who}: Part A of 10: " + ", ".join(f"{s} {sum(v):g}" for s, v in scores.items()))

    done = grader.run(root, "generate_feedback", PS1)
    assert done.returncode == 0, done.stderr[-3000:]
    secret = (root / "class-secret").read_text(encoding="utf-8").strip()
    # what a student's code printed, the feedback pages and any file copied from a submission: no key, no secret
    # (an autograded notebook holds the hidden tests by nbgrader's design, in the instructor's folder)
    # (an autograded notebook holds the hidden tests by nbgrader's design, in the instructor's folder; the leaker's
    # own code names what it looks for, so a key is looked for as a key's entry, and as another item's reasons)
    entry = re.compile(rf"\('(?:{'|'.join(STANCE_CODES)})', '(?:{'|'.join(COMMITMENT_CODES)})', \[")
    for path in (
        p for folder in (root / "autograded", root / "feedback") for p in folder.rglob("*") if p.is_file()
    ):
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".ipynb":
            text = json.dumps([c.get("outputs", []) for c in nbformat.reads(text, as_version=4).cells])
        student = path.relative_to(root).parts[1]
        others = [
            r.reason[:50]
            for item, e in loaded.items.items()
            if item not in draws[student]
            for r in e.readings
        ]
        assert secret not in text and not entry.search(text), path
        assert not [r for r in others if r in text or r.replace("'", "&#39;") in text], path
    # the links were not followed: refused before nbgrader's copy, flagged for a person
    copied = root / "autograded" / "linker" / PS1
    assert not (copied / "secret.txt").exists() and not (copied / "source").exists(), sorted(copied.iterdir())
    assert (root / "refused" / "linker" / PS1 / "secret.txt").is_symlink()
    assert "secret.txt is a symbolic link" in str(report["linker"]["flags"]), report["linker"]["flags"]
    if grader.owner is not None:
        shutil.rmtree(base.parent, ignore_errors=True)


# --- drawn inputs: ps3 C3's criterion ----------------------------------------------------------------------------


def _judge_for(root: Path, assignment: str, student: str):
    from course.autograder.judge import Judge

    nb = nbformat.read(root / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    grade = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    setup = [(gid, c.source) for gid, c in grade.items() if gid and c.cell_type == "code"
             and c.metadata["nbgrader"].get("locked") and not c.metadata["nbgrader"].get("grade")]  # fmt: skip
    mine = variants.read(root / "source" / assignment / variants.FILE, assignment, student)
    return Judge(setup, variant=mine), grade


def test_ps3_c3_asks_each_student_about_a_criterion_of_their_own(bank_folder, tmp_path):
    """Issue 31's drawn numbers: ps3 C3's answer (where the model's first choice flips) depends on the criterion
    whose weight is raised; the pack draws it per student among the criteria that flip the answer before w = 1
    (computed from the model), shows it in the notebook, and the judge grades each student against their own
    criterion's answer. The public ps3 keeps 'relations with Russia' (the practice variant)."""
    from course.content import scenarios

    criteria = pack.c3_criteria()
    assert criteria == ["control_escalation", "no_collapse", "ties_with_russia", "low_us_pressure"]
    assert scenarios.grid_flip("ties_with_russia") == (0.34, "stay_muted")  # the public key
    for criterion in criteria:  # the grid's answer is the exact crossing, rounded up to the step
        w, top = scenarios.grid_flip(criterion)
        exact = scenarios.flip_weight(criterion=criterion)
        assert top == exact[1] and exact[0] < w <= exact[0] + 0.01
    root = tmp_path / "course"
    built = pack.build(bank_folder, _roster(tmp_path, 40), root, allow_public=True)
    assert set(built.inputs.values()) == set(criteria), "forty students draw every criterion"
    assert built.inputs == pack.build(bank_folder, _roster(tmp_path, 40), tmp_path / "again",
                                      secret=root / "class-secret", allow_public=True).inputs  # fmt: skip
    table = (root / "source" / pack.PS3 / variants.FILE).read_text(encoding="utf-8")
    assert "stay_muted" not in table and "0.34" not in table and "align_openly" not in table, "inputs, no key"
    source = (root / "source" / pack.PS3 / f"{pack.PS3}.ipynb").read_text(encoding="utf-8")
    assert "your criterion" in source and 'ties_with_russia\\" else' not in source

    by_criterion = {}
    for student, criterion in built.inputs.items():
        by_criterion.setdefault(criterion, student)
    for criterion, student in by_criterion.items():
        judge, grade = _judge_for(root, pack.PS3, student)
        w, top = scenarios.grid_flip(criterion)
        for answer, points in (((w, top), 3.0), ((0.34, "stay_muted"), None), ((w, "no_such"), None)):
            outputs = judge.run("ps3_c3_check", grade["ps3_c3_check"].source,
                                {"c3_flip": answer[0], "c3_new_top": answer[1]}, {}, [], lambda *a: None)  # fmt: skip
            said = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
            assert f"your input for C3 was {scenarios.CRITERIA[criterion][0]}" in said
            results = [o for o in outputs if o.output_type == "execute_result"]
            got = float(results[0].data["text/plain"]) if results else 0.0
            if points is not None:
                assert got == points, (criterion, answer, outputs)
            elif criterion == "ties_with_russia" and answer == (0.34, "stay_muted"):
                assert got == 3.0
            else:
                assert got < 3.0, (criterion, answer, got)


def test_ps2_d1_asks_each_student_for_the_distance_to_a_place_of_their_own(bank_folder, tmp_path):
    """ps2 D1 in a pack: the distance from Pyongyang to a place drawn per student among the exactly located,
    verified places (never an approximate or unverified one), computed by the judge from data/places.csv."""
    from course.content.data import load
    from course.content.geo import haversine_km

    places = load("places")
    drawable = pack.d1_places()
    assert "khasan_bridge" in drawable and "vostochny_port" not in drawable and "hanoi" not in drawable
    assert all(places.loc[p, "precision"] == "exact" and places.loc[p, "verified"] for p in drawable)
    root = tmp_path / "course"
    built = pack.build(bank_folder, _roster(tmp_path, 40), root, allow_public=True)
    assert len(set(built.places.values())) >= 6 and set(built.places.values()) <= set(drawable)
    source = (root / "source" / pack.PS2 / f"{pack.PS2}.ipynb").read_text(encoding="utf-8")
    assert "d1_border_km" not in source and "559.6" not in source
    seen = {}
    for student, place in built.places.items():
        seen.setdefault(place, student)
    for place, student in list(seen.items())[:4]:
        judge, grade = _judge_for(root, pack.PS2, student)
        origin, there = places.loc["pyongyang"], places.loc[place]
        right = haversine_km(origin["lat"], origin["lon"], there["lat"], there["lon"])
        for given, points in ((right, 1.0), (559.6 if place != "khasan_bridge" else 806.7, 0.0)):
            outputs = judge.run("ps2_d1_check", grade["ps2_d1_check"].source, {"d1_km": given}, {}, [],
                                lambda *a: None)  # fmt: skip
            said = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
            assert f"your input for D1 was {places.loc[place, 'name']}" in said
            failed = [o for o in outputs if o.output_type == "error"]
            assert (not failed) == (points == 1.0), (place, given, outputs)


@pytest.mark.slow
def test_drawn_inputs_are_graded_through_the_real_autograde_against_each_students_own(bank_folder, tmp_path):
    """Eight students of a pack through generate_assignment, autograde and feedback on ps3 and ps2: four answer C3
    (D1) for their own criterion (place), four submit a classmate's answer; each is scored against their own
    input's answer, and the feedback names their input."""
    from course.content import scenarios

    root = tmp_path / "course"
    built = pack.build(bank_folder, _roster(tmp_path, 8), root, allow_public=True)
    nbgrader(root, "generate_assignment", pack.PS3, "--force")
    release = root / "release" / pack.PS3
    assert "stay_muted" not in (release / variants.FILE).read_text(encoding="utf-8")
    students = built.students
    answers = {}
    for n, student in enumerate(students):
        mine = scenarios.grid_flip(built.inputs[student])
        answers[student] = (
            mine if n < 4 else scenarios.grid_flip(built.inputs[students[(n + 1) % len(students)]])
        )
    got = _submit_and_grade(root, pack.PS3, "c3", {s: f"c3_flip, c3_new_top = {w!r}, {top!r}"
                                                   for s, (w, top) in answers.items()})  # fmt: skip
    for student in students:
        w, top = scenarios.grid_flip(built.inputs[student])
        given = answers[student]
        expected = 1.5 * (abs(given[0] - w) < 0.006) + 1.5 * (given[1] == top)
        assert got[student] == expected, (student, built.inputs[student], given, got[student])
    assert all(got[s] == 3 for s in students[:4])
    nbgrader(root, "generate_feedback", pack.PS3)
    page = (root / "feedback" / students[0] / pack.PS3 / f"{pack.PS3}.html").read_text(encoding="utf-8")
    criterion = scenarios.CRITERIA[built.inputs[students[0]]][0]
    assert f"your input for C3 was {criterion}" in page.replace("&#39;", "'")

    # ps2 D1 the same way: four their own place's distance, four a classmate's
    from course.content.data import load
    from course.content.geo import haversine_km

    places = load("places")

    def km(place):
        return haversine_km(places.loc["pyongyang", "lat"], places.loc["pyongyang", "lon"],
                            places.loc[place, "lat"], places.loc[place, "lon"])  # fmt: skip

    nbgrader(root, "generate_assignment", pack.PS2, "--force")
    given = {
        s: km(built.places[s if n < 4 else students[(n + 1) % len(students)]]) for n, s in enumerate(students)
    }
    got = _submit_and_grade(root, pack.PS2, "d1", {s: f"d1_km = {km_!r}" for s, km_ in given.items()})
    for student in students:
        right = abs(given[student] - km(built.places[student])) <= 2e-4 * km(built.places[student])
        assert got[student] == (1.0 if right else 0.0), (student, built.places[student], given[student])
    assert all(got[s] == 1 for s in students[:4])


def _submit_and_grade(root: Path, assignment: str, item: str, sources: dict[str, str]) -> dict[str, float]:
    """Each student's released notebook with one answer cell written, submitted with the released variants.json,
    autograded by nbgrader; the item's score per student from the gradebook."""
    from nbgrader.api import Gradebook

    prefix = assignment.split("_")[0]
    release = root / "release" / assignment
    for student, source in sources.items():
        nb = nbformat.read(release / f"{assignment}.ipynb", as_version=4)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == f"{prefix}_{item}_answer":
                cell.source = source
        folder = root / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{assignment}.ipynb")
        shutil.copy(release / variants.FILE, folder)
        (folder / "timestamp.txt").write_text("2026-12-01 12:00:00.000000 UTC\n")
    nbgrader(root, "autograde", assignment)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return {s: next(g.score for g in gb.find_submission_notebook(assignment, assignment, s).grades
                        if g.name == f"{prefix}_{item}_check") for s in sources}  # fmt: skip
