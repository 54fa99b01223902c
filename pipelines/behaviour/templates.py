"""The behavioural tests as data: small word lists and sentence frames per language, expanded deterministically.

    suite = suite_for("english")        # tuple of Test, in CAPABILITIES order
    suite[0].cases[0]                   # Case(text="This film is good.", expected=("positive",))

A frame's {slots} are filled from its language's lexicon in every combination (in the lists' order); a test with
more combinations than `CASES_PER_TEST` keeps an evenly spaced selection of them, so the same words always give the
same texts. Expected classes are names (negative, neutral, positive): a data set keeps those it has, so "not bad"
expects positive of an rt-polarity model and "positive or neutral" of a NusaX one, as CheckList's negation tests do
(Ribeiro et al., ACL 2020, Table 1: "Negated negative should be positive or neutral").

The words were picked from the words the data sets' vocabularies hold (rt-polarity's and NusaX Indonesian's; IMDb's
is larger): `checklist.known_words` counts, per model, the texts that still hold a word it does not know.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

NEGATIVE, NEUTRAL, POSITIVE = "negative", "neutral", "positive"
NOT_NEGATIVE = (POSITIVE, NEUTRAL)  # what a negated negative may be (a binary model: positive)
MFT, INV = "MFT", "INV"  # minimum functionality (expected class) and invariance (the answer must not change)
CASES_PER_TEST = 120

# In the order the command and the page show them.
CAPABILITIES = (
    "Vocabulary", "Negation", "Negation, words between", "Contrast (but)", "Author's opinion", "Questions (… No.)",
    "Intensifiers", "Typos (INV)", "Names (INV)", "Neutral words (INV)",
)  # fmt: skip


@dataclass(frozen=True)
class Case:
    text: str
    expected: tuple[str, ...] = ()  # MFT: the classes that pass
    original: str | None = None  # INV: the text this one perturbs; passes when both get the same class


@dataclass(frozen=True)
class Test:
    name: str  # e.g. "not + positive word"
    capability: str  # one of CAPABILITIES
    kind: str  # MFT or INV
    description: str  # what passing means, in words
    cases: tuple[Case, ...]
    unknown_by_design: bool = False  # the perturbed texts hold words no vocabulary has (typos): not counted unknown


@dataclass(frozen=True)
class Template:
    """One test's frames; an MFT expects `expected`, an INV replaces the slot `swap` in each text it writes."""

    name: str
    capability: str
    frames: tuple[str, ...]
    expected: tuple[str, ...] = ()  # MFT
    swap: str | None = None  # INV: the slot whose word changes
    change: str = "next"  # INV: "next" (the next word of the slot's list) or "typo" (two neighbouring letters swap)
    description: str = ""


def mft(name: str, capability: str, expected: tuple[str, ...], *frames: str, description: str = "") -> Template:
    return Template(name, capability, frames, expected=expected, description=description)


def inv(name: str, capability: str, swap: str, change: str, *frames: str, description: str = "") -> Template:
    return Template(name, capability, frames, swap=swap, change=change, description=description)


# -- English: rt-polarity, IMDb (and NusaX's English translation) ------------------------------------------------------

ENGLISH_WORDS = {
    "pos_adj": ("good", "great", "excellent", "wonderful", "fantastic", "amazing", "brilliant", "beautiful",
                "enjoyable", "charming", "delightful", "moving"),
    "neg_adj": ("bad", "terrible", "awful", "horrible", "boring", "dull", "disappointing", "stupid", "mediocre",
                "weak", "tedious", "pointless"),
    "noun": ("film", "movie", "story", "script", "ending", "plot"),
    "neutral_noun": ("film", "movie", "picture"),
    "pos_verb": ("love", "like", "enjoy", "admire", "recommend"),
    "pos_verb_past": ("loved", "liked", "enjoyed", "admired"),
    "neg_verb": ("hate", "mind", "regret"),
    "neg_verb_past": ("hated",),
    "intensifier": ("really", "very", "extremely", "incredibly", "truly", "so", "absolutely"),
    "name": ("John", "Mary", "David", "Anna", "Michael", "Susan", "Peter", "Jennifer"),
}
ENGLISH_WORDS["adj"] = ENGLISH_WORDS["pos_adj"] + ENGLISH_WORDS["neg_adj"]

