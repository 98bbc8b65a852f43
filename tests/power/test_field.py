"""Field work on the phone: a worker sees the restorations they are sent to, calls the
enterprise and records supply restored at the meter."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fugong.notify.models import Message
from fugong.power.models import ApplicationStatus, FieldOrder
from fugong.power.services import applications

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(changda, relaxed, demo):
    start = timezone.localdate() - timedelta(days=3)
    application = applications.apply(None, changda, kind="suspension", capacity_kva=1250, start_on=start)
    applications.approve(None, application)
    applications.request_restoration(None, application)
    order = FieldOrder.objects.get(application=application)
    return applications.dispatch_field_order(None, order, demo["hufenfen"])


def test_the_worker_sees_their_restoration_calls_and_restores_it(sent, client_for):
    worker = client_for("hufenfen")
    page = worker.get("/power/field/").content.decode()
    assert f'data-field-order="{sent.pk}"' in page
    assert 'href="tel:13905786001"' in page  # the enterprise, to call from the road
    done = worker.post(f"/power/applications/{sent.application_id}/complete/", {"note": "已送电", "back": "field"})
    assert done.status_code == 302 and done["Location"] == "/power/field/"
    sent.refresh_from_db()
    assert sent.done_at is not None and sent.application.status == ApplicationStatus.RESTORED
    assert Message.objects.filter(kind="restoration_done").count() == 1
    assert f'data-field-order="{sent.pk}"' not in worker.get("/power/field/").content.decode()


def test_only_the_companys_staff_and_only_the_workers_own_by_default(sent, client_for):
    administrator = client_for("qy_power")
    assert f'data-field-order="{sent.pk}"' not in administrator.get("/power/field/").content.decode()  # not theirs
    assert f'data-field-order="{sent.pk}"' in administrator.get("/power/field/?all=1").content.decode()
    assert client_for("qingyuan").get("/power/field/").status_code == 403  # a coordinator reads, does not go
    assert client_for("huyao").get("/power/field/").status_code == 403  # the tobacco bureau
