"""The pages. Everything but the login page needs a signed-in user (others go to the login page).

/                                           home: agents → farms, operators → their farm, committee → dashboard
/accounts/login/, /accounts/logout/         sign in (django-axes limits failures), sign out (POST)
/i18n/setlang/                              language switch (Django's set_language; zh-Hans default, en)
/farms/                                     farm list: search, this season's missing records (htmx results)
/farms/<code>/                              farm page: agents/committee records + indicators; operators advice
/farms/<code>/visits/<uuid>/                a visit and the records entered in it
/farms/<code>/records/<kind>/new/           record form (visits, seasons, fertiliser-applications, ...)
/farms/<code>/records/<kind>/<uuid>/        change a record
/farms/<code>/reports/issue/                issue the farm's report (POST)
/farms/<code>/reports/<id>/download/        the archived PDF
/dashboard/                                 compliance: indicator × town against targets, trend
/dashboard/cells/<indicator>/<scope>/       the farms (or districts) behind one rate (htmx panel)
/dashboard/trend/                           an indicator across years (htmx)
/dashboard/districts/                       irrigation districts: monitoring coverage, net loads
/report-batches/, /report-batches/<id>/     issue a town's or the district's reports; progress (htmx polling)
/export/<table>.xlsx                        any table above as a workbook (compliance, cell, districts, trend, farms)
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from farmadvice.web.views import dashboard, export, farms, home, records, reports

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="web:login"), name="logout"),
    path("farms/", farms.farm_list, name="farms"),
    path("farms/<str:code>/", farms.farm_detail, name="farm"),
    path("farms/<str:code>/visits/<uuid:visit_id>/", records.visit_detail, name="visit"),
    path("farms/<str:code>/records/<slug:slug>/new/", records.record_new, name="record-new"),
    path("farms/<str:code>/records/<slug:slug>/<uuid:record_id>/", records.record_edit, name="record-edit"),
    path("farms/<str:code>/reports/issue/", reports.report_issue, name="report-issue"),
    path(
        "farms/<str:code>/reports/<int:report_id>/download/", reports.report_download, name="report-download"
    ),
    path("dashboard/", dashboard.dashboard_page, name="dashboard"),
    path("dashboard/cells/<str:indicator>/<str:scope_code>/", dashboard.cell_page, name="cell"),
    path("dashboard/trend/", dashboard.trend_page, name="trend"),
    path("dashboard/districts/", dashboard.districts_page, name="districts"),
    path("report-batches/", reports.batch_new, name="batches"),
    path("report-batches/<int:batch_id>/", reports.batch_detail, name="batch"),
    path("export/<slug:name>.xlsx", export.export, name="export"),
]
