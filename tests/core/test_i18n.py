"""The translation system: the chosen language, plural forms, numbers and dates per language,
the catalogs (current, complete, placeholders intact) and files for other programs that stay
the same bytes whatever the language."""

from __future__ import annotations

import ast
import gettext
import re
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from calftimer.core import i18n
from calftimer.core.exchange import export_csv, export_json
from calftimer.core.exercise import Mode
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.texts import session_summary, target_text
from tests.core.test_exchange import T0, history, my_program, store_with

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "resources"))
import make_catalogs  # noqa: E402 (resources/ is not a package)

PLACEHOLDER = re.compile(r"\{([^{}:!]*)[^{}]*\}")


@pytest.fixture
def pseudo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    i18n.set_language(i18n.PSEUDO_LANGUAGE)
    try:
        yield
    finally:
        i18n.set_language(i18n.SOURCE_LANGUAGE)


# ---------------------------------------------------------------------------- choosing


def test_the_choice_wins_then_the_system_then_english(monkeypatch) -> None:
    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    assert i18n.resolve_language("qps", ["de_DE"]).code == "qps"
    assert i18n.resolve_language("", ["qps", "en_US"]).code == "qps"
    assert i18n.resolve_language("", ["sv_SE.UTF-8", "en_GB"]).code == "en"  # none for sv
    assert i18n.resolve_language("xx", []).code == "en"  # a newer version's language
    monkeypatch.delenv(i18n.PSEUDO_ENV)
    assert i18n.resolve_language("qps", []).code == "en", "the pseudo-locale is for tests only"


def test_the_system_languages_come_from_the_environment_as_gettext_reads_them() -> None:
    env = {"LANGUAGE": "pt_BR:pt:en", "LANG": "de_DE.UTF-8"}
    assert i18n.system_languages(env) == ["pt_BR", "pt", "en"]
    assert i18n.system_languages({"LC_ALL": "fr_FR.UTF-8@euro"}) == ["fr_FR"]
    assert i18n.system_languages({"LANG": "C.UTF-8"}) == []
    assert i18n.normalize("pt-br") == "pt_BR"


