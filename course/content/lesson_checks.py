"""The lessons' "Check your understanding" questions, kept out of the notebooks so the answers are not on show.

Content: each function returns a :class:`course.content.quiz.Quiz` whose answers are computed from the data and the
models (distances, codes, counts), so a test of the content covers them. :mod:`course.views.checks` shows each as a
form; a lesson ends a cell with ``checks.<lesson>()``.
"""

from __future__ import annotations

from collections import Counter

from course.content import reading
from course.content.data import load, split_ids
from course.content.geo import haversine_km
from course.content.quiz import Question, Quiz
from course.content.reactions import commitment_rank
from course.content.records import reaction_records


def sentences() -> Quiz:
    """Lesson 00's exercise: sort nine passages of the article by the kind of sentence each is."""
    return Quiz(reading.passage_questions(), title="Sort the sentences: what kind is each?")


def start_here() -> Quiz:
    """Return the start notebook's closing questions on reading official statements."""
    return Quiz(
        [
            Question(
                prompt="According to Business Insider, China's foreign ministry said: \"The cooperation between Russia and the DPRK is "
                "a matter between two sovereign states. We do not have information on the relevant "
                'matter." What did this statement commit China to?',
                options=(
                    "supporting the treaty",
                    "opposing the treaty",
                    "nothing: it neither endorsed nor criticised the treaty",
                    "new sanctions on North Korea",
                ),
                answer="nothing: it neither endorsed nor criticised the treaty",
                explanation="It described the treaty as someone else's business and claimed no "
                "information. What it avoided (any judgment of the treaty) is the message a reader "
                "interprets; lesson 03 does this systematically.",
                hint="Look for a verb of support, criticism or action. Is there one?",
            ),
            Question(
                prompt="A sentence ends 'according to a US statement in February'. What does that "
                "attribution tell you?",
                options=(
                    "that the claim is true",
                    "that the writer disagrees with the claim",
                    "who makes the claim, so you can weigh it and look for evidence and denials",
                ),
                answer="who makes the claim, so you can weigh it and look for evidence and denials",
                explanation="Attribution neither confirms nor rejects a claim: it names its owner. "
                "Lesson 04 weighs this particular claim.",
            ),
            Question(
                prompt="Liu Dongshu, quoted in the article, is best described as…",
                options=(
                    "a Chinese government spokesperson",
                    "an analyst (an academic) giving his interpretation",
                    "a North Korean official",
                ),
                answer="an analyst (an academic) giving his interpretation",
                explanation="The article introduces him as an assistant professor focusing on "
                "Chinese politics at the City University of Hong Kong. His words are analysis, not "
                "Chinese policy.",
            ),
        ],
        title="Check your understanding",
    )


def summit() -> Quiz:
    """Check your understanding: lesson 01."""
    return Quiz(
        [
            Question(
                prompt="How many years passed between Putin's first and second visits to Pyongyang?",
                options=("14", "19", "24", "26"),
                answer="24",
                explanation="July 2000 to June 2024; KBS and TASS call it his first visit in 24 years.",
            ),
            Question(
                prompt="Xi was 'the first Chinese leader to visit Pyongyang in 14 years'. From which visit does the count start?",
                options=(
                    "Hu Jintao's, October 2005",
                    "Putin's, July 2000",
                    "Kim's trip to Russia, September 2023",
                ),
                answer="Hu Jintao's, October 2005",
                explanation="2005 + 14 = 2019: the previous visit by China's top leader. 'Leader' is a definition "
                "worth noticing when you read such a claim: say which visits it counts.",
            ),
            Question(
                prompt="The article puts Putin and Kim in a Mercedes-Benz on crowd-lined streets; Reuters and Al "
                "Jazeera report the two driving an Aurus. What should a careful reader check first?",
                options=(
                    "which of the two reports is wrong",
                    "whether the two reports describe the same moment",
                    "which outlet is the more reliable",
                ),
                answer="whether the two reports describe the same moment",
                explanation="They do not: the article describes the street motorcade; Reuters and Al Jazeera, an Aurus "
                "Putin gave Kim and a drive in the guesthouse grounds. Two moments, not a contradiction.",
            ),
            _distance_question(),
            Question(
                prompt='In Pyongyang in 2019, as China Central Television reported, Xi said China was "ready within its '
                'capacity to help" North Korea "address its legitimate security and development concerns" and to '
                '"play a positive and constructive role". What did those words commit China to?',
                options=(
                    "military assistance if North Korea were attacked",
                    "help of a kind and size left open, and a role in talks: no measure named",
                    "nothing: the words only describe the talks",
                ),
                answer="help of a kind and size left open, and a role in talks: no measure named",
                explanation="'Within its capacity' leaves the size of the help to China, and no measure is named: words, "
                "not a step. The 2024 treaty's Article 4 promises military assistance; on these texts the article's "
                "'paled in comparison' stands. But a summit's words and a treaty are two kinds of document, and China's "
                "1961 treaty with its own assistance clause is listed as in force: lesson 02 compares the treaties.",
                hint="Look for a measure China would take. Is one named, and who decides its size?",
            ),
        ]
    )


