"""``data/dataset.yaml``, the words and addresses of the dataset description, read and checked.

A missing key or an address that is not an absolute URL is one InputError naming the file and line, so a
publisher who edits the file learns what is wrong before anything is written.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml

from kg_build.errors import InputError
from kg_build.paths import DATA_DIR

DATASET_FILE = DATA_DIR / "dataset.yaml"

REQUIRED: tuple[str, ...] = (
    "iri", "title_en", "title_zh", "description_en", "description_zh", "license",
    "publisher.iri", "publisher.name_en", "publisher.name_zh", "publisher.homepage",
    "download_base", "sparql_endpoint", "catalog.iri", "catalog.title_en", "catalog.title_zh",
    "catalog.description_en", "catalog.description_zh", "catalog.homepage",
    "contact_point.iri", "contact_point.name_en", "contact_point.url", "keywords.en", "keywords.zh",
    "theme_taxonomy", "themes", "spatial", "languages", "file_types", "availability",
    "sparql_service.title_en", "sparql_service.title_zh", "sparql_service.conforms_to",
    "sparql_service.endpoint_description", "sparql_service.description_en", "sparql_service.description_zh",
    "placeholder_en", "placeholder_zh",
)
URL_KEYS: tuple[str, ...] = ("iri", "license", "download_base", "sparql_endpoint", "catalog.iri",
                             "contact_point.url", "spatial", "availability", "sparql_service.conforms_to")


def load_dataset_info(path: Path = DATASET_FILE) -> dict[str, Any]:
    """The curated words of the description, checked for every key the description needs."""
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        node = yaml.compose(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise InputError(path, _error_line(err), f"cannot read the dataset description: {err}") from None
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise InputError(path, 1, "expected a YAML mapping")
    for key in REQUIRED:
        if lookup(data, key) in (None, "", [], {}):
            raise InputError(path, key_line(node, key), f"missing key '{key}'")
    for key in URL_KEYS:
        if not is_absolute_url(str(lookup(data, key))):
            raise InputError(path, key_line(node, key), f"'{key}' is not an absolute http(s) URL: {lookup(data, key)}")
    if not str(data["download_base"]).endswith("/"):
        raise InputError(path, key_line(node, "download_base"), "'download_base' must end with '/'")
    return data


def lookup(data: dict[str, Any], dotted: str) -> Any:
    """The value at a dotted key (``publisher.iri``), None when any part is missing."""
    value: Any = data
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def key_line(node: yaml.Node, dotted: str) -> int:
    """1-based line of the deepest part of `dotted` present in the composed YAML (1 when none is)."""
    line = 1
    for part in dotted.split("."):
        if not isinstance(node, yaml.MappingNode):
            break
        found = next(((k, v) for k, v in node.value if getattr(k, "value", None) == part), None)
        if found is None:
            break
        line, node = found[0].start_mark.line + 1, found[1]
    return line


def _error_line(err: Exception) -> int:
    mark = getattr(err, "problem_mark", None)
    return mark.line + 1 if mark is not None else 0


def is_absolute_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def is_local(url: str) -> bool:
    """True for a loopback address (127.0.0.0/8, ``localhost``, ``::1``): a local default, not a published one."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def published_url(info: dict[str, Any], relative: str) -> str:
    """An address under the download base (``site/index.html`` -> ``{download_base}site/index.html``)."""
    return urljoin(str(info["download_base"]), relative)
