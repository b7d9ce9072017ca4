"""What every page view shares: login, the domain errors as HTTP errors, the year parameter, partials."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from farmadvice.core.errors import NotFound, PermissionDenied

View = Callable[..., HttpResponse]


def page(view: View) -> View:
    """A page for signed-in users: anonymous visitors go to the login page (and come back), a domain
    `NotFound` is a 404 and a domain `PermissionDenied` a 403, each with the service's message."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            response = view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            raise HttpForbidden(exc.message) from exc
        patch_vary_headers(response, ("HX-Request",))
        return response

    return wrapped


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def year_param(request: HttpRequest, *, default: int, name: str = "year") -> int:
    """The year asked for in the query string, when it is a plausible one; else `default`."""
    try:
        year = int(request.GET.get(name, ""))
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


def render_partial(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partials: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The whole page, or, for an htmx request aimed at one of `partials` (target id → template), only
    that part; without JavaScript every link and form still gets the whole page."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted and partials and htmx.target in partials:
        return render(request, partials[htmx.target], context, status=status)
    return render(request, template, context, status=status)
