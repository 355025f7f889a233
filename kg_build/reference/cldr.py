"""Names of States in the six UN languages from CLDR (through Babel), so no registry types them by hand."""

from __future__ import annotations

from functools import cache

from babel import Locale

UN_LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")


@cache
def cldr_names(iso2: str) -> dict[str, str]:
    """The territory's name in the six UN languages, from CLDR via Babel."""
    names = {}
    for language in UN_LANGUAGES:
        name = Locale(language).territories.get(iso2)
        if name:
            names[language] = name
    return names
