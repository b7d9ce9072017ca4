"""Cached figures (farmadvice/core/figures.py): the compliance table and the area loads are computed once
per data version, and every committed change of the data raises the version, so a cached figure is never
served after the data behind it changed.

The test settings switch the cache off; these tests switch it on and clear it. They commit for real
(transactional tests): the version rises in on-commit callbacks, which a test wrapped in one transaction
would never run.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from farmadvice.core import figures
from farmadvice.core.errors import PermissionDenied
from farmadvice.indicators import compliance
from farmadvice.runoff import services as runoff_services
from tests.factories.indicators import load_reference, season, straw

pytestmark = pytest.mark.django_db(transaction=True)

YEAR = 2025
CHENGQIAO = "310151100"


@pytest.fixture
def cache_on(settings):
    """The cache on; after a change every reader waits for the new figures (no stale answers)."""
    settings.FIGURES_CACHE_SECONDS = 3600
    settings.FIGURES_STALE_SECONDS = 0
    settings.FIGURES_REFRESH_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def straw_farm(world):
    """Farm A's rice: 25 t yield, 21.25 t collectable straw (25 × 1.00 × 0.85); 17 t used (80 %)."""
    load_reference()
    rice = season(world["farm_a"], yield_kg="25000")
    straw(rice, "field_return", "15000")
    straw(rice, "feed", "2000", off_field=True)
    return {**world, "rice": rice}


@pytest.fixture
def bumps(monkeypatch):
    """The number of times the data version was raised."""
    calls = []
    original = figures._bump

    def counted():
        calls.append(1)
        original()

    monkeypatch.setattr(figures, "_bump", counted)
    return calls


def refreshes_done():
    """Run the task worker until the queue is empty (the refreshes figures.cached asked for)."""
    call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0)


def refreshes_queued() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path="farmadvice.core.tasks.refresh_figures").count()


def straw_rate(report) -> float:
    [row] = [r for r in report.rows if r.indicator == "straw_utilisation_pct" and r.scope_code == CHENGQIAO]
    return row.value


def counting(monkeypatch, name):
    """The computations of the cached figure `name`."""
    calls = []
    original = figures._FIGURES[name]

    def wrapper(year, town):
        calls.append((year, town))
        return original(year, town)

    monkeypatch.setitem(figures._FIGURES, name, wrapper)
    return calls


def test_the_table_is_computed_once_per_data_version(cache_on, straw_farm, monkeypatch):
    calls = counting(monkeypatch, "compliance")
    first = compliance.compliance_report(user=straw_farm["committee"], year=YEAR)
    again = compliance.compliance_report(user=straw_farm["agent_xh"], year=YEAR)  # agents read all too
    assert len(calls) == 1
    assert again == first
    assert straw_rate(again) == pytest.approx(80.0)  # 17 / 21.25
    compliance.compliance_report(user=straw_farm["committee"], year=YEAR, town=CHENGQIAO)
    compliance.compliance_report(user=straw_farm["committee"], year=YEAR - 1)
    assert len(calls) == 3  # another town filter or year is another table


def test_a_committed_record_is_in_the_next_table(cache_on, straw_farm):
    committee = straw_farm["committee"]
    assert straw_rate(compliance.compliance_report(user=committee, year=YEAR)) == pytest.approx(80.0)
    before = figures.current_version()
    straw(straw_farm["rice"], "fertiliser", "2125", off_field=True)
    assert figures.current_version() == before + 1
    # (15 + 2 + 2.125) / 21.25 = 90 %
    assert straw_rate(compliance.compliance_report(user=committee, year=YEAR)) == pytest.approx(90.0)


def test_a_deleted_record_is_gone_from_the_next_table(cache_on, straw_farm):
    compliance.compliance_report(user=straw_farm["committee"], year=YEAR)
    straw_farm["rice"].straw_uses.get(use="feed").delete()
    # 15 / 21.25 = 70.6 %
    rate = straw_rate(compliance.compliance_report(user=straw_farm["committee"], year=YEAR))
    assert rate == pytest.approx(15 / 21.25 * 100)