def _distance_question() -> Question:
    """Lesson 01's second objective: compare great-circle distances (computed from the places data, not typed)."""
    places = load("places")

    def km(a: str, b: str) -> float:
        return haversine_km(
            places.loc[a, "lat"], places.loc[a, "lon"], places.loc[b, "lat"], places.loc[b, "lon"]
        )

    beijing, moscow = km("pyongyang", "beijing"), km("pyongyang", "moscow")
    ratio = round(moscow / beijing)
    options = tuple(f"about {n} times as far" for n in sorted({2, ratio, 3 * ratio}))
    return Question(
        prompt=f"By great circle, Beijing is {beijing:,.0f} km from Pyongyang. How far is Moscow, compared?",
        options=options,
        answer=f"about {ratio} times as far",
        explanation=f"Moscow is {moscow:,.0f} km from Pyongyang by great circle: {moscow / beijing:.1f} times the "
        "distance to Beijing. The article's 'hundreds of miles away' for Beijing is the short side of the triangle.",
    )


def treaty() -> Quiz:
    """Check your understanding: lesson 02."""
    return Quiz(
        [
            Question(
                prompt="Which renderings of Article 4 say 'immediately' rather than 'without delay'?",
                options=("Chosun Ilbo's and Yonhap's", "Al Mayadeen's and the wire text's", "all four"),
                answer="Al Mayadeen's and the wire text's",
                explanation="Chosun Ilbo and Yonhap render it 'without delay'; the other two say 'immediately'. "
                "Translations differ in exactly the words an interpreter weighs.",
            ),
            Question(
                prompt="What does the 2024 clause contain that the 1961 Soviet clause does not?",
                options=(
                    "a state of war as the trigger",
                    "military and other assistance",
                    "references to Article 51 of the UN Charter and to both countries' laws",
                ),
                answer="references to Article 51 of the UN Charter and to both countries' laws",
                explanation="Both clauses are triggered by a state of war and promise military and other assistance; "
                "only the 2024 one names Article 51 and domestic law.",
            ),
            Question(
                prompt="Who called the new relationship an alliance?",
                options=("Putin", "Kim Jong Un", "the text of Article 4"),
                answer="Kim Jong Un",
                explanation="Kim spoke of 'a new, high level of alliance'; Yonhap reports that Putin 'stopped short' of "
                "calling it one, and the word is not in Article 4.",
            ),
        ]
    )


def reactions() -> Quiz:
    """Check your understanding: lesson 03."""
    return Quiz(
        [
            *_interpretation_questions(),
            Question(
                prompt="The article says Japan voiced 'grave concerns'. What are the words Jiji Press reports from Hayashi?",
                options=(
                    "'grave concerns'",
                    "'seriously concerned'",
                    "'condemn in the strongest possible terms'",
                ),
                answer="'seriously concerned'",
                explanation="'Grave concern' is Jiji's headline and the article's wording; Hayashi's reported words are "
                "'We are seriously concerned ...'. Renderings differ: quote the one you can source.",
            ),
            Question(
                prompt="South Korea reacted three times in four days: an emergency National Security Council meeting "
                "(20 June), the summons of Russia's ambassador (21 June), and, on 23 June, a response that 'depends on "
                "what Russia does', with lethal aid to Ukraine not ruled out. Which of them named an option and "
                "decided nothing?",
                options=(
                    "the emergency meeting",
                    "the summons of the ambassador",
                    "the 23 June statement",
                ),
                answer="the 23 June statement",
                explanation="An option not ruled out is 'review or option named' in the scheme: it decides nothing. "
                "The meeting and the summons are acts of diplomacy (consultation or protest). None of the three "
                "decided a policy step.",
            ),
            _endorsers_question(),
            Question(
                prompt="Liu Dongshu, quoted in the article, is…",
                options=("a Chinese foreign ministry spokesperson", "an analyst", "a South Korean official"),
                answer="an analyst",
                explanation="An assistant professor at the City University of Hong Kong: his views are analysis, not "
                "China's position.",
            ),
        ]
    )


