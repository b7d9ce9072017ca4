"""Cached figures (farmadvice/core/figures.py) as JSON, rendered once per figure in each process.

The compliance table carries every farm behind every rate: validating and serialising it costs ~60 ms, ten
times what fetching it from the cache does. A figure stamped with its data version (`as_of`) renders to the
same bytes every time, so the bytes are kept per schema, figure, language and stamp; a new data version is
a new stamp. Without a stamp (the cache switched off) the figure goes through ninja as usual.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import Schema
from ninja.renderers import JSONRenderer

SIZE = 32  # rendered figures kept per process (a year's table per town and language is ~40 entries)

_renderer = JSONRenderer()
_rendered: OrderedDict[tuple, bytes] = OrderedDict()
_lock = threading.Lock()


def figure_response(request: HttpRequest, schema: type[Schema], figure: Any, *identity: object) -> Any:
    """`figure` for a route whose 200 response is `schema`; `identity` names the figure (year, town)."""
    if getattr(figure, "as_of", None) is None:
        return figure
    key = (schema.__name__, identity, translation.get_language(), figure.as_of)
    with _lock:
        body = _rendered.get(key)
        if body is not None:
            _rendered.move_to_end(key)
    if body is None:
        data = schema.from_orm(figure).model_dump()
        body = _renderer.render(request, data, response_status=200)
        body = body.encode() if isinstance(body, str) else body
        with _lock:
            _rendered[key] = body
            while len(_rendered) > SIZE:
                _rendered.popitem(last=False)
    return HttpResponse(body, content_type=_renderer.media_type)