def test_the_version_rises_once_per_transaction_after_commit(db, bumps):
    before = figures.current_version()
    with transaction.atomic():
        for _ in range(3):
            figures.data_changed()
        assert figures.current_version() == before  # not before the commit
    assert len(bumps) == 1
    assert figures.current_version() == before + 1
    figures.data_changed()  # outside a transaction: at once
    assert figures.current_version() == before + 2


def test_a_change_rolled_back_with_its_savepoint_leaves_the_version(db, bumps):
    before = figures.current_version()
    with transaction.atomic():
        try:
            with transaction.atomic():
                figures.data_changed()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert bumps == []
    assert figures.current_version() == before
    with transaction.atomic():
        with transaction.atomic():
            figures.data_changed()
        figures.data_changed()  # due already from the inner block, which committed into this one
    assert len(bumps) == 1
    assert figures.current_version() == before + 1


def test_an_operator_is_refused_even_with_the_table_cached(cache_on, straw_farm):
    compliance.compliance_report(user=straw_farm["committee"], year=YEAR)
    with pytest.raises(PermissionDenied):
        compliance.compliance_report(user=straw_farm["operator_a"], year=YEAR)


def test_area_loads_are_cached_and_refused_to_operators(cache_on, straw_farm, monkeypatch):
    calls = counting(monkeypatch, "area_loads")
    first = runoff_services.area_loads(user=straw_farm["committee"], year=YEAR)
    assert runoff_services.area_loads(user=straw_farm["committee"], year=YEAR) == first
    assert len(calls) == 1
    with pytest.raises(PermissionDenied):
        runoff_services.area_loads(user=straw_farm["operator_a"], year=YEAR)


def test_the_cache_is_off_when_its_lifetime_is_zero(settings, straw_farm, monkeypatch):
    settings.FIGURES_CACHE_SECONDS = 0
    calls = counting(monkeypatch, "compliance")
    compliance.compliance_report(user=straw_farm["committee"], year=YEAR)
    compliance.compliance_report(user=straw_farm["committee"], year=YEAR)
    assert len(calls) == 2


def test_a_bulk_import_raises_the_version(cache_on, world, bumps, tmp_path):
    """Bulk writes send no signals: the import says itself that data changed, and the next table counts
    the imported seasons."""
    from farmadvice.practices.bulk.imports import records_import
    from farmadvice.registry.models import Farm
    from tests.practices.test_import import SEASON_HEADERS, write_xlsx

    load_reference()
    committee = world["committee"]
    before = compliance.compliance_report(user=committee, year=YEAR)
    version = figures.current_version()
    path = write_xlsx(
        tmp_path / "茬口.xlsx",
        SEASON_HEADERS,
        [["CQ-A", YEAR, "夏季", "水稻", 60, 30000, "是"]],
        sheet="作物茬口",
    )
    bumps.clear()
    records_import(user=world["agent_cq"], content=path.read_bytes(), file_name=path.name)
    assert len(bumps) == 1  # one transaction
    assert figures.current_version() == version + 1
    assert Farm.objects.get(code="CQ-A").seasons.filter(year=YEAR).count() == 1
    after = compliance.compliance_report(user=committee, year=YEAR)
    assert after is not before and after != before


def test_after_a_change_the_earlier_figures_come_at_once_while_the_new_ones_are_computed(
    cache_on, settings, straw_farm
):
    settings.FIGURES_STALE_SECONDS = 60
    committee = straw_farm["committee"]
    first = compliance.compliance_report(user=committee, year=YEAR)
    assert first.as_of.refreshing is False
    assert first.as_of.data_version == figures.current_version()
    straw(straw_farm["rice"], "fertiliser", "2125", off_field=True)
    earlier = compliance.compliance_report(user=committee, year=YEAR)
    assert straw_rate(earlier) == pytest.approx(80.0)  # the figures of the version named
    assert earlier.as_of.refreshing is True
    assert earlier.as_of.data_version == first.as_of.data_version < figures.current_version()
    refreshes_done()
    now = compliance.compliance_report(user=committee, year=YEAR)
    assert straw_rate(now) == pytest.approx(90.0)
    assert now.as_of.refreshing is False
    assert now.as_of.data_version == figures.current_version()


