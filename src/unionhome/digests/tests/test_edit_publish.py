"""Editing a draft, publishing (frozen, reported upward) and starting a new version."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from unionhome.core.models import AuditEvent, Notification
from unionhome.digests import services
from unionhome.digests.models import Digest


@pytest.fixture
def draft(cast, wage_burst, period, fake_clustering):
    digest, _job = services.create_digest(cast.street_cadre, org=cast.chonganssi,
                                          period_start=period[0], period_end=period[1])  # fmt: skip
    return digest


def test_cadre_reorders_renames_and_removes_clusters_in_a_draft(cast, draft):
    first, second = list(draft.clusters.all())[:2]
    services.move_cluster(cast.street_cadre, second, -1)
    assert [c.pk for c in draft.clusters.all()][:2] == [second.pk, first.pk]
    services.update_cluster(cast.street_cadre, first, title="恒达欠薪", summary="两个月")
    first.refresh_from_db()
    assert (first.title, first.summary, first.rank) == ("恒达欠薪", "两个月", 2)
    services.remove_cluster(cast.street_cadre, second)
    assert [c.rank for c in draft.clusters.all()] == list(range(1, draft.clusters.count() + 1))
    assert draft.clusters.get(rank=1).pk == first.pk


def test_attached_cases_come_from_the_cluster_and_are_limited(cast, draft, settings):
    settings.UNIONHOME_DIGEST_MAX_CASES = 2
    top = draft.clusters.get(rank=1)
    other = draft.clusters.exclude(pk=top.pk).first()
    with pytest.raises(ValidationError):
        services.attach_cases(cast.street_cadre, top, top.candidate_ids[:3])
    with pytest.raises(ValidationError):
        services.attach_cases(cast.street_cadre, top, other.candidate_ids[:1])
    services.attach_cases(cast.street_cadre, top, top.candidate_ids[:2])
    assert top.cases.count() == 2
    services.attach_cases(cast.street_cadre, top, top.candidate_ids[1:2])
    assert list(top.cases.values_list("demand_id", flat=True)) == top.candidate_ids[1:2]


def test_empty_title_is_refused_and_nothing_changes(cast, draft):
    with pytest.raises(ValidationError):
        services.update_digest(cast.street_cadre, draft, title="  ", narrative="新的综述")
    draft.refresh_from_db()
    assert draft.narrative == ""


def test_publishing_freezes_the_digest_and_notifies_the_parent_union(
    cast, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_digest(cast.street_cadre, draft)
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_by == cast.street_cadre
    assert Notification.objects.filter(recipient=cast.district_cadre).exists()
    assert AuditEvent.objects.filter(action="digest.publish", target_code=draft.code).exists()
    cluster = draft.clusters.first()
    for change in (
        lambda: services.update_digest(cast.street_cadre, draft, title="改", narrative=""),
        lambda: services.update_cluster(cast.street_cadre, cluster, title="改", summary=""),
        lambda: services.move_cluster(cast.street_cadre, cluster, 1),
        lambda: services.remove_cluster(cast.street_cadre, cluster),
        lambda: services.attach_cases(cast.street_cadre, cluster, []),
        lambda: services.publish_digest(cast.street_cadre, draft),
        lambda: services.rebuild_digest(cast.street_cadre, draft),
    ):
        with pytest.raises(ValidationError):
            change()
    assert draft.clusters.count() == Digest.objects.get(pk=draft.pk).clusters.count()


def test_new_version_copies_a_published_digest_as_a_draft(cast, draft):
    top = draft.clusters.get(rank=1)
    services.attach_cases(cast.street_cadre, top, top.candidate_ids[:1])
    services.update_digest(cast.street_cadre, draft, title="第一版", narrative="综述")
    services.publish_digest(cast.street_cadre, draft)
    copy = services.start_new_version(cast.street_cadre, draft)
    assert copy.is_draft and copy.version == 2 and copy.based_on == draft
    assert copy.title == "第一版" and copy.narrative == "综述"
    assert copy.clusters.count() == draft.clusters.count()
    assert copy.clusters.get(rank=1).cases.count() == 1
    services.update_digest(cast.street_cadre, copy, title="第二版", narrative="")
    draft.refresh_from_db()
    assert draft.title == "第一版"


def test_parent_cadre_reads_but_other_unions_cannot_touch_a_draft(cast, draft):
    with pytest.raises(Http404):
        services.update_digest(cast.other_street_cadre, draft, title="x", narrative="")
    with pytest.raises(Http404):
        services.publish_digest(cast.outsider, draft)
