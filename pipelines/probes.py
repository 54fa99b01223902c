"""Hand-written probe reviews for the held-out behaviour users notice: negation, contrast and long reviews.

    scores = probe_scores(run)          # {"negation": ProbeScore(correct=5, total=8), ...}

Written for this project (none comes from a data set, so no model has seen
one): negation flips the polar word it sits next to ("not bad at all"),
contrast puts the verdict after a turn ("the first act drags, but ..."), and
the long reviews wander for a paragraph or more before their verdict, which a
model that reads only the start, or forgets it, misses. Every category has as
many positive as negative texts, so a model that always says one class scores
0.5 on each.
"""

from __future__ import annotations

from dataclasses import dataclass

CATEGORIES = ("negation", "contrast", "long")


@dataclass(frozen=True)
class Probe:
    category: str
    label: str  # "positive" or "negative"
    text: str


_LONG_POSITIVE_1 = (
    "I went in expecting very little. The trailer made it look like yet another loud summer film, the poster "
    "was forgettable, and two friends whose taste I trust had shrugged when I asked them about it. The opening "
    "twenty minutes did nothing to change my mind: a lot of exposition, a voice-over that explains what the "
    "pictures already show, and a subplot about a missing dog that never goes anywhere. Then the story moves "
    "to the lighthouse, and something shifts. The two leads stop talking at each other and start listening, the "
    "camera slows down, and the score drops away to almost nothing. By the final hour I had forgotten my "
    "doubts entirely. It is a warm, patient and beautifully acted film, and I have not stopped thinking about it."
)
_LONG_POSITIVE_2 = (
    "My grandmother used to say that a story is only as good as its ending, and for most of this film I kept "
    "that thought close. The middle section is crowded: three cities, a dozen characters, and an editor who "
    "seems afraid of letting any scene breathe. Some of the jokes land and some do not. The villain wears a "
    "coat so large it becomes a character of its own. And yet every thread it lays down is picked up again in "
    "the last act, each one paying off in a way that made the theatre gasp and then laugh. The ending is "
    "earned, generous and genuinely moving. I would happily watch it again tomorrow, and I recommend it to anyone."
)
_LONG_POSITIVE_3 = (
    "There is a scene about halfway through in which a father teaches his son to fix a bicycle chain, and "
    "nothing else happens for four minutes. Some viewers around me checked their phones. The film is full of "
    "moments like that: a kettle boiling, rain on a window, a long drive with the radio off. It asks for your "
    "attention and does not apologise for it. The performances are quiet and precise, the photography finds "
    "beauty in car parks and kitchens, and when the one big event of the story finally arrives it hits with the "
    "force of everything that came before. A rare, wise and quietly wonderful piece of work."
)
_LONG_NEGATIVE_1 = (
    "The first ten minutes are terrific. A heist in a snowed-in train station, cut with real energy, with a "
    "cast that looks like it is having the time of its life and a score that sounds expensive. I sat up in my "
    "seat. Unfortunately the film then spends the next two hours undoing all of that good will. The plot folds "
    "in on itself, characters change their motives from one scene to the next, and the big twist can be seen "
    "coming from the opening credits. The dialogue is stiff, the action is shot so close you cannot tell who "
    "is hitting whom, and the ending simply stops. A tedious, hollow and deeply disappointing film."
)
_LONG_NEGATIVE_2 = (
    "Everyone I know loved the book, and the casting news made me hopeful: a fine actress in the lead, a "
    "director with two excellent films behind her, and a budget that shows in every costume and set. The "
    "opening shot, a slow climb over the roofs of the old town, is gorgeous. But the script flattens the "
    "novel into a string of speeches. Nobody in it behaves like a person, the romance has no spark, and the "
    "hour-long final act repeats the same argument four times. By the end I was checking my watch every few "
    "minutes. It is a dull, lifeless adaptation, and I cannot recommend it."
)
_LONG_NEGATIVE_3 = (
    "It starts with a promise. A young scientist, a remote island, a signal nobody can explain, and a first "
    "half hour that builds real dread out of very little: a door left open, a light that should be off, a "
    "radio that crackles at night. I was ready to love it. Then the monster appears, and it is a rubber suit "
    "lit so badly that the audience laughed out loud. From there the film gives up on suspense and replaces "
    "it with shouting, running down corridors and a romance that arrives from nowhere. The last scene "
    "explains everything in a speech so silly it ruins what little mystery was left. A waste of a good idea."
)

PROBES: tuple[Probe, ...] = (
    # Negation: the polar word says one thing, the word before it says the opposite.
    Probe("negation", "positive", "Not bad at all."),
    Probe("negation", "positive", "I was not disappointed for a single minute."),
    Probe("negation", "positive", "It never feels boring, not even in the long middle section."),
    Probe("negation", "positive", "Nothing about this film is forgettable."),
    Probe("negation", "negative", "Not good, not funny and not worth your time."),
    Probe("negation", "negative", "I did not enjoy a single scene of it."),
    Probe("negation", "negative", "The cast is never convincing and the jokes are never funny."),
    Probe("negation", "negative", "This is not a film I would recommend to anyone."),
    # Contrast: a turn ("but", "yet", "although") and the verdict after it.
    Probe("contrast", "positive", "The first act drags, but the second half is thrilling and the ending is perfect."),
    Probe("contrast", "positive", "The effects are cheap and the sets wobble, yet I loved every minute of it."),
    Probe("contrast", "positive", "Although the plot is thin, the performances are superb and it is a joy to watch."),
    Probe("contrast", "positive", "It has a weak script and a silly villain, but it is still a wonderful film."),
    Probe("contrast", "negative", "The first act is promising, but the rest is a dull, confused mess."),
    Probe("contrast", "negative", "It looks gorgeous and the music is lovely, yet the story is tedious and empty."),
    Probe("contrast", "negative", "Although the lead actor tries hard, the film is boring from start to finish."),
    Probe("contrast", "negative", "A great cast and a fine director, but the result is a clumsy, lifeless bore."),
    # Long reviews: a paragraph or more, the verdict at the end.
    Probe("long", "positive", _LONG_POSITIVE_1),
    Probe("long", "positive", _LONG_POSITIVE_2),
    Probe("long", "positive", _LONG_POSITIVE_3),
    Probe("long", "negative", _LONG_NEGATIVE_1),
    Probe("long", "negative", _LONG_NEGATIVE_2),
    Probe("long", "negative", _LONG_NEGATIVE_3),
)


@dataclass(frozen=True)
class ProbeScore:
    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total


def probe_scores(run) -> dict[str, ProbeScore]:
    """Each category's share of probes a loaded run (`pipelines.runs.LoadedRun`) gets right.

    The run's classes must include "negative" and "positive" (a third class, like NusaX's neutral, counts as wrong).
    """
    missing = {"negative", "positive"} - set(run.classes)
    if missing:
        raise ValueError(f"the probes need a run with negative and positive classes; {run.run_id} has "
                         f"{', '.join(run.classes)}")  # fmt: skip
    predicted = run.predict_proba([probe.text for probe in PROBES]).argmax(axis=1)
    scores = {}
    for category in CATEGORIES:
        hits = [run.classes[index] == probe.label for probe, index in zip(PROBES, predicted) if probe.category == category]
        scores[category] = ProbeScore(sum(hits), len(hits))
    return scores
