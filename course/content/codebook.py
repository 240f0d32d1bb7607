"""The codebook: the coding scheme as a coder uses it, generated from :mod:`course.content.reactions` (never typed
twice).

A codebook is what lets two people code the same statement independently and compare: for each variable, its
values with their definitions (taken from the scheme), the decision rules in the order a coder applies them, the
boundary cases (real rows of ``data/reactions.csv``, with the rule that settles each), and a revision log of the
rules the course has changed and why.

Two audiences read it. Students read it before and while they code; it never names a code for a statement a problem
set asks them to code (``held_out`` in the data). Instructors read every revision, including those that concern
held-out statements (the first: how the course recoded Kirby's "continue to evaluate our posture"). The instructor's
edition is printed from ``assignments/codebook.html`` (``python tools/codebook.py`` writes it with
:func:`course.views.codebook.html_page`; a test keeps it current).
"""

from __future__ import annotations

from dataclasses import dataclass

from course.content.reactions import (
    COMMITMENT_MARKERS,
    COMMITMENTS,
    STANCE_PARTS,
    STANCES,
    TARGETS,
    VALENCES,
    Code,
    commitment_for_signal,
)
from course.content.records import text

AUDIENCES = ("student", "instructor")


@dataclass(frozen=True)
class Rule:
    """One decision rule: applied in order; the first that fits decides (``decides``: the codes it can give; none
    for a rule that says what to read)."""

    rule_id: str
    text: str
    decides: tuple[str, ...] = ()


@dataclass(frozen=True)
class Variable:
    name: str
    question: str
    level: str  # "nominal" or "ordinal": what the agreement statistic treats the codes as
    values: dict[str, Code]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class BoundaryCase:
    """A real row that sits between two codes, and the rule that settles it."""

    variable: str
    reaction_id: str
    between: tuple[str, str]  # (the code the rule gives, the code a careful coder might also reach for)
    rule_id: str
    why: str


@dataclass(frozen=True)
class Revision:
    """One change to the rules: what changed, why, which rule, what it did to the codes."""

    date: str
    commit: str
    variable: str
    rule_id: str
    change: str
    why: str
    recoded: str
    audience: str = "student"  # "instructor": names a held-out statement and its codes


def _markers(level: str) -> str:
    return ", ".join(f"'{m}'" for m in COMMITMENT_MARKERS[level])