#: Three reactions of governments that are not parties to the treaty, one per level below a decided measure, for the
#: ranking question (codes read from the data). No non-party government took a decided step in the course's data; the
#: parties' rows that record one carry the treaty's own step (second review, M7), asked about apart.
_RANKED = {
    "miller_concerning": "Miller: 'incredibly concerning'",
    "chang_depends": "Chang, 23 June: the response 'depends on what Russia does'",
    "rok_summons_ambassador": "South Korea summons Russia's ambassador",
}


def _endorsers_question() -> Question:
    """Lesson 03's second objective: read the map and the table across governments (the key from the data)."""
    reactions, actors = load("reactions"), load("actors")
    coded = reactions[reactions["stance"].notna()]
    endorsing = coded.loc[coded["stance"] == "endorsement", "actor_id"].map(actors["government"])
    answer = " and ".join(sorted(set(endorsing)))
    return Question(
        prompt="On the reactions map and in its table, which governments' reactions are coded as endorsement?",
        options=(answer, "China and Russia", "Japan and the United States"),
        answer=answer,
        feedback={
            "China and Russia": "China's reactions are all non-committal: look at Beijing's card.",
            "Japan and the United States": "Their reactions are concern or condemnation.",
        },
        explanation="Only the treaty's two parties endorse it; every other government's coded reaction is "
        "non-committal, concern, condemnation or a warning.",
    )


def _interpretation_questions() -> list[Question]:
    """Lesson 03's interpretive items: rank by commitment (the order comes from the data's codes) and decide
    whether renderings change the meaning."""

    reactions = load("reactions")
    order = sorted(_RANKED, key=lambda rid: commitment_rank(str(reactions.loc[rid, "commitment"])))

    def ranked(ids) -> str:
        return " < ".join(_RANKED[rid] for rid in ids)

    best = ranked(order)
    swapped = ranked([order[1], order[0], order[2]])  # words above a named option
    option_above_act = ranked([order[0], order[2], order[1]])  # defensible: what is at stake
    by_cost = ranked([order[2], order[0], order[1]])  # a routine act below words
    records = {r.reaction_id: r for r in reaction_records(reactions)}
    decided = [r for r in records.values() if r.commitment == "policy_step"]
    if not decided or any(not r.party for r in decided) or any(records[rid].party for rid in _RANKED):
        raise ValueError("the ranking question assumes only the treaty's parties record a decided step")
    putin = records["putin_breakthrough"]
    apart = "Apart from the others: Russia is a party to the event, and the step its row records is the treaty itself"
    top = "At the top: signing a treaty is the furthest step any government took"
    return [
        Question(
            prompt="Order these three reactions, by governments that are not parties to the treaty, from least to "
            "most committing, by the course's scheme.",
            options=(swapped, option_above_act, best, by_cost),
            answer=best,
            accepted=(option_above_act,),
            feedback={
                swapped: "'Depends on what Russia does' names an option (lethal aid not ruled out); 'incredibly "
                "concerning' names none.",
                option_above_act: "Defensible if you weigh what is at stake (arms for Ukraine) above an act that "
                "changes no policy; the scheme ranks by how far the step goes, and a named option is still words, "
                "where a summons is an act.",
                by_cost: "A summons may be routine and cheap, but it is an act of diplomacy; 'incredibly "
                "concerning' is words only. The scale measures how far beyond words a reaction goes, not its cost.",
            },
            explanation="Words only, then an option named, then an act of diplomacy: the furthest step each record "
            "shows. None of the three decided a measure.",
        ),
        Question(
            passage=f"Putin, {putin.when}: {putin.said}. The data code the row {putin.commitment}: it records "
            "the treaty signed, with mutual assistance under it.",
            prompt="In a comparison of how far governments went in reacting to the treaty, where does this row "
            "belong?",
            options=(
                top,
                "Beside the summons: both are acts of diplomacy",
                apart,
                "At the bottom: praise is words only",
            ),
            answer=apart,
            feedback={
                top: "Signing is the event the others reacted to. Ranked as a reaction, it puts the two "
                "signatories at the top of the scale by definition.",
                "At the bottom: praise is words only": "The row records the signing (rule C0: the commitment is "
                "read from the recorded act, not from the words of praise); the question is whose act it is.",
                "Beside the summons: both are acts of diplomacy": "A treaty signed is a decided measure, not an "
                "act of diplomacy, and it is the event itself.",
            },
            explanation=f"In the course's data only the treaty's parties record a decided step ({len(decided)} "
            "rows, all theirs): their rows carry the treaty's commitment. Compare governments that reacted with "
            "each other, and read the parties' statements as framing their own act.",
        ),
        Question(
            passage="Business Insider: 'a matter between two sovereign states'. ANSA (Italian): 'è una questione "
            "tra questi due Paesi' (a matter between these two countries). The article: 'calling it a bilateral "
            "matter'.",
            prompt="China's 20 June reply in three renderings. Do the differences change what China said or "
            "committed to?",
            options=(
                "Yes: only Business Insider's rendering is non-committal",
                "No: all three commit China to nothing and judge nothing; 'sovereign' adds emphasis, not a position",
                "Yes: ANSA's rendering is a condemnation",
            ),
            answer="No: all three commit China to nothing and judge nothing; 'sovereign' adds emphasis, not a "
            "position",
            feedback={
                "Yes: only Business Insider's rendering is non-committal": "All three call it the two states' "
                "affair and judge nothing.",
                "Yes: ANSA's rendering is a condemnation": "'A matter between these two countries' condemns "
                "nothing.",
            },
            explanation=f"The data code all three alike ({reactions.loc['china_mfa_sovereign_states', 'stance']}, "
            f"{reactions.loc['lin_jian_questione', 'stance']}, {reactions.loc['china_article_bilateral', 'stance']}). "
            "Renderings change meaning when they change the trigger, the object or the hedge: compare Article 4's "
            "renderings in lesson 02.",
        ),
    ]


