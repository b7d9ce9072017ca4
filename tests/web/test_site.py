"""Signing in and out, the language switch (Chinese by default, English on request), and what every page
carries for keyboard and screen-reader users."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

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


def test_every_page_has_a_skip_link_a_main_landmark_and_labelled_inputs(world, rice, login):
    client = login(world["agent_cq"])
    for url in (
        reverse("web:farms"),
        reverse("web:farm", args=["CQ-A"]),
        reverse("web:record-new", args=["CQ-A", "fertiliser-applications"]),
    ):
        html = client.get(url).content.decode()
        assert '<a class="skip-link" href="#main">' in html
        assert '<main id="main"' in html
        for input_id in re.findall(
            r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', html
        ):
            assert f'for="{input_id}"' in html, f"{url}: #{input_id} has no label"


def test_the_static_files_are_served_without_a_cdn(world, login):
    html = login(world["agent_cq"]).get(reverse("web:farms")).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert sources and all(source.startswith("/static/") for source in sources)
    assert any(source.endswith("htmx.min.js") for source in sources)
    response = Client().get("/static/web/vendor/htmx.min.js")
    assert response.status_code == 200
    assert b"htmx" in b"".join(response.streaming_content)
    response.close()
