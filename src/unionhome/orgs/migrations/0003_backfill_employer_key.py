from django.db import migrations


def backfill(apps, schema_editor):
    from unionhome.text.employers import employer_key

    Org = apps.get_model("orgs", "Org")
    batch = []
    for org in Org.objects.filter(level="grassroots").only("pk", "name", "employer_name").iterator():
        org.employer_key = employer_key(org.employer_name or org.name)[:160]
        batch.append(org)
        if len(batch) >= 1000:
            Org.objects.bulk_update(batch, ["employer_key"])
            batch = []
    if batch:
        Org.objects.bulk_update(batch, ["employer_key"])


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_org_employer_key")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
