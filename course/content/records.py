"""Records ready for display: a reaction joined to who said it, in what role and for which government, when (as
precisely as it is known), where, in what words, and who reported it.

Views draw these; they do not join tables or test for empty text themselves. Every text field is a ``str``, empty
where the data has nothing (never ``<NA>``), so a view writes ``if record.quote`` and nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from course.content.data import format_date, load, split_ids
from course.content.reactions import party_to_the_event

#: How a card says that a quote is a translation, by the data's ``translated`` code.
TRANSLATION_NOTES = {"yes": " (in translation)", "unknown": " (translation not known)", "no": ""}


def text(value) -> str:
    """A table's value as text: ``""`` for a missing one (``None``, ``NaN``, ``<NA>``)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


@dataclass(frozen=True)
class ReactionRecord:
    """One row of ``reactions.csv`` with its actor, place and sources joined in."""

    reaction_id: str
    actor_id: str
    speaker: str  #: the actor's name (the actor id where the actor is not in the table given)
    role: str
    government: str
    date: pd.Timestamp
    when: str  #: the date, no more precise than it is known ("19 June 2024", "June 2024")
    place_id: str
    place: str  #: the place's name
    quote: str
    paraphrase: str
    committed: str
    translated: str
    stance: str  #: "" for a row held out for a problem set
    commitment: str
    topic: str  #: the question the statement answers (the codebook's target)
    occasion: str  #: the occasion id, or the reaction's own id where the row has none
    sources: tuple[tuple[str, str], ...]  #: (source id, publisher) for each source, in the row's order

    @property
    def who(self) -> str:
        """'Name, role', or the name alone."""
        return f"{self.speaker}, {self.role}" if self.role else self.speaker

    @property
    def words(self) -> str:
        """The quote where the source gives words, else the paraphrase."""
        return self.quote or self.paraphrase

    @property
    def said(self) -> str:
        """The words as a reader should see them: a quote in quotation marks, a paraphrase labelled so."""
        return f"“{self.quote}”" if self.quote else f"(paraphrase) {self.paraphrase}"

    @property
    def translation_note(self) -> str:
        return TRANSLATION_NOTES.get(self.translated, "")

    @property
    def cited(self) -> str:
        """The publishers that reported it, '; '-separated."""
        return "; ".join(publisher for _, publisher in self.sources)

    @property
    def cited_with_ids(self) -> str:
        """The publishers with the source ids of ``sources.csv``: 'Reuters (S12a); Kyodo (S13b)'."""
        return "; ".join(
            f"{publisher} ({sid})" if publisher != sid else sid for sid, publisher in self.sources
        )

    @property
    def held_out(self) -> bool:
        return not self.stance

    @property
    def party(self) -> bool:
        """A party to the event speaking of its own act: set apart when comparing how far governments went."""
        return party_to_the_event(self.government, self.topic)


def reaction_records(reactions=None, *, actors=None, places=None, sources=None) -> list[ReactionRecord]:
    """The rows of ``reactions`` (default: ``load("reactions")``; a filtered or re-coded copy works too) as records,
    in the frame's order. ``actors``, ``places`` and ``sources`` default to the course's tables."""
    reactions = load("reactions") if reactions is None else reactions
    actors = load("actors") if actors is None else actors
    places = load("places") if places is None else places
    sources = load("sources") if sources is None else sources
    return [_record(str(rid), row, actors, places, sources) for rid, row in reactions.iterrows()]


def reaction_record(reaction_id: str) -> ReactionRecord:
    """One reaction as a record; KeyError naming the table for an unknown id."""
    reactions = load("reactions")
    if reaction_id not in reactions.index:
        raise KeyError(f"no reaction {reaction_id!r}; see load('reactions').index")
    return reaction_records(reactions.loc[[reaction_id]])[0]


def _record(reaction_id: str, row, actors, places, sources) -> ReactionRecord:
    actor_id = text(row["actor_id"])
    actor = actors.loc[actor_id] if actor_id in actors.index else None
    place_id = text(row.get("place_id"))
    publishers = sources["publisher"] if "publisher" in sources.columns else pd.Series(dtype=str)
    return ReactionRecord(
        reaction_id=reaction_id,
        actor_id=actor_id,
        speaker=text(actor["name"]) if actor is not None else actor_id,
        role=text(actor["role"]) if actor is not None else "",
        government=text(actor["government"]) if actor is not None else "",
        date=row["date"],
        when=format_date(row["date"], text(row["date_precision"]) or "day"),
        place_id=place_id,
        place=text(places.loc[place_id, "name"]) if place_id in places.index else "",
        quote=text(row["quote"]),
        paraphrase=text(row["paraphrase"]),
        committed=text(row.get("committed")),
        translated=text(row.get("translated")),
        stance=text(row.get("stance")),
        commitment=text(row.get("commitment")),
        topic=text(row.get("topic")),
        occasion=text(row.get("occasion_id")) or reaction_id,
        sources=tuple(
            (sid, text(publishers[sid]) if sid in publishers.index else sid)
            for sid in split_ids(row.get("source_id"))
        ),
    )