def test_a_missing_or_damaged_catalog_falls_back_to_english(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    try:
        assert i18n.set_language("qps", tmp_path).code == "en"  # no catalog there
        broken = i18n.catalog_path("qps", tmp_path)
        broken.parent.mkdir(parents=True)
        broken.write_bytes(b"not a catalog")
        assert i18n.set_language("qps", tmp_path).code == "en"
        assert i18n._("Settings") == "Settings"
    finally:
        i18n.set_language("en")


def test_the_pseudo_locale_translates_and_english_is_the_source(pseudo) -> None:
    assert i18n._("Settings") == "[Šéţţîñĝš ·~·]"
    assert i18n.p_("phase", "REST") != i18n.p_("month abbreviation", "Mar")
    i18n.set_language("en")
    assert i18n._("Settings") == "Settings"


# ---------------------------------------------------------------------------- plurals


def test_counted_texts_take_the_plural_form_of_the_count() -> None:
    assert target_text(Mode.REPS, 1) == "1 rep"
    assert target_text(Mode.REPS, 12) == "12 reps"
    assert i18n.n_("{n} set", "{n} sets", 1).format(n=1) == "1 set"
    assert i18n.n_("{n} set", "{n} sets", 0).format(n=0) == "0 sets"


def test_the_pseudo_locale_keeps_the_plural_forms_apart(pseudo) -> None:
    one = i18n.n_("{n} set", "{n} sets", 1).format(n=1)
    many = i18n.n_("{n} set", "{n} sets", 2).format(n=2)
    assert one.startswith("[1 šéţ ") and many.startswith("[2 šéţš ")


# ---------------------------------------------------------------------------- formats


def test_numbers_are_written_the_way_the_language_writes_them(pseudo) -> None:
    assert i18n.format_number(12345.25, 1) == "12\u202f345,2"
    i18n.set_language("en")
    assert i18n.format_number(12345.25, 1) == "12,345.2"
    assert i18n.format_number(1234, grouping=False) == "1234"
    assert i18n.format_percent(0.5) == "50%"


def test_english_dates_are_what_strftime_wrote_before() -> None:
    day = date(2026, 1, 1)
    for _n in range(400):
        moment = datetime.combine(day, datetime.min.time()).replace(hour=7, minute=5)
        assert i18n.format_date(
            moment, "{weekday_short} {day:02d} {month_short} {hour:02d}:{minute:02d}"
        ) == moment.strftime("%a %d %b %H:%M")
        assert i18n.format_date(day, "{day:02d} {month_short} {year}") == f"{day:%d %b %Y}"
        day += timedelta(days=1)


def test_weekday_and_month_names_come_from_the_catalog(pseudo) -> None:
    assert i18n.weekday_name(0) == "[Ṁöñðàý ·~]"
    assert i18n.month_name(3, short=True) == "[Ṁàŕ ·]"


# ---------------------------------------------------------------------------- catalogs


def test_extraction_is_current() -> None:
    """Rerunning resources/make_catalogs.py changes nothing: the template holds every marked
    text of the code as it is, the pseudo-locale and every .mo are compiled from it."""
    stale = [str(p.relative_to(ROOT)) for p in make_catalogs.out_of_date()]
    assert stale == [], "run: python resources/make_catalogs.py"


def _template_ids() -> set[tuple[str | None, str]]:
    ids = set()
    for message in make_catalogs.extract_template():
        if message.id:
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            ids.add((message.context, msgid))
    return ids


def test_every_literal_given_to_the_translation_functions_is_extracted() -> None:
    """A call hidden in an f-string (invisible to the extractor on Python 3.11) or a keyword
    the extractor does not know would never be translated: each literal must be in the
    template."""
    ids = _template_ids()
    missing = []
    for path in sorted((ROOT / "calftimer").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            name, args = node.func.id, list(node.args)
            if name not in ("_", "n_", "p_", "np_", "N_") or not args:
                continue
            context = None
            if name in ("p_", "np_"):
                first = args.pop(0)
                if not isinstance(first, ast.Constant) or not args:
                    continue
                context = first.value
            text = args[0]
            literal = isinstance(text, ast.Constant) and isinstance(text.value, str)
            if literal and (context, text.value) not in ids:
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text.value!r}")
    assert missing == []


def placeholder_problems(catalog_path: Path) -> list[str]:
    """Entries of a .po whose translation is missing, fuzzy or has other placeholders (the
    check make_catalogs.py runs before it compiles a catalog)."""
    return make_catalogs.catalog_problems(make_catalogs.read_po(catalog_path))


def test_the_catalog_check_finds_missing_fuzzy_and_broken_entries(tmp_path: Path) -> None:
    po = tmp_path / "xx" / "LC_MESSAGES" / "calftimer.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Good {n}"\nmsgstr "Gut {n}"\n\n'
        'msgid "Broken {name}"\nmsgstr "Kaputt {nom}"\n\n'
        'msgid "Empty"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Unsure"\nmsgstr "Unsicher"\n',
        encoding="utf-8",
    )
    assert placeholder_problems(po) == [
        "placeholders differ: 'Broken {name}' -> 'Kaputt {nom}'",
        "missing: 'Empty'",
        "fuzzy: 'Unsure'",
    ]


