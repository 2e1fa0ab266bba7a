"""Spanish is complete: every catalogue entry is translated, none is fuzzy, and the compiled .mo that
Django reads says the same as the .po (a forgotten compile would ship English)."""

import subprocess
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/es/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")


def _key(entry):
    return (entry.msgctxt or "", entry.msgid)


def _where(entry):
    return ", ".join(sorted({occ[0] for occ in entry.occurrences})) or "?"


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO))


def test_every_entry_is_translated(po):
    untranslated = [e for e in po if not e.obsolete and not e.translated()]
    listing = "\n".join(f"  {e.msgid!r} ({_where(e)})" for e in untranslated[:60])
    assert not untranslated, (
        f"{len(untranslated)} Spanish translations missing (scripts/i18n.py missing <paths>):\n{listing}"
    )


def test_no_entry_is_fuzzy(po):
    fuzzy = [e for e in po if not e.obsolete and "fuzzy" in e.flags]
    listing = "\n".join(f"  {e.msgid!r} ({_where(e)})" for e in fuzzy[:60])
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries (review them and drop the flag):\n{listing}"


def test_placeholders_survive_translation(po):
    """A translation that drops or renames %(name)s would crash or show a raw placeholder at run time."""
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
    broken = []
    for e in po:
        if e.obsolete or not e.translated():
            continue
        if e.msgid_plural:
            expected = set(pattern.findall(e.msgid_plural)) | set(pattern.findall(e.msgid))
            for text in e.msgstr_plural.values():
                if not set(pattern.findall(text)) <= expected:
                    broken.append(e.msgid)
        elif set(pattern.findall(e.msgid)) != set(pattern.findall(e.msgstr)):
            broken.append(e.msgid)
    assert not broken, f"translations with different placeholders: {broken[:20]}"


def test_compiled_catalogue_matches_the_po(tmp_path, po):
    fresh = tmp_path / "django.mo"
    if subprocess.run(["which", "msgfmt"], capture_output=True).returncode == 0:
        subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(PO)], check=True)
    else:
        po.save_as_mofile(str(fresh))
    expected = {_key(e): (e.msgstr, dict(e.msgstr_plural)) for e in polib.mofile(str(fresh))}
    shipped = {_key(e): (e.msgstr, dict(e.msgstr_plural)) for e in polib.mofile(str(MO))}
    stale = sorted(k[1] for k in set(expected) ^ set(shipped) | {k for k in expected if expected[k] != shipped.get(k)})
    assert not stale, (
        f"{MO.relative_to(ROOT)} is out of date with the .po ({len(stale)} messages differ); "
        f"run `python scripts/i18n.py compile`. First: {stale[:10]}"
    )


def test_spanish_is_served(client):
    """The catalogue is the one Django loads: the Spanish login page says so in Spanish."""
    client.cookies.load({"django_language": "es"})
    html = client.get("/login/").content.decode()
    assert "Iniciar sesión" in html
    assert 'lang="es"' in html
