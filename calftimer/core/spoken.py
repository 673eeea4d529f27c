"""How a spoken phrase becomes words of the built-in voice, in any language.

A phrase is built from a translated template with named placeholders (``"Set {number} of
{sets}."``, German ``"Satz {number} von {sets}."``), so each language keeps its own word order.
``say`` fills the template twice: the text for a speech engine (the system voice reads it) and
the clip keys for the built-in voice, in the template's own order: the text between two
placeholders is one clip ("Satz", "von"), each placeholder brings its own keys (a number, an
exercise's name). Both come from the same translation, so the two voices say the same words.

A clip's key is made from its text (``piece_key``): the English keys are the ones the English
clips always had ("set", "of", "switch_to_your_left_leg"); a text with letters outside ASCII
gets a short hash of its exact text too, so "é" and "e" (Portuguese "is" and "and") never share
a clip. ``resources/make_voice.py`` renders every key ``cues.clip_texts()`` lists with the
language's espeak-ng voice.

Numbers (``number_words``) are said by espeak-ng from their digits in each language's voice,
as a system voice reads the digits of the text: English keeps its historical clips (0-60, the
tens 70-90, "hundred", "thousand"); every other language has a clip for each of 0-100 (French
"quatre-vingt-dix-sept", German "einundzwanzig" and Dutch "eenentwintig" need no rules then),
the hundreds, and "1000"; a larger number is its hundreds (in the form used before more:
Spanish "ciento", Portuguese "cento") then the rest, joined by the language's word where it has
one (Portuguese "duzentos e sete").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from types import MappingProxyType

from calftimer.core.i18n import current_language

ENGLISH_NUMBERS = 60  # English: 0-60 have their own clip, then "70" "5"
OWN_NUMBERS = 100  # every other language: 0-100 have their own clip
_ENGLISH_TENS = (70, 80, 90)

# The hundreds as said when more follows, where that differs from the hundreds alone
# ("cien" alone, "ciento siete"), by language (the part before "_" of its code).
HUNDREDS_BEFORE_MORE: Mapping[str, Mapping[int, str]] = MappingProxyType(
    {"es": {1: "ciento"}, "pt": {1: "cento"}}
)
# The word between the hundreds and the rest, where the language says one.
HUNDREDS_JOIN: Mapping[str, str] = MappingProxyType({"pt": "e"})

_EDGES = r"^[\W_]+|[\W_]+$"  # compiled when first used (re caches it)
_KEY_LENGTH = 40


class Spoken:
    """Something to say: ``text`` for a speech engine, ``words`` the built-in voice's clip keys
    (in the order they are heard). A plain class: cheaper to import than a dataclass, before the
    window's first frame."""

    __slots__ = ("text", "words")

    def __init__(self, text: str, words: tuple[str, ...]) -> None:
        self.text = text
        self.words = words

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Spoken) and (self.text, self.words) == (other.text, other.words)

    def __hash__(self) -> int:
        return hash((self.text, self.words))

    def __repr__(self) -> str:
        return f"Spoken({self.text!r}, {self.words!r})"


def piece_text(literal: str) -> str:
    """The words of a template's text between two placeholders, without the spaces and
    punctuation at its ends (``". Next: "`` -> ``"Next"``); "" when it has no word."""
    return re.sub(_EDGES, "", literal.strip())


@lru_cache(maxsize=1024)
def piece_key(text: str) -> str:
    """The clip key of ``text`` (``"Left leg"`` -> ``"left_leg"``; ``"Linkes Bein"`` ->
    ``"linkes_bein"``; ``"Als Nächstes"`` -> ``"als_nachstes_1f3a9c0e"``)."""
    folded = text.casefold()
    words = re.findall(r"\w+", folded)
    plain = "_".join(words)
    if plain.isascii() and " ".join(words) == folded:
        return plain[:_KEY_LENGTH] if len(plain) <= _KEY_LENGTH else _hashed(plain, folded)
    import unicodedata

    ascii_words = re.findall(
        r"[a-z0-9]+", unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    )
    return _hashed("_".join(ascii_words), folded)


