"""Spanish catalogue upkeep, safe to run from several shells at once (one file lock).

    python scripts/i18n.py update             # makemessages + compile
    python scripts/i18n.py missing [PATH...]  # untranslated entries (optionally only those used in PATHs)
    python scripts/i18n.py fill FILE.json     # {"msgid": "msgstr", ...}; plural: {"msgid": ["one", "many"]}
    python scripts/i18n.py compile
"""

import fcntl
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/es/LC_MESSAGES/django.po"
LOCK = ROOT / "locale/.lock"


@contextmanager
def locked():
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def compile_catalogue():
    polib.pofile(str(PO)).save_as_mofile(str(PO.with_suffix(".mo")))


def update():
    env = {**os.environ, "DEBUG": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-obsolete", "--no-location",
         "--add-location=file", "--ignore=.venv/*", "--ignore=staticfiles/*", "--ignore=tests/*",
         "--ignore=scripts/*", "--ignore=bench/*"],
        cwd=ROOT, env=env, check=True,
    )
    compile_catalogue()


def missing(paths):
    """Entries still to translate; a broken pipe (`| head`) is not an error."""
    po = polib.pofile(str(PO))
    out = []
    for entry in po:
        if entry.obsolete:
            continue
        if entry.translated() and "fuzzy" not in entry.flags:
            continue
        if paths and not any(any(occ[0].startswith(p) for p in paths) for occ in entry.occurrences):
            continue
        out.append(entry)
    return out


def fill(path):
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    po = polib.pofile(str(PO))
    po.metadata["Language"] = "es"
    po.metadata_is_fuzzy = False
    done = 0
    for entry in po:
        if entry.msgid not in data:
            continue
        value = data[entry.msgid]
        if entry.msgid_plural:
            forms = value if isinstance(value, list) else [value, value]
            # Spanish has three plural forms in Django's catalogue (one, millions, other).
            entry.msgstr_plural = {0: forms[0], 1: forms[-1], 2: forms[-1]}
        else:
            entry.msgstr = value if isinstance(value, str) else value[0]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        done += 1
    po.save()
    compile_catalogue()
    return done


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    cmd, rest = argv[0], argv[1:]
    with locked():
        if cmd == "update":
            update()
            print(f"{len(missing([]))} entries untranslated")
        elif cmd == "missing":
            for entry in missing(rest):
                refs = ",".join(o[0] for o in entry.occurrences[:2])
                try:
                    print(json.dumps({entry.msgid: entry.msgid_plural or ""}, ensure_ascii=False), refs)
                except BrokenPipeError:
                    break
        elif cmd == "fill":
            print(f"{fill(rest[0])} entries filled; {len(missing([]))} untranslated remain")
        elif cmd == "compile":
            compile_catalogue()
        else:
            print(__doc__)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
