from django.urls import path

from . import views

app_name = "resumption"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("method/", views.save_method, name="method"),
    path("files/", views.upload, name="upload"),
    path("compute/", views.compute, name="compute"),
    path("jobs/<int:job_id>/", views.job, name="job"),
    path("not-resumed/", views.not_resumed, name="not_resumed"),
]
