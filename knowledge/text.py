"""Text normalisation shared by the index and the queries.

Both sides go through the same steps so that they meet in the middle:
lower case, spaCy's Swedish lookup lemmas, then å/ä/ö folding (users often
type "ansoka" or "forsakringskassan"). The spaCy pipeline is built once per
process; lemmas are cached per word.

What spaCy's lookup lemmatizer (spacy-lookups-data 1.0.5, blank "sv") gives
for some domain words, measured when this module was written:

    blanketterna -> blankett         ansökt -> ansöka
    ansöka -> ansöka                 läkarintygen -> läkarintyg
    läkarintyg -> läkarintyg         arbetsförmågan -> arbetsförmåga
    samordnad -> samordna            rehabiliteringen -> rehabilitering
    vill -> villa (!)                kallar -> kalla
    sjukskriven -> sjukskriva        handläggaren -> handläggare

and also man -> mana, hos -> ho, plan -> plana, intyg -> intyga, steg -> stiga,
kalla -> kall, beslutet -> besluten. LEMMA_FIXES overrides these, and the
index also keeps each word's own (folded) form next to its lemma, so a lemma
the table gets wrong still meets the same word on the other side.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "è": "e", "ü": "u", "æ": "a", "ø": "o"})
TOKEN_RE = re.compile(r"\w+", re.UNICODE)

# The lookup table prefers rare verb readings for some domain nouns
# (plan -> plana, intyg -> intyga, steg -> stiga, kalla -> kall, beslutet -> besluten).
LEMMA_FIXES = {
    "vill": "vilja", "man": "man", "hos": "hos", "sip": "sip", "sgi": "sgi",
    "af": "af", "fk": "fk", "soc": "soc", "vc": "vc", "plan": "plan", "intyg": "intyg",
    "steg": "steg", "beslut": "beslut", "beslutet": "beslut", "remiss": "remiss",
    "kalla": "kalla", "kallar": "kalla", "kallas": "kalla", "kallat": "kalla",
    # the applicant, not the verb: else "söka igen" meets the synonym for the person
    "sökande": "sökande", "sökanden": "sökande",
    # stop words the table reads as other words: "ska" -> "skola" (a synonym of
    # "studier"), "vart" -> "vårda" (an alias of the party Vården)
    "ska": "ska", "skall": "ska", "skulle": "ska", "vart": "vart",
}

# Words in spaCy's Swedish stop list that carry meaning in this domain.
KEEP_WORDS = {"beslut", "beslutat", "beslutit", "nummer", "nr", "ja", "nej"}
# Filler words in caseworkers' questions that say nothing about the topic.
EXTRA_STOP = {
    "klient", "klienten", "klienter", "brukare", "brukaren", "person", "personen",
    "betyder", "betyda", "innebär", "ingår", "ingå", "fungerar", "hjälp", "fråga", "undrar",
    "hej", "snälla", "typ", "egentligen", "ens", "fall", "kolla", "hos", "härnäst", "sen",
    "är",  # missing from spaCy's list; typed "ar" folds like "år", see analyse
}


# The word a question opens with says what kind of answer is wanted. Yes/no
# questions open with a verb ("kan", "får", "måste"). Steps are named as actions
# and answer "hur", "när" and "vilken blankett" through their facets, so only
# yes/no, "vem" and "varför" questions are kinds that point to a FAQ entry.
# Folded, since users often skip å/ä/ö.
QUESTION_OPENERS = {
    **dict.fromkeys(("kan", "far", "maste", "ska", "skall", "bor", "behover", "behovs",
                     "galler", "finns", "ar", "har", "blir", "gor"), "ja-nej"),
    "vem": "vem", "vems": "vem", "varfor": "varfor",
}


class Token(NamedTuple):
    surface: str  # lower-cased and folded
    lemma: str  # lemma, lower-cased and folded
    stop: bool


def fold(text: str) -> str:
    """Lower-case and fold å/ä/ö so "Försäkringskassan" meets "forsakringskassan"."""
    return text.lower().translate(FOLD)


@lru_cache(maxsize=1)
def _lemma_table():
    import spacy  # imported lazily: loading spaCy takes seconds

    nlp = spacy.blank("sv")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")


@lru_cache(maxsize=1)
def raw_stop_words() -> frozenset[str]:
    """Stop words as written, with å/ä/ö: "år" (year) is content, "är" is not."""
    from spacy.lang.sv.stop_words import STOP_WORDS

    return frozenset((set(STOP_WORDS) - KEEP_WORDS) | EXTRA_STOP)


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Folded stop words, for words typed without å/ä/ö ("nar", "ar", "vad")."""
    return frozenset(fold(w) for w in raw_stop_words())


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """Lookup lemma of a lower-cased word (with diacritics), or the word itself."""
    fixed = LEMMA_FIXES.get(word)
    if fixed is not None:
        return fixed
    found = _lemma_table().get(word)
    return found.lower() if isinstance(found, str) else word


def has_lemma(word: str) -> bool:
    return word in LEMMA_FIXES or _lemma_table().get(word) is not None


def analyse(text: str) -> list[Token]:
    """Tokens of a text with folded surface, folded lemma and stop flag."""
    out = []
    for raw in TOKEN_RE.findall(text.lower()):
        if len(raw) < 2 and not raw.isdigit():
            continue
        surface = raw.translate(FOLD)
        raw_lemma = lemma(raw)
        out.append(Token(surface, raw_lemma.translate(FOLD), is_stop_word(raw, raw_lemma)))
    return out


def is_stop_word(raw: str, raw_lemma: str) -> bool:
    """Whether a lower-cased word (and its lemma) says nothing about the topic.

    A word with å/ä/ö is judged as written, so "år" is not taken for "är";
    a word without them is judged folded, since users often skip diacritics."""
    surface = raw.translate(FOLD)
    if raw != surface:
        stops = raw_stop_words()
        return raw in stops or raw_lemma in stops
    stops = stop_words()
    return surface in stops or raw_lemma.translate(FOLD) in stops


def content_terms(text: str) -> list[str]:
    """Folded lemmas of the words that are not stop words."""
    return [t.lemma for t in analyse(text) if not t.stop]


def question_form(text: str) -> str | None:
    """The kind of question a text opens with ("ja-nej", "vem" or "varfor"), or None.

    Used to prefer a FAQ entry phrased as the same kind of question as the
    user's: "kan nollklassade få sjukpenning" is asked like "Kan en person med
    SGI 0 få sjukpenning?", not like the step that merely mentions both words.
    """
    match = TOKEN_RE.search(text.lower())
    return QUESTION_OPENERS.get(fold(match.group())) if match else None