VARIABLES: dict[str, Variable] = {
    v.name: v
    for v in (
        Variable(
            "stance",
            "What position do the words take towards the event?",
            "nominal",
            STANCES,
            (
                Rule(
                    "S0",
                    "Code the words the row attributes to the speaker (quote or paraphrase), not the outlet's "
                    "framing, the speaker's other statements, or what you know happened next.",
                ),
                Rule(
                    "S1",
                    "If the words tie a response to the other side's future conduct (an 'if … then', "
                    "'depends on what … does', 'will respond'), code warning, even when they also condemn or worry.",
                    decides=("warning",),
                ),
                Rule(
                    "S2",
                    "Otherwise, if they reject the event as wrong, unlawful or a violation, code condemnation.",
                    decides=("condemnation",),
                ),
                Rule(
                    "S3",
                    "Otherwise, if they express worry or say the speaker is watching, code concern.",
                    decides=("concern",),
                ),
                Rule(
                    "S4",
                    "Otherwise, if they support, praise or defend the event or agreement (a party reassuring "
                    "others about its own treaty defends it), code endorsement.",
                    decides=("endorsement",),
                ),
                Rule(
                    "S5",
                    "Otherwise (declining to comment, 'no information', 'a matter between two sovereign "
                    "states'), code non-committal. Calling something other states' business takes no position.",
                    decides=("non-committal",),
                ),
            ),
        ),
        Variable(
            "valence",
            "What judgment do the words pass on the question they answer?",
            "nominal",
            VALENCES,
            (
                Rule(
                    "V0",
                    "Find the question the statement answers (its target, rules T0 to T3) and code the judgment "
                    "the words pass on that, not on other subjects they touch or on what the speaker is known to "
                    "think. The stance fixes the valence of a condemnation or a concern (negative), an endorsement "
                    "(positive) and a non-committal reply (no judgment); a warning's valence is read from its words.",
                ),
                Rule(
                    "V1",
                    "If the words reject, criticise, oppose or worry about it, code negative; warning against it "
                    "counts as opposing it.",
                    decides=("negative",),
                ),
                Rule(
                    "V2",
                    "Otherwise, if they support, praise or defend it, code positive; warning those who would oppose "
                    "it counts as defending it.",
                    decides=("positive",),
                ),
                Rule(
                    "V3",
                    "Otherwise code no judgment: the words decline to comment, defer judgment, or tie a reply to a "
                    "third party's conduct without judging the matter itself.",
                    decides=("no judgment",),
                ),
            ),
        ),
        Variable(
            "commitment",
            "How far does the reaction go beyond words?",
            "ordinal",
            COMMITMENTS,
            (
                Rule(
                    "C0",
                    "Find the words the row records as what the speaker did or committed to (its commitment "
                    "signal); the stance words do not count. Where it records several steps, the furthest one "
                    "decides: apply C1 to C4 in order.",
                ),
                Rule(
                    "C1",
                    f"If the signal decides or carries out a measure ({_markers('policy_step')}), code "
                    "policy_step.",
                    decides=("policy_step",),
                ),
                Rule(
                    "C2",
                    f"Otherwise, if it records a diplomatic act ({_markers('consultation_or_protest')}), "
                    "code consultation_or_protest.",
                    decides=("consultation_or_protest",),
                ),
                Rule(
                    "C3",
                    f"Otherwise, if it names a specific measure as possible or under review "
                    f"({_markers('review_or_option')}), code review_or_option. A general 'we will watch' names none.",
                    decides=("review_or_option",),
                ),
                Rule(
                    "C4",
                    "Otherwise code words_only: a threat whose measure is left open ('appropriate decisions') "
                    "is words only.",
                    decides=("words_only",),
                ),
            ),
        ),
        Variable(
            "target",
            "Which question does the statement answer?",
            "nominal",
            TARGETS,
            (
                Rule(
                    "T0",
                    "Code the question the speaker was answering (the briefing's question, the occasion), "
                    "not every subject the words touch.",
                ),
                Rule(
                    "T1",
                    "A statement on the agreement signed on 19 June, its articles or its purpose answers "
                    "the treaty question, even when it speaks of 'cooperation' or 'alliance'.",
                    decides=("treaty",),
                ),
                Rule(
                    "T2",
                    "Arms or technology moving between Russia and North Korea, or UN sanctions on it, answers "
                    "military cooperation; a third state arming Ukraine answers arms to Ukraine.",
                    decides=("military cooperation", "arms to Ukraine"),
                ),
                Rule(
                    "T3",
                    "Up to 19 June, questions about the trip answer the visit; North Korean soldiers answer "
                    "troops in Russia.",
                    decides=("visit", "troops in Russia"),
                ),
            ),
        ),
    )
}

#: The column of data/reactions.csv that holds each variable's code.
COLUMN = {"stance": "stance", "valence": "valence", "commitment": "commitment", "target": "topic"}

#: The variable a coder writes free text for: what the statement avoided (see ``avoided`` in data/reactions.csv).
AVOIDED_RULE = (
    "What was avoided is read against a contrast: name what another government said on the same question that this "
    "one did not (a judgment, a commitment, a name). Without a contrasting statement, write nothing: silence is only "
    "meaningful next to speech."
)

