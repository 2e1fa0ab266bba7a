"""The type check is strict enough to catch a service called with a wrong keyword, in annotated code
and in the bodies of unannotated views alike (`make typecheck`, run by `make test`)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = """\
from django.contrib.auth.models import User

from accounts import services
from accounts.models import Account


def archive(actor: User, account: Account) -> None:
    services.account_archive(actor=actor, account=account)
    services.account_archive(actor=actor, acount=account)


def archive_view(request, pk):
    account = Account.objects.get(pk=pk)
    services.account_archive(actor=request.user, account=account)
    services.account_archive(user=request.user, account=account)
"""


def _errors(program: Path) -> list[tuple[int, str]]:
    # The project's configuration (pyproject.toml) and cache; only the program's own lines are read,
    # so a finding elsewhere in the code base does not decide this test.
    result = subprocess.run([sys.executable, "-m", "mypy", str(program)], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert "error: " in result.stdout or result.returncode == 0, result.stdout + result.stderr
    found = re.findall(rf"^{re.escape(str(program))}:(\d+): error: (.*)$", result.stdout, flags=re.MULTILINE)
    return [(int(line), message) for line, message in found]


@pytest.mark.slow
def test_a_wrong_keyword_to_a_service_is_a_type_error():
    # Always the same file: mypy's cache replays a module's errors under the path it was checked at.
    program = ROOT / ".mypy_cache" / "probe" / "kam_typing_probe.py"
    program.parent.mkdir(parents=True, exist_ok=True)
    program.write_text(PROGRAM)
    errors = _errors(program.relative_to(ROOT))
    lines = PROGRAM.splitlines()
    wrong = {i + 1 for i, text in enumerate(lines) if "acount=" in text or "(user=" in text}
    assert {line for line, _message in errors} == wrong, errors
    messages = " ".join(message for _line, message in errors)
    assert 'Unexpected keyword argument "acount" for "account_archive"' in messages
    assert 'Unexpected keyword argument "user" for "account_archive"' in messages
    assert "[call-arg]" in messages
