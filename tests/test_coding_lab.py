"""Issue 29, the coding lab: the codebook, agreement statistics checked against published worked examples, coding
files read as hostile bytes, and the class report recovering a simulated class's known habits."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest
from conftest import ROOT

from course.content import agreement, classreport, codebook, codingfiles
from course.content.data import load
from course.content.reactions import COMMITMENTS, STANCES, TARGETS

# ---- agreement against published worked examples ------------------------------------------------------------------

#: Krippendorff, K. (2011), "Computing Krippendorff's Alpha-Reliability" (Annenberg School for Communication,
#: University of Pennsylvania): 4 observers, 12 units, values 1-5, NaN where an observer coded nothing. The paper
#: gives alpha = 0.743 (nominal), 0.815 (ordinal), 0.849 (interval), 0.797 (ratio). The ordinal and ratio values are
#: also the krippendorff package's own tests (pln-fing-udelar/fast-krippendorff, tests/test_krippendorff.py).
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
    [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan],
]
#: Wikipedia, "Krippendorff's alpha", section "A computational example": 3 coders, 15 units; nominal alpha 0.691.
WIKIPEDIA_ALPHA = [
    [np.nan, np.nan, np.nan, np.nan, np.nan, 3, 4, 1, 2, 1, 1, 3, 3, np.nan, 3],
    [1, np.nan, 2, 1, 3, 3, 4, 3, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan],
    [np.nan, np.nan, 2, 1, 3, 4, 4, np.nan, 2, 1, 1, 3, 3, np.nan, 4],
]


def _as_indices(matrix) -> np.ndarray:
    """Values 1..5 as code indices 0..4 (NaN kept)."""
    return np.asarray(matrix, dtype=float) - 1


def test_alpha_equals_krippendorffs_published_values():
    import krippendorff

    data = np.asarray(KRIPPENDORFF_2011, dtype=float)
    assert round(agreement.alpha(_as_indices(data), "nominal", 5), 3) == 0.743
    assert round(agreement.alpha(_as_indices(data), "ordinal", 5), 3) == 0.815
    # the other two levels the paper works out, straight from the library the course pins
    assert round(krippendorff.alpha(data, level_of_measurement="interval"), 3) == 0.849
    assert round(krippendorff.alpha(data, level_of_measurement="ratio"), 3) == 0.797
    assert round(agreement.alpha(_as_indices(WIKIPEDIA_ALPHA), "nominal", 4), 3) == 0.691


def test_kappa_equals_the_published_two_reader_example():
    """Wikipedia, "Cohen's kappa", simple example: 50 grant proposals, both readers yes 20, A yes B no 5, A no B yes
    10, both no 15: observed agreement 0.7, chance agreement 0.5, kappa 0.4."""
    a = ["yes"] * 20 + ["yes"] * 5 + ["no"] * 10 + ["no"] * 15
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert agreement.cohen_kappa(a, b) == pytest.approx(0.4)
    kappa, observed, both = agreement.pairwise(
        np.array([[a == "yes" for a in a], [b == "yes" for b in b]], float), 2
    )
    assert kappa[0, 1] == pytest.approx(0.4) and observed[0, 1] == pytest.approx(0.7) and both[0, 1] == 50
    assert np.isnan(kappa[0, 0])


def test_every_pair_at_once_equals_each_pair_alone_with_missing_codes():
    rng = np.random.default_rng(7)
    matrix = rng.integers(0, 4, (12, 15)).astype(float)
    matrix[rng.random(matrix.shape) < 0.2] = np.nan
    kappa, observed, _ = agreement.pairwise(matrix, 4)
    for i in range(12):
        for j in range(12):
            if i != j:
                assert kappa[i, j] == pytest.approx(
                    agreement.cohen_kappa(list(matrix[i]), list(matrix[j])), nan_ok=True
                )
                both = ~np.isnan(matrix[i]) & ~np.isnan(matrix[j])
                assert observed[i, j] == pytest.approx((matrix[i][both] == matrix[j][both]).mean())


def test_alphas_interval_holds_the_value_and_is_the_same_each_time():
    data = _as_indices(KRIPPENDORFF_2011)
    first = agreement.alpha_with_interval(data, "nominal", 5, draws=500)
    again = agreement.alpha_with_interval(data, "nominal", 5, draws=500)
    assert first == again
    assert first.low <= first.value <= first.high and first.low < first.high
    assert (first.units, first.coders, first.pairable) == (12, 4, 40)  # the paper's n = 40 pairable values
    assert np.isnan(agreement.alpha(np.zeros((3, 4)), "nominal", 2))  # one code only: undefined, not an error


def test_majority_and_confusion():
    matrix = np.array([[0, 1, 1], [0, 1, 0], [1, 1, np.nan]], dtype=float)
    assert agreement.majority(matrix, 2).tolist()[:2] == [0.0, 1.0] and np.isnan(
        agreement.majority(matrix, 2)[2]
    )
    table = agreement.confusion(matrix, np.array([0, 1, 1.0]), ["a", "b"])
    assert table.loc["a", "a"] == 2 and table.loc["a", "b"] == 1 and table.loc["b", "b"] == 4
    assert table.loc["b", "a"] == 1


# ---- the codebook --------------------------------------------------------------------------------------------------


def test_the_codebook_agrees_with_the_data_and_the_scheme():
    assert codebook.check() == []
    assert (
        codebook.VARIABLES["stance"].values is STANCES
        and codebook.VARIABLES["commitment"].values is COMMITMENTS
    )
    assert set(TARGETS) == set(load("reactions")["topic"].cat.categories)
    assert {case.variable for case in codebook.BOUNDARY_CASES} == set(codebook.VARIABLES)
    assert codebook.VARIABLES["commitment"].level == "ordinal"


def test_the_students_codebook_gives_no_held_out_code_and_the_instructors_has_the_kirby_recoding():
    reactions = load("reactions")
    held = reactions[reactions["held_out"].fillna("") != ""]
    student, instructor = codebook.markdown("student"), codebook.markdown("instructor")
    for rid, row in held.iterrows():
        assert rid not in student, rid
        assert str(row["quote"]) not in student, rid
    assert "kirby_of_concern" in instructor and "evaluate our posture" in instructor
    assert codebook.withheld("student") == 2 and "shown to you after that problem set is graded" in student
    first = codebook.revisions("instructor")[0]
    assert "Kirby" in first.change and first.audience == "instructor"


def test_the_printed_codebook_is_current():
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "codebook.py"), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    page = (ROOT / "assignments" / "codebook.html").read_text(encoding="utf-8")
    assert "<script" not in page and not re.search(r"(src|href)=\"https?:", page)


def test_the_lab_set_is_coded_and_never_shown_coded_in_the_codebook():
    statements = classreport.lab_statements()
    shown = {case.reaction_id for case in codebook.BOUNDARY_CASES}
    assert len(statements) >= 8 and not shown & set(statements)


# ---- coding files as hostile bytes ---------------------------------------------------------------------------------

LAB = classreport.LAB_SET


def test_a_coding_file_has_a_column_per_variable_and_files_written_before_valence_still_read():
    """The header follows the codebook's variables (valence after stance); a file saved before valence was coded
    apart is read with its valence not coded, and a file with any other header is refused by name."""
    assert codingfiles.HEADER == (
        "statement_id",
        "stance",
        "valence",
        "commitment",
        "target",
        "justification",
    )
    now = f"{','.join(codingfiles.HEADER)}\n{LAB[0]},warning,positive,words_only,treaty,V2: defends it\n"
    codes, problems = codingfiles.parse(now.encode(), "amy", "amy.csv", LAB)
    assert problems == [] and codes.codes["valence"] == {LAB[0]: "positive"}
    before = f"statement_id,stance,commitment,target,justification\n{LAB[0]},warning,words_only,treaty,S1\n"
    codes, problems = codingfiles.parse(before.encode(), "amy", "amy.csv", LAB)
    assert problems == [] and codes.codes["stance"] == {LAB[0]: "warning"} and codes.codes["valence"] == {}
    wrong = f"statement_id,valence,stance,commitment,target,justification\n{LAB[0]},positive,warning,,,\n"
    codes, problems = codingfiles.parse(wrong.encode(), "amy", "amy.csv", LAB)
    assert codes is None and "line 1: the header must be statement_id,stance,valence," in problems[0]
    bad = f"{','.join(codingfiles.HEADER)}\n{LAB[0]},warning,mixed,words_only,treaty,x\n"
    codes, problems = codingfiles.parse(bad.encode(), "amy", "amy.csv", LAB)
    assert "line 2: 'mixed' is not a valence code (negative, positive, no judgment)" in problems[0]
    assert codes.codes["stance"] == {LAB[0]: "warning"}


def test_a_coding_file_names_each_problem_by_line_and_keeps_the_rest():
    text = (
        "statement_id,stance,commitment,target,justification\n"
        f"{LAB[0]},non-committal,words_only,treaty,S5\n"
        f"{LAB[0]},concern,words_only,treaty,again\n"
        "not_a_statement,concern,words_only,treaty,x\n"
        f"{LAB[1]},approval,words_only,treaty,x\n"
        f"{LAB[2]},concern\n"
        f"{LAB[3]},,,,left blank\n"
    )
    codes, problems = codingfiles.parse(text.encode(), "amy", "amy.csv", LAB)
    assert (
        codes.codes["stance"] == {LAB[0]: "non-committal"}
        and codes.codes["commitment"][LAB[1]] == "words_only"
    )
    assert LAB[3] not in codes.codes["stance"] and codes.why[LAB[3]] == "left blank"
    assert any(p.startswith("amy.csv, line 3:") and "already coded on line 2" in p for p in problems)
    assert any(p.startswith("amy.csv, line 4:") and "not a statement" in p for p in problems)
    assert any(p.startswith("amy.csv, line 5:") and "'approval' is not a stance code" in p for p in problems)
    assert any(p.startswith("amy.csv, line 6:") and "2 fields" in p for p in problems)
    for bad, said in ((b"\xff\xfe", "not UTF-8"), (b"a,b\n", "header must be"), (b"", "header must be"),
                      (b"x" * (codingfiles.MAX_BYTES + 1), "more than a coding file can hold")):  # fmt: skip
        assert codingfiles.parse(bad, "amy", "amy.csv", LAB)[0] is None
        assert said in codingfiles.parse(bad, "amy", "amy.csv", LAB)[1][0]


def _class_folder(tmp_path, profiles, seed=0):
    folder = tmp_path / "codes"
    folder.mkdir(parents=True)
    for coder in classreport.simulate_class(profiles, LAB, seed=seed):
        codingfiles.write(folder / f"{coder.coder}.csv", coder.codes, coder.why, LAB)
    return folder


PROFILES = {
    **{f"careful{i:02d}": "careful" for i in range(20)},
    **{f"near{i}": "neighbour-prone" for i in range(6)},
    "careless1": "careless", "careless2": "careless", "onecode1": "one-code", "onecode2": "one-code",
}  # fmt: skip


def test_a_folder_with_links_bad_files_and_a_duplicate_still_counts_everyone_else(tmp_path):
    folder = _class_folder(tmp_path, PROFILES)
    secret = tmp_path / "key.csv"
    secret.write_text("statement_id,stance,commitment,target,justification\n")
    os.symlink(secret, folder / "linker.csv")
    os.symlink("/dev/zero", folder / "zero.csv")
    os.mkfifo(folder / "fifo.csv")
    (folder / "bad.csv").write_bytes(b"\xff\x00garbage")
    (folder / "careful00").mkdir()
    (folder / "careful00" / "codes.csv").write_text((folder / "careful00.csv").read_text())
    (folder / "-rf.csv").write_text("statement_id,stance,commitment,target,justification\n")
    gathered = codingfiles.gather(folder, LAB)
    counted = {c.coder for c in gathered.coders}
    assert counted == set(PROFILES) - {"careful00"}
    said = "\n".join(gathered.problems)
    assert "linker.csv: not read (a link, and links are not followed)" in said
    assert "zero.csv: not read (a link" in said
    assert "fifo.csv: not read (not a regular file)" in said
    assert "bad.csv: not UTF-8" in said
    assert "careful00 has 2 coding files" in said
    assert "'-rf' is not a student id" in said


def test_an_lms_zip_and_nbgrader_submitted_folder_are_read(tmp_path):
    folder = _class_folder(tmp_path, dict(list(PROFILES.items())[:5]))
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(folder.iterdir()):
            out.write(path, f"submissions/{path.stem}/codes.csv")
        link = zipfile.ZipInfo("submissions/evil/codes.csv")
        link.external_attr = 0o120777 << 16
        out.writestr(link, "/etc/shadow")
        out.writestr("submissions/huge/codes.csv", "x" * (codingfiles.MAX_BYTES + 10))
    gathered = codingfiles.gather(archive, LAB)
    assert {c.coder for c in gathered.coders} == {p.stem for p in folder.iterdir()}
    assert any("evil/codes.csv: a link" in p for p in gathered.problems)
    assert any("huge/codes.csv" in p and "more than a coding file can hold" in p for p in gathered.problems)
    assert "neither a folder nor a .zip" in codingfiles.gather(folder / "careful00.csv", LAB).problems[0]
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really")
    assert "not a readable zip" in codingfiles.gather(broken, LAB).problems[0]

    course = tmp_path / "course"
    for path in sorted(folder.iterdir()):
        target = course / "submitted" / path.stem / "ps1"
        target.mkdir(parents=True)
        (target / "codes.csv").write_bytes(path.read_bytes())
    (course / "submitted" / "nofile" / "ps1").mkdir(parents=True)
    gathered = codingfiles.gather(course, LAB, assignment="ps1")
    assert {c.coder for c in gathered.coders} == {p.stem for p in folder.iterdir()}
    assert gathered.problems == ["submitted/nofile/ps1/codes.csv: missing; nofile not counted"]
    with pytest.raises(ValueError, match="name the assignment"):
        codingfiles.gather(course, LAB)


# ---- the class report ----------------------------------------------------------------------------------------------


def test_the_report_recovers_a_simulated_class_of_thirty(tmp_path):
    """Thirty coders with known habits go through the files and the command an instructor runs; the report flags
    the careless and the one-code coders for what they are, leaves the careful alone, and never calls a coder who
    only confuses neighbouring codes careless."""
    folder = _class_folder(tmp_path, PROFILES, seed=0)
    (folder / "broken.csv").write_text("statement_id;stance\n")
    out = tmp_path / "report.html"
    done = subprocess.run([sys.executable, "-m", "course.autograder.coding_report", str(folder), "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "30 coders counted, 1 problems" in done.stdout
    assert "broken.csv, line 1: the header must be" in done.stderr
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page and not re.search(r"(src|href)=\"https?:", page)
    assert "broken.csv, line 1" in page and "Krippendorff" in page

    for seed in range(5):
        gathered = codingfiles.gather(_class_folder(tmp_path / f"s{seed}", PROFILES, seed), LAB)
        report = classreport.build(gathered.coders, LAB, draws=100)
        flags = dict(zip(report.coders_summary["coder"], report.coders_summary["flag"], strict=True))
        for coder, profile in PROFILES.items():
            if profile == "careful":
                assert flags[coder] == "", (seed, coder, flags[coder])
            elif profile == "one-code":
                assert flags[coder].startswith("one code for every statement"), (seed, coder)
            elif profile == "careless":
                assert "careless" in flags[coder], (seed, coder, flags[coder])
            else:
                assert "careless" not in flags[coder], (seed, coder, flags[coder])
        stance = report.variables["stance"].coders.set_index("coder")["vs_reference"]
        means = {
            p: stance[[c for c, q in PROFILES.items() if q == p]].mean()
            for p in ("careful", "neighbour-prone", "careless")
        }
        assert means["careful"] > means["neighbour-prone"] > means["careless"], (seed, means)
        assert report.variables["stance"].alpha.coders == 30


def test_a_class_of_three_hundred_on_twenty_statements_is_reported_within_the_budget():
    reactions = load("reactions")
    coded = list(reactions.index[reactions["held_out"].fillna("") == ""])[:20]
    assert len(coded) == 20
    habits = ["careful"] * 7 + ["neighbour-prone"] * 2 + ["careless"]
    coders = classreport.simulate_class({f"st{i:03d}": habits[i % 10] for i in range(300)}, coded, seed=1)
    started = time.perf_counter()
    report = classreport.build(coders, coded)
    seconds = time.perf_counter() - started
    assert seconds < 10, seconds
    assert len(report.coders) == 300 and report.variables["commitment"].alpha.draws > 900
    from course.views.coding_report import page

    assert len(page(report)) < 3_000_000


def test_no_coding_file_at_all_gives_a_page_that_says_so(tmp_path):
    (tmp_path / "empty").mkdir()
    out = tmp_path / "r.html"
    done = subprocess.run([sys.executable, "-m", "course.autograder.coding_report", str(tmp_path / "empty"),
                           "--out", str(out)], capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert done.returncode == 2 and "0 coders counted" in done.stdout
    assert "No coding file could be counted" in out.read_text(encoding="utf-8")


# ---- the widget and the lesson's helpers ---------------------------------------------------------------------------


def test_the_blind_coder_saves_every_change_resumes_and_shows_no_code(tmp_path):
    from course.views import coding_lab

    path = tmp_path / "codes.csv"
    coder = coding_lab.BlindCoder(path=path)
    assert "Statement 1 of 9" in coder.progress.value and not path.exists()
    for sid in LAB:  # each card is the statement's card (who, when, words, context), which names no code
        coder.go(LAB.index(sid))
        card = coder.card.value.lower()
        assert not re.search(r"\breference\b|\bstance\b|words_only|\bcommitment\b", card), sid
    coder.go(0)
    coder.code("non-committal", "words_only", "treaty", "S5: their business")
    assert coder.done() == 0  # a valence is still to code
    coder.code(valence="no judgment")
    coder.go(1)
    coder.code(stance="concern")
    assert "Saved to" in coder.status.value and coder.done() == 1
    rows = path.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "statement_id,stance,valence,commitment,target,justification"
    assert rows[1] == f"{LAB[0]},non-committal,no judgment,words_only,treaty,S5: their business"
    assert rows[2] == f"{LAB[1]},concern,,,,"
    again = coding_lab.BlindCoder(path=path)
    assert again.choices["stance"].value == "non-committal" and again.why.value == "S5: their business"
    again.go(1)
    assert again.choices["stance"].value == "concern" and again.choices["target"].value is None
    again.go(99)
    assert again.index == len(LAB) - 1 and again.next.disabled
    path.write_text(path.read_text() + "zzz,concern,words_only,treaty,x\n")
    assert "1 lines of the saved file could not be read" in coding_lab.BlindCoder(path=path).progress.value
    assert "coded in" in again.static_html()


def test_the_lessons_helpers_compare_adjudicate_and_revise(tmp_path):
    from course.views import coding_lab

    path = tmp_path / "codes.csv"
    assert "No codes yet" in coding_lab.compare_with_reference(path).data
    assert "No codes yet" in coding_lab.with_a_class(path).data
    reference = classreport.reference_codes(LAB)
    mine = {v: dict(reference[v]) for v in reference}
    mine["stance"][LAB[0]] = "endorsement"  # one difference
    codingfiles.write(path, mine, {}, LAB)
    shown = coding_lab.compare_with_reference(path)
    assert (
        shown.summary.set_index("variable").loc["stance", "same as the course"]
        == f"{len(LAB) - 1} of {len(LAB)}"
    )
    assert (
        shown.summary.set_index("variable").loc["target", "same as the course"] == f"{len(LAB)} of {len(LAB)}"
    )
    table = coding_lab.disagreements(path).data
    assert table.to_dict("records") == [{"statement": LAB[0], "variable": "stance", "you": "endorsement",
                                         "course": reference["stance"][LAB[0]],
                                         "rules to apply, in order": "S0 S1 S2 S3 S4 S5"}]  # fmt: skip
    with_class = coding_lab.with_a_class(path)
    assert "you" in with_class.report.coders and "you" not in with_class.report.flagged
    assert "<h3>You and a simulated class</h3>" in with_class.data and "<h1>" not in with_class.data
    simulated = classreport.simulate_class({f"c{i}": "neighbour-prone" for i in range(20)}, LAB, seed=1)
    effect = coding_lab.revision_effect(simulated, "commitment", {"review_or_option": "words_only"}, LAB)
    assert effect["codes in use"].tolist()[1] < effect["codes in use"].tolist()[0]
    assert effect["alpha"].tolist()[1] >= effect["alpha"].tolist()[0]


@pytest.mark.notebooks
def test_lesson_three_runs_the_lab_with_a_learners_file(tmp_path):
    """Lesson 03 executed where a learner's codes.csv is (part 2 compares it), and where none is (it says so)."""
    from test_notebooks import execute, problems

    lesson = ROOT / "notebooks" / "03_official_reactions.ipynb"
    empty = execute(lesson, cwd=tmp_path)
    assert problems(empty) == []
    assert "No codes yet" in str(empty.cells)
    me = classreport.simulate_class({"me": "neighbour-prone"}, LAB, seed=4)[0]
    codingfiles.write(tmp_path / "codes.csv", me.codes, me.why, LAB)
    done = execute(lesson, cwd=tmp_path)
    assert problems(done) == []
    text = str(done.cells)
    assert (
        "You and the course" in text
        and "You and a simulated class" in text
        and "alpha under two codebooks" in text
    )


