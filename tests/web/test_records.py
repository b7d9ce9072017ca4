"""Recording on the pages goes through the API's services: the same refusals with the same messages, shown
next to the field they are about; what is stored shows on the farm page at once, with its warnings."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from farmadvice.practices.models import CropSeason, FertiliserApplication, TailwaterSample, Visit
from farmadvice.practices.services import MSG_APPLICATION_AREA_ABOVE_SEASON, MSG_WRONG_FARM_TYPE
from tests.factories.practices import reference_value
from tests.web.conftest import YEAR, fertiliser_form

pytestmark = pytest.mark.django_db


def new_url(farm, slug: str) -> str:
    return reverse("web:record-new", args=[farm.code, slug])


def field_errors(html: str, field: str) -> str:
    """The error list Django renders under a field (id="id_<field>_error")."""
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return found.group(1) if found else ""


def intensity_on_farm_page(client, farm) -> str:
    """The fertiliser intensity shown on the farm page for 2025 (kg/mu)."""
    html = client.get(reverse("web:farm", args=[farm.code]) + f"?year={YEAR}").content.decode()
    found = re.search(
        r'data-indicator="fertiliser_intensity_kg_per_mu">.*?<span class="ind-value">(.*?)</span>', html, re.S
    )
    return found.group(1) if found else ""


def test_an_area_above_the_season_is_refused_next_to_the_field_with_the_apis_message(
    world, rice, login, api_client
):
    """12 mu on a 10-mu season: the service's cross-record rule, under the area field, the input marked
    invalid, nothing stored; the API refuses the same input with the same words."""
    client = login(world["agent_cq"])
    response = client.post(
        new_url(world["farm_a"], "fertiliser-applications"), fertiliser_form(rice, area_mu="12")
    )
    assert response.status_code == 200
    html = response.content.decode()
    expected = MSG_APPLICATION_AREA_ABOVE_SEASON.format(area="12", season_area="10")
    assert expected in field_errors(html, "area_mu")
    assert re.search(r'<input[^>]*name="area_mu"[^>]*aria-invalid="true"', html)
    assert not FertiliserApplication.objects.exists()

    api = api_client(world["agent_cq"]).post(
        f"/seasons/{rice.pk}/fertiliser-applications",
        json={"product": "复合肥", "n_pct": "15", "product_kg": "40", "area_mu": "12"},
    )
    assert api.status_code == 422
    assert api.json()["detail"][0]["msg"] == expected


def test_fixing_the_field_stores_the_record_and_the_farm_indicator_changes(world, rice, login):
    """Before: the season without fertiliser, 0 kg/mu. After 40 kg of 15-15-15 on the 10-mu season:
    40 × 45 % = 18 kg nutrient / 10 mu = 1.8 kg/mu."""
    client = login(world["agent_cq"])
    farm = world["farm_a"]
    assert intensity_on_farm_page(client, farm) == "0 kg/亩"
    client.post(new_url(farm, "fertiliser-applications"), fertiliser_form(rice, area_mu="12"))
    response = client.post(new_url(farm, "fertiliser-applications"), fertiliser_form(rice))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:farm", args=[farm.code]) + f"?year={YEAR}#records"
    stored = FertiliserApplication.objects.get()
    assert (stored.product_kg, stored.area_mu, stored.created_by) == (
        Decimal("40"),
        Decimal("10"),
        world["agent_cq"],
    )
    assert intensity_on_farm_page(client, farm) == "1.8 kg/亩"


def test_a_value_out_of_range_is_the_models_rule_with_its_message(world, rice, login):
    client = login(world["agent_cq"])
    response = client.post(
        new_url(world["farm_a"], "fertiliser-applications"), fertiliser_form(rice, n_pct="150")
    )
    html = response.content.decode()
    assert "100" in field_errors(html, "n_pct")
    assert not FertiliserApplication.objects.exists()


def test_what_cannot_be_read_is_refused_before_the_service(world, rice, login):
    client = login(world["agent_cq"])
    response = client.post(
        new_url(world["farm_a"], "fertiliser-applications"), fertiliser_form(rice, product_kg="四十")
    )
    assert field_errors(response.content.decode(), "product_kg")
    assert "请修改标出的内容后再保存" in response.content.decode()
    assert not FertiliserApplication.objects.exists()


def test_warnings_are_shown_after_saving(world, rice, login):
    """N above the warning rate is stored, and the saved page says what to check:
    400 kg × 46 % N = 184 kg N on 10 mu = 18.4 kg N/mu > 15."""
    reference_value("large_n_rate_warning_kg_per_mu", "15", "kg N/mu")
    client = login(world["agent_cq"])
    response = client.post(
        new_url(world["farm_a"], "fertiliser-applications"),
        fertiliser_form(rice, product="尿素", n_pct="46", p2o5_pct="0", k2o_pct="0", product_kg="400"),
        follow=True,
    )
    html = response.content.decode()
    assert FertiliserApplication.objects.count() == 1
    assert "注意：" in html
    assert "本茬口施氮量 18.4 kg N/亩，超过 15 kg N/亩" in html


def test_the_same_form_sent_twice_stores_one_record(world, rice, login):
    client = login(world["agent_cq"])
    data = fertiliser_form(rice, client_id=str(uuid.uuid4()))
    client.post(new_url(world["farm_a"], "fertiliser-applications"), data)
    response = client.post(new_url(world["farm_a"], "fertiliser-applications"), data, follow=True)
    assert FertiliserApplication.objects.count() == 1
    assert "这条记录之前已保存" in response.content.decode()


def test_a_rule_of_another_record_type_shows_above_the_form(world, login):
    """A tailwater sample on a crop farm: the service's farm-type rule, as a form-wide error."""
    client = login(world["agent_cq"])
    response = client.post(
        new_url(world["farm_a"], "tailwater-samples"),
        {"date": "2025-07-01", "is_discharge": "on", "tn_mg_per_l": "2"},
    )
    html = response.content.decode()
    assert MSG_WRONG_FARM_TYPE.split("{")[0] in html
    assert "CQ-A" in html
    assert not TailwaterSample.objects.exists()