BOUNDARY_CASES: tuple[BoundaryCase, ...] = (
    BoundaryCase(
        "stance",
        "chang_depends",
        ("warning", "concern"),
        "S1",
        "The reply is tied to what Russia does next: a conditional response, not worry alone.",
    ),
    BoundaryCase(
        "stance",
        "putin_hanoi_mistake",
        ("warning", "condemnation"),
        "S1",
        "'A very big mistake' rejects a step, but the answer goes on: 'If this happens, then we will also "
        "take appropriate decisions'. The whole answer is a conditional reply.",
    ),
    BoundaryCase(
        "stance",
        "chang_violation",
        ("condemnation", "warning"),
        "S2",
        "Calls such cooperation a violation of UN resolutions; it names no response of Seoul's own that "
        "depends on what Russia does next.",
    ),
    BoundaryCase(
        "stance",
        "podolyak_demonstrative_pact",
        ("condemnation", "concern"),
        "S2",
        "Calls the treaty a pact to destroy global rules: a rejection, not worry.",
    ),
    BoundaryCase(
        "stance",
        "putin_hanoi_nothing_to_worry",
        ("endorsement", "non-committal"),
        "S4",
        "A party reassuring others about its own treaty defends it.",
    ),
    BoundaryCase(
        "stance",
        "china_mfa_sovereign_states",
        ("non-committal", "endorsement"),
        "S5",
        "'A matter between two sovereign states' takes no position on the treaty; it neither praises nor "
        "defends it.",
    ),
    BoundaryCase(
        "valence",
        "putin_hanoi_mistake",
        ("negative", "no judgment"),
        "V1",
        "The stance is a warning, which fixes no valence; the words judge the supply of arms 'a very big "
        "mistake', and the conditional reply follows.",
    ),
    BoundaryCase(
        "valence",
        "chang_depends",
        ("no judgment", "negative"),
        "V3",
        "A warning too, but addressed to Russia's conduct; on the question it answers, arms for Ukraine, the "
        "words neither urge nor reject them.",
    ),
    BoundaryCase(
        "commitment",
        "putin_hanoi_mistake",
        ("words_only", "review_or_option"),
        "C4",
        "'Appropriate decisions' are left unnamed: no specific measure is named as possible.",
    ),
    BoundaryCase(
        "commitment",
        "chang_depends",
        ("review_or_option", "words_only"),
        "C3",
        "Lethal aid to Ukraine, a specific measure, was not ruled out; nothing was decided.",
    ),
    BoundaryCase(
        "commitment",
        "chang_violation",
        ("consultation_or_protest", "review_or_option"),
        "C2",
        "The row records an emergency National Security Council meeting and an option to reconsider arms "
        "supplies: the furthest step, the meeting, decides (C0).",
    ),
    BoundaryCase(
        "commitment",
        "putin_breakthrough",
        ("policy_step", "words_only"),
        "C1",
        "The stance words praise; the commitment signal is the treaty signed, with mutual assistance under "
        "it: a decided measure.",
    ),
    BoundaryCase(
        "target",
        "hayashi_seriously_concerned",
        ("military cooperation", "treaty"),
        "T2",
        "Spoken as the treaty was signed, but the worry is military technology cooperation in violation of "
        "UN resolutions.",
    ),
    BoundaryCase(
        "target",
        "putin_hanoi_nothing_to_worry",
        ("treaty", "arms to Ukraine"),
        "T1",
        "Asked in Hanoi, where arms to Ukraine were also discussed, but the answer glosses the treaty's "
        "mutual-assistance article.",
    ),
)

