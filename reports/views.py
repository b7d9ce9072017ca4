"""Public pages: checking a report by its verification code, and serving a shared report by signed link.

Thin views: parse, call a selector, render. Neither needs a login: the verification code and the signed
link are the credentials, and neither reveals more than the paper copy already does.
"""

from __future__ import annotations

import hashlib

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from farmadvice.core.errors import NotFound
from reports.models import AdvisoryReport
from reports.selectors import LinkExpired, normalise_code, report_verify, shared_report_get

#: Uploaded copies larger than this are not hashed (a report is well under 5 MB).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _sha256_of_upload(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


@require_GET
def verify_lookup(request: HttpRequest) -> HttpResponse:
    """A form to type a code in; with ?code=..., go to its page."""
    code = normalise_code(request.GET.get("code", ""))
    if code:
        return HttpResponseRedirect(reverse("reports:verify", args=[code]))
    return render(request, "reports/verify.html", {"report": None, "code": ""})


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """The archive record of a report; POST a PDF to compare its SHA-256 with the archived file's."""
    try:
        report = report_verify(code=code)
    except NotFound:
        return render(request, "reports/verify.html", {"report": None, "code": code}, status=404)
    comparison = None
    upload = request.FILES.get("file") if request.method == "POST" else None
    if upload is not None:
        if upload.size > MAX_UPLOAD_BYTES:
            comparison = {"error": _("文件过大，不可能是本系统签发的报告。")}
        else:
            uploaded = _sha256_of_upload(upload)
            comparison = {"sha256": uploaded, "matches": uploaded == report.sha256}
    return render(request, "reports/verify.html", {"report": report, "code": code, "comparison": comparison})


@require_GET
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """The report file behind a signed link: 404 when tampered with, 410 once expired."""
    try:
        report: AdvisoryReport = shared_report_get(token=token)
    except LinkExpired:
        return render(request, "reports/link_expired.html", status=410)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.download_name,
        content_type="application/pdf",
    )
