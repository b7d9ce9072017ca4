"""Who may open which page: anonymous visitors sign in first, an operator never sees another's farm
(404), an agent cannot record outside their towns (403), only readers of every farm see the dashboard."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from farmadvice.practices.models import FertiliserApplication, Visit
from tests.factories.practices import VisitFactory
from tests.web.conftest import fertiliser_form

pytestmark = pytest.mark.django_db


def pages(world, rice, visit) -> list[str]:
    farm = world["farm_a"].code
    return [
        reverse("web:home"),
        reverse("web:farms"),
        reverse("web:farm", args=[farm]),
        reverse("web:visit", args=[farm, visit.pk]),
        reverse("web:record-new", args=[farm, "fertiliser-applications"]),
        reverse("web:record-edit", args=[farm, "seasons", rice.pk]),
        reverse("web:report-download", args=[farm, 1]),
        reverse("web:dashboard"),
        reverse("web:cell", args=["straw_utilisation_pct", "310151"]),
        reverse("web:trend"),
        reverse("web:districts"),
        reverse("web:batches"),
        reverse("web:batch", args=[1]),
        reverse("web:export", args=["compliance"]),
    ]


@pytest.fixture
def visit(world):
    return VisitFactory(farm=world["farm_a"], agent=world["agent_cq"])


def test_every_page_sends_anonymous_visitors_to_the_login_page_and_back(world, rice, visit, login):
    client = login(None)
    for url in pages(world, rice, visit):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('web:login')}?next={url}", url


def test_login_page_is_open_to_anonymous_visitors(login):
    response = login(None).get(reverse("web:login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_an_operator_gets_404_for_every_page_of_another_farm(world, rice, visit, login):
    client = login(world["operator_b"])
    farm = world["farm_a"].code
    for url in [
        reverse("web:farm", args=[farm]),
        reverse("web:visit", args=[farm, visit.pk]),
        reverse("web:record-new", args=[farm, "fertiliser-applications"]),
        reverse("web:record-edit", args=[farm, "seasons", rice.pk]),
        reverse("web:report-download", args=[farm, 1]),
    ]:
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("web:record-new", args=[farm, "fertiliser-applications"]), fertiliser_form(rice)
    )
    assert response.status_code == 404
    assert not FertiliserApplication.objects.exists()


def test_an_operator_sees_their_own_farm(world, login):
    response = login(world["operator_a"]).get(reverse("web:farm", args=[world["farm_a"].code]))
    assert response.status_code == 200
    assert "甲农场" in response.content.decode()


def test_an_agent_recording_outside_their_towns_is_refused_with_403(world, rice, login):
    """agent_xh (Xinhe) may read Chengqiao's farm CQ-A but not record on it: the form and its POST are 403,
    with the service's reason, and nothing is stored."""
    client = login(world["agent_xh"])
    url = reverse("web:record-new", args=[world["farm_a"].code, "fertiliser-applications"])
    assert client.get(url).status_code == 403
    response = client.post(url, fertiliser_form(rice))
    assert response.status_code == 403
    assert "您未被分配到乡镇“城桥镇”" in response.content.decode()
    assert not FertiliserApplication.objects.exists()
    edit = reverse("web:record-edit", args=[world["farm_a"].code, "seasons", rice.pk])
    assert (
        client.post(
            edit, {"year": "2025", "season": "summer", "crop": rice.crop_id, "area_mu": "5"}
        ).status_code
        == 403
    )
    rice.refresh_from_db()
    assert rice.area_mu == 10


def test_an_agent_outside_the_town_reads_the_farm_without_recording_buttons(world, rice, login):
    response = login(world["agent_xh"]).get(reverse("web:farm", args=[world["farm_a"].code]))
    assert response.status_code == 200
    assert reverse("web:record-new", args=[world["farm_a"].code, "visits"]) not in response.content.decode()


def test_the_committee_and_operators_may_not_record(world, rice, login):
    url = reverse("web:record-new", args=[world["farm_a"].code, "visits"])
    assert login(world["committee"]).get(url).status_code == 403
    assert login(world["operator_a"]).post(url, {"date": "2025-06-01"}).status_code == 403
    assert not Visit.objects.exists()


def test_operators_may_not_open_the_dashboard_pages(world, login):
    client = login(world["operator_a"])
    for url in [
        reverse("web:dashboard"),
        reverse("web:cell", args=["straw_utilisation_pct", "310151"]),
        reverse("web:trend"),
        reverse("web:districts"),
        reverse("web:export", args=["compliance"]),
        reverse("web:batches"),
    ]:
        assert client.get(url).status_code == 403, url


def test_a_visit_of_another_farm_is_not_found_under_this_farm(world, login):
    other = VisitFactory(farm=world["farm_b"], agent=world["agent_xh"])
    client = login(world["agent_cq"])
    assert client.get(reverse("web:visit", args=[world["farm_a"].code, other.pk])).status_code == 404
    assert client.get(reverse("web:visit", args=[world["farm_a"].code, uuid.uuid4()])).status_code == 404


def test_home_sends_each_role_to_its_page(world, login):
    assert login(world["agent_cq"]).get("/")["Location"] == reverse("web:farms")
    assert login(world["operator_a"]).get("/")["Location"] == reverse("web:farm", args=["CQ-A"])
    assert login(world["committee"]).get("/")["Location"] == reverse("web:dashboard")
    assert login(world["admin"]).get("/")["Location"] == reverse("web:dashboard")


def test_a_user_without_a_role_is_told_so(db, login, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x-long-password-1")
    response = login(user).get("/")
    assert response.status_code == 403
    assert "还没有分配角色" in response.content.decode()