def test_a_visit_and_the_records_entered_in_it(world, rice, login):
    """Record a visit, land on its page, add a fertiliser record from there; the visit lists it."""
    client = login(world["agent_cq"])
    farm = world["farm_a"]
    response = client.post(new_url(farm, "visits"), {"date": "2025-06-18", "notes": "查看秸秆还田"})
    visit = Visit.objects.get()
    assert visit.agent == world["agent_cq"]
    assert response["Location"] == reverse("web:visit", args=[farm.code, visit.pk])
    form_page = client.get(new_url(farm, "fertiliser-applications") + f"?visit={visit.pk}").content.decode()
    assert re.search(rf'<option value="{visit.pk}" selected>', form_page)
    response = client.post(
        new_url(farm, "fertiliser-applications"), fertiliser_form(rice, visit=str(visit.pk))
    )
    assert response["Location"] == reverse("web:visit", args=[farm.code, visit.pk])
    assert FertiliserApplication.objects.get().visit == visit
    page = client.get(response["Location"]).content.decode()
    assert "复合肥 15-15-15" in page
    assert "查看秸秆还田" in page


def test_a_crop_season_is_created_from_the_crop_list(world, login, reference):
    client = login(world["agent_cq"])
    from farmadvice.reference.models import Crop

    wheat = Crop.objects.get(code="wheat")
    response = client.post(
        new_url(world["farm_a"], "seasons"),
        {"year": "2025", "season": "winter", "crop": str(wheat.pk), "area_mu": "30", "yield_kg": "12000"},
    )
    assert response.status_code == 302
    season = CropSeason.objects.get()
    assert (season.crop.code, season.area_mu, season.created_by) == (
        "wheat",
        Decimal("30"),
        world["agent_cq"],
    )


def test_a_fertiliser_form_without_seasons_points_to_the_season_form(world, login):
    html = login(world["agent_cq"]).get(new_url(world["farm_a"], "fertiliser-applications")).content.decode()
    assert new_url(world["farm_a"], "seasons") in html


def test_editing_a_record_goes_through_the_update_service(world, rice, login):
    """Shrinking the season below its largest application is refused (the service's rule); a valid
    change is stored with who made it."""
    FertiliserApplication.objects.create(season=rice, product="尿素", n_pct=46, product_kg=20, area_mu=8)
    client = login(world["agent_cq"])
    url = reverse("web:record-edit", args=[world["farm_a"].code, "seasons", rice.pk])
    form = {
        "year": "2025",
        "season": "summer",
        "crop": str(rice.crop_id),
        "area_mu": "5",
        "note": "",
        "visit": "",
    }
    html = client.post(url, form).content.decode()
    assert "播种面积 5 亩小于本茬口已录入的最大施用面积 8 亩。" in field_errors(html, "area_mu")
    response = client.post(url, {**form, "area_mu": "9"})
    assert response.status_code == 302
    rice.refresh_from_db()
    assert (rice.area_mu, rice.updated_by) == (Decimal("9"), world["agent_cq"])


def test_an_unknown_record_type_is_not_found(world, login):
    assert login(world["agent_cq"]).get(new_url(world["farm_a"], "water-samples")).status_code == 404