# ---- other schemes --------------------------------------------------------------------------------------------------


def test_every_code_crosses_to_cameo_and_plover_with_a_reason():
    from course.content import crosswalk
    from course.content.reactions import COMMITMENT_CODES, STANCE_CODES

    crossed = {(c.variable, c.code) for c in crosswalk.CROSSWALK}
    assert crossed == {("stance", s) for s in STANCE_CODES} | {("commitment", c) for c in COMMITMENT_CODES}
    for crossing in crosswalk.CROSSWALK:
        assert crossing.why and all(code in crosswalk.CAMEO for code in crossing.cameo), crossing
    assert crosswalk.plover("011") == "dropped" and crosswalk.plover("111") == "ACCUSE"
    assert crosswalk.plover("130") == "THREATEN" and crosswalk.plover("062") == "COOPERATE"
    table = crosswalk.table().set_index("course code")
    assert table.loc["non-committal", "PLOVER"] == "(none: PLOVER drops comments)"
    assert table.loc["warning", "quad"] == "Verbal conflict" and table.loc["words_only", "PLOVER"] == "(none)"


def test_the_quoted_specification_is_a_source_and_its_sentence_is_kept_word_for_word():
    from course.content import crosswalk

    excerpts = load("excerpts")
    kept = excerpts[excerpts["source_id"] == crosswalk.SOURCE_ID]["text"].tolist()
    assert crosswalk.PLOVER_DROPS_COMMENTS in kept
    assert crosswalk.SOURCE_ID in load("sources").index
    lesson = (ROOT / "notebooks" / "03_official_reactions.ipynb").read_text(encoding="utf-8")
    assert crosswalk.PLOVER_DROPS_COMMENTS in lesson


