"""The council's identity: who runs the service, where it is reached, who its
emails come from, and how its published grants data names it.

Production settings refuse to start unless every value here is present and
well formed (``production_problems``), naming every one that is not in one
message. The exports that publish the council's name on data others reuse
(360Giving) check again before they write (``publishing_problems``), so a
missing or placeholder identifier never reaches published data, whatever
settings the process runs on.

Plain functions over strings: settings modules import this before Django is
set up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# An organisation identifier (https://org-id.guide) names the funder in
# 360Giving data. A UK council is on one of the four local authority
# registers, each code three or four capital letters (England's GB-LAE-,
# Scotland's GB-LAS-, Wales's GB-PLA-, Northern Ireland's GB-LANI-). A
# programme may also be run by a charity (a community foundation: GB-CHC-
# in England and Wales, GB-SC- in Scotland) or a company (a council-owned
# company or community interest company: GB-COH-).
COUNCIL_FUNDER_ID = re.compile(r"GB-(LAE|LAS|PLA|LANI)-[A-Z]{3,4}")
OTHER_FUNDER_ID = re.compile(r"GB-CHC-[0-9]{6,7}|GB-SC-SC[0-9]{6}|GB-COH-[A-Z0-9]{8}")
# A 360Giving prefix is 360G- and the publisher's own registered part:
# letters, digits, hyphens and underscores, not ending in a hyphen (grant
# identifiers add "-" and a reference to it).
PREFIX = re.compile(r"360G-[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?")
# Words that mark a value copied from an example rather than registered.
PLACEHOLDER = re.compile(r"example|placeholder|changeme|your|^x+$", re.IGNORECASE)
# Email URLs that deliver mail (django-environ's SMTP schemes). The console,
# file, memory and dummy backends would lose every email in production.
SMTP_SCHEMES = {"smtp", "smtps", "smtp+tls", "smtp+ssl"}
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}

Check = Callable[[str], str | None]


def _council_name(value: str) -> str | None:
    return None if value.strip() else "is empty"


def _site_url(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        return f"is {value!r}, not an https:// URL"
    if parts.query or parts.fragment:
        return "has a query or fragment"
    return None


def _email_url(value: str) -> str | None:
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in SMTP_SCHEMES:
        # The value holds a password, so only its scheme is repeated.
        return f"uses {scheme + '://' if scheme else 'no scheme'}, which sends no mail"
    if not urlsplit(value).hostname:
        return "names no mail server"
    try:
        urlsplit(value).port  # noqa: B018 (a bad port raises)
    except ValueError:
        return "has a port that is not a number"
    return None


def _from_email(value: str) -> str | None:
    _name, address = parseaddr(value)
    try:
        validate_email(address)
    except ValidationError:
        return f"is {value!r}, not an email address"
    return None


def funder_id_problem(value: str) -> str | None:
    """Why ``value`` is not a funder's organisation identifier, or None."""
    if COUNCIL_FUNDER_ID.fullmatch(value) or OTHER_FUNDER_ID.fullmatch(value):
        if re.fullmatch(r"X+|0+", value.rsplit("-", 1)[1]):
            return f"is {value!r}, a placeholder, not the council's identifier"
        return None
    if value.upper().startswith("360G-"):
        return f"is {value!r}, a 360Giving prefix, not an organisation identifier"
    return f"is {value!r}, not an organisation identifier in a form it accepts"


def prefix_problem(value: str) -> str | None:
    """Why ``value`` is not a registered-looking 360Giving prefix, or None."""
    if not PREFIX.fullmatch(value):
        return f"is {value!r}, not a 360Giving prefix"
    if PLACEHOLDER.search(value.removeprefix("360G-")):
        return f"is {value!r}, a placeholder, not the council's registered prefix"
    return None


def _allowed_hosts(value: str) -> str | None:
    return None if any(h.strip() for h in value.split(",")) else "names no host"


def _database_url(value: str) -> str | None:
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in POSTGRES_SCHEMES:
        return "is not a PostgreSQL URL (postgres://...)"
    return None


def _secret_key(value: str) -> str | None:
    return None


# Every setting production requires: its check, and what a good value looks
# like, for the message that refuses to start.
REQUIRED_IN_PRODUCTION: dict[str, tuple[Check, str]] = {
    "SECRET_KEY": (_secret_key, "a long random string, kept secret"),
    "ALLOWED_HOSTS": (
        _allowed_hosts,
        (
            "the host names the site answers to, comma-separated: "
            "community.anytown.gov.uk"
        ),
    ),
    "DATABASE_URL": (
        _database_url,
        "a PostgreSQL URL: postgres://user:password@db.internal:5432/abcd",
    ),
    "COUNCIL_NAME": (
        _council_name,
        "the council's name as residents know it: Anytown Borough Council",
    ),
    "SITE_URL": (
        _site_url,
        (
            "the https address residents reach the service at: "
            "https://community.anytown.gov.uk"
        ),
    ),
    "EMAIL_URL": (
        _email_url,
        "the council's mail server: smtp+tls://user:password@smtp.anytown.gov.uk:587",
    ),
    "DEFAULT_FROM_EMAIL": (
        _from_email,
        (
            "the address the service's emails come from: "
            "community-building@anytown.gov.uk or "
            "Community Building <community-building@anytown.gov.uk>"
        ),
    ),
    "THREESIXTYGIVING_FUNDER_ID": (
        funder_id_problem,
        (
            "the council's organisation identifier (https://org-id.guide): GB-LAE- "
            "and its code on the register of local authorities in England, such as "
            "GB-LAE-ABC (GB-LAS-, GB-PLA- or GB-LANI- in Scotland, Wales or "
            "Northern Ireland; GB-CHC-, GB-SC- or GB-COH- for a charity or company "
            "that runs the programme)"
        ),
    ),
    "THREESIXTYGIVING_PREFIX": (
        prefix_problem,
        "the prefix 360Giving registered for the council: 360G-anytown",
    ),
}


def production_problems(values: Mapping[str, str]) -> list[str]:
    """One line for each required setting that is missing or malformed in
    ``values`` (the raw environment), naming it and what it should be."""
    problems = []
    for name, (check, looks_like) in REQUIRED_IN_PRODUCTION.items():
        value = values.get(name, "").strip()
        problem = check(value) if value else "is not set"
        if problem:
            problems.append(f"{name} {problem}. Set it to {looks_like}")
    return problems


def refusal(problems: list[str]) -> str:
    """The message production stops with."""
    return (
        "Production settings need the council's identity and secrets; "
        f"{len(problems)} {'is' if len(problems) == 1 else 'are'} missing or "
        'malformed (see "The council\'s identity" in README.md):\n'
        + "\n".join(f"  - {problem}" for problem in problems)
    )


def publishing_problems(*, funder_id: str, prefix: str) -> list[str]:
    """Why grants data cannot be published with these identifiers (none
    when it can)."""
    problems = []
    for name, value, check in (
        ("THREESIXTYGIVING_FUNDER_ID", funder_id, funder_id_problem),
        ("THREESIXTYGIVING_PREFIX", prefix, prefix_problem),
    ):
        problem = check(value) if value else "is not set"
        if problem:
            problems.append(f"{name} {problem}.")
    return problems
