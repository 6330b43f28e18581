import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from unionhome.demands import intake as demand_intake
from unionhome.demands.models import Demand

COMPLAINT = "恒达精密拖欠我们车间三十多人两个月工资，3月和4月的都没发，老板说资金周转困难，希望工会帮忙讨要。"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def intake():
    def build(**overrides):
        data = {"description": COMPLAINT, "employer_name": "无锡恒达精密机械有限公司",
                "contact_name": "王师傅", "contact_phone": "13812345678"}  # fmt: skip
        data.update(overrides)
        return demand_intake.Intake(**data)

    return build


@pytest.fixture
def submit(cast, intake):
    """Submit a demand as a worker on the web channel; returns the committed Demand."""

    def do(**overrides) -> Demand:
        return demand_intake.submit_demand(intake(**overrides), channel="web")

    return do


def png_bytes(size=(8, 8), exif: bytes | None = None, fmt="PNG") -> bytes:
    from PIL import Image

    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif else {}
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def upload(name: str, content: bytes, content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)
