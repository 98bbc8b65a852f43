from django.urls import path

from .views import calls, cases, duty, reports, teams

app_name = "volunteers"
urlpatterns = [
    path("", teams.teams, name="teams"),
    path("teams/new/", teams.team_new, name="team_new"),
    path("teams/<int:team_id>/", teams.team_detail, name="team"),
    path("teams/<int:team_id>/members/new/", teams.member_new, name="member_new"),
    path("members/<int:member_id>/", teams.member_detail, name="member"),
    path("calls/", calls.call_list, name="calls"),
    path("calls/new/", calls.call_new, name="call_new"),
    path("calls/<int:call_id>/", calls.call_detail, name="call"),
    path("answer/<str:token>/", calls.answer, name="answer"),
    path("fleet/", calls.fleet, name="fleet"),
    path("roster/", duty.roster, name="roster"),
    path("shifts/<int:shift_id>/", duty.shift_detail, name="shift"),
    path("me/", duty.my_duties, name="me"),
    path("me/sign/<int:assignment_id>/", duty.sign, name="sign"),
    path("duty/<str:token>/", duty.duty_by_link, name="duty"),
    path("statistics/", reports.statistics, name="statistics"),
    path("cases/", cases.cases, name="cases"),
    path("cases/<int:case_id>/", cases.case_detail, name="case"),
]
