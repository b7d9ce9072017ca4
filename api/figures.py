"""Cached figures (farmadvice/core/figures.py) as JSON, rendered once per computation.

The compliance table carries every farm behind every rate: validating and serialising it costs ~60 ms, ten
times what fetching it from the cache does. A figure computed for a data version renders to the same bytes
every time, so the bytes are kept per schema, figure, language and computation (version and time), and the
stamp (`as_of`) is added to them on each answer. Where the figure is computed (the task worker, mostly)
its bytes are rendered at once and put in the shared cache (`prerender`), so that no web process renders
them; each process also keeps the last ones it used. Without a stamp (the cache switched off) the figure
goes through ninja as usual.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import Schema
from ninja.renderers import JSONRenderer

from api.schemas.common import AsOfOut
from farmadvice.core import figures

SIZE = 32  # rendered figures kept per process (a year's table per town and language is ~40 entries)

_renderer = JSONRenderer()
_rendered: OrderedDict[tuple, bytes] = OrderedDict()
_lock = threading.Lock()


def figure_response(request: HttpRequest, schema: type[Schema], figure: Any, *identity: object) -> Any:
    """`figure` for a route whose 200 response is `schema`; `identity` names the figure (year, town).

    The body is rendered without its stamp once per computation (data version and time); the stamp, which
    also says whether a newer version is being computed, is added to the bytes on each answer.
    """
    as_of = getattr(figure, "as_of", None)
    if as_of is None:
        return figure
    key = (schema.__name__, identity, translation.get_language(), as_of.data_version, as_of.computed_at)
    with _lock:
        body = _rendered.get(key)
        if body is not None:
            _rendered.move_to_end(key)
    if body is None:
        body = cache.get(_shared_key(key))
        if body is None:
            body = _render(schema, figure)
            cache.set(_shared_key(key), body, _lifetime())
        with _lock:
            _rendered[key] = body
            while len(_rendered) > SIZE:
                _rendered.popitem(last=False)
    stamp = _bytes(_renderer.render(request, AsOfOut.from_orm(as_of).model_dump(), response_status=200))
    if not body.endswith(b"}"):  # a JSON object, always; anything else is a bug worth seeing
        raise ValueError(f"{schema.__name__} did not render as a JSON object")
    separator = b", " if body != b"{}" else b""
    return HttpResponse(
        body[:-1] + separator + b'"as_of": ' + stamp + b"}", content_type=_renderer.media_type
    )


def prerender(name: str, schema: type[Schema]) -> None:
    """Render the figure `name` as `schema` wherever it is computed, into the shared cache (the app's
    ready() calls this): the routes answering it with `figure_response(..., year, town)` find it there."""

    def render(year: int, town: str | None, figure: Any) -> None:
        as_of = figure.as_of
        key = (
            schema.__name__,
            (year, town),
            translation.get_language(),
            as_of.data_version,
            as_of.computed_at,
        )
        cache.set(_shared_key(key), _render(schema, figure), _lifetime())

    render.__qualname__ = f"prerender[{name}, {schema.__name__}]"
    figures.on_computed(name, render)


def _render(schema: type[Schema], figure: Any) -> bytes:
    data = schema.from_orm(figure).model_dump()
    del data["as_of"]
    return _bytes(_renderer.render(None, data, response_status=200))


def _shared_key(key: tuple) -> str:
    return "figures-json:" + hashlib.sha256(repr(key).encode()).hexdigest()


def _lifetime() -> int | None:
    return getattr(settings, "FIGURES_CACHE_SECONDS", 0) or None


def _bytes(rendered: str | bytes) -> bytes:
    return rendered.encode() if isinstance(rendered, str) else rendered
