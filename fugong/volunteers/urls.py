from django.urls import path

from . import views

app_name = "volunteers"
urlpatterns = [
    path("", views.teams, name="teams"),
    path("teams/<int:team_id>/", views.team_detail, name="team"),
    path("calls/", views.call_list, name="calls"),
    path("calls/new/", views.call_new, name="call_new"),
    path("calls/<int:call_id>/", views.call_detail, name="call"),
    path("answer/<str:token>/", views.answer, name="answer"),
    path("fleet/", views.fleet, name="fleet"),
    path("roster/", views.roster, name="roster"),
    path("shifts/<int:shift_id>/", views.shift_detail, name="shift"),
    path("me/", views.my_duties, name="me"),
    path("me/sign/<int:assignment_id>/", views.sign, name="sign"),
    path("statistics/", views.statistics, name="statistics"),
    path("cases/", views.cases, name="cases"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
]
