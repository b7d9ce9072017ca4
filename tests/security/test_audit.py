"""GET /api/v1/audit: who changed what and when, for the committee and admins; deletions listed."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from farmadvice.core.audit import MSG_AUDIT_ROLE
from tests.factories.practices import crop, reference_value

pytestmark = pytest.mark.django_db

SEASON = {"year": 2025, "season": "summer", "crop": "rice", "area_mu": "10"}


@pytest.fixture
def season_history(world, api_client):
    """The Chengqiao agent creates a season on CQ-A, changes its area, then deletes it."""
    crop("rice")
    agent = api_client(world["agent_cq"])
    season_id = str(uuid.uuid4())
    assert agent.post("/farms/CQ-A/seasons", json={"id": season_id, **SEASON}).status_code == 201
    assert agent.patch(f"/seasons/{season_id}", json={"area_mu": "12"}).status_code == 200
    assert agent.delete(f"/seasons/{season_id}").status_code == 204
    return season_id


def test_committee_sees_creation_change_and_deletion(world, api_client, season_history):
    """The three entries, newest first, with their author; the change names the changed field."""
    response = api_client(world["committee"]).get("/audit?model=seasons&farm=CQ-A")
    assert response.status_code == 200, response.json()
    entries = [e for e in response.json() if e["object_id"] == season_history]
    assert [e["action"] for e in entries] == ["deleted", "changed", "created"]
    assert {e["user"] for e in entries} == {"agent_cq"}
    assert entries[1]["changed_fields"] == ["area_mu"]
    assert all(e["model"] == "seasons" for e in entries)


def test_admin_lists_all_models_and_filters_by_time(world, api_client, season_history):
    admin = api_client(world["admin"])
    everything = admin.get("/audit")
    assert everything.status_code == 200
    assert "deleted" in {e["action"] for e in everything.json()}
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    assert admin.get("/audit?" + urlencode({"since": future})).json() == []


def test_other_farm_filter_shows_nothing_of_farm_a(world, api_client, season_history):
    response = api_client(world["committee"]).get("/audit?model=seasons&farm=XH-B")
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("identity", ["operator_a", "agent_cq"])
def test_operators_and_agents_are_refused(world, api_client, identity):
    response = api_client(world[identity]).get("/audit")
    assert response.status_code == 403
    assert response.json() == {"detail": MSG_AUDIT_ROLE}


def test_anonymous_is_refused(api_client, world):
    assert api_client(None).get("/audit").status_code == 401


def test_unknown_model_is_a_field_error(world, api_client):
    response = api_client(world["admin"]).get("/audit?model=nope")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "model"]


def test_a_changed_reference_figure_is_in_the_audit_with_who_changed_it(world, api_client):
    """Reference figures drive the committee's rates: an edit (in the admin) is listed like a record's."""
    figure = reference_value("large_n_rate_warning_kg_per_mu", "40", "kg N/亩")
    figure.value = Decimal("35")
    figure._history_user = world["admin"]  # what simple-history's middleware sets for an admin edit
    figure.save()
    response = api_client(world["committee"]).get("/audit?model=reference-values")
    assert response.status_code == 200
    [changed, _created] = response.json()
    assert (changed["action"], changed["user"], changed["changed_fields"]) == ("changed", "admin", ["value"])
    assert changed["object_id"] == str(figure.pk)
    # a farm filter cannot select reference figures: they belong to no farm
    assert api_client(world["committee"]).get("/audit?model=reference-values&farm=CQ-A").json() == []


def test_an_unknown_model_is_refused_naming_the_reference_tables_too(world, api_client):
    response = api_client(world["committee"]).get("/audit?model=nonsense")
    assert response.status_code == 422
    assert "standard-limits" in str(response.json())