def test_figures_older_than_the_stale_limit_are_recomputed_before_answering(cache_on, settings, straw_farm):
    settings.FIGURES_STALE_SECONDS = 60
    committee = straw_farm["committee"]
    compliance.compliance_report(user=committee, year=YEAR)
    straw(straw_farm["rice"], "fertiliser", "2125", off_field=True)
    settings.FIGURES_STALE_SECONDS = 0  # as if the cached figures were older than the limit
    assert straw_rate(compliance.compliance_report(user=committee, year=YEAR)) == pytest.approx(90.0)


def test_the_api_says_which_data_the_table_was_computed_from(cache_on, straw_farm, api_client):
    body = api_client(straw_farm["committee"]).get(f"/indicators/compliance?year={YEAR}").json()
    assert body["as_of"]["data_version"] == figures.current_version()
    assert body["as_of"]["refreshing"] is False
    loads = api_client(straw_farm["committee"]).get(f"/runoff/loads?year={YEAR}").json()
    assert loads["as_of"]["data_version"] == figures.current_version()


def test_one_refresh_is_queued_however_many_read_meanwhile(cache_on, settings, straw_farm):
    settings.FIGURES_STALE_SECONDS = 60
    committee = straw_farm["committee"]
    compliance.compliance_report(user=committee, year=YEAR)
    straw(straw_farm["rice"], "fertiliser", "2125", off_field=True)
    for _ in range(3):
        assert compliance.compliance_report(user=committee, year=YEAR).as_of.refreshing
    assert refreshes_queued() == 1
    refreshes_done()
    assert not compliance.compliance_report(user=committee, year=YEAR).as_of.refreshing
    straw(straw_farm["rice"], "substrate", "1000", off_field=True)
    compliance.compliance_report(user=committee, year=YEAR)
    assert refreshes_queued() == 2  # the next change, the next refresh


def test_while_records_keep_coming_a_figure_is_recomputed_at_most_once_per_refresh_interval(
    cache_on, settings, straw_farm
):
    from django_tasks_db.models import DBTaskResult

    settings.FIGURES_STALE_SECONDS = 60
    settings.FIGURES_REFRESH_SECONDS = 30
    committee = straw_farm["committee"]
    first = compliance.compliance_report(user=committee, year=YEAR)
    straw(straw_farm["rice"], "fertiliser", "2125", off_field=True)
    assert compliance.compliance_report(user=committee, year=YEAR).as_of.refreshing
    [queued] = DBTaskResult.objects.filter(task_path="farmadvice.core.tasks.refresh_figures")
    assert queued.run_after == first.as_of.computed_at + dt.timedelta(seconds=30)
    refreshes_done()  # not due yet: the worker leaves it
    still = compliance.compliance_report(user=committee, year=YEAR)
    assert still.as_of.refreshing and straw_rate(still) == pytest.approx(80.0)
    straw(straw_farm["rice"], "substrate", "1000", off_field=True)
    compliance.compliance_report(user=committee, year=YEAR)
    assert refreshes_queued() == 1  # the next record waits for the same refresh
    DBTaskResult.objects.filter(pk=queued.pk).update(run_after=timezone.now())  # 30 s later
    refreshes_done()
    now = compliance.compliance_report(user=committee, year=YEAR)
    assert not now.as_of.refreshing
    assert straw_rate(now) == pytest.approx((17 + 2.125 + 1) / 21.25 * 100)
    assert now.as_of.data_version == figures.current_version()