ENGLISH = (
    mft("positive words", "Vocabulary", (POSITIVE,),
        "This {noun} is {pos_adj}.", "The {noun} was {pos_adj}.", "I found the {noun} {pos_adj}.",
        "I {pos_verb_past} this {noun}.", description="a positive word in a neutral frame is positive"),
    mft("negative words", "Vocabulary", (NEGATIVE,),
        "This {noun} is {neg_adj}.", "The {noun} was {neg_adj}.", "I found the {noun} {neg_adj}.",
        "I {neg_verb_past} this {noun}.", description="a negative word in a neutral frame is negative"),
    mft("not + positive", "Negation", (NEGATIVE,),
        "This {noun} is not {pos_adj}.", "The {noun} was not {pos_adj}.", "This {noun} isn't {pos_adj}.",
        "I didn't {pos_verb} this {noun}.", "I don't {pos_verb} this {noun}.",
        description="a negated positive is negative (\"not good\")"),
    mft("not + negative", "Negation", NOT_NEGATIVE,
        "This {noun} is not {neg_adj}.", "The {noun} was not {neg_adj}.", "This {noun} isn't {neg_adj}.",
        "The {noun} was not {neg_adj} at all.", "I didn't {neg_verb} this {noun}.",
        description="a negated negative is positive or neutral (\"not bad\", \"didn't hate it\")"),
    mft("not … positive", "Negation, words between", (NEGATIVE,),
        "I don't think this {noun} is {pos_adj}.", "I can't say that the {noun} was {pos_adj}.",
        "This {noun} is not, I have to say, {pos_adj}.", "I would never say that this {noun} is {pos_adj}.",
        description="a negation with words between it and a positive word is negative"),
    mft("not … negative", "Negation, words between", NOT_NEGATIVE,
        "I don't think this {noun} is {neg_adj}.", "I can't say that the {noun} was {neg_adj}.",
        "This {noun} is not, I have to say, {neg_adj}.", "I would never say that this {noun} is {neg_adj}.",
        description="a negation with words between it and a negative word is positive or neutral"),
    mft("negative, then “it wasn't”", "Negation, words between", NOT_NEGATIVE,
        "I thought the {noun} would be {neg_adj}, but it wasn't.", "I thought this {noun} would be {neg_adj}, "
        "but it was not.", "Everyone said the {noun} was {neg_adj}, but it wasn't.",
        description="a negative word negated at the end is positive or neutral (\"I thought it would be bad, but it "
                    "wasn't\")"),
    mft("positive, but negative", "Contrast (but)", (NEGATIVE,),
        "The {noun} looked {pos_adj}, but it was {neg_adj}.", "I wanted to {pos_verb} this {noun}, but it was "
        "{neg_adj}.", "The actors are {pos_adj}, but the {noun} is {neg_adj}.",
        description="after \"but\" comes the verdict: negative"),
    mft("negative, but positive", "Contrast (but)", (POSITIVE,),
        "The {noun} started {neg_adj}, but it ended up {pos_adj}.", "Some say the {noun} is {neg_adj}, but I "
        "found it {pos_adj}.", "The reviews were {neg_adj}, but the {noun} is {pos_adj}.",
        description="after \"but\" comes the verdict: positive"),
    mft("I say positive, others negative", "Author's opinion", (POSITIVE,),
        "I think the {noun} is {pos_adj}, but some people found it {neg_adj}.",
        "I found this {noun} {pos_adj}, though my friends thought it was {neg_adj}.",
        "Some people hate this {noun}, but I think it is {pos_adj}.",
        description="the writer's own opinion counts, before or after someone else's (\"I think it is good, but "
                    "some found it bad\"): positive"),
    mft("I say negative, others positive", "Author's opinion", (NEGATIVE,),
        "I think the {noun} is {neg_adj}, but some people found it {pos_adj}.",
        "I found this {noun} {neg_adj}, though my friends thought it was {pos_adj}.",
        "Some people love this {noun}, but I think it is {neg_adj}.",
        description="the writer's own opinion counts, before or after someone else's: negative"),
    mft("positive? No.", "Questions (… No.)", (NEGATIVE,),
        "Do I think the {noun} was {pos_adj}? No.", "Was this {noun} {pos_adj}? No.",
        "Did I find the {noun} {pos_adj}? No.",
        description="a positive word, answered \"No.\" (\"Was it good? No.\"): negative"),
    mft("negative? No.", "Questions (… No.)", NOT_NEGATIVE,
        "Do I think the {noun} was {neg_adj}? No.", "Was this {noun} {neg_adj}? No.",
        "Did I find the {noun} {neg_adj}? No.",
        description="a negative word, answered \"No.\" (\"Was it bad? No.\"): positive or neutral"),
    mft("intensified positive", "Intensifiers", (POSITIVE,),
        "This {noun} is {intensifier} {pos_adj}.", "The {noun} was {intensifier} {pos_adj}.",
        description="\"really good\" stays positive"),
    mft("intensified negative", "Intensifiers", (NEGATIVE,),
        "This {noun} is {intensifier} {neg_adj}.", "The {noun} was {intensifier} {neg_adj}.",
        description="\"really bad\" stays negative"),
    inv("typo in the sentiment word", "Typos (INV)", "adj", "typo",
        "This {noun} is {adj}.", "The {noun} was {adj}.",
        description="two neighbouring letters of the sentiment word swapped: the answer must not change"),
    inv("another name", "Names (INV)", "name", "next",
        "{name} thought the {noun} was {adj}.", "{name} says this {noun} is {adj}.",
        description="another person's name: the answer must not change"),
    inv("another neutral word", "Neutral words (INV)", "neutral_noun", "next",
        "This {neutral_noun} is {adj}.", "I watched the {neutral_noun} and it was {adj}.",
        description="film, movie or picture: the answer must not change"),
)  # fmt: skip


