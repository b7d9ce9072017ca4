"""Service messages reach an English reader in English: marked at their definition, translated when used.

Two halves: real requests through the whole stack (LocaleMiddleware reads Accept-Language) come back in
English, and every module-level MSG_*/EXCLUDED_*/HINT_*/REASON_*/SCENARIO_*/*_NOTE string has an English
entry in the compiled catalogue with the same {placeholders}, so a constant added without `gettext_noop`
(or left out of the .po file) fails here rather than in front of a user.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import pkgutil
import re
import string
import uuid
from types import ModuleType

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from farmadvice.accounts.services import token_issue
from farmadvice.registry.models import FarmType
from reports.context import load_section
from tests.factories.indicators import facility, fertiliser, herd, load_reference, season, tailwater
from tests.factories.practices import crop
from tests.factories.registry import FarmFactory
from tests.factories.runoff import demo_versions, districts_with_farms, load_runoff_reference

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
# Spreadsheet column headers and cell words are a fixed Chinese file format: an English message may quote
# them (“记录编号”), and nothing else in it may be Chinese.
QUOTED = re.compile(r"“[^”]*”")


def english_client(user) -> Client:
    """A client of the whole stack (middleware included, unlike ninja's TestClient) that asks for English."""
    _token, key = token_issue(user=user, name="english")
    return Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"})


def assert_english(text: str) -> None:
    assert text.strip(), "empty message"
    assert not CJK.search(text), f"Chinese left in an English message: {text!r}"


# --- Real code paths ----------------------------------------------------------------------------------


@pytest.fixture
def runoff_farm(world):
    """CQ-A in 2025 under active demo models (trained on simulated data): rice with its fertiliser, which
    the model estimates, and wheat without fertiliser records, which falls back to the export
    coefficients."""
    load_runoff_reference()
    districts_with_farms(12)
    demo_versions()
    rice = season(world["farm_a"], "rice", area="45", year=2025)
    fertiliser(rice, kg="3000", n="30", p="10", k="10")
    season(world["farm_a"], "wheat", area="30", year=2025, name="winter")
    return world


@pytest.mark.django_db
class TestRequestsInEnglish:
    def test_a_missing_record_is_a_404_in_the_readers_language(self, world):
        record_id = uuid.uuid4()
        path = f"/api/v1/fertiliser-applications/{record_id}"
        response = english_client(world["agent_cq"]).get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": f"Record not found: fertiliser application {record_id}"}
        _token, key = token_issue(user=world["agent_cq"], name="chinese")
        chinese = Client().get(path, headers={"Authorization": f"Bearer {key}", "Accept-Language": "zh-hans"})
        assert chinese.json() == {"detail": f"记录不存在：施肥记录 {record_id}"}

    def test_a_runoff_permission_refusal_is_in_english(self, world):
        response = english_client(world["operator_a"]).post(
            "/api/v1/runoff/models/fit", json.dumps({"target": "tn"}), content_type="application/json"
        )
        assert response.status_code == 403
        assert response.json() == {
            "detail": "Only the committee and administrators may fit or activate the runoff model."
        }

    def test_an_anonymous_api_call_is_told_to_sign_in_in_english(self, db):
        response = Client(headers={"Accept-Language": "en"}).get("/api/v1/runoff/models")
        assert response.status_code == 401
        assert response.json() == {"detail": "Sign in, or send a valid API token."}

    def test_an_import_reports_its_row_and_file_errors_in_english(self, world):
        crop("rice")
        client = english_client(world["agent_cq"])
        csv = "农场编号,年份,季节,作物,播种面积（亩）\nCQ-A,2025,夏季,水稻,abc\n".encode()
        rejected = client.post("/api/v1/imports/seasons", {"file": SimpleUploadedFile("s.csv", csv)})
        assert rejected.status_code == 422, rejected.content
        (error,) = rejected.json()["detail"]
        # The column is named as the file names it: the spreadsheet format is Chinese whatever the language.
        assert (error["row"], error["column"], error["value"]) == (2, "播种面积（亩）", "abc")
        assert error["reason"] == error["msg"] == "Not a valid number."
        wrong = client.post("/api/v1/imports/seasons", {"file": SimpleUploadedFile("notes.txt", b"hello")})
        assert wrong.status_code == 400
        assert wrong.json()["detail"] == (
            "The file “notes.txt” is not an Excel (.xlsx) or CSV (.csv) spreadsheet, so it cannot be imported."
        )

    def test_compliance_reasons_are_in_english(self, world):
        load_reference()
        pig = FarmFactory(code="PIG-1", farm_type=FarmType.LIVESTOCK, town=world["chengqiao"])
        herd(pig, stock=600, output=1200)
        facility(pig, liquid="852", solid="108", land="500")  # liquid storage short by 120 m3
        pond = FarmFactory(
            code="POND-1", farm_type=FarmType.AQUACULTURE, town=world["xinhe"], tailwater_class=""
        )
        tailwater(pond, dt.date(2025, 7, 1), ph="7", tn_mg_per_l="2")  # no class: cannot be judged

        response = english_client(world["committee"]).get("/api/v1/indicators/compliance?year=2025")
        assert response.status_code == 200
        rows = {(r["indicator"], r["scope"]): r for r in response.json()["rows"]}
        manure = rows["manure_facility_matching_pct", "district"]["items"]
        assert manure[0]["reasons"] == ["Liquid storage short by 120 m3 (needs 972, has 852)"]
        tailwater_items = rows["tailwater_compliance_pct", "district"]["items"]
        assert next(i for i in tailwater_items if i["code"] == "POND-1")["reasons"] == [
            "No tailwater discharge class is set, so compliance cannot be judged"
        ]
        reasons = [reason for row in rows.values() for item in row["items"] for reason in item["reasons"]]
        assert reasons
        for reason in reasons:
            assert_english(reason)
        notes = [note for row in rows.values() for note in row["notes"]]
        assert "Fertiliser use intensity counts chemical fertiliser only" in " ".join(notes)
        for note in notes:
            assert_english(note)

    def test_farm_runoff_loads_give_their_reasons_and_notes_in_english(self, runoff_farm):
        response = english_client(runoff_farm["agent_cq"]).get("/api/v1/farms/CQ-A/loads?year=2025")
        assert response.status_code == 200, response.content
        body = response.json()
        wheat = next(s for s in body["seasons"] if s["crop"] == "wheat")
        assert (wheat["tn"]["fallback"], wheat["tn"]["method"]) == (True, "export_coefficient")
        assert wheat["tn"]["reason"] == (
            "This crop season has no fertiliser records, so the amount applied is unknown and the model "
            "cannot estimate it: estimated with export coefficients."
        )
        assert any(note.startswith("The training data of the model version used") for note in body["notes"])
        texts = [*body["notes"], *(s[t]["reason"] for s in body["seasons"] for t in ("tn", "tp"))]
        for text in filter(None, texts):
            assert_english(text)

    def test_farm_runoff_scenarios_are_labelled_and_explained_in_english(self, runoff_farm):
        response = english_client(runoff_farm["agent_cq"]).get("/api/v1/farms/CQ-A/scenarios?year=2025")
        assert response.status_code == 200, response.content
        outcomes = response.json()["outcomes"]
        cut = next(o for o in outcomes if (o["scenario"], o["target"]) == ("rate_recommended", "tn"))
        assert cut["label"] == "Cut fertiliser to the recommended rate"
        assert (
            "This crop season has no fertiliser records, so the reduction cannot be estimated." in cut["note"]
        )
        texts = [o["label"] for o in outcomes] + [o["note"] for o in outcomes]
        texts += [s["reason"] for o in outcomes for s in o["seasons"]]
        for text in filter(None, texts):
            assert_english(text)

    def test_the_reports_load_section_is_in_english(self, runoff_farm):
        """The advisory PDF's loads paragraph takes the loads' notes as they come: English for an English
        report (built inside `translation.override`, as `report_context` does)."""
        with translation.override("en"):
            section = load_section(runoff_farm["farm_a"], 2025)
        assert "simulated records (for demonstration only)" in section.note
        assert_english(section.note)


# --- Every message constant ---------------------------------------------------------------------------

ROOTS = ("farmadvice", "api", "reports")
NOT_IMPORTED = re.compile(r"\.migrations(\.|$)|^farmadvice\.(settings|settings_test|wsgi|asgi)$")
CONSTANT = re.compile(r"(MSG|EXCLUDED|HINT|REASON|SCENARIO)_[A-Z0-9_]+|[A-Z0-9_]+_NOTE")

# Written in English, and only ever printed to the terminal of the administrator running a management
# command (load_reference, load_demo, advisory_report), next to the command's other English output and the
# English column names of data/*.csv. They have no Chinese source to translate from, and making them
# Chinese would change what those commands print; they stay as they are.
ENGLISH_TERMINAL_ONLY = {
    "farmadvice.reference.loading": "*",
    "farmadvice.demo.generator": {"MSG_TOO_FEW_FARMS", "MSG_BAD_YEARS", "MSG_BAD_SEED"},
    "farmadvice.registry.management.commands.load_demo": {"MSG_NEEDS_DEBUG", "MSG_BAD_YEARS"},
    "reports.management.commands.advisory_report": {"MSG_USER_REQUIRED"},
}
# The statistics package knows nothing of Django and writes its messages in English. SCENARIO_ROWS_DIFFER
# reports a caller's mistake (a scenario frame whose rows are not the baseline's): the services build the
# scenario from the baseline's own rows, so no user ever sees it.
ENGLISH_PROGRAMMING_ERRORS = {
    "farmadvice.runoff.stats.predict": {"SCENARIO_ROWS_DIFFER"},
}
ENGLISH_ONLY = {**ENGLISH_TERMINAL_ONLY, **ENGLISH_PROGRAMMING_ERRORS}


def _modules() -> list[ModuleType]:
    modules = []
    for root in ROOTS:
        package = importlib.import_module(root)
        modules.append(package)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{root}."):
            if not NOT_IMPORTED.search(info.name):
                modules.append(importlib.import_module(info.name))
    return modules


def _constants() -> dict[str, str]:
    """Qualified name ("module.NAME") → text of every module-level message constant, re-exports included."""
    return {
        f"{module.__name__}.{name}": value
        for module in _modules()
        for name, value in vars(module).items()
        if CONSTANT.fullmatch(name) and isinstance(value, str)
    }


def _allowed(qualified: str) -> bool:
    module, name = qualified.rsplit(".", 1)
    names = ENGLISH_ONLY.get(module, ())
    return names == "*" or name in names


def _fields(text: str) -> set[str]:
    return {field for _text, field, _spec, _conv in string.Formatter().parse(text) if field is not None}


@pytest.fixture(scope="module")
def constants() -> dict[str, str]:
    return _constants()


def test_the_walk_finds_the_messages(constants):
    """Guards the test below against passing on nothing: the modules hold well over 150 messages."""
    assert len(set(constants.values())) > 150
    assert "farmadvice.practices.selectors.MSG_RECORD_NOT_FOUND" in constants
    assert "farmadvice.runoff.selectors.EXCLUDED_NO_SEASONS" in constants
    assert "farmadvice.runoff.services.REASON_NO_ACTIVE_MODEL" in constants
    assert "farmadvice.runoff.services.SCENARIO_NOT_APPLICABLE" in constants
    assert "farmadvice.runoff.services.SYNTHETIC_NOTE" in constants


def test_the_allow_list_names_real_english_constants(constants):
    for module, names in ENGLISH_ONLY.items():
        found = {q for q in constants if q.startswith(f"{module}.") and _allowed(q)}
        assert found, module
        if names != "*":
            assert {q.rsplit(".", 1)[1] for q in found} == names
        for qualified in found:
            assert_english(constants[qualified])


def test_every_message_has_an_english_translation_with_the_same_placeholders(constants):
    allowed_texts = {text for qualified, text in constants.items() if _allowed(qualified)}
    problems = []
    with translation.override("en"):
        for qualified, text in sorted(constants.items()):
            if _allowed(qualified) or text in allowed_texts:
                continue
            english = translation.gettext(text)
            if english == text or not english.strip():
                problems.append(f"{qualified}: no English translation of {text!r}")
            elif _fields(english) != _fields(text):
                problems.append(f"{qualified}: placeholders {_fields(english)} ≠ {_fields(text)}")
            elif CJK.search(QUOTED.sub("", english)):
                problems.append(f"{qualified}: Chinese left in {english!r}")
    assert not problems, "\n".join(problems)


def test_messages_stay_chinese_for_a_chinese_reader(constants):
    """zh-Hans is the source language: the catalogue must not change what a Chinese reader sees."""
    with translation.override("zh-hans"):
        for text in constants.values():
            assert translation.gettext(text) == text