def test_the_dashboard_says_when_its_table_was_computed_and_that_it_is_being_refreshed(
    cache_on, settings, straw_farm, client
):
    settings.FIGURES_STALE_SECONDS = 60
    client.force_login(straw_farm["committee"])
    version = figures.current_version()
    page = client.get(f"/dashboard/?year={YEAR}").content.decode()
    assert f"按第 {version} 版数据计算于" in page
    assert "正在重新计算" not in page
    english = client.get(f"/dashboard/?year={YEAR}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Computed from data version {version} at" in english  # cached per language
    straw(straw_farm["rice"], "fertiliser", "2125", off_field=True)
    page = client.get(f"/dashboard/?year={YEAR}").content.decode()
    assert f"按第 {version} 版数据计算于" in page
    assert "正在重新计算" in page
    english = client.get(f"/dashboard/?year={YEAR}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "the figures are being recomputed" in english
    refreshes_done()
    page = client.get(f"/dashboard/?year={YEAR}").content.decode()
    assert f"按第 {figures.current_version()} 版数据计算于" in page
    assert "正在重新计算" not in page


@pytest.mark.parametrize("path", [f"/indicators/compliance?year={YEAR}", f"/runoff/loads?year={YEAR}"])
def test_the_api_renders_a_cached_figure_as_ninja_does_and_once(
    cache_on, settings, straw_farm, api_client, path
):
    client = api_client(straw_farm["committee"])
    settings.FIGURES_CACHE_SECONDS = 0
    plain = client.get(path)
    settings.FIGURES_CACHE_SECONDS = 3600
    first, again = client.get(path), client.get(path)
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    fast = first.json()
    assert plain.json()["as_of"] is None and fast.pop("as_of")["data_version"] == figures.current_version()
    assert fast == {k: v for k, v in plain.json().items() if k != "as_of"}


def test_the_worker_renders_the_tables_json_so_that_no_web_process_does(
    cache_on, settings, straw_farm, api_client, monkeypatch
):
    import api.figures

    settings.FIGURES_STALE_SECONDS = 60
    client = api_client(straw_farm["committee"])
    client.get(f"/indicators/compliance?year={YEAR}")
    straw(straw_farm["rice"], "fertiliser", "2125", off_field=True)
    assert client.get(f"/indicators/compliance?year={YEAR}").json()["as_of"]["refreshing"]
    refreshes_done()  # computes the table and renders its JSON into the shared cache

    def no_rendering(schema, figure):
        raise AssertionError("a web process rendered a figure the worker had rendered")

    monkeypatch.setattr(api.figures, "_render", no_rendering)
    monkeypatch.setattr(api.figures, "_rendered", type(api.figures._rendered)())  # another process
    body = client.get(f"/indicators/compliance?year={YEAR}").json()
    assert body["as_of"] == {**body["as_of"], "data_version": figures.current_version(), "refreshing": False}
    [row] = [
        r for r in body["rows"] if r["indicator"] == "straw_utilisation_pct" and r["scope_code"] == CHENGQIAO
    ]
    assert row["value"] == pytest.approx(90.0)


def test_the_api_answers_the_earlier_table_marked_as_refreshing(cache_on, settings, straw_farm, api_client):
    settings.FIGURES_STALE_SECONDS = 60
    client = api_client(straw_farm["committee"])
    before = client.get(f"/indicators/compliance?year={YEAR}").json()
    straw(straw_farm["rice"], "fertiliser", "2125", off_field=True)
    stale = client.get(f"/indicators/compliance?year={YEAR}").json()
    assert stale["as_of"] == {**before["as_of"], "refreshing": True}
    assert stale["rows"] == before["rows"]
    refreshes_done()
    fresh = client.get(f"/indicators/compliance?year={YEAR}").json()
    assert fresh["as_of"]["refreshing"] is False
    assert fresh["as_of"]["data_version"] == figures.current_version() > before["as_of"]["data_version"]
    assert fresh["rows"] != before["rows"]
