from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from reports.models import BatchScope, Language


class ReportOut(Schema):
    id: int
    farm: str = Field(..., alias="farm.code")
    year: int
    language: Language
    version: int
    model_version: str = Field(..., description="Runoff model version label; empty when no model was used")
    sha256: str
    size_bytes: int
    page_count: int
    verification_code: str
    verification_url: str
    provisional_figures: bool
    issued_by: str
    issued_at: dt.datetime
    download_url: str

    @staticmethod
    def resolve_issued_by(obj) -> str:
        return obj.issued_by.get_username()

    @staticmethod
    def resolve_verification_url(obj) -> str:
        from reports.services import verification_url

        return verification_url(obj.verification_code)

    @staticmethod
    def resolve_download_url(obj) -> str:
        from django.urls import reverse

        return reverse("api-v1:report_download", kwargs={"report_id": obj.pk})


class ReportIssueIn(Schema):
    year: int = Field(..., ge=2000, le=2100, description="Report period (calendar year)")
    language: Language = Language.ZH_HANS


class VerificationOut(Schema):
    """What anyone holding a copy may check: the archive record, not the report's content."""

    verification_code: str
    farm_code: str = Field(..., alias="farm.code")
    farm_name: str = Field(..., alias="farm.name")
    town: str = Field(..., alias="farm.town.name_zh")
    year: int
    language: Language
    version: int
    page_count: int
    size_bytes: int
    sha256: str
    model_version: str
    issued_by: str
    issued_at: dt.datetime

    @staticmethod
    def resolve_issued_by(obj) -> str:
        return obj.issued_by.get_full_name() or obj.issued_by.get_username()


class ShareLinkIn(Schema):
    days: int = Field(7, ge=1, le=30, description="How many days the link stays valid")


class ShareLinkOut(Schema):
    url: str
    expires_at: dt.datetime


class BatchIn(Schema):
    scope: BatchScope
    town: str | None = Field(
        None, description="Town code, Chinese or English name; required when scope is 'town'"
    )
    year: int = Field(..., ge=2000, le=2100)
    language: Language = Language.ZH_HANS


class BatchErrorOut(Schema):
    farm_code: str
    farm_name: str
    error: str


class BatchOut(Schema):
    id: int = Field(..., alias="batch.pk")
    scope: BatchScope = Field(..., alias="batch.scope")
    town: str | None = Field(None, alias="batch.town.code")
    year: int = Field(..., alias="batch.year")
    language: Language = Field(..., alias="batch.language")
    requested_by: str
    created_at: dt.datetime = Field(..., alias="batch.created_at")
    status: str = Field(..., description="queued, running or finished")
    total: int
    pending: int
    running: int
    done: int
    failed: int
    errors: list[BatchErrorOut]

    @staticmethod
    def resolve_requested_by(obj) -> str:
        return obj.batch.requested_by.get_username()
