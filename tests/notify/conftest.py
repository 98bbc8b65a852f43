from pathlib import Path
from typing import Any

import pytest

from fugong.notify import services
from fugong.notify.models import Channel


@pytest.fixture
def console(db: Any, tmp_path: Path) -> Channel:
    channel = services.save_channel(
        None, name="控制台", kind="console", options={"path": str(tmp_path / "outbox.jsonl")}, rate_per_minute=10_000
    )
    services.save_template(
        None, channel, kind="order_dispatched", text="{shop}，您的卷烟订单预计 {eta} 送达。", parameters=["shop", "eta"]
    )
    return channel
