"""A hand-over photo the media disk cannot take: the driver's phone hears why (507, naming the
photo) and nothing of the hand-over is recorded, so the phone's resend records it later."""

import errno
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.test import Client

from fugong.delivery.models import DeliveryPlan, HandedOver
from tests.core.test_upload_storage import failing_save, files_in
from tests.delivery.test_handover import busiest_route, deliveries, full_quantities, post


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_photo_the_disk_cannot_take_records_nothing(
    published: DeliveryPlan, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    route = busiest_route(published)
    stop = deliveries(route)[0]
    assert post(client, route, stop, "arrive", "k-arrive").status_code == 200
    quantities = json.dumps(full_quantities(stop))
    media = Path(settings.MEDIA_ROOT)
    before = files_in(media)
    with monkeypatch.context() as patch:
        patch.setattr(FileSystemStorage, "_save", failing_save(code, partial=True))
        refused = post(client, route, stop, "handover", "k-hand", quantities=quantities)
    assert refused.status_code == 507
    assert "“handover.jpg” was not saved" in refused.json()["message"]
    stop.refresh_from_db()
    assert stop.completed_at is None and not stop.photo and not HandedOver.objects.filter(stop=stop).exists()
    assert files_in(media) == before  # the half-written photo was removed
    # The disk has room again: the phone's resend, same key, records it.
    again = post(client, route, stop, "handover", "k-hand", quantities=quantities)
    assert again.status_code == 200, again.content
    stop.refresh_from_db()
    assert stop.completed_at is not None and stop.photo and Path(stop.photo.path).exists()
