"""Loading site profiles: bundled and user files, validated, one line per problem.

Bundled profiles are the ``*.toml`` files of this package (``crawler/profiles/``); the user's
directory is ``$CRAWLER_SITE_PROFILES`` / setting ``SITE_PROFILES_DIR``.  A user profile with
a bundled key overrides it.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from crawler.profiles.model import (
    RESERVED_KEYS,
    Chrome,
    Discovery,
    Listing,
    LoadedProfile,
    Politeness,
    Profile,
    ProfileError,
    Recheck,
    Schedule,
    Selectors,
)

BUNDLED_DIR = Path(__file__).resolve().parent
"""The bundled profiles: this package's folder."""

# --- error lines ---------------------------------------------------------------------------

_EXAMPLES = {
    "key": 'key = "mysite" (lowercase letters, digits, _; the file name without .toml)',
    "name": 'name = "The Levant Post"',
    "base_url": 'base_url = "https://news.example"',
    "cron": 'cron = "0 */2 * * *"',
    "url": 'url = "/news"',
}


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class of the table at ``loc`` (for the keys it allows)."""
    model: type[BaseModel] | None = Profile
    for part in loc:
        if model is None or isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return model
        annotation = field.annotation
        model = None
        for candidate in (Discovery, Selectors, Chrome, Politeness, Recheck, Schedule, Listing):
            text = str(annotation)
            if candidate.__name__ in text:
                model = candidate
                break
    return model


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _error_line(path: Path, error: dict[str, Any]) -> str:
    loc = tuple(error["loc"])
    where = _dotted(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1]) or Profile
        allowed = sorted(parent.model_fields)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        fix = f"did you mean {close[0]!r}?" if close else "remove it"
        table = _dotted(loc[:-1]) or "the top level"
        return f"{path}: key {where!r}: unknown key in {table} (expected one of: {', '.join(allowed)}); {fix}"
    if kind == "missing":
        example = _EXAMPLES.get(str(loc[-1]), f"{loc[-1]} = ...")
        return f"{path}: key {where!r}: missing required key; add e.g. {example}"
    if kind == "value_error":
        message = str(error.get("ctx", {}).get("error", error["msg"]))
        return f"{path}: key {where!r}: {message}"
    if kind == "string_pattern_mismatch" and loc[-1] == "key":
        return f"{path}: key 'key': {error['input']!r} is not a site key; write e.g. {_EXAMPLES['key']}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{path}: key {where!r}: {error['input']!r} is not allowed; write one of {expected}"
    expected = error["msg"][0].lower() + error["msg"][1:]
    return f"{path}: key {where!r}: got {error.get('input')!r}, expected: {expected}; fix the value"


def _merge_typos(errors: list[Any]) -> list[Any]:
    """Leave out "missing key X" when an unknown key of the same table is a typo of X (one problem, one line)."""
    missing = {tuple(e["loc"]) for e in errors if e["type"] == "missing"}
    typos: set[tuple[Any, ...]] = set()
    for e in errors:
        if e["type"] == "extra_forbidden":
            loc = tuple(e["loc"])
            close = difflib.get_close_matches(str(loc[-1]), [str(m[-1]) for m in missing if m[:-1] == loc[:-1]], n=1)
            if close:
                typos.add(loc[:-1] + (close[0],))
    return [e for e in errors if not (e["type"] == "missing" and tuple(e["loc"]) in typos)]


def parse_profile(data: dict[str, Any], path: Path) -> Profile:
    """Validate one profile document; :class:`ProfileError` lists every problem, one line each."""
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError([_error_line(path, e) for e in _merge_typos(exc.errors())]) from None
    if profile.key in RESERVED_KEYS:
        raise ProfileError([
            f"{path}: key 'key': {profile.key!r} is the name of a generic spider "
            f"({', '.join(sorted(RESERVED_KEYS))}); choose another key and rename the file"
        ])
    if profile.key != path.stem:
        raise ProfileError([
            f"{path}: key 'key': {profile.key!r} differs from the file name {path.name!r}; "
            f"rename the file to {profile.key}.toml or set key = {path.stem!r}"
        ])
    return profile


def load_file(path: Path) -> Profile:
    """Read and validate one ``<key>.toml`` file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError([f"{path}: not valid TOML ({exc}); fix the syntax there"]) from None
    except OSError as exc:
        raise ProfileError([f"{path}: cannot be read ({exc.strerror}); check the path and its permissions"]) from None
    return parse_profile(data, path)


def _directory_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.toml") if p.is_file())


def user_profiles_dir() -> Path | None:
    """The user's profile directory from settings (``SITE_PROFILES_DIR`` / ``$CRAWLER_SITE_PROFILES``)."""
    from crawler import settings

    # The environment is read again: it may have changed since settings was imported (tests, the CLI).
    value = os.environ.get("CRAWLER_SITE_PROFILES") or settings.SITE_PROFILES_DIR
    return Path(value).expanduser() if value else None


def load_profiles(
    user_dir: str | Path | None = None, bundled_dir: str | Path | None = BUNDLED_DIR
) -> dict[str, LoadedProfile]:
    """Every profile by key: the bundled ones, then the user directory's (same key: the user's wins).

    ``user_dir`` defaults to :func:`user_profiles_dir`.  Raises :class:`ProfileError` with one
    line per problem across all files, so a user fixes them in one pass.
    """
    user = Path(user_dir).expanduser() if user_dir is not None else user_profiles_dir()
    problems: list[str] = []
    loaded: dict[str, LoadedProfile] = {}
    sources: list[tuple[Path, bool]] = []
    if bundled_dir is not None:
        sources += [(p, True) for p in _directory_files(Path(bundled_dir))]
    if user is not None:
        if not user.is_dir():
            problems.append(
                f"{user}: the site profiles directory (CRAWLER_SITE_PROFILES / SITE_PROFILES_DIR) does not exist; "
                "create it or unset the variable"
            )
        else:
            sources += [(p, False) for p in _directory_files(user)]
    for path, bundled in sources:
        try:
            profile = load_file(path)
        except ProfileError as exc:
            problems.extend(exc.lines)
            continue
        loaded[profile.key] = LoadedProfile(profile=profile, path=path, bundled=bundled)
    if problems:
        raise ProfileError(problems)
    return loaded
