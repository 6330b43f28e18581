"""The pages around the service: worker intake and tracking, the cadre inbox and actions."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from unionhome.demands.models import Demand, Status

from .conftest import COMPLAINT, png_bytes, upload


def test_worker_submits_without_login_and_lands_on_the_tracking_page(client, cast):
    response = client.post("/d/new/", {
        "description": COMPLAINT, "employer_name": "无锡恒达精密机械有限公司", "anonymous": "on",
        "photos": [upload("a.png", png_bytes())],
    })  # fmt: skip
    demand = Demand.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/d/t/{demand.tracking_code}/"
    page = client.get(response["Location"]).content.decode()
    assert demand.tracking_code in page and cast.hengda.name in page
    assert demand.anonymous and demand.attachments.count() == 1


def test_intake_form_shows_errors_and_keeps_the_text(client, cast):
    response = client.post("/d/new/", {"description": COMPLAINT, "contact_phone": "12345"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "手机号码应为11位" in html
    assert COMPLAINT in html  # nothing the worker typed is lost
    assert not Demand.objects.exists()


def test_suggestion_partial_offers_a_category(client, db):
    html = client.post("/d/suggest/", {"description": "老板拖了我三个月工资不给"}).content.decode()
    assert "工资报酬" in html


def test_tracking_code_alone_shows_only_public_events(client, cast, submit):
    from unionhome.demands import services

    demand = submit()
    services.accept_demand(cast.street_cadre, demand)
    services.merge_demands(cast.street_cadre, submit(description="恒达精密欠薪的另一条反映，三月四月都没发。",
                                                     contact_phone="13912345678"), demand)  # fmt: skip
    html = client.get(
        f"/d/t/{demand.tracking_code.lower().replace('-', '')}/", follow=True
    ).content.decode()
    assert "已受理" in html
    assert "合并了诉求" not in html  # internal note
    assert "13812345678" not in html and "王师傅" not in html
    assert client.get("/d/t/AAAA-BBBB-CCCC/").status_code == 404


def test_worker_rates_from_the_tracking_page(client, cast, submit):
    from unionhome.demands import services

    demand = submit()
    services.accept_demand(cast.street_cadre, demand)
    services.resolve_demand(cast.street_cadre, demand, "企业已补发工资。")
    response = client.post(f"/d/t/{demand.tracking_code}/", {"rate-rating": "2", "rate-solved": "yes",
                                                             "rate-comment": "只发了一个月"})  # fmt: skip
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.status == Status.IN_PROGRESS and demand.escalated


def test_inbox_filters_and_stays_within_a_fixed_number_of_queries(client, cast, submit):
    for i in range(3):
        submit(
            description=f"第{i}条：恒达精密拖欠工资，车间{i}组的工友都没拿到。",
            contact_phone=f"1381234560{i}",
        )
    submit(description="梁溪区广益街道某饭店的服务员反映老板不交社保。", employer_name="", region_code="320213",
           address="广益街道", anonymous=True)  # fmt: skip
    client.force_login(cast.district_cadre)
    client.get("/demands/")
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/demands/", {"status": "open"}).content.decode()
    assert html.count('class="demand-row') == 4
    # Constant whatever the number of demands: the tiles read the roll-ups (6 short queries).
    assert len(queries) <= 14, [q["sql"] for q in queries]
    social = client.get(
        "/demands/", {"status": "open", "category": "social_insurance"}
    ).content.decode()
    assert social.count('class="demand-row') == 1
    found = client.get("/demands/", {"status": "", "q": "車間1組"}).content.decode()
    assert found.count('class="demand-row') == 1


def test_cadre_walks_a_demand_through_the_pages(client, cast, submit):
    demand = submit()
    client.force_login(cast.street_cadre)
    url = f"/demands/{demand.code}/"
    assert client.post(url + "accept/", {"version": demand.version}).status_code == 302
    demand.refresh_from_db()
    response = client.post(url + "visit/", {"version": demand.version, "visited_on": timezone.localdate().isoformat(),
                                            "place": "恒达车间", "people_met": "车间主任", "notes": "核实属实",
                                            "photos": [upload("v.png", png_bytes())]})  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    demand.refresh_from_db()
    stale = demand.version - 1
    response = client.post(
        url + "resolve/", {"version": stale, "outcome": "企业已补发两个月工资。"}
    )
    assert response.status_code == 400 and "刚被其他人修改过" in response.content.decode()
    response = client.post(
        url + "resolve/", {"version": demand.version, "outcome": "企业已补发两个月工资。"}
    )
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.status == Status.RESOLVED and demand.visits.count() == 1
    photo = demand.attachments.get()
    assert client.get(f"/demands/photo/{photo.code}/").status_code == 200
    client.force_login(cast.outsider)
    assert client.get(f"/demands/photo/{photo.code}/").status_code == 404


def test_org_page_links_to_its_demands_with_its_own_tiles(client, cast, submit):
    submit()
    submit(description="广益街道某饭店老板拖欠服务员工资两个月。", employer_name="", region_code="320213",
           address="广益街道", anonymous=True)  # fmt: skip
    client.force_login(cast.district_cadre)
    html = client.get(f"/orgs/{cast.chonganssi.code}/").content.decode()
    assert f"/demands/?status=open&amp;org={cast.chonganssi.code}" in html
    response = client.get("/demands/", {"status": "open", "org": cast.chonganssi.code})
    assert response.context["tiles"]["open"] == 1
    assert response.content.decode().count('class="demand-row') == 1
    client.force_login(cast.other_street_cadre)
    assert client.get("/demands/", {"org": cast.chonganssi.code}).status_code == 404


def test_inbox_rows_markup(client, cast, submit):
    """The rows are rendered in Python (templatetags/demand_rows.py): the markup stays."""
    import datetime as dt

    demand = submit(urgency="urgent")
    Demand.objects.filter(pk=demand.pk).update(
        escalated=True, resolve_deadline=timezone.now() - dt.timedelta(hours=1)
    )
    client.force_login(cast.street_cadre)
    html = client.get("/demands/", {"status": "open"}).content.decode()
    row = html[html.index('<li class="demand-row') : html.index("</li>", html.index("demand-row"))]
    assert f'<li class="demand-row overdue" data-code="{demand.code}">' in row
    assert f'href="/demands/{demand.code}/"' in row and "<b>工资报酬</b>" in row
    for badge in ('class="badge status-submitted">待受理', 'class="badge warn">急',
                  'class="badge warn">超期', 'class="badge warn">督办'):  # fmt: skip
        assert badge in row, badge
    assert "· 恒达精密拖欠我们车间三十多人两个月工资，3月和4月的都没发" in row
    assert f"<code>{demand.code}</code>" in row
    empty = client.get("/demands/", {"status": "closed"}).content.decode()
    assert '<li class="empty">没有符合条件的诉求。</li>' in empty
