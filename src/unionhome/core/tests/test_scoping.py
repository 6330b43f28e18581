"""`.visible_to(user)` returns exactly the rows in the user's subtrees: no more, no fewer."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from unionhome.accounts.models import User
from unionhome.core.models import Role, RoleKind
from unionhome.core.scoping import minimal_paths, path_successor, subtree_q
from unionhome.orgs.models import Org


def test_successor_bounds_exactly_the_prefix():
    assert path_successor("0001") == "0002"
    assert path_successor("0009") == "000A"
    assert path_successor("000Z") == "000["
    assert "000Z" < "000Z0001" < path_successor("000Z") < "0010"


def test_minimal_paths_drops_paths_inside_others():
    assert minimal_paths(["00010002", "0001", "0002", "00020001"]) == ["0001", "0002"]


def test_a_node_past_the_35th_sibling_is_still_in_its_parents_subtree(db):
    root = Org.objects.add_root(instance=Org(name="root", level="county"))
    children = [
        Org.objects.add_child(root, instance=Org(name=f"c{i}", level="subdistrict"))
        for i in range(40)
    ]
    root.refresh_from_db()
    in_subtree = set(
        Org.objects.filter(subtree_q("path", [root.path])).values_list("pk", flat=True)
    )
    assert in_subtree == {root.pk, *(c.pk for c in children)}
    zth = next(c for c in children if c.path.endswith("Z"))
    grandchild = Org.objects.add_child(zth, instance=Org(name="g", level="grassroots"))
    under_z = set(Org.objects.filter(subtree_q("path", [zth.path])).values_list("pk", flat=True))
    assert under_z == {zth.pk, grandchild.pk}


trees = st.integers(min_value=1, max_value=18).flatmap(
    lambda n: st.tuples(
        st.just(n),
        # parent of node i is None (a new root) or one of the nodes before it
        st.tuples(
            *[st.one_of(st.none(), st.integers(0, i - 1)) if i else st.none() for i in range(n)]
        ),
        st.lists(st.integers(0, n - 1), max_size=4),  # the viewer's grants
        st.lists(st.integers(0, n - 1), max_size=3),  # grants of a second user (noise)
    )
)


class VisibleToPropertyTest(TestCase):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(trees, st.sampled_from(RoleKind.values))
    def test_visible_rows_are_exactly_the_granted_subtrees(self, tree, kind):
        n, parents, grants, other_grants = tree
        nodes: list[Org] = []
        for i in range(n):
            parent = parents[i]
            if parent is None:
                nodes.append(Org.objects.add_root(instance=Org(name=f"n{i}", level="county")))
            else:
                holder = Org.objects.get(pk=nodes[parent].pk)
                nodes.append(
                    Org.objects.add_child(holder, instance=Org(name=f"n{i}", level="county"))
                )

        def ancestors_or_self(i):
            while i is not None:
                yield i
                i = parents[i]

        # One case-like scoped row per node, owned by an unrelated user.
        owner = User.objects.create(username="owner")
        for node in nodes:
            Role.objects.create(user=owner, org=Org.objects.get(pk=node.pk), kind=RoleKind.VIEWER)
        viewer = User.objects.create(username="viewer")
        other = User.objects.create(username="other")
        for i in grants:
            Role.objects.get_or_create(user=viewer, org=nodes[i], kind=kind)
        for i in other_grants:
            Role.objects.get_or_create(user=other, org=nodes[i], kind=RoleKind.ADMIN)

        covered = {i for i in range(n) if any(a in grants for a in ancestors_or_self(i))}
        expected_orgs = {nodes[i].pk for i in covered}
        expected_rows = set(
            Role.objects.filter(org_id__in=expected_orgs).values_list("pk", flat=True)
        )

        seen_orgs = set(Org.objects.visible_to(viewer).values_list("pk", flat=True))
        seen_rows = set(Role.objects.visible_to(viewer).values_list("pk", flat=True))
        self.assertEqual(seen_orgs, expected_orgs)
        self.assertEqual(seen_rows, expected_rows)
        # Limiting to role kinds the viewer does not hold shows nothing.
        other_kind = next(k for k in RoleKind.values if k != kind)
        self.assertFalse(Role.objects.visible_to(viewer, [other_kind]).exists())


def test_anonymous_and_roleless_users_see_nothing(cast):
    from django.contrib.auth.models import AnonymousUser

    assert not Org.objects.visible_to(AnonymousUser()).exists()
    assert not Org.objects.visible_to(cast.member).exists()
    assert not Role.objects.visible_to(cast.member).exists()


def test_superuser_sees_everything(cast):
    assert Org.objects.visible_to(cast.root).count() == Org.objects.count()


def test_deactivated_org_grants_no_scope(cast):
    from unionhome.orgs import services

    services.update_org(cast.root, cast.chonganssi, is_active=False)
    viewer = User.objects.get(pk=cast.street_cadre.pk)
    assert not Org.objects.visible_to(viewer).exists()
