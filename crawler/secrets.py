"""Keep credentials out of logs, messages, command lines and the job store.

A database URL carries its password (``postgresql://user:secret@host/db``); so may a webhook
URL.  Such values reach a child crawl through its environment, never its argument list
(``ps`` shows that to every user), are never stored with a scheduled job, and are masked in
every log line: ``SecretFilter`` rewrites a record whose text holds a URL password or a
``password=...`` pair, whichever logger it came from (Scrapy's included).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

MASK = "***"

# Settings that hold credentials, with the environment variable that carries each to a child crawl.
SECRET_SETTINGS: dict[str, str] = {
    "DATABASE_URL": "CRAWLER_DATABASE_URL",
    "HEALTH_WEBHOOK_URL": "CRAWLER_HEALTH_WEBHOOK",
}

# scheme://user:PASSWORD@host -- userinfo is percent-encoded, so it holds no raw "@", "/" or space.
_URL_PASSWORD = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@'\"]*:)(?P<secret>[^\s/@'\"]+)(?=@)")
# libpq key/value strings and error texts: password=secret or password='secret'.
_KEY_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<secret>'[^']*'|\"[^\"]*\"|[^\s,;)]+)", re.IGNORECASE)


def mask_secrets(text: str) -> str:
    """``text`` with every URL password and ``password=...`` value replaced by ``***``."""
    if "password" not in text.lower() and "@" not in text:
        return text  # the common case: nothing to look for
    text = _URL_PASSWORD.sub(lambda m: m["head"] + MASK, text)
    return _KEY_PASSWORD.sub(lambda m: m["head"] + MASK, text)


def mask_url(url: str) -> str:
    """A URL fit for a message: its password masked (SQLAlchemy's rendering when it parses)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        return mask_secrets(str(url))


def holds_password(url: str) -> bool:
    """True when the URL carries a password."""
    try:
        return make_url(url).password is not None
    except (ArgumentError, ValueError, TypeError):
        return mask_secrets(str(url)) != url


def public_settings(settings: dict[str, str] | None) -> dict[str, str]:
    """``settings`` without the ones that hold credentials (what may be stored or put on a command line)."""
    return {k: v for k, v in (settings or {}).items() if k not in SECRET_SETTINGS}


def secret_environment(values: dict[str, Any]) -> dict[str, str]:
    """The environment variables that hand the non-empty secret settings in ``values`` to a child."""
    return {env: str(values[name]) for name, env in SECRET_SETTINGS.items() if values.get(name)}


class SecretFilter(logging.Filter):
    """Masks credentials in a record's message and traceback; never drops a record."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place when its text holds a secret."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let logging report it as usual
            return True
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_secrets(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_secrets(record.stack_info)
        return True


def install_secret_filter(logger: logging.Logger | None = None) -> None:
    """Put ``SecretFilter`` on ``logger`` (default: the root) and each of its handlers, once.

    Handler filters see every record that reaches the handler, from any logger.
    """
    logger = logger or logging.getLogger()
    for target in [logger, *logger.handlers]:
        if not any(isinstance(f, SecretFilter) for f in target.filters):
            target.addFilter(SecretFilter())


class SecretFilterExtension:
    """Scrapy extension: masks credentials in the crawl's log (installed before its settings are logged)."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> SecretFilterExtension:
        """Install the filter on the root handlers Scrapy has just set up."""
        install_secret_filter()
        return cls()
