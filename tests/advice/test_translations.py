"""Every recommendation reads in English without Chinese left in it (except the name 三池两坝, given
beside its translation), and in Chinese; the English catalogue translates every advice string."""

from __future__ import annotations

import datetime as dt
import gettext
import re
from pathlib import Path

from django.utils import translation

import farmadvice.advice
from farmadvice.advice.report import advice_report_section
from farmadvice.registry.models import FarmType
from tests.factories.indicators import facility, fertiliser, film, herd, season, straw, tailwater
from tests.factories.registry import FarmFactory

CJK = re.compile(r"[\u3400-\u9fff]")
KEPT_IN_CHINESE = "三池两坝"


def english_leftovers(text: str) -> list[str]:
    return CJK.findall(text.replace(KEPT_IN_CHINESE, ""))


def test_every_recommendation_renders_in_english_and_chinese(reference, world, advice_of):
    """A crop farm, a piggery and a pond with something for every rule to say."""
    crop_farm = world["farm_a"]
    rice = season(crop_farm, "rice", area="45", yield_kg="27000")
    fertiliser(rice, kg="3000", n="30", p="10", k="10")
    straw(rice, "unused", "5000")
    film(rice, used="100", thickness="0.008")
    film(rice, used="10", thickness=None)
    season(crop_farm, "wheat", area="45", name="winter")
    season(crop_farm, "soybean", area="5", name="autumn")  # no recommended N: a note
    piggery = FarmFactory(code="CQ-PIG", farm_type=FarmType.LIVESTOCK, town=world["chengqiao"])
    herd(piggery, "pig", stock=600, output=1000)
    facility(piggery, liquid="100", land="10", proof=False, operating=False)
    pond = world["farm_b"]
    pond.farm_type, pond.tailwater_class = FarmType.AQUACULTURE, "1"
    pond.save()
    tailwater(pond, dt.date(2025, 7, 1), ph="5.5", ss_mg_per_l="80", tn_mg_per_l="4")
    advices = [advice_of(farm) for farm in (crop_farm, piggery, pond)]
    codes = {rec.code for advice in advices for rec in advice.recommendations}
    assert len(codes) >= 16, codes
    for advice in advices:
        with translation.override("en"):
            texts = [
                text
                for rec in advice.recommendations
                for text in (rec.title, rec.text, str(rec.unit), str(rec.method.note or ""))
            ]
            texts += [str(note) for note in advice.notes]
            if advice.farm_code == "CQ-A":
                assert any(str(note).startswith("Soybean has no recommended N rate") for note in advice.notes)
            section = advice_report_section(advice)
            texts += [rec.detail for rec in section.recommendations] + [gap.how for gap in section.missing]
        leftovers = {text: english_leftovers(text) for text in texts if english_leftovers(text)}
        assert not leftovers
        with translation.override("zh-hans"):
            assert all(CJK.search(rec.title) for rec in advice.recommendations)


def _po_entries(text: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) of a .po file's entries, continuation lines joined (the header left out)."""
    entries = []
    for block in text.split("\n\n"):
        parts = re.split(r"^(msgid|msgstr) ", block, flags=re.MULTILINE)
        if "msgid" not in parts:
            continue
        fields = dict(zip(parts[1::2], parts[2::2], strict=True))
        msgid, msgstr = ("".join(re.findall(r'"(.*)"', fields[key])) for key in ("msgid", "msgstr"))
        if msgid:
            entries.append((msgid.replace('\\"', '"'), msgstr.replace('\\"', '"')))
    return entries


def test_the_english_catalogue_translates_every_advice_string():
    """Every entry of advice/locale/en is translated, and the compiled catalogue Django loads has it."""
    folder = Path(farmadvice.advice.__file__).parent / "locale" / "en" / "LC_MESSAGES"
    entries = _po_entries((folder / "django.po").read_text(encoding="utf-8"))
    assert len(entries) > 50
    assert [msgid for msgid, msgstr in entries if not msgstr] == []
    with (folder / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    assert [msgid for msgid, msgstr in entries if catalogue.gettext(msgid) != msgstr] == []