def avoided() -> Quiz:
    """Practice for lesson 03's third question: what a reaction avoided saying.

    The best answer of each question is the reading recorded in the data's ``avoided`` column, so the lesson and
    the data cannot drift apart; every other option says, when chosen, why it is not the best reading.
    """
    reactions = load("reactions")
    china, trio = reactions.loc["china_mfa_sovereign_states"], reactions.loc["trilateral_condemn"]
    return Quiz(
        [
            Question(
                passage=str(china["quote"]),
                prompt="China's foreign ministry, 20 June 2024 (Business Insider). What does it avoid saying?",
                options=(
                    str(china["avoided"]),
                    "That the treaty concerns Russia and North Korea.",
                    "Any word of support for the treaty.",
                    "Whether China has information on the matter.",
                ),
                answer=str(china["avoided"]),
                accepted=("Any word of support for the treaty.",),
                feedback={
                    "That the treaty concerns Russia and North Korea.": "It says exactly that: 'a matter between "
                    "two sovereign states'.",
                    "Any word of support for the treaty.": "True, but it avoids criticism just as carefully: "
                    "'any judgment' is the fuller reading.",
                    "Whether China has information on the matter.": "It addresses that: 'We do not have "
                    "information on the relevant matter'.",
                },
                explanation="Set it beside Japan's 'seriously concerned' and South Korea's 'is a violation of U.N. "
                "Security Council resolutions' the same day: they judged; China did not. A contrast with what "
                "others said is how you show an avoidance, not a guess about motives.",
            ),
            Question(
                passage=str(trio["quote"]),
                prompt="The US, South Korea and Japan, joint statement of 24 June 2024. Besides condemning, what "
                "does it avoid?",
                options=(
                    "Naming Russia and North Korea.",
                    str(trio["avoided"]),
                    "Reaffirming what the US had already committed to.",
                    "Any judgment of the two states' military cooperation.",
                ),
                answer=str(trio["avoided"]),
                feedback={
                    "Naming Russia and North Korea.": "It names both: 'between the DPRK and Russia'.",
                    "Reaffirming what the US had already committed to.": "It does that: US commitments 'remain "
                    "ironclad'. Reaffirming is not a new step.",
                    "Any judgment of the two states' military cooperation.": "It judges it in the strongest terms it "
                    "has: 'condemn'.",
                },
                explanation="The strongest words ('in the strongest possible terms') come with no new step: the "
                "commitments it names are ones that already existed. South Korea, on its own, summoned Russia's "
                "ambassador and said lethal aid to Ukraine was not ruled out: that contrast shows what the joint "
                "statement left out. Strong words and a new commitment are two different things to look for.",
            ),
        ],
        title="What did it avoid?",
    )


