"""Extract, update, pseudo-translate and compile calftimer's catalogs.

    python resources/make_catalogs.py            extract + update + pseudo + compile (writes)
    python resources/make_catalogs.py --check    only say what is out of date (exit 1 if any)
    python resources/make_catalogs.py --init de  start the catalog of a new language

Needs Babel (a dev/test dependency: ``pip install -e ".[test]"``); the app itself reads the
compiled ``.mo`` files with the standard library's gettext and never imports Babel.

What it does, in this order:

1. Extracts every marked text from ``calftimer/`` (the keywords of ``calftimer.core.i18n``:
   ``_``, ``n_``, ``p_``, ``np_``, ``N_``; ``babel.cfg`` says the same for ``pybabel``) into
   the template ``calftimer/locale/calftimer.pot``. Locations carry file names but no line
   numbers, and the dates are fixed, so the template changes only when a text does.
2. Updates each ``calftimer/locale/<lang>/LC_MESSAGES/calftimer.po`` from the template (new texts
   are added empty, changed ones are marked fuzzy, removed ones kept as obsolete ``#~``).
3. Writes the pseudo-locale ``qps`` (accented letters, about 40 % longer, placeholders, markup
   and ``&`` mnemonics intact) straight to ``calftimer/locale/qps/LC_MESSAGES/calftimer.mo``.
4. Compiles each ``.po`` that is complete (no missing or fuzzy entry, every ``{placeholder}``
   of the English kept) to its ``.mo``, and removes the ``.mo`` of one that is not: the app
   offers a language exactly when its ``.mo`` is there (``calftimer.core.i18n.SHIPPED``), so
   a catalog still being translated never reaches users, and a finished one needs no code
   change. Each catalog's progress is printed (``de: 1012 of 1188 translated, 3 fuzzy``).

The ``.mo`` files are committed: a checkout, the wheel (package data) and the PyInstaller bundle
(``packaging/calftimer.spec``) all carry them without a build step; tests check they are current.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "calftimer"
LOCALE = PACKAGE / "locale"
TEMPLATE = LOCALE / "calftimer.pot"
PSEUDO = "qps"
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)  # the template's dates: reruns change nothing

KEYWORDS = {
    "_": None,
    "n_": (1, 2),
    "p_": ((1, "c"), 2),
    "np_": ((1, "c"), 2, 3),
    "N_": None,
}
COMMENT_TAGS = ("Translators:",)

# A placeholder, markup or a character that must reach the translation unchanged.
PROTECTED = re.compile(r"\{[^{}]*\}|%\(\w+\)[sdif]|%[sdif%]|<[^<>]+>|&\w+;|&&|&(?=\w)|\\n|\n")
ACCENTED = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "àƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
        strict=True,
    )
)
PADDING = "·~"  # what the pseudo-locale adds to make a text about 40 % longer
# A placeholder's name in a text to be formatted: "{n}", "{lsi:.0f}" -> "n", "lsi".
PLACEHOLDER = re.compile(r"\{([^{}:!]*)[^{}]*\}")


def pseudo(text: str) -> str:
    """``"Start {name}"`` -> ``"[Šţàŕţ {name} ·~·~]"``: accented, ~40 % longer, the same
    placeholders."""
    if not text:
        return text
    out: list[str] = []
    letters = 0
    pos = 0
    for match in PROTECTED.finditer(text):
        chunk = text[pos : match.start()]
        out.append("".join(ACCENTED.get(c, c) for c in chunk))
        letters += sum(c.isalnum() for c in chunk)
        out.append(match.group())
        pos = match.end()
    chunk = text[pos:]
    out.append("".join(ACCENTED.get(c, c) for c in chunk))
    letters += sum(c.isalnum() for c in chunk)
    # In words of at most six characters: a real translation wraps where this one does.
    pad = (PADDING * letters)[: max(1, round(letters * 0.4))]
    pad = " ".join(pad[i : i + 6] for i in range(0, len(pad), 6))
    body = "".join(out)
    # A trailing newline or colon stays at the end, where the code expects it.
    tail = re.search(r"(\s|:)*$", body)
    cut = tail.start() if tail else len(body)
    return f"[{body[:cut]} {pad}]{body[cut:]}"


def _babel():  # type: ignore[no-untyped-def]
    try:
        from babel.messages import catalog, extract, mofile, pofile
    except ImportError:
        sys.exit("make_catalogs.py needs Babel: pip install -e '.[test]' (or pip install babel)")
    return catalog, extract, mofile, pofile


def extract_template():  # type: ignore[no-untyped-def]
    catalog_mod, extract, _mofile, _pofile = _babel()
    template = catalog_mod.Catalog(
        project="calftimer",
        version="",
        copyright_holder="calftimer developers",
        msgid_bugs_address="https://github.com/calftimer/calftimer/issues",
        creation_date=FIXED_DATE,
        revision_date=FIXED_DATE,
        charset="utf-8",
        fuzzy=False,
    )
    found = extract.extract_from_dir(
        str(ROOT),
        method_map=[("calftimer/**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
        directory_filter=lambda path: "/." not in path.replace("\\", "/"),
    )
    for filename, lineno, message, comments, context in found:
        template.add(
            message,
            None,
            [(filename.replace("\\", "/"), lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def po_bytes(catalog, *, template: bool = False) -> bytes:  # type: ignore[no-untyped-def]
    _c, _e, _m, pofile = _babel()
    buf = io.BytesIO()
    pofile.write_po(
        buf, catalog, width=100, sort_output=True, include_lineno=False, ignore_obsolete=template
    )
    # The Babel version in the header would make the files differ between machines.
    return re.sub(rb'"Generated-By: [^"]*"\n', b"", buf.getvalue())


def mo_bytes(catalog) -> bytes:  # type: ignore[no-untyped-def]
    _c, _e, mofile, _p = _babel()
    buf = io.BytesIO()
    mofile.write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def pseudo_catalog(template):  # type: ignore[no-untyped-def]
    catalog_mod, _e, _m, _p = _babel()
    cat = catalog_mod.Catalog(
        locale="en",
        domain="calftimer",
        creation_date=FIXED_DATE,
        revision_date=FIXED_DATE,
        charset="utf-8",
        fuzzy=False,
    )
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            string: object = tuple(pseudo(part) for part in message.id)
        else:
            string = pseudo(message.id)
        cat.add(message.id, string, context=message.context)
    cat.language_team = PSEUDO
    return cat


def language_catalogs() -> Iterator[Path]:
    yield from sorted(LOCALE.glob("*/LC_MESSAGES/calftimer.po"))


def read_po(path: Path):  # type: ignore[no-untyped-def]
    _c, _e, _m, pofile = _babel()
    with path.open("rb") as fp:
        return pofile.read_po(fp, locale=path.parent.parent.name, domain="calftimer")


def catalog_problems(catalog) -> list[str]:  # type: ignore[no-untyped-def]
    """Why ``catalog`` cannot ship: each entry missing, fuzzy, or whose translation has other
    placeholders than its English (``.format`` would raise KeyError at run time)."""
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        where = f"{ids[0]!r}"
        if message.fuzzy:
            problems.append(f"fuzzy: {where}")  # a guess by the updater: its text is not read
            continue
        if not all(strings):
            problems.append(f"missing: {where}")
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            found = set(PLACEHOLDER.findall(string))
            # A plural form may leave {n} out ("one set"); a single text keeps them all.
            if found - wanted or (len(ids) == 1 and found != wanted):
                problems.append(f"placeholders differ: {where} -> {string!r}")
    return problems


def progress(catalog) -> str:  # type: ignore[no-untyped-def]
    """``1012 of 1188 translated, 3 fuzzy``."""
    entries = [m for m in catalog if m.id]
    done = sum(
        1
        for m in entries
        if not m.fuzzy and all(m.string if isinstance(m.string, tuple | list) else (m.string,))
    )
    fuzzy = sum(1 for m in entries if m.fuzzy)
    return f"{done} of {len(entries)} translated" + (f", {fuzzy} fuzzy" if fuzzy else "")


def planned_files(report: list[str] | None = None) -> dict[Path, bytes | None]:
    """Every catalog file as this script would write it now (None: it must not exist, the
    ``.mo`` of an incomplete catalog); ``report`` gets one line per language."""
    template = extract_template()
    files: dict[Path, bytes | None] = {TEMPLATE: po_bytes(template, template=True)}
    files[LOCALE / PSEUDO / "LC_MESSAGES" / "calftimer.mo"] = mo_bytes(pseudo_catalog(template))
    for po in language_catalogs():
        catalog, files[po] = _updated(po, template)
        problems = catalog_problems(catalog)
        files[po.with_suffix(".mo")] = None if problems else mo_bytes(catalog)
        if report is not None:
            state = "complete, compiled" if not problems else "not compiled, not offered"
            broken = [p for p in problems if p.startswith("placeholders")]
            report.append(
                f"{po.parent.parent.name}: {progress(catalog)} ({state})"
                + "".join(f"\n  {p}" for p in broken[:20])
            )
    return files


def _updated(po: Path, template):  # type: ignore[no-untyped-def]
    """The catalog of ``po`` updated from ``template``, and its bytes. Babel's update is not
    idempotent (a fuzzy match written once gains or loses its ``python-brace-format`` flag when
    read and updated again), so it is repeated until the bytes settle: a second run of this
    script must change nothing."""
    _c, _e, _m, pofile = _babel()
    data = po.read_bytes()
    for _round in range(4):
        catalog = pofile.read_po(io.BytesIO(data), locale=po.parent.parent.name, domain="calftimer")
        catalog.update(template, update_header_comment=False)
        updated = po_bytes(catalog)
        if updated == data:
            break
        data = updated
    return catalog, data


def _differs(path: Path, data: bytes | None) -> bool:
    if data is None:
        return path.exists()
    return not path.is_file() or path.read_bytes() != data


def out_of_date() -> list[Path]:
    return [path for path, data in planned_files().items() if _differs(path, data)]


def init_language(code: str) -> Path:
    _c, _e, _m, _p = _babel()
    template = extract_template()
    po = LOCALE / code / "LC_MESSAGES" / "calftimer.po"
    if po.exists():
        sys.exit(f"{po} exists already: run without --init to update it")
    catalog = _c.Catalog(locale=code, domain="calftimer", fuzzy=False, charset="utf-8")
    catalog.update(template)
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_bytes(po_bytes(catalog))
    return po


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report out-of-date files")
    parser.add_argument("--init", metavar="LANG", help="start the catalog of a new language")
    args = parser.parse_args(argv)
    if args.init:
        print(f"created {init_language(args.init).relative_to(ROOT)}")
        return 0
    if args.check:
        stale = out_of_date()
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)}")
        return 1 if stale else 0
    report: list[str] = []
    for path, data in planned_files(report).items():
        if not _differs(path, data):
            continue
        if data is None:
            path.unlink()
            print(f"removed {path.relative_to(ROOT)} (its catalog is not complete)")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            print(f"wrote {path.relative_to(ROOT)}")
    for line in report:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
