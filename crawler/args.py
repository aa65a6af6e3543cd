"""Spider arguments and URL facts shared by the command line, the scheduler and the spiders.

They live below both, so the CLI and the job layer never import a spider module
(``spiders.base`` re-exports them for spiders).
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit


class SpiderArgumentError(ValueError):
    """A ``-a key=value`` spider argument that cannot be used."""


def parse_since(value: str | None, today: date | None = None) -> date | None:
    """``YYYY-MM-DD``, or ``Nd`` for N days before ``today`` (a scheduled job's rolling window)."""
    if not value:
        return None
    value = value.strip()
    if value[:-1].isdigit() and value.endswith("d"):
        return (today or datetime.now(UTC).date()) - timedelta(days=int(value[:-1]))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SpiderArgumentError(
            f"-a since={value!r} is not a date: use YYYY-MM-DD (e.g. 2024-01-31) or Nd for the last N days (e.g. 7d)"
        ) from None


def parse_positive_int(name: str, value: str | int | None) -> int | None:
    """A positive integer argument, or ``None`` when absent."""
    if value in (None, ""):
        return None
    try:
        number = int(value)  # type: ignore[arg-type]
    except ValueError:
        raise SpiderArgumentError(f"-a {name}={value!r} is not a whole number: e.g. -a {name}=10") from None
    if number < 1:
        raise SpiderArgumentError(f"-a {name}={value!r} must be 1 or more")
    return number


def is_loopback(url: str) -> bool:
    """True for a URL on this machine (the replica), where politeness delays are pointless."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def site_key_for(url: str) -> str:
    """The key of a site with no profile: ``auto_`` and its host and port (``auto_127_0_0_1_8001``)."""
    parts = urlsplit(url)
    name = f"{parts.hostname or ''}_{parts.port}" if parts.port else parts.hostname or ""
    return "auto_" + re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