def test_recoding_the_data_shows_what_plover_drops():
    from course.content import crosswalk

    reactions = load("reactions")
    recoded = crosswalk.recode(reactions.index[reactions["stance"].notna()]).set_index("statement")
    assert recoded.loc["china_mfa_sovereign_states", "PLOVER"] == "(no event)"
    assert recoded.loc["china_mfa_sovereign_states", "CAMEO"] == "011 Decline comment"
    assert recoded.loc["putin_breakthrough", "PLOVER"] == "SUPPORT, COOPERATE"
    assert "114 Complain officially" in recoded.loc["rok_summons_ambassador", "CAMEO"]
    assert (
        recoded.loc["chang_violation", "CAMEO"] == "111 Criticize or denounce"
    )  # its own council: no second event
    assert "014 Consider policy option" in recoded.loc["chang_depends", "CAMEO"]
    china = [rid for rid in recoded.index if reactions.loc[rid, "actor_id"] in ("china_mfa", "lin_jian")]
    assert china and all(recoded.loc[rid, "PLOVER"] == "(no event)" for rid in china)


def test_each_reading_ps1_credits_names_the_codebook_rules_that_give_it():
    """Issue 29's assessment: every reading ps1's key accepts for A1-A5 cites the codebook rules that give its stance
    and commitment, and the feedback prints it (score_reading prints each reading's reason)."""
    import ast

    import nbformat

    ps1 = "ps1_reading_official_reactions"
    source = nbformat.read(ROOT / "assignments" / "source" / ps1 / f"{ps1}.ipynb", as_version=4)
    readings = []
    for cell in source.cells:
        for node in ast.walk(ast.parse(cell.source) if cell.cell_type == "code" else ast.Module(body=[])):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "score_reading":
                readings += ast.literal_eval(node.args[1])
    assert len(readings) == 7  # A1 and A3 two each, A2, A4, A5 one
    for stance, commitment, _signals, why in readings:
        cited = re.search(r"\(codebook: (S\d), (C\d)\)", why)
        assert cited, why
        assert stance in codebook.rule(cited[1]).decides and commitment in codebook.rule(cited[2]).decides, (
            why
        )


