"""Shared by the platform and API tests: a city's set-up and its hand-computed files."""

import logging
from datetime import date

import pytest

from fugong.directory.models import Region
from fugong.resumption import services
from tests.power.conftest import changda, company, relaxed  # noqa: F401 - the power company's fixtures

# The hand-computed accounts of test_engine, in two of Lishui's counties: Qingyuan (A), Jingning (B).
ACCOUNTS = (
    "account_id,county,industry\n"
    "1,331126,制造业\n2,331126,批发零售\n3,331126,批发零售\n4,331127,制造业\n5,331127,批发零售\n6,331127,批发零售\n"
)


@pytest.fixture
def setup(demo, settings, tmp_path):
    settings.RESUMPTION_STORE = tmp_path / "store"
    lishui = Region.objects.get(code="331100")
    return services.save_setup(None, lishui, baseline_start=date(2019, 12, 1), baseline_end=date(2019, 12, 2))


def imported(setup, tmp_path, kind, text, name):
    path = tmp_path / name
    path.write_text(text)
    return services.import_file(None, setup, kind, str(path), name)


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    pyspark = pytest.importorskip("pyspark.sql")
    logging.getLogger("py4j").setLevel(logging.WARNING)  # its goodbye at exit goes to a closed stream
    session = (
        pyspark.SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "Asia/Shanghai")  # the users' clock; the command sets UTC
        .getOrCreate()
    )
    yield session  # `getOrCreate` in the command finds this one
    session.stop()
