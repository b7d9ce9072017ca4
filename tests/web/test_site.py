"""Signing in and out, the language switch (Chinese by default, English on request), and what every page
carries for keyboard and screen-reader users."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from reports.models import ReportBatch
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db


def test_signing_in_lands_on_the_roles_page_and_signing_out_ends_the_session(world):
    client = Client()
    response = client.post(reverse("web:login"), {"username": "agent_cq", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("web:farms")
    assert "agent_cq" in response.content.decode()
    response = client.post(reverse("web:logout"))
    assert response["Location"] == reverse("web:login")
    assert client.get(reverse("web:farms")).status_code == 302


def test_signing_in_returns_to_the_page_asked_for(world):
    client = Client()
    url = reverse("web:farm", args=["CQ-A"])
    response = client.post(
        reverse("web:login") + f"?next={url}", {"username": "operator_a", "password": PASSWORD, "next": url}
    )
    assert response["Location"] == url


def test_a_wrong_password_is_refused_with_a_message(world):
    response = Client().post(reverse("web:login"), {"username": "agent_cq", "password": "wrong"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_pages_are_in_chinese_by_default_and_in_english_on_request(world, login):
    client = login(world["agent_cq"])
    html = client.get(reverse("web:farms")).content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "我的农场" in html
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("web:farms")})
    assert response["Location"] == reverse("web:farms")
    html = client.get(reverse("web:farms")).content.decode()
    assert '<html lang="en">' in html
    assert "My farms" in html
    assert "Skip to the content" in html
    assert 'aria-pressed="true">English</button>' in html


def test_english_labels_reach_the_record_forms(world, rice, login):
    client = login(world["agent_cq"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("web:record-new", args=["CQ-A", "fertiliser-applications"])).content.decode()
    assert "Area applied (mu)" in html
    assert "Nutrient content" in html


class FormControls(HTMLParser):
    """The visible form controls of a page (input, select, textarea) and whether each has a name a
    screen reader can read: a <label for> anywhere on the page, an aria-label(ledby), or a wrapping
    <label>."""

    NOT_FIELDS = frozenset({"hidden", "submit", "button", "reset", "image"})

    def __init__(self) -> None:
        super().__init__()
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, str, bool]] = []  # (description, id, named without a <label for>)
        self._in_label = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "label":
            self._in_label += 1
            if values.get("for"):
                self.label_for.add(values["for"])
        elif tag in ("input", "select", "textarea") and values.get("type") not in self.NOT_FIELDS:
            named = bool(values.get("aria-label") or values.get("aria-labelledby")) or self._in_label > 0
            description = f'<{tag} id="{values.get("id")}" name="{values.get("name")}">'
            self.controls.append((description, values.get("id") or "", named))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._in_label:
            self._in_label -= 1

    def unlabelled(self) -> list[str]:
        return [
            description
            for description, control_id, named in self.controls
            if not named and control_id not in self.label_for
        ]


def test_every_page_has_a_skip_link_a_main_landmark_and_labelled_inputs(world, reference, rice, login):
    """The agent's farm pages and record forms, the operator's farm, and the dashboard (compliance,
    drill-down, trend, districts) and batch pages of the agent and the committee."""
    dashboard = (
        reverse("web:dashboard") + "?year=2025",
        reverse("web:cell", args=["straw_utilisation_pct", world["chengqiao"].code]) + "?year=2025",
        reverse("web:trend") + "?indicator=straw_utilisation_pct",
        reverse("web:districts") + "?year=2025",
        reverse("web:batches"),
    )
    login(world["committee"]).post(
        reverse("web:batches"),
        {"scope": "town", "town": world["chengqiao"].code, "year": "2025", "language": "zh-hans"},
    )
    pages = {
        "agent_cq": (
            reverse("web:farms"),
            reverse("web:farm", args=["CQ-A"]),
            *(reverse("web:record-new", args=["CQ-A", slug]) for slug in ("visits", "seasons")),
            reverse("web:record-new", args=["CQ-A", "fertiliser-applications"]),
            *dashboard,
        ),
        "operator_a": (reverse("web:farms"), reverse("web:farm", args=["CQ-A"])),
        "committee": (
            *dashboard,
            reverse("web:batch", args=[ReportBatch.objects.get().pk]),
            reverse("web:farms"),
        ),
    }
    checked = 0
    for username, urls in pages.items():
        client = login(world[username])
        for url in urls:
            response = client.get(url, follow=True)
            assert response.status_code == 200, f"{username} {url}: {response.status_code}"
            html = response.content.decode()
            assert '<a class="skip-link" href="#main">' in html, f"{username} {url}"
            assert '<main id="main"' in html, f"{username} {url}"
            controls = FormControls()
            controls.feed(html)
            assert not controls.unlabelled(), f"{username} {url}: no label for {controls.unlabelled()}"
            checked += len(controls.controls)
    assert checked > 30  # the filters, the search, the forms: the check is not vacuous


def test_the_static_files_are_served_without_a_cdn(world, login):
    html = login(world["agent_cq"]).get(reverse("web:farms")).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert sources and all(source.startswith("/static/") for source in sources)
    assert any(source.endswith("htmx.min.js") for source in sources)
    response = Client().get("/static/web/vendor/htmx.min.js")
    assert response.status_code == 200
    assert b"htmx" in b"".join(response.streaming_content)
    response.close()
