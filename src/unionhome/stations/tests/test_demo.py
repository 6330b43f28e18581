"""The demo seeder: stations around 无锡 owned by the demo unions, idempotent."""

from unionhome.stations.demo import seed_demo_stations
from unionhome.stations.models import Place, Station


def test_demo_stations_are_seeded_once_and_owned_by_demo_unions(cast):
    named = {"wuxi": cast.wuxi, "district:梁溪区": cast.liangxi, "street:崇安寺街道": cast.chonganssi,
             "street:广益街道": cast.guangyi, "admin_user": cast.root}  # fmt: skip
    first = seed_demo_stations(named)
    count = Station.objects.count()
    assert count >= 10 and first == f"stations: {count} created"
    assert seed_demo_stations(named) == "stations: 0 created"
    assert Station.objects.count() == count
    owners = set(Station.objects.values_list("org__name", flat=True))
    assert owners <= {cast.wuxi.name, cast.liangxi.name, cast.chonganssi.name, cast.guangyi.name}
    assert Station.objects.filter(org=cast.chonganssi, name="三阳广场户外劳动者服务站").exists()
    assert Place.objects.filter(name="崇安寺街道").exists()
