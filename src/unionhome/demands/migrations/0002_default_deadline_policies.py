from django.db import migrations

# Defaults an admin can change (admin → 办理时限). Urgent matters (急): acknowledge within 24 hours,
# resolve within 3 days; ordinary ones follow the 12351 tiers in working days. A frozen copy of
# unionhome.demands.deadlines.BUILT_IN (migrations must not follow later code changes).
DEFAULTS = [
    # category, urgency, complexity, ack_hours, ack_working_days, resolve_days, resolve_working_days
    ("", "", "", None, 2, None, 15),
    ("", "urgent", "", 24, None, 3, None),
    ("", "high", "", 24, None, None, 7),
    ("", "", "difficult", None, 2, None, 30),
    ("", "", "special", None, 2, None, 60),
]


def create(apps, schema_editor):
    DeadlinePolicy = apps.get_model("demands", "DeadlinePolicy")
    for category, urgency, complexity, ack_h, ack_wd, res_d, res_wd in DEFAULTS:
        DeadlinePolicy.objects.get_or_create(
            category=category, urgency=urgency, complexity=complexity,
            defaults={"ack_hours": ack_h, "ack_working_days": ack_wd, "resolve_days": res_d,
                      "resolve_working_days": res_wd},
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("demands", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
