# Stored pinyin initials follow the family name's reading (曾 z, 单 s, 解 x …): recomputed once
# for the persons already registered; new registrations compute them on save.
from django.db import migrations


def recompute(apps, schema_editor):
    from enrollment.pinyin import initials

    Person = apps.get_model("enrollment", "Person")
    batch = []
    for pk, name, old in Person.objects.values_list("pk", "name", "name_initials").iterator(
            chunk_size=5000):
        new = initials(name)
        if new != old:
            batch.append(Person(pk=pk, name_initials=new))
        if len(batch) >= 5000:
            Person.objects.bulk_update(batch, ["name_initials"])
            batch = []
    if batch:
        Person.objects.bulk_update(batch, ["name_initials"])


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0005_channel_third_party")]
    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
