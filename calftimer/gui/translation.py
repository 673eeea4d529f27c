"""Qt's side of the language: the system's languages as Qt knows them, and Qt's own catalog.

Our texts come from ``calftimer.core.i18n`` (gettext). Qt's standard dialogs and buttons (OK,
Cancel, the file dialog, the context menus of text fields) are translated by Qt's own
``qtbase_<lang>.qm``, which the PySide6 wheel ships in Qt's translations folder; this installs
the one for the language in use, if there is one.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from calftimer.core import i18n

_installed: list[QTranslator] = []  # kept alive: Qt does not own an installed translator


def qt_system_languages() -> list[str]:
    """The user's languages in order as the desktop says (Windows and macOS set no LANG)."""
    return [str(tag) for tag in QLocale.system().uiLanguages()]


def install_qt_translator(app: QCoreApplication) -> bool:
    """Load Qt's own catalog for the language in use; False when Qt has none for it."""
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    code = i18n.current_language().qt_code or i18n.current_language().code
    # Numbers Qt writes itself (spin boxes: "2,00 s" in German) follow the chosen language,
    # not the system's: English under a German desktop writes "2.00 s".
    if code == i18n.SOURCE_LANGUAGE or code == i18n.PSEUDO_LANGUAGE:
        QLocale.setDefault(QLocale("en_US"))
        return False
    QLocale.setDefault(QLocale(code))
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(f"qtbase_{code}", folder):
        return False
    app.installTranslator(translator)
    _installed.append(translator)
    return True
