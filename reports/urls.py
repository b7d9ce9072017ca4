from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("verify/", views.verify_lookup, name="verify-lookup"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("r/<str:token>/", views.shared, name="shared"),
]
