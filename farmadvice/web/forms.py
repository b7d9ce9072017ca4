"""Forms of the pages. The record forms only parse what was typed (types, required fields, choices);
every rule is the service's (`farmadvice.practices.services.record_create` / `record_update`: ranges,
database constraints, cross-record rules), so a page refuses exactly what the API refuses, with the
same message, shown next to the field it is about.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Model
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from farmadvice.core.errors import ValidationFailed
from farmadvice.practices import selectors as practice_selectors
from farmadvice.practices.models import CropSeason, Visit
from farmadvice.practices.selectors import RecordKind
from farmadvice.reference.models import Crop
from farmadvice.registry.models import Farm, FarmType
from farmadvice.web.formatting import name_of, number, person
from farmadvice.web.selectors import farm_seasons, farm_visits
from reports.models import BatchScope, Language

ALL_TYPES = tuple(FarmType.values)
CROP_TYPES = (FarmType.CROP, FarmType.MIXED)
LIVESTOCK_TYPES = (FarmType.LIVESTOCK, FarmType.MIXED)
AQUACULTURE_TYPES = (FarmType.AQUACULTURE, FarmType.MIXED)

#: Service error keys that name a form field differently.
ERROR_FIELD = {"visit_id": "visit", "season": "crop_season", "id": None, "farm": None, "__all__": None}


@dataclass(frozen=True)
class FieldGroup:
    """Fields shown side by side under one legend, with a line of help."""

    legend: Promise
    fields: tuple[str, ...]
    help: Promise | str = ""


@dataclass(frozen=True)
class RecordFormSpec:
    """One record type as a page form: which model fields it shows, in order, and for which farms.

    `fields` may include "crop_season" (the crop season a record hangs from) and "crop"; every form but the
    visit's also offers the visit the record was entered in. `groups` put related fields side by side
    under one legend (N, P2O5 and K2O; the measured parameters of a sample).
    """

    kind: RecordKind
    fields: tuple[str, ...]
    farm_types: tuple[str, ...]
    add_label: Promise
    groups: tuple[FieldGroup, ...] = ()

    @property
    def slug(self) -> str:
        return self.kind.slug

    @property
    def title(self) -> str:
        return self.kind.name

    def offered_for(self, farm: Farm) -> bool:
        return farm.farm_type in self.farm_types


_P = practice_selectors
RECORD_FORMS: dict[str, RecordFormSpec] = {
    spec.slug: spec
    for spec in (
        RecordFormSpec(_P.VISITS, ("date", "notes"), ALL_TYPES, _("记录走访")),
        RecordFormSpec(
            _P.SEASONS,
            ("year", "season", "crop", "area_mu", "yield_kg", "green_certified", "note"),
            CROP_TYPES,
            _("作物茬口"),
        ),
        RecordFormSpec(
            _P.FERTILISER_APPLICATIONS,
            (
                "crop_season",
                "date",
                "product",
                "n_pct",
                "p2o5_pct",
                "k2o_pct",
                "product_kg",
                "area_mu",
                "method",
                "slow_release",
                "soil_test_formula",
                "organic",
                "note",
            ),
            CROP_TYPES,
            _("施肥"),
            groups=(
                FieldGroup(
                    _("养分含量"), ("n_pct", "p2o5_pct", "k2o_pct"), _("占产品质量的百分比，见包装袋。")
                ),
                FieldGroup(_("施肥措施"), ("slow_release", "soil_test_formula", "organic")),
            ),
        ),
        RecordFormSpec(
            _P.PESTICIDE_APPLICATIONS,
            (
                "crop_season",
                "date",
                "product",
                "active_ingredient",
                "ai_content_pct",
                "amount",
                "amount_unit",
                "density_kg_per_l",
                "area_mu",
                "green_control",
                "note",
            ),
            CROP_TYPES,
            _("用药"),
            groups=(
                FieldGroup(
                    _("用量"),
                    ("amount", "amount_unit", "density_kg_per_l"),
                    _("以升计量时须填密度，用于折算有效成分。"),
                ),
            ),
        ),
        RecordFormSpec(
            _P.STRAW_USES,
            ("crop_season", "use", "straw_kg", "off_field", "destination", "note"),
            CROP_TYPES,
            _("秸秆利用"),
        ),
        RecordFormSpec(
            _P.MULCH_FILMS,
            ("crop_season", "used_kg", "thickness_mm", "recovered_kg", "biodegradable", "note"),
            CROP_TYPES,
            _("农膜"),
            groups=(FieldGroup(_("农膜用量与回收"), ("used_kg", "recovered_kg", "thickness_mm")),),
        ),
        RecordFormSpec(
            _P.HERDS,
            ("year", "species", "stock_heads", "annual_output_heads", "collection_method", "note"),
            LIVESTOCK_TYPES,
            _("存栏出栏"),
        ),
        RecordFormSpec(
            _P.MANURE_FACILITIES,
            (
                "year",
                "liquid_storage_m3",
                "solid_storage_m3",
                "seepage_proof",
                "rain_proof",
                "overflow_proof",
                "treatment",
                "treatment_in_operation",
                "land_for_application_mu",
                "manure_produced_t",
                "manure_utilised_t",
                "note",
            ),
            LIVESTOCK_TYPES,
            _("粪污设施"),
            groups=(
                FieldGroup(_("贮存容积"), ("liquid_storage_m3", "solid_storage_m3")),
                FieldGroup(_("贮存设施防护"), ("seepage_proof", "rain_proof", "overflow_proof")),
                FieldGroup(_("粪污产生与利用"), ("manure_produced_t", "manure_utilised_t")),
            ),
        ),
        RecordFormSpec(
            _P.TAILWATER_SAMPLES,
            (
                "date",
                "is_discharge",
                "discharge_volume_m3",
                "ph",
                "ss_mg_per_l",
                "codmn_mg_per_l",
                "tn_mg_per_l",
                "tp_mg_per_l",
                "nh3n_mg_per_l",
                "laboratory",
                "note",
            ),
            AQUACULTURE_TYPES,
            _("尾水样品"),
            groups=(
                FieldGroup(
                    _("检测结果"),
                    ("ph", "ss_mg_per_l", "codmn_mg_per_l", "tn_mg_per_l", "tp_mg_per_l", "nh3n_mg_per_l"),
                    _("pH 无单位，其余 mg/L；未检测的项目留空（不要填 0）。"),
                ),
            ),
        ),
    )
}


def season_label(season: CropSeason) -> str:
    return (
        f"{season.year} {season.get_season_display()} {name_of(season.crop)} · "
        f"{number(season.area_mu)} {_('亩')}"
    )


class SeasonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CropSeason) -> str:
        return season_label(obj)


class VisitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Visit) -> str:
        return f"{obj.date:%Y-%m-%d} · {person(obj.agent)}"


class CropChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Crop) -> str:
        return name_of(obj)


def _widget_for(formfield: forms.Field) -> forms.Widget | None:
    """Phone-friendly inputs: a date picker, a decimal keypad, short text areas.

    Decimal inputs take any step: the number of decimals is the service's to check, with its message.
    """
    if isinstance(formfield, forms.DateField):
        return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    if isinstance(formfield, forms.DecimalField):
        return forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})
    if isinstance(formfield, forms.IntegerField):
        return forms.NumberInput(attrs={"inputmode": "numeric"})
    if isinstance(formfield, forms.CharField) and isinstance(formfield.widget, forms.Textarea):
        return forms.Textarea(attrs={"rows": 2})
    return None


class RecordForm(forms.Form):
    """A record of one type for one farm: parses the input into the service's `data`.

    `client_id` is the record's id, generated when the form is first shown: a form sent twice (a
    double tap, a resend on a weak connection) stores one record, through the services' idempotent
    create.
    """

    client_id = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        spec: RecordFormSpec,
        farm: Farm,
        user: Any,
        instance: Model | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.farm = farm
        self.instance = instance
        model = spec.kind.model
        plain = [name for name in spec.fields if name not in ("crop_season", "crop")]
        model_fields = forms.fields_for_model(model, fields=plain)
        for name in spec.fields:
            if name == "crop_season":
                self.fields["crop_season"] = SeasonChoiceField(
                    queryset=farm_seasons(user=user, farm=farm).select_related("crop"),
                    label=model._meta.get_field("season").verbose_name,
                    empty_label=None,
                )
            elif name == "crop":
                self.fields["crop"] = CropChoiceField(
                    queryset=Crop.objects.order_by("category", "code"),
                    label=model._meta.get_field("crop").verbose_name,
                )
            else:
                formfield = model_fields[name]
                # The verbose name as written: Django capitalises its first letter ("pH" → "PH").
                formfield.label = model._meta.get_field(name).verbose_name
                widget = _widget_for(formfield)
                if widget is not None:
                    formfield.widget = widget
                    formfield.widget.is_required = formfield.required
                self.fields[name] = formfield
        if spec.kind is not practice_selectors.VISITS:
            self.fields["visit"] = VisitChoiceField(
                queryset=farm_visits(user=user, farm=farm).select_related("agent"),
                label=_("走访"),
                required=False,
                empty_label=_("（不属于某次走访）"),
                help_text=_("在哪次走访中录入；可不选。"),
            )
        if instance is not None:
            self.initial.update(forms.model_to_dict(instance, fields=[*plain, "crop"]))
            if "crop_season" in self.fields:
                self.initial["crop_season"] = instance.season_id
            if getattr(instance, "visit_id", None):
                self.initial["visit"] = instance.visit_id
        else:
            self.initial.setdefault("client_id", uuid.uuid4())
            if spec.kind.parent == "farm" and "date" in self.fields:
                # A visit or a sample is recorded on the day; an application belongs to its season,
                # which may be a past one, so its date is left for the agent to give.
                self.initial.setdefault("date", timezone.localdate())

    def layout(self) -> list[dict[str, Any]]:
        """The fields in order, those of a group together under its legend (the first field of a group
        places it)."""
        grouped = {name: group for group in self.spec.groups for name in group.fields}
        items: list[dict[str, Any]] = []
        placed: set[str] = set()
        for name in self.fields:
            if name in placed or name == "client_id":
                continue
            if name in grouped:
                group = grouped[name]
                members = [self[n] for n in group.fields if n in self.fields]
                placed.update(group.fields)
                checks = all(isinstance(self.fields[n].widget, forms.CheckboxInput) for n in group.fields)
                items.append(
                    {"legend": group.legend, "help": group.help, "fields": members, "checks": checks}
                )
            else:
                placed.add(name)
                items.append({"legend": None, "fields": [self[name]], "checks": False})
        return items

    def parent_and_data(self) -> tuple[Model, dict[str, Any]]:
        """The parent the record hangs from (the farm or the chosen crop season) and the service's data."""
        data = dict(self.cleaned_data)
        client_id = data.pop("client_id", None)
        parent: Model = self.farm
        if "crop_season" in data:
            parent = data.pop("crop_season")
            if self.instance is not None:
                data["season"] = parent
        if "crop" in data:
            data["crop"] = data["crop"].code
        if "visit" in data:
            visit = data.pop("visit")
            if visit is not None or self.instance is not None:
                data["visit_id"] = visit.pk if visit is not None else None
        if client_id is not None and self.instance is None:
            data["id"] = client_id
        return parent, data

    def apply_errors(self, exc: ValidationFailed) -> None:
        """Put the service's reasons next to the fields they are about (the others above the form)."""
        for key, messages in exc.errors.items():
            name = key if key in self.fields else ERROR_FIELD.get(key, key)
            self.add_error(name if name in self.fields else None, list(messages))

    def renew_client_id(self) -> None:
        """A fresh id, for a form whose id was already stored with other content."""
        self.data = self.data.copy()
        self.data["client_id"] = str(uuid.uuid4())


class FarmSearchForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=64,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("编号、名称或联系人"), "autocomplete": "off"}
        ),
    )
    town = forms.ChoiceField(label=_("乡镇"), required=False)
    farm_type = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *FarmType.choices]
    )
    year = forms.TypedChoiceField(label=_("年份"), required=False, coerce=int)
    scope = forms.ChoiceField(
        label=_("范围"),
        required=False,
        choices=[("mine", _("我负责的乡镇")), ("all", _("全部乡镇"))],
    )
    missing = forms.BooleanField(label=_("只看缺数据的农场"), required=False)

    def __init__(self, *args: Any, towns: Any, years: list[int], agent: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = [("", _("全部乡镇")), *((t.code, name_of(t)) for t in towns)]
        self.fields["year"].choices = [(y, str(y)) for y in years]
        if not agent:
            del self.fields["scope"]


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年份"), coerce=int)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]


class ReportIssueForm(forms.Form):
    year = forms.TypedChoiceField(label=_("报告期（年）"), coerce=int)
    language = forms.ChoiceField(label=_("语言"), choices=Language.choices)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]


class BatchForm(forms.Form):
    scope = forms.ChoiceField(label=_("范围"), choices=BatchScope.choices, initial=BatchScope.TOWN)
    town = forms.ChoiceField(label=_("乡镇"), required=False, help_text=_("按乡镇签发时选择。"))
    year = forms.TypedChoiceField(label=_("报告期（年）"), coerce=int)
    language = forms.ChoiceField(label=_("语言"), choices=Language.choices)

    def __init__(self, *args: Any, towns: Any, years: list[int], district: bool, **kwargs: Any) -> None:
        """`district`: whether the whole district is offered (the committee and admins)."""
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = [("", "—"), *((t.code, name_of(t)) for t in towns)]
        self.fields["year"].choices = [(y, str(y)) for y in years]
        if not district:
            self.fields["scope"].choices = [(BatchScope.TOWN, BatchScope.TOWN.label)]


def apply_errors(form: forms.Form, errors: Mapping[str, list[str]]) -> None:
    """A service's field errors on a plain form (unknown fields above the form)."""
    for key, messages in errors.items():
        form.add_error(key if key in form.fields else None, list(messages))
