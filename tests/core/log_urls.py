"""The site's URLs plus a page that fails with personal data in its error, for the log tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def fail_with_numbers(request: HttpRequest, number: str) -> HttpResponse:
    raise ValueError(f"duplicate mobile {number}, ID 110101199003074514")


urlpatterns = [path("boom/<str:number>/", fail_with_numbers), path("", include("fugong.urls"))]
