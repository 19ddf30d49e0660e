"""What makes a name, an email address and a password acceptable; each refusal is a reason code."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

CUSTOMER, AGENT, ADMIN = "customer", "agent", "admin"
STAFF_KINDS = (AGENT, ADMIN)

VERIFY_EMAIL, RESET_PASSWORD = "verify_email", "reset_password"
# How long a one-time link lives: long enough to reach an inbox, short for the riskier reset.
TOKEN_LIFETIME = {VERIFY_EMAIL: timedelta(hours=48), RESET_PASSWORD: timedelta(hours=1)}
API_TOKEN_LIFETIME = timedelta(days=90)

PASSWORD_MIN, PASSWORD_MAX = 10, 256  # the cap bounds the hashing work a request can ask for
NAME_MAX, EMAIL_MAX = 120, 254
_LOCAL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# The handful every breach list starts with, as typed (compared lower-cased, spaces removed).
_COMMON = frozenset(
    {
        "1q2w3e4r5t", "1qaz2wsx3edc", "abc1234567", "abcdefghij", "administrador", "aaaaaaaaaa",
        "iloveyou123", "letmein123", "mudar123456", "password12", "password123", "password1234",
        "passw0rd123", "qwerty1234", "qwerty12345", "qwertyuiop", "senha12345", "senha123456",
        "senhasenha", "trocar12345", "welcome123", "zaq12wsxcde", "atende1234", "atende12345",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Problem:
    """One reason why one field cannot be accepted."""

    field: str
    reason: str


def normalise_email(raw: str) -> str:
    """The canonical form an address is stored and looked up by: trimmed, NFC, lower-case."""
    return unicodedata.normalize("NFC", raw.strip()).lower()


def normalise_name(raw: str) -> str:
    """A display name with runs of white space collapsed."""
    return " ".join(unicodedata.normalize("NFC", raw).split())


def email_problems(email: str, field: str = "email") -> list[Problem]:
    """Refusals for an already normalised address (a plain local part and a dotted domain)."""
    local, at, domain = email.rpartition("@")
    labels = domain.split(".")
    valid = (
        bool(at)
        and len(email) <= EMAIL_MAX
        and _LOCAL.match(local) is not None
        and not local.startswith(".")
        and not local.endswith(".")
        and ".." not in local
        and len(labels) >= 2
        and all(_LABEL.match(_ascii(label)) for label in labels)
    )
    return [] if valid else [Problem(field, "email_invalid")]


def name_problems(name: str, field: str = "name") -> list[Problem]:
    """Refusals for an already normalised display name."""
    if not name:
        return [Problem(field, "name_blank")]
    if len(name) > NAME_MAX:
        return [Problem(field, "name_too_long")]
    if any(unicodedata.category(char).startswith("C") for char in name):
        return [Problem(field, "name_invalid")]
    return []


def password_problems(password: str, email: str = "", field: str = "password") -> list[Problem]:
    """The first refusal of the password policy: length, not only digits, not common, not the email."""
    squeezed = "".join(password.split()).lower()
    local = email.partition("@")[0]
    if len(password) < PASSWORD_MIN:
        reason = "password_too_short"
    elif len(password) > PASSWORD_MAX:
        reason = "password_too_long"
    elif password.isdigit():
        reason = "password_only_digits"
    elif squeezed in _COMMON or len(set(squeezed)) <= 2:
        reason = "password_too_common"
    elif email and (squeezed == email or (len(local) >= 4 and local in squeezed)):
        reason = "password_like_email"
    else:
        return []
    return [Problem(field, reason)]


def sign_up_problems(name: str, email: str, password: str) -> list[Problem]:
    """Every refusal of a sign-up at once, so the form can show them all."""
    return name_problems(name) + email_problems(email) + password_problems(password, email)


def staff_departments(
    kind: str, requested: list[str], configured: tuple[str, ...]
) -> tuple[tuple[str, ...], list[Problem]]:
    """The canonical names of an agent's departments (any case given); admins see every department."""
    if kind == ADMIN:
        return (), []
    if not requested:
        return (), [Problem("departments", "department_required")]
    by_key = {name.casefold(): name for name in configured}
    found = [by_key.get(name.strip().casefold()) for name in requested]
    if None in found:
        return (), [Problem("departments", "department_unknown")]
    return tuple(dict.fromkeys(name for name in found if name is not None)), []


def _ascii(label: str) -> str:
    """An internationalised domain label in its ASCII (punycode) form, or '' when it has none."""
    try:
        return label.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
