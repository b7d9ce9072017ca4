"""Template helpers of the pages: the navigation by role, numbers, statuses and form fields."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from farmadvice.accounts import access
from farmadvice.accounts.models import Role
from farmadvice.web import formatting

register = template.Library()


@register.simple_tag
def html_lang() -> str:
    """The page's language as BCP 47 (Django's zh-hans is zh-Hans)."""
    return "zh-Hans" if translation.get_language() == "zh-hans" else (translation.get_language() or "zh-Hans")


@register.simple_tag(takes_context=True)
def nav_items(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The navigation of the signed-in user's role; the current section is marked."""
    request = context.get("request")
    user = getattr(request, "user", None)
    role = access.role_of(user)
    items: list[tuple[str, str]] = []
    if role == Role.AGENT:
        items = [
            ("web:farms", _("我的农场")),
            ("web:dashboard", _("达标情况")),
            ("web:batches", _("批量签发")),
        ]
    elif role == Role.OPERATOR:
        items = [("web:farms", _("我的农场"))]
    elif role in (Role.COMMITTEE, Role.ADMIN):
        items = [
            ("web:dashboard", _("达标情况")),
            ("web:districts", _("灌区监测")),
            ("web:farms", _("农场列表")),
            ("web:batches", _("批量签发")),
        ]
    path = request.path if request is not None else ""
    found = []
    for name, label in items:
        url = reverse(name)
        found.append({"url": url, "label": label, "current": path.startswith(url)})
    # The most specific match only: /dashboard/districts/ is not also /dashboard/.
    current = [item for item in found if item["current"]]
    if len(current) > 1:
        longest = max(current, key=lambda item: len(item["url"]))
        for item in current:
            item["current"] = item is longest
    if role == Role.ADMIN:
        found.append({"url": reverse("admin:index"), "label": _("后台管理"), "current": False})
    return found


@register.filter
def num(value: Any) -> str:
    return formatting.number(value)


@register.filter
def with_unit(value: Any, unit: str) -> str:
    return formatting.with_unit(value, unit)


@register.filter
def name_of(obj: Any) -> str:
    return formatting.name_of(obj) if obj is not None else ""


@register.inclusion_tag("web/partials/status.html")
def status(view: formatting.StatusView | None) -> dict[str, Any]:
    return {"status": view}


@register.inclusion_tag("web/partials/field.html")
def field(bound_field: Any, wide: bool = False) -> dict[str, Any]:
    """A labelled field: label, input, help text and errors, the input described by the last two."""
    widget = bound_field.field.widget
    input_type = getattr(widget, "input_type", "") or widget.__class__.__name__.lower()
    kind = {"checkbox": "check", "textarea": "textarea", "select": "select"}.get(input_type, input_type)
    return {"field": bound_field, "kind": kind, "wide": wide}


@register.simple_tag
def query(querystring: str, **changes: Any) -> str:
    """A query string with some parameters changed (e.g. the page number), keeping the others."""
    from django.http import QueryDict

    params = QueryDict(querystring, mutable=True)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.filter
def clauses(items: Any) -> str:
    """Parts of one sentence joined with the active language's separator ("；" or "; ")."""
    return formatting.clauses(items)


@register.filter
def record_line(record: Any) -> str:
    return formatting.record_line(record)


@register.filter
def person(user: Any) -> str:
    return formatting.person(user)
