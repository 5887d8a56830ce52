"""Configuration: built-in defaults, one TOML file over them, ``VEILLEUR_*`` variables over both.

This is the only module that reads the environment. Everything else gets a ``Config`` (or the
plain values in it) passed down. Errors are collected, each with its key and its line in the
file, and raised together as one ``ConfigError``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULTS = Path(__file__).resolve().parent / "defaults.toml"
DEFAULT_FILE = "veilleur.toml"
CADENCES = ("instant", "daily", "weekly")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,79}$")
EVERY = re.compile(r"^every\s+(\d+)\s*(m|h|d)$")
SECRET_KEYS = ("secret", "password", "token")


@dataclass(frozen=True)
class Setting:
    """One top-level setting: its name in the file, its default, and what it does.

    The environment variable ``VEILLEUR_<NAME>`` overrides the file.
    """

    name: str
    default: Any
    help: str
    minimum: int = 1  # for whole numbers

    @property
    def env(self) -> str:
        return "VEILLEUR_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database_url",
        "sqlite:///veilleur.db",
        "Where events are stored: a SQLite file (default, in the working directory) or "
        "postgresql+psycopg://user:password@host:port/db.",
    ),
    Setting(
        "contact",
        "",
        "An email address or URL added to the User-Agent, so that a source's operators "
        "can reach you.",
    ),
    Setting(
        "user_agent",
        "veilleur/0.1 (veille réglementaire)",
        "The User-Agent sent to every source; `contact` is appended to it.",
    ),
    Setting("http_timeout", 30, "Seconds before a request with no answer is abandoned."),
    Setting(
        "max_response_mb",
        64,
        "Largest response body accepted, in MiB (archives are streamed and capped "
        "separately by `max_archive_mb`).",
    ),
    Setting("max_archive_mb", 2048, "Largest DILA archive downloaded, in MiB."),
    Setting(
        "archive_workers",
        0,
        "Worker processes that look through the members of a large DILA archive (4 MiB "
        "or more) while the crawl decompresses it: 0 for one per CPU, 1 for none.",
        minimum=0,
    ),
    Setting("crawl_timeout", 3600, "Seconds after which a crawl process is stopped."),
    Setting("site_dir", "site", "Directory where `veilleur site build` writes the timeline site."),
    Setting(
        "public_url",
        "",
        "Public base URL of the site and of `veilleur serve` (used in links of emails, "
        "feeds and the subscription form). Empty: no subscribe links.",
    ),
    Setting(
        "ops_url",
        "",
        "apprise URL that receives operator alerts (a source failing, a subscription "
        "failing). Empty: alerts go to the log only.",
    ),
    Setting("log_level", "INFO", "DEBUG, INFO, WARNING or ERROR."),
    Setting(
        "secret_key",
        "",
        "Key signing confirmation and unsubscribe links. Empty: one is generated on first "
        "use and kept in the database.",
    ),
    Setting(
        "email_sender_url",
        "",
        "apprise mailto(s):// URL (server, account, from=) used to email people who "
        "subscribe through the web form; their address is added as to=.",
    ),
    Setting(
        "matrix_sender_url",
        "",
        "apprise matrix(s):// URL of the bot account that posts to rooms subscribed "
        "through the web form; the room is added to it.",
    ),
    Setting("digest_time", "07:00", "Time of day (Europe/Paris) of daily and weekly digests."),
    Setting("weekly_day", "mon", "Day of the weekly digest: mon, tue, wed, thu, fri, sat, sun."),
    Setting(
        "send_empty_digests",
        False,
        "Send a digest even when nothing is new (false: nothing is sent).",
    ),
    Setting(
        "failure_threshold",
        3,
        "Failed runs of a source, or failed sends to a subscriber, in a row before the "
        "operator is alerted.",
    ),
    # Légifrance API (PISTE) credentials, for sources run by the legifrance_api spider that do
    # not set their own client_id / client_secret; the environment keeps them out of files
    Setting(
        "piste_client_id",
        "",
        "PISTE client id of the Légifrance API, used by `legifrance_api` sources without "
        "their own `client_id`.",
    ),
    Setting(
        "piste_client_secret",
        "",
        "PISTE client secret of the Légifrance API (never logged), used by `legifrance_api` "
        "sources without their own `client_secret`.",
    ),
)
SETTING_NAMES = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class SourceConfig:
    """One source: which spider, where it starts, when it runs, and its own extra keys."""

    slug: str
    spider: str
    title: str
    url: str
    enabled: bool
    schedule: str
    min_items: int
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WatchConfig:
    slug: str
    title: str
    terms: tuple[str, ...]
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class DossierConfig:
    slug: str
    title: str
    description: str
    watches: tuple[str, ...]
    identifiers: tuple[str, ...]
    seed: str = ""


@dataclass(frozen=True)
class SubscriberConfig:
    url: str
    cadence: str
    watches: tuple[str, ...]
    dossiers: tuple[str, ...]
    label: str = ""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the configuration."""

    key: str
    message: str
    line: int | None = None
    path: str = ""

    def __str__(self) -> str:
        where = (
            f"{self.path}:{self.line}: " if self.line else (f"{self.path}: " if self.path else "")
        )
        return f"{where}{self.key}: {self.message}" if self.key else f"{where}{self.message}"