def munitions() -> Quiz:
    """Check your understanding: lesson 04."""
    return Quiz(
        [
            Question(
                prompt="Whose figure is '260,000 metric tons'?",
                options=(
                    "the US State Department fact sheet's",
                    "the article's, which attributes it to a US statement",
                    "Russia's",
                ),
                answer="the article's, which attributes it to a US statement",
                explanation="The fact sheet's words, as Yonhap reports them, give 'more than 10,000 containers'; the "
                "tonnage appears only in the article among the course's sources.",
            ),
            Question(
                prompt="Russia and North Korea rejected the claim. What does the denial establish?",
                options=(
                    "that the claim is false",
                    "that the claim is true",
                    "their position, not the facts",
                ),
                answer="their position, not the facts",
                explanation="A denial is a claim by the accused; like the accusation, it needs evidence.",
            ),
            Question(
                prompt="'More than 10,000 containers' makes 10,000…",
                options=("an exact count", "a lower bound", "an upper bound"),
                answer="a lower bound",
                explanation="'More than' sets a floor; any estimate built on it is a floor too, unless the other "
                "assumptions pull it down.",
            ),
        ]
    )


def dilemma() -> Quiz:
    """Check your understanding: lesson 05."""
    return Quiz(
        [
            Question(
                prompt="'China aims to control the situation and prevent escalation, but it also does not want "
                "North Korea to completely collapse either.' Whose words are these?",
                options=(
                    "China's foreign ministry",
                    "Liu Dongshu, an analyst quoted in the article",
                    "the article's own",
                ),
                answer="Liu Dongshu, an analyst quoted in the article",
                explanation="The article quotes Liu Dongshu, an assistant professor at the City University of Hong "
                "Kong. It is his analysis of Beijing's aims, not a statement of them.",
            ),
            Question(
                prompt="Which figure supports the article's description of China as North Korea's 'main political "
                "and economic patron'?",
                options=(
                    "China's share of North Korea's trade in 2022 (96.7%, KOTRA)",
                    "the 17 km Russia-North Korea border",
                    "the number of missile launches in 2022",
                ),
                answer="China's share of North Korea's trade in 2022 (96.7%, KOTRA)",
                explanation="The trade share supports the economic half of the description; the political half is "
                "the article's characterisation.",
            ),
            Question(
                prompt="In the course's model, what happens if 'relations with Russia' counts for a little more than "
                "a third of the decision (say 0.4), the other criteria sharing the rest equally?",
                options=("nothing changes", "staying muted comes first", "aligning openly comes first"),
                answer="staying muted comes first",
                explanation="With the illustrative scores, staying muted overtakes the private warning at a share "
                "of about 0.33, and stays first up to one half; above one half, aligning openly comes first. A "
                "property of the assumptions, not a forecast.",
            ),
            Question(
                prompt="What does the course's model of Beijing's options leave out, by its own construction?",
                options=(
                    "China's own statement of its goals: every criterion is an outside reading of its interests",
                    "relations with Russia",
                    "the risk of North Korea's collapse",
                ),
                answer="China's own statement of its goals: every criterion is an outside reading of its interests",
                feedback={
                    "relations with Russia": "It is a criterion: 'Relations with Russia'.",
                    "the risk of North Korea's collapse": "It is a criterion: 'No North Korean collapse'.",
                },
                explanation="All five criteria come from the writer or the analyst the article quotes; the course's "
                "sources hold no statement of China's own goals. It also leaves out North Korea's and Russia's own "
                "choices, timing, and every option not listed: a teaching aid, not a forecast.",
            ),
            Question(
                prompt="In the Seoul model, sending more non-lethal equipment comes first with equal weights. Under "
                "which weights does keeping the option open (the line Seoul took on 23 June) come first?",
                options=(
                    "when deterring Russian aid to North Korea counts for more than half",
                    "when deterring Russian aid and keeping peaceful relations with Russia count for half each",
                    "never: no weights put it first",
                ),
                answer="when deterring Russian aid and keeping peaceful relations with Russia count for half each",
                feedback={
                    "when deterring Russian aid to North Korea counts for more than half": "Deterrence alone "
                    "favours the costliest answer: past about 0.32 supplying lethal arms comes first.",
                    "never: no weights put it first": "No single weight puts it first, but two together do: set "
                    "deterrence and Russia ties to half each and the others to zero, and it scores 3.5, ahead of "
                    "the rest.",
                },
                explanation="Keeping the option open scores well on two aims that pull apart, holding a cost over "
                "Moscow (3) and keeping the peace with it (4), and best on neither: it wins only when both count. "
                "That is one reading of the 23 June line; the model cannot say it was Seoul's.",
            ),
        ]
    )


