"""The front door: each role lands on the page its day starts with."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from farmadvice.accounts import access
from farmadvice.accounts.models import Role
from farmadvice.web.views.base import page


@page
def home(request: HttpRequest) -> HttpResponse:
    """Agents: their farms; operators: their farm (or list of farms); committee and admins: the
    dashboard. A user without a role is told so."""
    role = access.role_of(request.user)
    if role == Role.AGENT:
        return redirect("web:farms")
    if role == Role.OPERATOR:
        farms = list(access.farms_visible_to(request.user).values_list("code", flat=True)[:2])
        if len(farms) == 1:
            return redirect("web:farm", code=farms[0])
        return redirect("web:farms")
    if role in (Role.COMMITTEE, Role.ADMIN):
        return redirect("web:dashboard")
    return render(request, "web/no_role.html", status=403)
