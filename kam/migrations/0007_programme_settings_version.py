from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('kam', '0006_outbox'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalprogrammesettings',
            name='version',
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name='programmesettings',
            name='version',
            field=models.PositiveIntegerField(default=1),
        ),
    ]