def _hashed(slug: str, folded: str) -> str:
    import hashlib

    digest = hashlib.sha1(folded.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
    return f"{slug[:_KEY_LENGTH]}_{digest}" if slug else f"t_{digest}"


@lru_cache(maxsize=512)
def _parsed(template: str) -> tuple[tuple[str, str | None, str | None, str | None], ...]:
    """``template`` cut at its placeholders (a session's phrases reuse a dozen templates)."""
    import string  # here, not before the window's first frame (string, hashlib: ~5 ms)

    return tuple(string.Formatter().parse(template))


def template_pieces(template: str) -> list[str]:
    """The texts of ``template`` between its placeholders that say something."""
    try:
        parsed = _parsed(template)
    except ValueError:
        return [p for p in [piece_text(template)] if p]
    return [p for p in (piece_text(literal) for literal, *_rest in parsed) if p]


def say(template: str, **parts: Spoken) -> Spoken:
    """``template`` (already translated) with its placeholders filled by ``parts``.

    A placeholder the template names but ``parts`` lacks says nothing (a damaged translation
    must not stop a session; the catalog tests catch it); a template that is not a valid format
    string is said as its words, then the parts.
    """
    try:
        parsed = _parsed(template)
    except ValueError:
        head = piece_text(template)
        return Spoken(
            " ".join([template, *(p.text for p in parts.values())]),
            (*((piece_key(head),) if head else ()), *(w for p in parts.values() for w in p.words)),
        )
    texts: list[str] = []
    words: list[str] = []
    # The parts are texts: a format spec or conversion in a spoken template is ignored.
    for literal, field, _spec, _conversion in parsed:
        texts.append(literal)
        piece = piece_text(literal)
        if piece:
            words.append(piece_key(piece))
        part = parts.get(field) if field is not None else None
        if part is not None:
            texts.append(part.text)
            words.extend(part.words)
    return Spoken("".join(texts), tuple(words))


def number(n: int, language: str | None = None) -> Spoken:
    """``n`` as text (digits, as a speech engine reads them) and as clip keys."""
    return Spoken(str(n), number_words(n, language))


def number_words(n: int, language: str | None = None) -> tuple[str, ...]:
    """Clip keys saying ``n`` in ``language`` (default: the current one); see the module."""
    code = current_language().code if language is None else language
    if code == "en":
        return _english_number_words(n)
    if n < 0:
        return number_words(-n, code)  # never spoken: counts and lengths are positive
    if n <= OWN_NUMBERS:
        return (str(n),)
    base = code.split("_", 1)[0]
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        if not rest:
            return (f"{hundreds}00",)
        bound = HUNDREDS_BEFORE_MORE.get(base, {}).get(hundreds)
        head = piece_key(bound) if bound else f"{hundreds}00"
        join = HUNDREDS_JOIN.get(base)
        return (head, *((piece_key(join),) if join else ()), *number_words(rest, code))
    thousands, rest = divmod(n, 1000)
    high = number_words(thousands, code) if thousands > 1 else ()
    return (*high, "1000", *(number_words(rest, code) if rest else ()))


def number_clip_texts(language: str | None = None) -> dict[str, str]:
    """Every number clip ``number_words`` can use in ``language``, with the text to render."""
    code = current_language().code if language is None else language
    if code == "en":
        clips = {str(n): str(n) for n in (*range(ENGLISH_NUMBERS + 1), *_ENGLISH_TENS)}
        clips.update(hundred="hundred", thousand="thousand", minus="minus")
        return clips
    base = code.split("_", 1)[0]
    clips = {str(n): str(n) for n in range(OWN_NUMBERS + 1)}
    clips.update((f"{h}00", f"{h}00") for h in range(1, 10))
    clips["1000"] = "1000"
    for word in (*HUNDREDS_BEFORE_MORE.get(base, {}).values(), HUNDREDS_JOIN.get(base, "")):
        if word:
            clips[piece_key(word)] = word
    return clips


def _english_number_words(n: int) -> tuple[str, ...]:
    """0-60 have their own clip, 61-99 are tens and units ("70", "5"), larger numbers use
    "hundred" and "thousand" ("2", "hundred", "7")."""
    if n < 0:
        return ("minus", *_english_number_words(-n))
    if n <= ENGLISH_NUMBERS:
        return (str(n),)
    if n < 100:
        tens, units = divmod(n, 10)
        return (str(tens * 10), *((str(units),) if units else ()))
    size, word = (1000, "thousand") if n >= 1000 else (100, "hundred")
    high, rest = divmod(n, size)
    return (*_english_number_words(high), word, *(_english_number_words(rest) if rest else ()))


def pieces_of(templates: Iterable[str]) -> dict[str, str]:
    """The clip key and text of every piece of ``templates`` (the first text of a key wins)."""
    clips: dict[str, str] = {}
    for template in templates:
        for piece in template_pieces(template):
            clips.setdefault(piece_key(piece), piece)
    return clips
