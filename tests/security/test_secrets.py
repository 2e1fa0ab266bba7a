"""No secrets in the repository: no environment files, keys or tokens among the tracked files."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

KEY_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "Stripe live key": re.compile(r"\b[rs]k_live_[0-9A-Za-z]{20,}\b"),
}
# A SECRET_KEY written into code or configuration (settings read it from the environment instead).
SECRET_ASSIGNMENT = re.compile(r"""SECRET_KEY\s*[:=]\s*['"]([^'"]{20,})['"]""")
# Throwaway keys that say what they are; tests and the benchmark use such keys on purpose.
OBVIOUSLY_FAKE = re.compile(r"insecure|test|bench|example|dummy|validation|never-use", re.I)


def tracked_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    return [ROOT / name for name in out.stdout.decode().split("\0") if name]


def test_no_environment_files_are_tracked():
    names = [p.relative_to(ROOT).as_posix() for p in tracked_files()]
    env_files = [n for n in names if re.search(r"(^|/)\.env(\.[\w-]+)?$", n) and not n.endswith(".example")]
    key_files = [n for n in names if re.search(r"\.(pem|key|p12|pfx|keystore)$|(^|/)id_(rsa|ed25519|ecdsa)$", n)]
    assert env_files == [], env_files
    assert key_files == [], key_files


def test_no_keys_or_tokens_in_tracked_files():
    found = []
    for path in tracked_files():
        if not path.is_file() or path.suffix in (".mo", ".png", ".jpg", ".ico", ".woff", ".woff2", ".gz"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        rel = path.relative_to(ROOT).as_posix()
        for label, pattern in KEY_PATTERNS.items():
            if pattern.search(text):
                found.append(f"{rel}: {label}")
        for match in SECRET_ASSIGNMENT.finditer(text):
            if not OBVIOUSLY_FAKE.search(match.group(1)):
                found.append(f"{rel}: SECRET_KEY value")
    assert found == [], found


def test_the_checker_recognises_a_leaked_key():
    # Guards the patterns themselves: a regex typo would otherwise make the test above pass vacuously.
    # Assembled at run time so that this file does not itself contain what it looks for.
    leaked = "SECRET_" + 'KEY = "q8Zr4Lp0Vw2Nf6Tb9Xc1Hj5Km3Ds7Ga-real-looking-value"'
    assert SECRET_ASSIGNMENT.search(leaked) and not OBVIOUSLY_FAKE.search(SECRET_ASSIGNMENT.search(leaked).group(1))
    assert KEY_PATTERNS["AWS access key"].search("key=" + "AKIA" + "ABCDEFGHIJKLMNOP")
    assert KEY_PATTERNS["private key"].search("-----BEGIN RSA " + "PRIVATE KEY-----")
