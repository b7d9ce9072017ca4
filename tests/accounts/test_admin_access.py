"""The admin applies the same access rules as the API."""

from __future__ import annotations

import pytest

from farmadvice.registry.models import Farm

pytestmark = pytest.mark.django_db


def change_url(farm):
    return f"/admin/registry/farm/{farm.pk}/change/"


def test_operator_cannot_use_the_admin(world, client):
    client.force_login(world["operator_a"])
    assert client.get("/admin/registry/farm/").status_code == 302  # to the admin login
    assert client.get(change_url(world["farm_b"])).status_code == 302
    assert client.get(change_url(world["farm_a"])).status_code == 302


def test_anonymous_is_sent_to_login(world, client):
    response = client.get("/admin/registry/farm/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_committee_reads_every_farm_but_changes_none(world, client):
    client.force_login(world["committee"])
    listing = client.get("/admin/registry/farm/")
    assert listing.status_code == 200
    assert "CQ-A" in listing.text and "XH-B" in listing.text
    response = client.post(change_url(world["farm_a"]), {"name": "改名"})
    assert response.status_code == 403
    assert Farm.objects.get(code="CQ-A").name == "甲农场"


def test_agent_changes_a_farm_in_an_assigned_town_only(world, client):
    client.force_login(world["agent_cq"])
    own = client.get(change_url(world["farm_a"]))
    assert own.status_code == 200
    assert 'name="_save"' in own.text
    other = client.get(change_url(world["farm_b"]))
    assert other.status_code == 200  # read-only view
    assert 'name="_save"' not in other.text
    response = client.post(change_url(world["farm_b"]), {"name": "改名"})
    assert response.status_code == 403
    assert Farm.objects.get(code="XH-B").name == "乙农场"


def test_agent_cannot_add_a_farm_in_an_unassigned_town(world, client):
    client.force_login(world["agent_cq"])
    response = client.post(
        "/admin/registry/farm/add/",
        {
            "code": "XH-NEW",
            "name": "越权农场",
            "farm_type": "crop",
            "operator_kind": "family_farm",
            "town": world["xinhe"].pk,
            "area_mu": "10",
            "active": "on",
        },
    )
    assert response.status_code == 403
    assert not Farm.objects.filter(code="XH-NEW").exists()


def test_only_admins_manage_users_and_tokens(world, client):
    client.force_login(world["committee"])
    assert client.get("/admin/auth/user/").status_code == 403
    client.force_login(world["admin"])
    assert client.get("/admin/auth/user/").status_code == 200
    assert client.get("/admin/accounts/apitoken/").status_code == 200