# -- Indonesian: NusaX-Senti (reviews of food, places, services and products; three classes) -------------------------

INDONESIAN_WORDS = {
    "pos_adj": ("bagus", "enak", "baik", "cantik", "keren", "memuaskan", "indah", "nyaman", "ramah", "mantap",
                "lezat", "menarik"),
    "neg_adj": ("buruk", "jelek", "mengecewakan", "membosankan", "kotor", "lambat", "parah", "payah", "hambar",
                "kasar", "mahal", "sempit"),
    "noun": ("makanan", "tempat", "pelayanan", "restoran", "hotel", "film", "produk", "menu"),
    "demonstrative": ("ini", "itu"),
    "intensifier": ("sangat", "benar-benar", "amat", "begitu"),
    "person": ("teman", "ibu", "bapak", "kakak", "istri", "suami", "pacar"),  # NusaX's vocabulary has no names
}
INDONESIAN_WORDS["adj"] = INDONESIAN_WORDS["pos_adj"] + INDONESIAN_WORDS["neg_adj"]

INDONESIAN = (
    mft("positive words", "Vocabulary", (POSITIVE,),
        "{noun} ini {pos_adj}.", "{noun} di sini {pos_adj}.", "Menurut saya {noun} ini {pos_adj}.",
        description="kata positif dalam bingkai netral: positif"),
    mft("negative words", "Vocabulary", (NEGATIVE,),
        "{noun} ini {neg_adj}.", "{noun} di sini {neg_adj}.", "Menurut saya {noun} ini {neg_adj}.",
        description="kata negatif dalam bingkai netral: negatif"),
    mft("not + positive", "Negation", (NEGATIVE,),
        "{noun} ini tidak {pos_adj}.", "{noun} di sini tidak {pos_adj}.", "{noun} ini kurang {pos_adj}.",
        "Saya tidak suka {noun} ini.", description="\"tidak bagus\" (not good) is negative"),
    mft("not + negative", "Negation", NOT_NEGATIVE,
        "{noun} ini tidak {neg_adj}.", "{noun} di sini tidak {neg_adj}.", "Saya tidak kecewa dengan {noun} ini.",
        description="\"tidak buruk\" (not bad) is positive or neutral"),
    mft("not … positive", "Negation, words between", (NEGATIVE,),
        "Saya tidak merasa {noun} ini {pos_adj}.", "Saya tidak bisa bilang {noun} ini {pos_adj}.",
        "Saya tidak berpikir bahwa {noun} ini {pos_adj}.",
        description="\"saya tidak merasa … bagus\" (I don't feel … is good) is negative"),
    mft("not … negative", "Negation, words between", NOT_NEGATIVE,
        "Saya tidak merasa {noun} ini {neg_adj}.", "Saya tidak bisa bilang {noun} ini {neg_adj}.",
        "Saya tidak berpikir bahwa {noun} ini {neg_adj}.",
        description="\"saya tidak merasa … buruk\" (I don't feel … is bad) is positive or neutral"),
    mft("negative, then “it wasn't”", "Negation, words between", NOT_NEGATIVE,
        "Saya pikir {noun} ini akan {neg_adj}, tapi ternyata tidak.",
        "Kata orang {noun} ini {neg_adj}, tapi ternyata tidak.",
        description="\"saya pikir … akan buruk, tapi ternyata tidak\" (I thought … would be bad, but it wasn't) is "
                    "positive or neutral"),
    mft("positive, but negative", "Contrast (but)", (NEGATIVE,),
        "Awalnya saya pikir {noun} ini {pos_adj}, tapi ternyata {neg_adj}.",
        "Kata orang {noun} ini {pos_adj}, tetapi menurut saya {neg_adj}.",
        description="after \"tapi\" (but) comes the verdict: negative"),
    mft("negative, but positive", "Contrast (but)", (POSITIVE,),
        "Awalnya saya pikir {noun} ini {neg_adj}, tapi ternyata {pos_adj}.",
        "Kata orang {noun} ini {neg_adj}, tetapi menurut saya {pos_adj}.",
        description="after \"tapi\" (but) comes the verdict: positive"),
    mft("I say positive, others negative", "Author's opinion", (POSITIVE,),
        "Menurut saya {noun} ini {pos_adj}, tapi kata orang {neg_adj}.",
        "Saya suka {noun} ini, walaupun teman saya bilang {neg_adj}.",
        "Teman saya bilang {noun} ini {neg_adj}, tapi saya suka.",
        description="\"menurut saya … bagus, tapi kata orang buruk\" (to me … good, but people say bad): the "
                    "writer's own opinion, positive"),
    mft("I say negative, others positive", "Author's opinion", (NEGATIVE,),
        "Menurut saya {noun} ini {neg_adj}, tapi kata orang {pos_adj}.",
        "Saya kecewa dengan {noun} ini, walaupun teman saya bilang {pos_adj}.",
        "Teman saya bilang {noun} ini {pos_adj}, tapi saya kecewa.",
        description="\"menurut saya … buruk, tapi kata orang bagus\" (to me … bad, but people say good): the "
                    "writer's own opinion, negative"),
    mft("positive? No.", "Questions (… No.)", (NEGATIVE,),
        "Apa {noun} ini {pos_adj}? Tidak.", "Apa {noun} di sini {pos_adj}? Tidak.",
        description="\"Apa … bagus? Tidak.\" (Is … good? No.): negative"),
    mft("negative? No.", "Questions (… No.)", NOT_NEGATIVE,
        "Apa {noun} ini {neg_adj}? Tidak.", "Apa {noun} di sini {neg_adj}? Tidak.",
        description="\"Apa … buruk? Tidak.\" (Is … bad? No.): positive or neutral"),
    mft("intensified positive", "Intensifiers", (POSITIVE,),
        "{noun} ini {intensifier} {pos_adj}.", "{noun} ini {pos_adj} sekali.",
        description="\"sangat bagus\" (very good) stays positive"),
    mft("intensified negative", "Intensifiers", (NEGATIVE,),
        "{noun} ini {intensifier} {neg_adj}.", "{noun} ini {neg_adj} sekali.",
        description="\"sangat buruk\" (very bad) stays negative"),
    inv("typo in the sentiment word", "Typos (INV)", "adj", "typo",
        "{noun} ini {adj}.", "Menurut saya {noun} ini {adj}.",
        description="two neighbouring letters of the sentiment word swapped: the answer must not change"),
    inv("another person", "Names (INV)", "person", "next",
        "{person} saya bilang {noun} ini {adj}.", "Menurut {person} saya, {noun} ini {adj}.",
        description="my friend, mother, father, …: the answer must not change (NusaX's 2,805 words hold no "
                    "personal name, and a swap of two unknown names cannot change an answer)"),
    inv("another neutral word", "Neutral words (INV)", "demonstrative", "next",
        "{noun} {demonstrative} {adj}.", "Menurut saya {noun} {demonstrative} {adj}.",
        description="\"ini\" (this) or \"itu\" (that): the answer must not change"),
)  # fmt: skip