@pytest.mark.slow
def test_a_coding_file_goes_through_nbgrader_submit_and_collect_to_the_class_report(tmp_path):
    """The lab as an nbgrader assignment: released, fetched, the student's codes.csv submitted with the notebook,
    collected by the instructor, and read by `make coding-report PS=…`'s command from submitted/."""
    import nbformat

    nbgrader = [sys.executable, "-m", "nbgrader"]
    root, exchange, home = tmp_path / "course", tmp_path / "exchange", tmp_path / "student"
    for folder in (root / "source" / "lab", exchange, home):
        folder.mkdir(parents=True)
    exchange.chmod(0o777)
    (root / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(root)!r}\nc.CourseDirectory.course_id = 'lab101'\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
    )
    lesson = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# The coding lab"),
        nbformat.v4.new_code_cell("from course.views import coding_lab, widgets\n"
                                  "widgets.show(coding_lab.BlindCoder())"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})  # fmt: skip
    nbformat.write(lesson, root / "source" / "lab" / "lab.ipynb")
    flags = [f"--Exchange.root={exchange}", "--CourseDirectory.course_id=lab101"]

    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONWARNINGS": "ignore:::nbgrader.api"}  # fmt: skip

    def run(cwd, *args):
        done = subprocess.run([*nbgrader, *args, *flags], cwd=cwd, capture_output=True, text=True, env=env)
        assert done.returncode == 0, f"nbgrader {args}: {done.stdout[-2000:]}{done.stderr[-2000:]}"

    run(root, "generate_assignment", "lab", "--force")
    run(root, "release_assignment", "lab", "--force")
    run(home, "fetch_assignment", "lab")
    me = classreport.simulate_class({"x": "careful"}, LAB, seed=3)[0]
    codingfiles.write(home / "lab" / "codes.csv", me.codes, me.why, LAB)
    run(home, "submit", "lab")
    run(root, "collect", "lab")
    out = tmp_path / "report.html"
    done = subprocess.run([sys.executable, "-m", "course.autograder.coding_report", str(root), "--assignment", "lab",
                           "--out", str(out)], capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0 and "1 coders counted, 0 problems" in done.stdout, done.stdout + done.stderr
    gathered = codingfiles.gather(root, LAB, assignment="lab")
    assert gathered.coders[0].codes == me.codes


def test_the_revision_log_reads_as_a_table_for_people():
    from course.content import codebook

    table = codebook.revision_table("student")
    assert list(table.columns) == ["date", "commit", "variable", "rule", "change", "why", "recoded"]
    assert len(table) == len(codebook.revisions("student")) and "audience" not in table.columns
