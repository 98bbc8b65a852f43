from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("jobs/<int:job_id>/", views.job_progress, name="job"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
]