REVISIONS: tuple[Revision, ...] = (
    Revision(
        "2026-11-28",
        "caa22eb",
        "commitment",
        "C3",
        "A level between words_only and consultation_or_protest: review_or_option, a specific measure named as "
        "possible or under review, nothing decided. Kirby's 'will continue to evaluate our posture' (ps1 A3) "
        "was keyed review_or_option under it.",
        "Reviews of posture and policy had been coded inconsistently, some as words only, some as policy steps "
        "(content review, F15).",
        "kirby_of_concern: keyed review_or_option in ps1's key",
        audience="instructor",
    ),
    Revision(
        "2026-11-28",
        "caa22eb",
        "commitment",
        "C0",
        "One rule for the whole scale: a row is coded by the furthest level its recorded signal reaches, and "
        "the data loader refuses a row whose code does not follow.",
        "Two rows recorded an emergency meeting and were coded as a decided policy; an option named and a "
        "meeting held are not decisions (F15).",
        "chang_violation and rok_article_emergency_meeting: policy_step → consultation_or_protest; "
        "chang_depends: words_only → review_or_option",
    ),
    Revision(
        "2026-12-06",
        "97e3669",
        "commitment",
        "C3",
        "'evaluate' left the review_or_option markers. Kirby's 'continue to evaluate our posture' is now "
        "words_only under the rule, and ps1 A3 credits both readings (concern/words_only first, "
        "concern/review_or_option), each with its reason.",
        "A second expert review: 'evaluate our posture' names no specific measure, and a marker that fits one "
        "held-out row is a key in disguise (M1, M3).",
        "kirby_of_concern: ps1 A3 accepts words_only and review_or_option",
        audience="instructor",
    ),
    Revision(
        "2026-12-06",
        "97e3669",
        "stance",
        "S1",
        "Rule S1 is applied to the whole answer: Putin's Hanoi answer is quoted whole, and its conditional "
        "reply ('If this happens, then we will also take appropriate decisions') is what makes it a warning.",
        "The course had quoted only the first sentence, which hid the conditional (second review, H1).",
        "putin_hanoi_mistake: quote completed; code unchanged (warning)",
    ),
    Revision(
        "2026-12-06",
        "deb94c1",
        "commitment",
        "C2",
        "'representations' joins the markers of consultation_or_protest: 'made solemn representations' and "
        "'lodged serious representations' record a démarche, a formal diplomatic protest (交涉).",
        "Coding the corpus of lesson 07: China's answers on Camp David and on NATO's Washington declaration "
        "record protests the markers did not name.",
        "No row of reactions.csv; in statements.csv cn_20230821_wang and cn_20240711_eu_mission are "
        "consultation_or_protest.",
    ),
    Revision(
        "2026-12-07",
        "2832d25",
        "valence",
        "V0",
        "A fourth variable, valence (negative, positive, no judgment): the judgment the words pass on the question "
        "they answer, coded apart from the stance. Four stances fix it; a warning's is read from its words (V1 to V3).",
        "A stance joined a speech act and a judgment, so a warning said nothing about what the words judged "
        "(second review, M6).",
        "Every coded row of reactions.csv and statements.csv gains a valence; no stance changed. Of the eight "
        "warnings, putin_hanoi_mistake and four others are negative, chang_depends and kr_20240620_lim_respond no "
        "judgment, ru_20240625_rudenko positive",
    ),
)


def rule(rule_id: str) -> Rule:
    """The rule called ``rule_id`` (S1, C3, T2, ...)."""
    for variable in VARIABLES.values():
        for candidate in variable.rules:
            if candidate.rule_id == rule_id:
                return candidate
    raise KeyError(f"no codebook rule {rule_id!r}")


