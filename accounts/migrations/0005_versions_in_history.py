import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def latest_records_carry_the_version(apps, schema_editor):
    """History kept before this migration has no version: the latest record of each row gets the row's
    version, so an edit started before the upgrade still finds the version it began from."""
    for model_name in ("Account", "Contact", "SelectionCriterion"):
        model = apps.get_model("accounts", model_name)
        history = apps.get_model("accounts", f"Historical{model_name}")
        versions = dict(model.objects.values_list("pk", "version"))
        latest = {}
        for history_id, pk in history.objects.order_by("id", "history_date", "history_id").values_list(
                "history_id", "id"):
            latest[pk] = history_id
        for pk, history_id in latest.items():
            if pk in versions:
                history.objects.filter(history_id=history_id).update(version=versions[pk])
    # Team members had no history: record each as it is, the baseline of its first edit.
    member = apps.get_model("accounts", "AccountTeamMember")
    historical = apps.get_model("accounts", "HistoricalAccountTeamMember")
    historical.objects.bulk_create(
        [historical(id=m.pk, account_id=m.account_id, user_id=m.user_id, department_id=m.department_id,
                    role=m.role, added_at=m.added_at, version=m.version, history_date=m.added_at,
                    history_type="+") for m in member.objects.all()], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_edit_versions'),
        ('kam', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='accountteammember',
            name='version',
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name='historicalaccount',
            name='version',
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name='historicalcontact',
            name='version',
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name='historicalselectioncriterion',
            name='version',
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.CreateModel(
            name='HistoricalAccountTeamMember',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('role', models.CharField(blank=True, max_length=120, verbose_name='role on the account')),
                ('added_at', models.DateTimeField(blank=True, editable=False)),
                ('version', models.PositiveIntegerField(default=1)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('account', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.account')),
                ('department', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='kam.department', verbose_name='department')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='person')),
            ],
            options={
                'verbose_name': 'historical team member',
                'verbose_name_plural': 'historical team members',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(latest_records_carry_the_version, migrations.RunPython.noop),
    ]
