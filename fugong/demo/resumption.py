"""Lishui's nine counties' enterprise meter readings (seed 004) for the resumption index: the
2019 Q4 baseline, then 3 February to 4 March 2020 as enterprises came back. Each county's last
day is built to its target, so Qingyuan comes out as published: 97.03% of accounts, 95.66% of
consumption, index 96.34, 6th in the city (5th by accounts, 6th by consumption).

The files go through the same import as an office's upload, and the figures through the same
computation as the daily job.
"""

import tempfile
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from fugong.directory.models import Region
from fugong.resumption import services
from fugong.resumption.engine import days_of
from fugong.resumption.models import IndexSetup

BASELINE = (date(2019, 10, 1), date(2019, 12, 31))
REOPENING = (date(2020, 2, 3), date(2020, 3, 4))
# County code -> (enterprise accounts, resumed-account %, resumed-consumption %) on 4 March.
TARGETS = {
    "331102": (4200, 98.10, 97.90),  # 莲都区
    "331121": (3100, 97.50, 97.20),  # 青田县
    "331122": (3400, 98.40, 96.80),  # 缙云县
    "331123": (2000, 97.20, 96.10),  # 遂昌县
    "331124": (2200, 96.90, 96.50),  # 松阳县
    "331125": (1300, 95.80, 94.60),  # 云和县
    "331126": (3333, 97.03, 95.66),  # 庆元县: 3,234 of 3,333 is 97.03%
    "331127": (1100, 94.90, 93.80),  # 景宁畲族自治县
    "331181": (2600, 96.80, 95.40),  # 龙泉市
}
INDUSTRIES = [
    "制造业",
    "农、林、牧、渔业",
    "批发和零售业",
    "住宿和餐饮业",
    "建筑业",
    "交通运输、仓储和邮政业",
    "金融、房地产、商务及居民服务业",
    "公共服务及管理组织",
    "信息传输、软件和信息技术服务业",
    "采矿业",
    "电力、热力、燃气及水生产和供应业",
]


def _county(rng: np.random.Generator, size: int, account: float, consumption: float) -> dict[date, np.ndarray]:
    """Readings of one county: baselines first, then the reopening built to the targets."""
    level = rng.lognormal(mean=6.0, sigma=1.0, size=size)
    base_days = days_of(BASELINE)
    noise = rng.uniform(0.9, 1.1, size=(len(base_days), size))
    baseline_kwh = level * noise
    means = baseline_kwh.mean(axis=0)
    resumed_count = round(account / 100 * size)
    order = rng.permutation(size)
    resumed = np.zeros(size, dtype=bool)
    resumed[order[:resumed_count]] = True
    # Scaled so the last day's resumed kWh are exactly `consumption` % of all baselines.
    factor = consumption / 100 * means.sum() / means[resumed].sum()
    days = days_of(REOPENING)
    # Resumed accounts come back over the month (some only on the last day), the others stay low.
    comes_back = np.where(resumed, rng.integers(0, len(days), size=size), len(days))
    comes_back[order[:resumed_count][: max(1, resumed_count // 50)]] = len(days) - 1
    readings = {day: baseline_kwh[n] for n, day in enumerate(base_days)}
    for n, day in enumerate(days):
        readings[day] = np.where(comes_back <= n, means * factor, means * 0.1)
    return readings


def load_resumption() -> None:
    lishui = Region.objects.get(code="331100")
    if IndexSetup.objects.filter(region=lishui).exists():
        return
    setup = services.save_setup(None, lishui, baseline_start=BASELINE[0], baseline_end=BASELINE[1])
    rng = np.random.default_rng(2020)
    with tempfile.TemporaryDirectory(prefix="fugong-demo-") as folder:
        accounts_path, readings_path = Path(folder) / "accounts.parquet", Path(folder) / "readings.parquet"
        ids, counties, industries = [], [], []
        schema = pa.schema([("account_id", pa.string()), ("day", pa.date32()), ("kwh", pa.float64())])
        per_county = {}
        customers = _power_customers()
        for code, (size, account, consumption) in TARGETS.items():
            # Qingyuan's enterprises are the power company's accounts where the demo has them,
            # so its staff see their own customers among those not yet resumed.
            known = customers[:size] if code == "331126" else []
            county_ids = known + [f"{code}{n:05d}" for n in range(len(known) + 1, size + 1)]
            ids += county_ids
            counties += [code] * size
            industries += list(rng.choice(INDUSTRIES, size=size, p=_industry_shares()))
            per_county[code] = (county_ids, _county(rng, size, account, consumption))
        pq.write_table(pa.table({"account_id": ids, "county": counties, "industry": industries}), accounts_path)
        with pq.ParquetWriter(readings_path, schema) as writer:
            for day in days_of(BASELINE) + days_of(REOPENING):
                for county_ids, readings in per_county.values():
                    column = pa.array(np.full(len(county_ids), (day - date(1970, 1, 1)).days, dtype=np.int32))
                    writer.write_table(
                        pa.table(
                            {"account_id": county_ids, "day": column.cast(pa.date32()), "kwh": readings[day]},
                            schema=schema,
                        )
                    )
        services.import_file(None, setup, "accounts", str(accounts_path), "丽水市企业用电户.parquet")
        services.import_file(None, setup, "readings", str(readings_path), "丽水市日电量（2019Q4-2020-03-04）.parquet")
    span = services.days_to_compute(setup)
    if span is not None:
        services.compute(setup, *span)


def _power_customers() -> list[str]:
    from fugong.power.models import PowerAccount

    enterprises = PowerAccount.objects.filter(organisation__region__code="331126", kind="enterprise")
    return list(enterprises.order_by("number").values_list("number", flat=True))


def _industry_shares() -> list[float]:
    weights = np.array([34, 14, 16, 9, 6, 4, 7, 4, 2, 2, 2], dtype=float)
    return list(weights / weights.sum())