def revisions(audience: str = "student") -> list[Revision]:
    """The revision log a reader of ``audience`` sees: students never see an entry naming a held-out code."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, not {audience!r}")
    return [r for r in REVISIONS if audience == "instructor" or r.audience == "student"]


def revision_table(audience: str = "student"):
    """The revision log as a table for a reader: date, commit, variable, rule, what changed, why, what was recoded."""
    import pandas as pd

    rows = [
        {
            "date": r.date,
            "commit": r.commit,
            "variable": r.variable,
            "rule": r.rule_id,
            "change": r.change,
            "why": r.why,
            "recoded": r.recoded,
        }
        for r in revisions(audience)
    ]
    return pd.DataFrame(rows, columns=["date", "commit", "variable", "rule", "change", "why", "recoded"])


def withheld(audience: str = "student") -> int:
    return len(REVISIONS) - len(revisions(audience))


def boundary_rows():
    """The boundary cases with their rows (quote or paraphrase, the code in the data): a DataFrame."""
    import pandas as pd

    from course.content.data import load

    reactions = load("reactions")
    rows = []
    for case in BOUNDARY_CASES:
        row = reactions.loc[case.reaction_id]
        words = text(row["quote"]) or row["paraphrase"]
        rows.append(
            {
                "variable": case.variable,
                "reaction_id": case.reaction_id,
                "words": str(words),
                "code": str(row[COLUMN[case.variable]]),
                "other": case.between[1],
                "rule": case.rule_id,
                "why": case.why,
                "signal": "" if pd.isna(row["commitment_signal"]) else str(row["commitment_signal"]),
            }
        )
    return pd.DataFrame(rows)


def check() -> list[str]:
    """Problems with the codebook against the data and the scheme (empty when it is consistent): every boundary case
    names a coded, not held-out row whose code is the one the case gives, a real rule, and a code of its variable;
    the commitment cases agree with the scheme's one rule."""
    from course.content.data import load

    reactions = load("reactions")
    problems = []
    rule_ids = {v.name: {r.rule_id for r in v.rules} for v in VARIABLES.values()}
    for case in BOUNDARY_CASES:
        where = f"boundary case {case.variable}/{case.reaction_id}"
        if case.reaction_id not in reactions.index:
            problems.append(f"{where}: no such row")
            continue
        row = reactions.loc[case.reaction_id]
        if text(row["held_out"]):
            problems.append(f"{where}: the row is held out ({row['held_out']})")
        if case.rule_id not in rule_ids[case.variable]:
            problems.append(f"{where}: no rule {case.rule_id}")
        elif case.between[0] not in rule(case.rule_id).decides:
            problems.append(f"{where}: rule {case.rule_id} does not give {case.between[0]!r}")
        values = VARIABLES[case.variable].values
        if not set(case.between) <= set(values) or case.between[0] == case.between[1]:
            problems.append(f"{where}: {case.between} are not two codes of {case.variable}")
        if str(row[COLUMN[case.variable]]) != case.between[0]:
            problems.append(
                f"{where}: the data code it {row[COLUMN[case.variable]]!r}, not {case.between[0]!r}"
            )
        if case.variable == "commitment":
            signal = None if not isinstance(row["commitment_signal"], str) else row["commitment_signal"]
            if commitment_for_signal(signal) != case.between[0]:
                problems.append(f"{where}: the scheme's rule gives {commitment_for_signal(signal)!r}")
    for revision in REVISIONS:
        if revision.rule_id not in rule_ids.get(revision.variable, set()):
            problems.append(f"revision {revision.date} {revision.commit}: no rule {revision.rule_id}")
    return problems


_COUNT = {3: "three", 4: "four", 5: "five"}


def markdown(audience: str = "student") -> str:
    """The codebook as Markdown (a lesson shows it with ``display(Markdown(...))``)."""
    out = [f"# Codebook: official reactions ({audience}'s edition)", ""]
    out += [
        f"Code each statement on {_COUNT[len(VARIABLES)]} variables, one at a time, applying each variable's rules "
        "in order: the first rule that fits decides. Then write one line saying which rule decided, in your words. "
        "Stance and valence are two sides of one reading: the stance names the speech act (a judgment, a "
        "conditional reply, declining to judge) and, but for a warning, fixes the valence: "
        + "; ".join(
            f"{stance}: {act}, {valence or 'valence from its words'}"
            for stance, (act, valence) in STANCE_PARTS.items()
        )
        + ".",
        "",
    ]
    cases = boundary_rows()
    for variable in VARIABLES.values():
        out += [
            f"## {variable.name.capitalize()}: {variable.question}",
            "",
            f"Codes ({variable.level}{', from least to most committing' if variable.level == 'ordinal' else ''}):",
            "",
        ]
        for code in variable.values.values():
            out.append(f"- **{code.code}** ({code.label}): {code.definition} Look for: {code.signals}.")
        out += ["", "Rules, in order:", ""]
        out += [f"{r.rule_id}. {r.text}" for r in variable.rules]
        out += ["", "Boundary cases:", ""]
        for case in cases[cases["variable"] == variable.name].itertuples():
            out.append(
                f'- `{case.reaction_id}`: "{case.words}" → **{case.code}**, not {case.other} '
                f"(rule {case.rule}). {case.why}"
            )
        out.append("")
    out += ["## What was avoided (free text)", "", AVOIDED_RULE, "", "## Revision log", ""]
    for r in revisions(audience):
        out.append(
            f"- {r.date} ({r.commit}), {r.variable} rule {r.rule_id}: {r.change} Why: {r.why} "
            f"Recoded: {r.recoded}."
        )
    hidden = withheld(audience)
    if hidden:
        out.append(
            f"- ({hidden} entries name statements a problem set asks you to code; they appear in the "
            "instructor's edition and are shown to you after that problem set is graded.)"
        )
    return "\n".join(out) + "\n"