class ConfigError(Exception):
    """The configuration is invalid; ``problems`` lists every error found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Config:
    """The effective configuration, frozen."""

    settings: Mapping[str, Any]
    sources: Mapping[str, SourceConfig]
    watches: Mapping[str, WatchConfig]
    dossiers: Mapping[str, DossierConfig]
    subscribers: tuple[SubscriberConfig, ...]
    path: Path | None = None

    def __getattr__(self, name: str) -> Any:
        try:
            return self.settings[name]
        except KeyError:
            raise AttributeError(name) from None

    def enabled_sources(self) -> list[SourceConfig]:
        return [s for s in self.sources.values() if s.enabled]


def _read_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            [Problem("", f"cannot read the file: {exc.strerror}", None, str(path))]
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError([Problem("", "the file is not UTF-8", None, str(path))]) from exc
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ConfigError(
            [
                Problem(
                    "", f"not valid TOML: {exc}", int(match.group(1)) if match else None, str(path)
                )
            ]
        ) from exc


def locate(text: str, key: str) -> int | None:
    """The line of ``key`` (dotted path such as ``sources.dila_jorf.url``) in a TOML text."""
    parts = key.split(".")
    table: list[str] = []
    header_line = None
    best = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = re.match(r"^\[\[?\s*([^\]]+?)\s*\]\]?", line)
        if header:
            table = [p.strip().strip('"') for p in header.group(1).split(".")]
            if table == parts:
                return number
            if table == parts[: len(table)]:
                header_line = number
            continue
        assignment = re.match(r'^("?[\w\-]+"?)\s*=', line)
        if assignment and [*table, assignment.group(1).strip('"')] == parts:
            return number
        if header_line and table == parts[: len(table)] and best is None:
            best = header_line
    return best


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def config_path(
    explicit: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> Path | None:
    """The file to read: ``--config``, else ``$VEILLEUR_CONFIG``, else ./veilleur.toml if any."""
    environ = os.environ if environ is None else environ
    if explicit:
        return Path(explicit)
    if environ.get("VEILLEUR_CONFIG"):
        return Path(environ["VEILLEUR_CONFIG"])
    default = Path(DEFAULT_FILE)
    return default if default.is_file() else None


def load(
    path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> Config:
    """Read the configuration; raise ``ConfigError`` listing every problem."""
    environ = os.environ if environ is None else environ
    chosen = config_path(path, environ)
    defaults, _ = _read_toml(DEFAULTS)
    user, text = ({}, "")
    if chosen is not None:
        if not chosen.is_file():
            raise ConfigError([Problem("", "no such configuration file", None, str(chosen))])
        user, text = _read_toml(chosen)
    return build(defaults, user, text, environ, chosen)


def build(
    defaults: dict[str, Any],
    user: dict[str, Any],
    text: str,
    environ: Mapping[str, str],
    path: Path | None,
) -> Config:
    """Validate and assemble a ``Config`` from parsed TOML (pure apart from its arguments)."""
    problems: list[Problem] = []

    def problem(key: str, message: str) -> None:
        problems.append(
            Problem(key, message, locate(text, key) if text else None, str(path) if path else "")
        )

    known_tables = {"sources", "watches", "dossiers", "subscribers"}
    for key in user:
        if key not in SETTING_NAMES and key not in known_tables:
            problem(key, f"unknown setting (known: {', '.join(sorted(SETTING_NAMES))})")
    merged = _merge(defaults, user)

    settings: dict[str, Any] = {}
    for setting in SETTINGS:
        value = merged.get(setting.name, setting.default)
        if setting.env in environ:
            value = environ[setting.env]
            if isinstance(setting.default, bool):
                value = value.strip().lower() in ("1", "true", "yes", "on")
            elif isinstance(setting.default, int):
                try:
                    value = int(value)
                except ValueError:
                    problem(setting.name, f"{setting.env} must be a whole number, got {value!r}")
                    continue
        if type(value) is not type(setting.default):
            expected = {int: "a whole number", str: "a string", bool: "true or false"}
            problem(setting.name, f"must be {expected[type(setting.default)]}, got {value!r}")
            continue
        if isinstance(value, int) and not isinstance(value, bool) and value < setting.minimum:
            problem(setting.name, f"must be at least {setting.minimum}")
        settings[setting.name] = value
    if settings.get("log_level", "INFO").upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        problem("log_level", "must be DEBUG, INFO, WARNING or ERROR")
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", settings.get("digest_time", "07:00")):
        problem("digest_time", "must be a time such as 07:00")
    if settings.get("weekly_day", "mon") not in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        problem("weekly_day", "must be one of mon, tue, wed, thu, fri, sat, sun")

    sources = _sources(merged.get("sources", {}), problem)
    for slug, source in sources.items():
        if source.spider == "legifrance_api":
            found = {
                key: settings[f"piste_{key}"]
                for key in ("client_id", "client_secret")
                if not source.options.get(key) and settings.get(f"piste_{key}")
            }
            if found:
                sources[slug] = replace(source, options={**source.options, **found})
    watches = _watches(merged.get("watches", {}), problem)
    dossiers = _dossiers(merged.get("dossiers", {}), watches, problem)
    subscribers = _subscribers(user.get("subscribers", []), watches, dossiers, problem)
    if problems:
        raise ConfigError(problems)
    return Config(settings, sources, watches, dossiers, subscribers, path)


def _table(tables: Any, name: str, problem: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(tables, Mapping):
        problem(name, "must be a table of tables")
        return {}
    out = {}
    for slug, table in tables.items():
        if not SLUG.match(slug):
            problem(f"{name}.{slug}", "name must be lower-case letters, digits, - or _")
        elif not isinstance(table, Mapping):
            problem(f"{name}.{slug}", "must be a table")
        else:
            out[slug] = dict(table)
    return out


def _strings(value: Any, key: str, problem: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problem(key, "must be a list of strings")
        return ()
    return tuple(value)


def check_schedule(schedule: str) -> str | None:
    """Why ``schedule`` is not valid, or None. Forms: ``every 6h`` or a 5-field cron line."""
    text = schedule.strip()
    if EVERY.match(text):
        return None if int(EVERY.match(text).group(1)) > 0 else "the interval must be positive"
    fields = text.split()
    if len(fields) != 5:
        return "expected 'every <n>m|h|d' or a cron line of 5 fields (minute hour day month dow)"
    ranges = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
    for value, (low, high) in zip(fields, ranges, strict=True):
        for part in value.split(","):
            base = part.split("/")[0]
            if base == "*" or re.fullmatch(r"[a-z]{3}(-[a-z]{3})?", base.lower()):
                continue
            bounds = base.split("-")
            if not all(b.isdigit() and low <= int(b) <= high for b in bounds):
                return f"cron field {value!r} is out of range {low}-{high}"
    return None


def _sources(tables: Any, problem: Any) -> dict[str, SourceConfig]:
    out = {}
    generic = {"spider", "title", "url", "enabled", "schedule", "min_items"}
    for slug, t in _table(tables, "sources", problem).items():
        key = f"sources.{slug}"
        url = t.get("url", "")
        if (
            not isinstance(url, str)
            or urlsplit(url).scheme not in ("http", "https")
            or not urlsplit(url).netloc
        ):
            problem(f"{key}.url", f"must be an http(s) URL, got {url!r}")
        enabled = t.get("enabled", True)
        if not isinstance(enabled, bool):
            problem(f"{key}.enabled", "must be true or false")
        schedule = t.get("schedule", "every 6h")
        why = check_schedule(schedule) if isinstance(schedule, str) else "must be a string"
        if why:
            problem(f"{key}.schedule", why)
        min_items = t.get("min_items", 0)
        if not isinstance(min_items, int) or isinstance(min_items, bool) or min_items < 0:
            problem(f"{key}.min_items", "must be a whole number ≥ 0")
        spider = t.get("spider", slug)
        if not isinstance(spider, str) or not SLUG.match(spider):
            problem(f"{key}.spider", "must name a spider (see `veilleur sources --spiders`)")
        out[slug] = SourceConfig(
            slug,
            str(spider),
            str(t.get("title", slug)),
            str(url),
            bool(enabled),
            str(schedule),
            int(min_items or 0),
            {k: v for k, v in t.items() if k not in generic},
        )
    return out


def _watches(tables: Any, problem: Any) -> dict[str, WatchConfig]:
    out = {}
    for slug, t in _table(tables, "watches", problem).items():
        terms = _strings(t.get("terms", []), f"watches.{slug}.terms", problem)
        if not terms:
            problem(f"watches.{slug}.terms", "a watch needs at least one term")
        exclude = _strings(t.get("exclude", []), f"watches.{slug}.exclude", problem)
        out[slug] = WatchConfig(slug, str(t.get("title", slug)), terms, exclude)
    return out


def _dossiers(
    tables: Any, watches: Mapping[str, WatchConfig], problem: Any
) -> dict[str, DossierConfig]:
    out = {}
    for slug, t in _table(tables, "dossiers", problem).items():
        key = f"dossiers.{slug}"
        names = _strings(t.get("watches", []), f"{key}.watches", problem)
        for name in names:
            if name not in watches:
                problem(f"{key}.watches", f"unknown watch {name!r}")
        seed = t.get("seed", "")
        if not isinstance(seed, str):
            problem(f"{key}.seed", "must be the name of a shipped timeline")
        out[slug] = DossierConfig(
            slug,
            str(t.get("title", slug)),
            str(t.get("description", "")),
            names,
            _strings(t.get("identifiers", []), f"{key}.identifiers", problem),
            str(seed),
        )
    return out


def _subscribers(
    entries: Any,
    watches: Mapping[str, WatchConfig],
    dossiers: Mapping[str, DossierConfig],
    problem: Any,
) -> tuple[SubscriberConfig, ...]:
    if not isinstance(entries, list):
        problem("subscribers", "must be an array of tables: [[subscribers]]")
        return ()
    out = []
    for index, entry in enumerate(entries):
        key = f"subscribers[{index}]"
        if not isinstance(entry, Mapping):
            problem(key, "must be a table")
            continue
        url = entry.get("url")
        if not isinstance(url, str) or "://" not in url:
            problem(f"{key}.url", "must be an apprise URL such as mailtos://… or matrixs://…")
            url = ""
        cadence = entry.get("cadence", "daily")
        if cadence not in CADENCES:
            problem(f"{key}.cadence", f"must be one of {', '.join(CADENCES)}")
        names = _strings(entry.get("watches", []), f"{key}.watches", problem)
        for name in names:
            if name not in watches:
                problem(f"{key}.watches", f"unknown watch {name!r}")
        followed = _strings(entry.get("dossiers", []), f"{key}.dossiers", problem)
        for name in followed:
            if name not in dossiers:
                problem(f"{key}.dossiers", f"unknown dossier {name!r}")
        if not names and not followed:
            problem(key, "follows nothing: give watches or dossiers")
        out.append(
            SubscriberConfig(url, str(cadence), names, followed, str(entry.get("label", "")))
        )
    return tuple(out)


def mask_secrets(value: Any, key: str = "") -> Any:
    """A copy of a configuration value with secrets replaced by ``****``."""
    if isinstance(value, Mapping):
        return {k: mask_secrets(v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_secrets(v, key) for v in value]
    if isinstance(value, str) and value and any(s in key.lower() for s in SECRET_KEYS):
        return "****"
    if isinstance(value, str) and "://" in value and "@" in value:
        return mask_url(value)
    return value


def mask_url(url: str) -> str:
    """``scheme://user:secret@host/…`` → ``scheme://user:****@host/…``; tokens in paths stay
    hidden by notify's own masking where the scheme puts them elsewhere."""
    return re.sub(r"(://[^/:@]*):[^@/]*@", r"\1:****@", url)