SUITES = {"english": (ENGLISH, ENGLISH_WORDS), "indonesian": (INDONESIAN, INDONESIAN_WORDS)}


# -- expansion ---------------------------------------------------------------------------------------------------------

_SLOT = re.compile(r"\{(\w+)\}")


def suite_for(language: str, cases_per_test: int = CASES_PER_TEST) -> tuple[Test, ...]:
    """The tests for a data set's language (its card's `language`); ValueError for a language without a suite."""
    if language not in SUITES:
        raise ValueError(f"no behavioural tests in {language or 'an unnamed language'}; "
                         f"there are suites for {', '.join(SUITES)}")  # fmt: skip
    templates, words = SUITES[language]
    return tuple(expand(template, words, cases_per_test) for template in templates)


def expand(template: Template, words: dict[str, tuple[str, ...]], cases_per_test: int = CASES_PER_TEST) -> Test:
    """Every filling of the template's frames (at most `cases_per_test`, evenly spaced), as one Test."""
    if cases_per_test < 1:
        raise ValueError(f"cases_per_test must be at least 1, got {cases_per_test}")
    fillings = [(frame, filling) for frame in template.frames for filling in _fillings(frame, words)]
    if len(fillings) > cases_per_test:  # evenly spaced, so every frame keeps its share
        fillings = [fillings[index * len(fillings) // cases_per_test] for index in range(cases_per_test)]
    cases, seen = [], set()
    for frame, filling in fillings:
        case = _case(template, frame, filling, words)
        if case.text not in seen:
            seen.add(case.text)
            cases.append(case)
    return Test(template.name, template.capability, INV if template.swap else MFT, template.description, tuple(cases),
                unknown_by_design=template.change == "typo" and template.swap is not None)  # fmt: skip


def _fillings(frame: str, words: dict[str, tuple[str, ...]]) -> list[dict[str, str]]:
    slots = list(dict.fromkeys(_SLOT.findall(frame)))
    missing = [slot for slot in slots if slot not in words]
    if missing:
        raise ValueError(f"the frame {frame!r} names slots no word list has: {', '.join(missing)}")
    return [dict(zip(slots, choice)) for choice in itertools.product(*(words[slot] for slot in slots))]


def _case(template: Template, frame: str, filling: dict[str, str], words: dict[str, tuple[str, ...]]) -> Case:
    text = _sentence(frame, filling)
    if template.swap is None:
        return Case(text, expected=template.expected)
    word = filling[template.swap]
    if template.change == "typo":
        changed = typo(word)
    else:
        choices = words[template.swap]
        changed = choices[(choices.index(word) + 1) % len(choices)]
    return Case(_sentence(frame, {**filling, template.swap: changed}), original=text)


def _sentence(frame: str, filling: dict[str, str]) -> str:
    text = frame.format(**filling)
    return text[:1].upper() + text[1:]


def typo(word: str) -> str:
    """Two neighbouring letters swapped, nearest the middle where they differ: "great" -> "gerat" (as CheckList's
    `Perturb.add_typos` does at a random place; here the same place every time)."""
    middle = len(word) // 2
    for offset in sorted(range(1, len(word)), key=lambda position: (abs(position - middle), position)):
        if word[offset - 1] != word[offset]:
            return word[: offset - 1] + word[offset] + word[offset - 1] + word[offset + 1 :]
    return word  # one letter, or one letter repeated: no typo of this kind exists