def _busiest_place_question() -> Question:
    """Lesson 06's second objective: read the whole timeline on the map (the key counted from the events data)."""
    events, places = load("events"), load("places")
    counts = Counter(p for ids in events["place_ids"].dropna() for p in split_ids(ids))
    ranked = [places.loc[p, "name"] for p, _ in counts.most_common()]
    busiest, n = ranked[0], counts.most_common(1)[0][1]
    return Question(
        prompt="Set the timeline explorer to its whole range, 1961 to 2025. Which place has the largest circle "
        "(the most events)?",
        options=(busiest, ranked[1], ranked[-1]),
        answer=busiest,
        explanation=f"{busiest}, with {n} events in the course's data. A circle counts the events the course's "
        "sources record at a place, not their importance.",
    )


def after() -> Quiz:
    """Check your understanding: lesson 06."""
    return Quiz(
        [
            _busiest_place_question(),
            Question(
                prompt="By late November 2024 the course's sources report no lethal arms from Seoul for Ukraine "
                "('so far focused on non-lethal aid'). Which of lesson 05's Seoul options is the record at odds "
                "with?",
                options=(
                    "keeping the option open",
                    "supplying lethal arms; the other three all fit",
                    "none: the record confirms the model's first choice, more non-lethal equipment",
                ),
                answer="supplying lethal arms; the other three all fit",
                feedback={
                    "keeping the option open": "Yoon said in November he was 'not ruling out the possibility of "
                    "providing weapons': the option was still open, now tied to North Korea's involvement.",
                    "none: the record confirms the model's first choice, more non-lethal equipment": "'So far "
                    "focused on non-lethal aid' says what kind of aid, not that more was sent in answer to the "
                    "treaty: the record cannot tell the three cautious options apart.",
                },
                explanation="A record that fits three options tests only the fourth. The model's first choice is "
                "neither confirmed nor refuted; what would tell the three apart is evidence of new non-lethal aid "
                "announced as an answer to the treaty.",
            ),
            Question(
                prompt="When did the treaty enter into force?",
                options=("19 June 2024", "6 November 2024", "4 December 2024"),
                answer="4 December 2024",
                explanation="Signed 19 June; ratified by the Federation Council on 6 November; instruments exchanged "
                "in Moscow and in force on 4 December 2024 (TASS).",
            ),
            Question(
                prompt="In April 2025 North Korea first acknowledged its troops in Kursk: in TASS's account, Kim "
                "'decided that the situation required the enactment of Article 4'. What does that establish?",
                options=(
                    "that the events in Kursk met Article 4's trigger",
                    "how Pyongyang presents its deployment, as assistance under Article 4; whether the trigger was "
                    "met stays a reading of the facts",
                    "that the treaty was in force when North Korean troops were first reported in Russia",
                ),
                answer="how Pyongyang presents its deployment, as assistance under Article 4; whether the trigger "
                "was met stays a reading of the facts",
                feedback={
                    "that the events in Kursk met Article 4's trigger": "An invocation is a party's claim about the "
                    "facts. The trigger's conditions (a party invaded, a state of war) are what a reader weighs, "
                    "and says on whose word.",
                    "that the treaty was in force when North Korean troops were first reported in Russia": "The "
                    "course's data say otherwise: troops were reported on 23 October 2024, and the treaty entered "
                    "into force on 4 December 2024.",
                },
                explanation="The mutual-assistance clause was invoked: that is evidence of how the parties read "
                "their treaty, not a finding that its trigger was met.",
            ),
            Question(
                prompt="On North Korean troops in Russia (1 November 2024), China's foreign ministry said the two "
                "states' relations are 'solely up to them'. In the course's scheme that is…",
                options=("condemnation", "concern", "non-committal"),
                answer="non-committal",
                explanation="As in June: no judgment, no commitment.",
            ),
            Question(
                prompt="Which later event in the course's sources bears on the article's claim of Russia's "
                "'desperate need for North Korea to support its grinding war in Ukraine'?",
                options=(
                    "North Korean troops in Russia, reported in October 2024 and acknowledged in April 2025",
                    "China's statement of 1 November 2024",
                    "the treaty's entry into force on 4 December 2024",
                ),
                answer="North Korean troops in Russia, reported in October 2024 and acknowledged in April 2025",
                feedback={
                    "China's statement of 1 November 2024": "It bears on China's reticence, not on Russia's need.",
                    "the treaty's entry into force on 4 December 2024": "It shows the treaty took effect; it says "
                    "nothing about the war's needs.",
                },
                explanation="Troops sent to the war bear on the claim: they are consistent with a need for North "
                "Korea's support. 'Bears on' is not 'proves': 'desperate' remains the writer's word, and what "
                "would change the assessment is evidence the course does not hold, such as Russia's own account.",
            ),
        ]
    )


