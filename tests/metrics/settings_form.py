"""The programme settings form's data as the page would post it unchanged (for tests that post it)."""


def settings_post_data(**changes) -> dict:
    from kam.models import ProgrammeSettings
    from metrics.forms import ProgrammeSettingsForm

    s = ProgrammeSettings.current()
    data = {name: getattr(s, name) for name in ProgrammeSettingsForm.Meta.fields
            if name != "supplier_logo"}  # a file: posted back without one, the stored logo stays
    data.update(operations_manager=s.operations_manager_id or "", holidays="\n".join(s.holidays), version=s.version)
    data.update(changes)
    return data
