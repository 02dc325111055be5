# The official population moves to enrollment (the statistics bureau's feed writes it, and a
# feed lives in enrollment, which never imports dashboards). The rows stay: the table is renamed
# here and enrollment's migration takes the model over without touching the database.
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('dashboards', '0006_money_columns'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable('OfficialPopulation', 'enrollment_officialpopulation'),
            ],
            state_operations=[
                migrations.DeleteModel('OfficialPopulation'),
            ],
        ),
    ]