def muted() -> Quiz:
    """Check your understanding: lesson 07. The keys are read from the corpus, so they follow the data."""
    from course.content import corpus

    sample, excluded = corpus.apply_rule()
    late = excluded[excluded["why"].str.startswith("outside")].iloc[-1]
    kept = sample.loc[sample["utterance_id"] == "kr_20240620_lim_a"].iloc[0]
    kept_outlet = load("sources").loc[kept["source_id"], "publisher"]
    june = corpus.comparison().loc["June 2024 (China)", corpus.MEASURES["non_committal"]]
    interval = f"{june.low:.0%} to {june.high:.0%}"
    from course.content.scenarios import OPTIONS

    return Quiz(
        [
            Question(
                prompt="The article says China's reaction was 'all but muted', 'in contrast' with others. Whose "
                "reactions does that contrast set it against?",
                options=(
                    "the United States and its Asian allies",
                    "China's own answers on the story's other occasions",
                    "China's answers when others form alliances near it",
                ),
                answer="the United States and its Asian allies",
                explanation="The article's contrast is with Washington, Seoul and Tokyo. The corpus adds the two "
                "comparisons the article does not make: China's own record, and China's voice when it objects.",
            ),
            Question(
                prompt=f"{late['speaker']} spoke on {late['date']:%d %B %Y}, about the occasion "
                f"'{load('occasions').loc[late['occasion_id'], 'title']}'. Does the rule count the statement?",
                options=(
                    "yes: it is about that occasion",
                    "no: it falls outside the occasion's window",
                    "only if it is in the speaker's own language",
                ),
                answer="no: it falls outside the occasion's window",
                explanation=f"The rule says: {late['why']}. However telling, it stays out.",
            ),
            Question(
                prompt="Yonhap and JTBC render one sentence of Seoul's spokesman on 20 June 2024, both quoted, both "
                "in Korean: 'regret' (유감) in one, 'grave concern' (엄중한 우려) in the other. Which does the rule "
                "keep?",
                options=(kept_outlet, "JTBC", "both: they differ"),
                answer=kept_outlet,
                explanation="Both are direct speech in the speaker's own language, so the grade decides: a wire "
                "before an article. The lesson codes what the renderings share.",
            ),
            Question(
                prompt=f"China's sampled answers in June 2024 were non-committal {june.k} times out of {june.n}. What "
                "is the 95% interval for the share?",
                options=(interval, "100% to 100%", "0% to 100%"),
                answer=interval,
                explanation=f"{june}: a small group leaves a wide interval (Wilson). It can still differ from "
                "a group whose interval it does not overlap.",
            ),
            Question(
                prompt="Which of lesson 05's options for Beijing can China's public statements not test?",
                options=tuple(OPTIONS.values())[:3],
                answer=OPTIONS["warn_privately"],
                explanation="A private warning leaves no public statement: its absence from the corpus is not "
                "evidence against it.",
            ),
        ]
    )
