"""The one translation system of calftimer: gettext catalogs, the chosen language, local formats.

Every text a person reads (the window, the spoken phrases, the CLI, the validation messages) is
written in English in the source and looked up here at the moment it is shown:

- ``_("text")`` translates a text; ``n_("1 set", "{n} sets", n)`` picks the plural form the
  language needs (then ``.format(n=...)``); ``p_("context", "text")`` separates a word that is
  translated differently in two places (``HOLD`` the phase against ``Hold`` the button).
- ``N_("text")`` only marks a text for extraction where it is defined (a table at import time);
  the place that shows it calls ``_()`` on it then, in the language chosen by that time.

Catalogs are stdlib gettext ``.mo`` files in ``calftimer/locale/<lang>/LC_MESSAGES/calftimer.mo``,
compiled from the ``.po`` files by ``resources/make_catalogs.py`` and committed, so a checkout, a
wheel and the bundle carry them without a build step. English is the source language and needs no
catalog. The pseudo-locale ``qps`` (accented, ~40 % longer) is generated from the template and is
offered only when ``CALFTIMER_PSEUDO_LOCALE=1`` (tests and contributors checking layouts).

Numbers are formatted here per language (``format_number``) and weekday/month names come from the
catalog (``weekday_name``, ``month_name``), so the window, the charts and the CLI agree and the
core stays stdlib-only; machine-readable output (CSV, JSON, program and settings files) never goes
through this module and stays the same in every language.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Imported before the window's first frame: gettext (with re), dataclasses and datetime cost
# ~12 ms there, so English needs none of them and gettext loads with a catalog.
if TYPE_CHECKING:
    import gettext
    from datetime import date

DOMAIN = "calftimer"
LOCALE_DIR = Path(__file__).parent.parent / "locale"
SOURCE_LANGUAGE = "en"
PSEUDO_LANGUAGE = "qps"
PSEUDO_ENV = "CALFTIMER_PSEUDO_LOCALE"
SYSTEM_DEFAULT = ""  # the "language" setting's value for "follow the system"


class Language:
    """A language calftimer can speak: its code (the catalog's folder name: "de", "pt_BR"), its
    own name (listed as such in every language), how it writes numbers, and the suffix of Qt's
    own ``qtbase_<qt_code>.qm`` ("" when Qt has none)."""

    __slots__ = ("code", "decimal_point", "native_name", "qt_code", "thousands_separator")

    def __init__(
        self,
        code: str,
        native_name: str,
        decimal_point: str = ".",
        thousands_separator: str = ",",
        qt_code: str = "",
    ) -> None:
        self.code = code
        self.native_name = native_name
        self.decimal_point = decimal_point
        self.thousands_separator = thousands_separator
        self.qt_code = qt_code

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Language) and self.code == other.code

    def __hash__(self) -> int:
        return hash(self.code)

    def __repr__(self) -> str:
        return f"Language({self.code!r}, {self.native_name!r})"


ENGLISH = Language(SOURCE_LANGUAGE, "English", ".", ",", "en")
PSEUDO = Language(PSEUDO_LANGUAGE, "[Ƥşéúðö]", ",", "\u202f")

# Every translation calftimer has, each with its own name (listed as such in every language),
# how it writes numbers and the suffix of Qt's qtbase_<suffix>.qm. The French thousands
# separator is a narrow no-break space, as the Imprimerie nationale writes it.
TRANSLATIONS: tuple[Language, ...] = (
    Language("de", "Deutsch", ",", ".", "de"),
    Language("fr", "Français", ",", "\u202f", "fr"),
    Language("es", "Español", ",", ".", "es"),
    Language("it", "Italiano", ",", ".", "it"),
    Language("nl", "Nederlands", ",", ".", "nl"),
    Language("pt_BR", "Português (Brasil)", ",", ".", "pt_BR"),
)


def shipped_languages(locale_dir: Path = LOCALE_DIR) -> tuple[Language, ...]:
    """English and every translation whose compiled catalog is there. make_catalogs.py compiles
    a catalog only when it is complete (no missing or fuzzy entry, every placeholder kept), so a
    language still being translated is never offered, and one that is done needs no code
    change. (One stat per language: cheap enough before the first frame.)"""
    found = (lang for lang in TRANSLATIONS if (locale_dir / lang.code / _MO_NAME).is_file())
    return (ENGLISH, *found)


_MO_NAME = Path("LC_MESSAGES") / f"{DOMAIN}.mo"
# The languages offered: tests/core/test_i18n.py checks each catalog is complete.
SHIPPED: tuple[Language, ...] = shipped_languages()

# How numbers are written per language (a language not listed here uses its Language fields).
NUMBER_FORMATS: dict[str, tuple[str, str]] = {
    "en": (".", ","),
    "de": (",", "."),
    "fr": (",", "\u202f"),
    "es": (",", "."),
    "it": (",", "."),
    "nl": (",", "."),
    "pt_BR": (",", "."),
    PSEUDO_LANGUAGE: (",", "\u202f"),
}


def pseudo_enabled() -> bool:
    return os.environ.get(PSEUDO_ENV, "") not in ("", "0")


def available_languages() -> tuple[Language, ...]:
    """The languages a user may choose: the complete ones, and the pseudo-locale when enabled."""
    return (*SHIPPED, PSEUDO) if pseudo_enabled() else SHIPPED


def _language_by_code(code: str) -> Language | None:
    return next((lang for lang in (*SHIPPED, PSEUDO) if lang.code == code), None)


def normalize(tag: str) -> str:
    """``"de-DE"``, ``"de_DE.UTF-8"``, ``"pt-br"`` -> ``"de_DE"``, ``"de_DE"``, ``"pt_BR"``."""
    tag = tag.split(".", 1)[0].split("@", 1)[0].replace("-", "_").strip()
    base, _sep, region = tag.partition("_")
    return f"{base.lower()}_{region.upper()}" if region else base.lower()


def system_languages(environ: os._Environ[str] | dict[str, str] | None = None) -> list[str]:
    """The user's preferred languages from the environment, as gettext reads them (Linux)."""
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            tags = [normalize(v) for v in value.split(":") if v]
            return [tag for tag in tags if tag not in ("c", "posix")]
    return []


def resolve_language(choice: str, preferred: Iterable[str]) -> Language:
    """The language to use: the user's choice if it is available, else the first of the
    system's preferred languages we have (``pt_BR`` also matches ``pt``), else English."""
    available = available_languages()
    by_code = {lang.code: lang for lang in available}
    if choice and choice in by_code:
        return by_code[choice]
    for tag in preferred:
        code = normalize(tag)
        if code in ("c", "posix"):
            continue
        if code in by_code:
            return by_code[code]
        base = code.split("_", 1)[0]
        if base in by_code:
            return by_code[base]
        match = next((lang for lang in available if lang.code.split("_", 1)[0] == base), None)
        if match is not None:
            return match
    return ENGLISH


class _Source:
    """English, the language the texts are written in: every lookup gives its own text."""

    @staticmethod
    def gettext(message: str) -> str:
        return message

    @staticmethod
    def ngettext(singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural

    @staticmethod
    def pgettext(context: str, message: str) -> str:
        return message

    @staticmethod
    def npgettext(context: str, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


_translations: _Source | gettext.NullTranslations = _Source()
_language: Language = ENGLISH


def catalog_path(code: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / code / "LC_MESSAGES" / f"{DOMAIN}.mo"


def set_language(code: str, locale_dir: Path = LOCALE_DIR) -> Language:
    """Use the catalog of ``code`` from now on ("en" or an unknown code: the English source).

    A missing or unreadable catalog falls back to English rather than failing to start: the
    texts are all there in English. Returns the language now in use.
    """
    global _translations, _language
    language = _language_by_code(code) or ENGLISH
    translations: _Source | gettext.NullTranslations = _Source()
    if language is not ENGLISH:
        import gettext

        try:
            with catalog_path(language.code, locale_dir).open("rb") as fp:
                translations = gettext.GNUTranslations(fp)
        except (OSError, ValueError, UnicodeDecodeError):
            language = ENGLISH
    _translations, _language = translations, language
    return language


def current_language() -> Language:
    return _language


def _(message: str) -> str:
    """``message`` in the current language."""
    return _translations.gettext(message)


def n_(singular: str, plural: str, n: int) -> str:
    """The form of a counted text for ``n`` in the current language (format ``{n}`` after)."""
    return _translations.ngettext(singular, plural, n)


def p_(context: str, message: str) -> str:
    """``message`` in the current language, told apart from the same English by ``context``."""
    return _translations.pgettext(context, message)


def np_(context: str, singular: str, plural: str, n: int) -> str:
    return _translations.npgettext(context, singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 (the name gettext tools know)
    """Mark ``message`` for extraction only; it is translated with ``_()`` where it is shown."""
    return message


def format_number(value: float, decimals: int = 0, *, grouping: bool = True) -> str:
    """``value`` written the way the current language writes numbers (``1,234.5``/``1.234,5``)."""
    point, thousands = NUMBER_FORMATS.get(
        _language.code, (_language.decimal_point, _language.thousands_separator)
    )
    text = f"{value:,.{decimals}f}" if grouping else f"{value:.{decimals}f}"
    return text.replace(",", "\0").replace(".", point).replace("\0", thousands)


def format_short(value: float) -> str:
    """``value`` as Python's ``:g`` writes it (``2.5``, ``1102.5``, ``3``), with the language's
    decimal point."""
    point = NUMBER_FORMATS.get(_language.code, (_language.decimal_point, ""))[0]
    return f"{value:g}".replace(".", point)


def format_percent(fraction: float) -> str:
    """``0.5`` -> ``"50%"`` (``"50 %"`` where the language puts a space before it)."""
    return _("{percent}%").format(percent=format_number(round(fraction * 100), grouping=False))


_WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
_MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


def _short_weekdays() -> Sequence[str]:
    # Each abbreviation is its own entry so a language can pick its usual short form.
    return (
        p_("weekday abbreviation", "Mon"),
        p_("weekday abbreviation", "Tue"),
        p_("weekday abbreviation", "Wed"),
        p_("weekday abbreviation", "Thu"),
        p_("weekday abbreviation", "Fri"),
        p_("weekday abbreviation", "Sat"),
        p_("weekday abbreviation", "Sun"),
    )


def _short_months() -> Sequence[str]:
    return (
        p_("month abbreviation", "Jan"),
        p_("month abbreviation", "Feb"),
        p_("month abbreviation", "Mar"),
        p_("month abbreviation", "Apr"),
        p_("month abbreviation", "May"),
        p_("month abbreviation", "Jun"),
        p_("month abbreviation", "Jul"),
        p_("month abbreviation", "Aug"),
        p_("month abbreviation", "Sep"),
        p_("month abbreviation", "Oct"),
        p_("month abbreviation", "Nov"),
        p_("month abbreviation", "Dec"),
    )


def weekday_name(weekday: int, *, short: bool = False) -> str:
    """The name of ``weekday`` (0 = Monday, as ``date.weekday()``) in the current language."""
    return _short_weekdays()[weekday] if short else _(_WEEKDAYS[weekday])


def month_name(month: int, *, short: bool = False) -> str:
    """The name of ``month`` (1 = January) in the current language."""
    return _short_months()[month - 1] if short else _(_MONTHS[month - 1])


class _Localized:
    """A table of texts marked with ``N_`` whose texts are translated each time they are read,
    so a module-level table follows the language chosen after it was built."""

    __slots__ = ("_data", "_ids_first")

    def __init__(self, data: Any, ids_first: bool = False) -> None:
        self._data = data
        self._ids_first = ids_first

    def _translated(self, value: Any) -> Any:
        if self._ids_first and isinstance(value, tuple):
            return (value[0], *translated(value[1:]))
        return translated(value)

    def __getitem__(self, key: Any) -> Any:
        return self._translated(self._data[key])

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[Any]:
        if isinstance(self._data, Mapping):
            return iter(self._data)
        return (self._translated(v) for v in self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: Any, default: Any = None) -> Any:
        return self[key] if key in self._data else default

    def keys(self) -> Any:
        return self._data.keys()

    def values(self) -> list[Any]:
        return [self._translated(v) for v in self._data.values()]

    def items(self) -> list[tuple[Any, Any]]:
        return [(k, self._translated(v)) for k, v in self._data.items()]


def translated(value: Any) -> Any:
    """``value`` with every text in it (in tuples, lists and dict values too) in the current
    language. Dict keys stay as they are."""
    if isinstance(value, str):
        return _(value) if value else value
    if isinstance(value, tuple):
        return tuple(translated(v) for v in value)
    if isinstance(value, list):
        return [translated(v) for v in value]
    if isinstance(value, dict):
        return {k: translated(v) for k, v in value.items()}
    return value


def localized(table: Any, *, ids_first: bool = False) -> Any:
    """A dict or tuple of ``N_``-marked texts that gives them in the current language when read
    (``TABLE[key]``, iteration, ``.items()``): for tables built when a module is imported.
    ``ids_first``: the first item of each tuple in it is an id, kept as it is."""
    return _Localized(table, ids_first)


def format_date(moment: date, template: str) -> str:
    """``moment`` written by ``template``, a translated text whose fields are ``{weekday}``,
    ``{weekday_short}``, ``{day}``, ``{month}``, ``{month_short}``, ``{month_number}``,
    ``{year}``, and for a datetime ``{hour}`` and ``{minute}`` (with format specs, e.g.
    ``{day:02d}``), so each language orders and writes dates its own way::

        format_date(when, _("{weekday_short} {day:02d} {month_short}"))  # "Mon 03 Aug"
    """
    fields: dict[str, object] = {
        "weekday": weekday_name(moment.weekday()),
        "weekday_short": weekday_name(moment.weekday(), short=True),
        "day": moment.day,
        "month": month_name(moment.month),
        "month_short": month_name(moment.month, short=True),
        "month_number": moment.month,
        "year": moment.year,
    }
    hour, minute = getattr(moment, "hour", None), getattr(moment, "minute", None)
    if hour is not None:  # a datetime
        fields.update(hour=hour, minute=minute)
    return template.format(**fields)
