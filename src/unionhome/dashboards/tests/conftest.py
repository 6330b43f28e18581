import pytest
from django.core.cache import cache

from unionhome.demands import intake as demand_intake

COMPLAINT = "恒达精密拖欠我们车间三十多人两个月工资，3月和4月的都没发，希望工会帮忙讨要。"
EMPLOYERS = ["无锡恒达精密机械有限公司", "无锡瑞丰纺织有限公司", "", "某某不认识的公司"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Intake rate limits count per phone in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def submit(cast):
    """Submit a demand as a worker on the web channel; `n` varies the phone and the text."""

    def do(n: int = 0, employer: str = EMPLOYERS[0], **overrides):
        data = {
            "description": f"{COMPLAINT}（第{n}次反映）",
            "employer_name": employer,
            "contact_name": "王师傅",
            "contact_phone": f"138{n:08d}",
        }
        data.update(overrides)
        return demand_intake.submit_demand(demand_intake.Intake(**data), channel="web")

    return do