def test_only_a_complete_catalog_is_compiled_and_offered(tmp_path: Path, monkeypatch) -> None:
    """A catalog still being translated (or with a broken placeholder, which would raise
    KeyError when formatted) gets no .mo, so the app never offers it; a complete one is
    offered with no code change, and a .mo left from before is removed."""
    from babel.messages.catalog import Catalog

    template = Catalog(fuzzy=False)
    template.add("Start")
    template.add("Stop {name}")
    monkeypatch.setattr(make_catalogs, "LOCALE", tmp_path)
    monkeypatch.setattr(make_catalogs, "TEMPLATE", tmp_path / "calftimer.pot")
    monkeypatch.setattr(make_catalogs, "extract_template", lambda: template)
    monkeypatch.setattr(make_catalogs, "ROOT", tmp_path)
    translations = {
        "de": {"Start": "Starten", "Stop {name}": "{name} anhalten"},  # complete
        # "Stop {name}" missing; a text the code no longer has: the update's fuzzy guess
        "fr": {"Start": "Démarrer", "Stop {name} now": "Arrêter {name} maintenant"},
        "it": {"Start": "Avvia", "Stop {name}": "Ferma {nome}"},  # a placeholder renamed
    }
    for code, strings in translations.items():
        catalog = Catalog(locale=code, fuzzy=False)
        for msgid, msgstr in strings.items():
            catalog.add(msgid, msgstr, flags=["python-brace-format"] if "{" in msgid else [])
        po = tmp_path / code / "LC_MESSAGES" / "calftimer.po"
        po.parent.mkdir(parents=True)
        po.write_bytes(make_catalogs.po_bytes(catalog))
    (tmp_path / "fr" / "LC_MESSAGES" / "calftimer.mo").write_bytes(b"from before")
    assert make_catalogs.main([]) == 0
    compiled = sorted(p.parent.parent.name for p in tmp_path.glob("*/LC_MESSAGES/calftimer.mo"))
    assert compiled == ["de", "qps"]
    assert [lang.code for lang in i18n.shipped_languages(tmp_path)] == ["en", "de"]
    assert make_catalogs.out_of_date() == []  # and a second run changes nothing
    assert "#, fuzzy" in (tmp_path / "fr" / "LC_MESSAGES" / "calftimer.po").read_text()
    monkeypatch.setattr(i18n, "SHIPPED", i18n.shipped_languages(tmp_path))
    assert i18n.set_language("de", tmp_path).code == "de"
    try:
        assert i18n._("Stop {name}").format(name="x") == "x anhalten"
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize(
    "language", [lang.code for lang in i18n.SHIPPED if lang.code != i18n.SOURCE_LANGUAGE]
)
def test_a_shipped_catalog_is_complete_and_keeps_every_placeholder(language: str) -> None:
    po = i18n.LOCALE_DIR / language / "LC_MESSAGES" / "calftimer.po"
    assert po.is_file()
    assert placeholder_problems(po) == []


def test_the_pseudo_locale_has_every_text_with_its_placeholders() -> None:
    with i18n.catalog_path(i18n.PSEUDO_LANGUAGE).open("rb") as fp:
        pseudo = gettext.GNUTranslations(fp)
    problems = []
    for message in make_catalogs.extract_template():
        if not message.id:
            continue
        context = message.context
        if isinstance(message.id, str):
            msgid = message.id
            text = pseudo.pgettext(context, msgid) if context else pseudo.gettext(msgid)
        else:  # a plural entry is found through ngettext (gettext finds it only on 3.11.5+)
            msgid, plural = message.id[0], message.id[1]
            if context:
                text = pseudo.npgettext(context, msgid, plural, 1)
            else:
                text = pseudo.ngettext(msgid, plural, 1)
        if text == msgid or sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(msgid)):
            problems.append(f"{msgid!r} -> {text!r}")
    assert problems == []


def test_the_pseudo_locale_is_about_forty_percent_longer() -> None:
    sentence = "Start the selected program, or resume a paused session"
    assert 1.3 <= len(make_catalogs.pseudo(sentence)) / len(sentence) <= 1.6
    # Short words grow more, as they do in real translations ("Quit" -> "Beenden").
    assert len(make_catalogs.pseudo("Settings")) / len("Settings") >= 1.4
    assert make_catalogs.pseudo("{n} of {total}: &Quit <b>now</b>").count("{n}") == 1
    assert "<b>" in make_catalogs.pseudo("<b>now</b>")
    assert "&Q" not in make_catalogs.pseudo("&Quit") and "&" in make_catalogs.pseudo("&Quit")


# ---------------------------------------------------------------------------- files


def test_exports_are_the_same_bytes_in_every_language(tmp_path: Path, monkeypatch) -> None:
    store = store_with(tmp_path / "data", history(3))
    programs = [my_program(), *BUILTIN_BY_ID.values()]
    outputs = {}
    languages = ["en", "qps", *(lang.code for lang in i18n.SHIPPED if lang.code != "en")]
    for language in languages:
        monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
        assert i18n.set_language(language).code == language
        try:
            csv_path, json_path = tmp_path / f"{language}.csv", tmp_path / f"{language}.json"
            export_csv(csv_path, store, tz=None)
            export_json(json_path, store, programs, now=T0)
            outputs[language] = (csv_path.read_bytes(), json_path.read_bytes())
        finally:
            i18n.set_language("en")
    for language in languages:
        assert outputs[language] == outputs["en"], language
    assert b"Single-leg calf raise" in outputs["en"][0]


def test_texts_for_people_do_follow_the_language(pseudo) -> None:
    """The counterpart of the test above: the same data shown to a person is translated."""
    assert session_summary([]) == ["[0 šéţš ·~]"]
