"""The person list's index carries the columns the list and the name search filter on (scope by
household registration, merged files, initials), so a search walking the list's order reads the
index only (issue #16: name and initials search at 10M)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enrollment', '0016_payment_trail_and_school_class'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='person',
            name='person_res_name_id',
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['residence_region', 'name', 'id'], include=('hukou_region', 'merged_into', 'name_initials'), name='person_res_name_id'),
        ),
    ]
