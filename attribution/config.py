"""Project settings for `check` and `batch`: ``attribution.toml`` or ``[tool.attribution]``.

    from attribution.config import load_config, effective
    cfg = load_config(Path.cwd())          # {} when there is no config file
    opts = effective(cfg, window=None, fail_on="altered", wires=None, format=None)

The search starts in ``start_dir`` and goes up through its parents. In each folder an
``attribution.toml`` (settings at its top level) wins over a ``pyproject.toml`` (settings in
its ``[tool.attribution]`` table; a ``pyproject.toml`` without that table is passed over).
The search stops at the first file found, and after the folder that holds ``.git`` (the
repository root) or at the root of the file system. ``$ATTRIBUTION_CONFIG``, when set,
names the file to use instead (an ``attribution.toml``-style or a ``pyproject.toml`` file).

Keys (``fail-on`` and ``fail_on`` are the same key):

=========  =====================================  ==========================================
key        value                                  meaning
=========  =====================================  ==========================================
wires      path (relative to the config file)     wire archive file, or folder of wire files
window     integer >= 0                           days around the article's date for wires
fail_on    list of verdicts, or "a,b" string      verdicts that fail the gate (exit 1)
format     table, json, jsonl, csv or html        `check` output format
out        path (relative to the config file)     `check --out` file / `batch --out` folder
workers    integer >= 1                           `batch` worker processes
=========  =====================================  ==========================================

An unknown key, a value of the wrong type or an unknown verdict or format raises
:class:`ConfigError` (exit code 2) with one line naming the file: a typo in a gate's
settings must not pass silently.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional, Union

from attribution.errors import EXIT_USAGE, AttributionError

try:  # Python >= 3.11
    import tomllib as _toml
except ImportError:  # pragma: no cover - Python 3.10
    try:
        import tomli as _toml  # type: ignore[no-redef]
    except ImportError:
        _toml = None  # type: ignore[assignment]

CONFIG_FILE = "attribution.toml"
PYPROJECT = "pyproject.toml"
ENV_VAR = "ATTRIBUTION_CONFIG"
VERDICTS = ("confirmed", "paraphrased", "altered", "misattributed", "unverified")
FORMATS = ("table", "json", "jsonl", "csv", "html")
KEYS = ("wires", "window", "fail_on", "format", "out", "workers")
DEFAULTS: dict[str, Any] = {
    "wires": None,  # the archive in the user data dir (cli_wires._default_db)
    "window": 3,
    "fail_on": ["altered", "misattributed", "unverified"],
    "format": "table",
    "out": None,
    "workers": None,  # the CPUs this process may use
}


class ConfigError(AttributionError):
    """A config file that cannot be used; the message is one line naming the file."""

    code = "E110"
    exit_code = EXIT_USAGE

    def __init__(self, path: Union[str, os.PathLike], problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem} [{self.code}]")


def _read_toml(path: Path) -> dict:
    if _toml is None:  # pragma: no cover
        raise ConfigError(path, "reading TOML needs Python >= 3.11 or the 'tomli' package")
    try:
        with open(path, "rb") as f:
            return _toml.load(f)
    except OSError as e:
        raise ConfigError(path, f"cannot read ({e.strerror})") from None
    except Exception as e:  # tomllib.TOMLDecodeError, UnicodeDecodeError
        raise ConfigError(path, f"not valid TOML ({' '.join(str(e).split())})") from None


def _table_of(path: Path) -> Optional[dict]:
    """The settings table of a config file, or None (a pyproject.toml without one)."""
    data = _read_toml(path)
    if path.name == PYPROJECT:
        tool = data.get("tool")
        if not isinstance(tool, dict) or "attribution" not in tool:
            return None
        table = tool["attribution"]
        if not isinstance(table, dict):
            raise ConfigError(path, "[tool.attribution] must be a table")
        return table
    return data


def find_config(start_dir: Union[str, os.PathLike, None] = None) -> Optional[tuple[Path, dict]]:
    """(file, its raw settings table) of the config that applies in `start_dir`, or None."""
    env = os.environ.get(ENV_VAR)
    if env:
        p = Path(env).expanduser()
        if not p.is_file():
            raise ConfigError(p, f"${ENV_VAR} names no file")
        table = _table_of(p)
        if table is None:
            raise ConfigError(p, "has no [tool.attribution] table")
        return p, table
    d = Path(start_dir or Path.cwd()).expanduser().resolve()
    if d.is_file():
        d = d.parent
    for folder in (d, *d.parents):
        for name in (CONFIG_FILE, PYPROJECT):
            p = folder / name
            if p.is_file():
                table = _table_of(p)
                if table is not None:
                    return p, table
        if (folder / ".git").exists():
            break
    return None


def _path(file: Path, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(file, f"{key}: expected a path (a string), got {value!r}")
    p = Path(value).expanduser()
    if not p.is_absolute():
        p = file.parent / p
    return str(p.resolve())


def _int(file: Path, key: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(file, f"{key}: expected an integer >= {minimum}, got {value!r}")
    return value


def parse_fail_on(value: Any, where: str = "--fail-on") -> list[str]:
    """Verdicts from a list or a comma-separated string; ValueError names a bad one."""
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",")]
    elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        items = [v.strip() for v in value]
    else:
        raise ValueError(f"{where}: expected a list of verdicts, got {value!r}")
    items = [v for v in items if v]
    bad = [v for v in items if v not in VERDICTS]
    if bad:
        raise ValueError(f"{where}: unknown verdict {', '.join(map(repr, bad))} (use {', '.join(VERDICTS)})")
    return list(dict.fromkeys(items))


def validate(file: Union[str, os.PathLike], table: dict) -> dict:
    """Checked and normalised settings (paths made absolute against the file's folder)."""
    file = Path(file)
    out: dict[str, Any] = {}
    for raw_key, value in table.items():
        key = str(raw_key).replace("-", "_")
        if key not in KEYS:
            raise ConfigError(file, f"unknown key {raw_key!r} (known: {', '.join(k.replace('_', '-') for k in KEYS)})")
        if key in ("wires", "out"):
            out[key] = _path(file, key, value)
        elif key == "window":
            out[key] = _int(file, key, value, 0)
        elif key == "workers":
            out[key] = _int(file, key, value, 1)
        elif key == "fail_on":
            try:
                out[key] = parse_fail_on(value, "fail-on")
            except ValueError as e:
                raise ConfigError(file, str(e)) from None
        elif key == "format":
            if value not in FORMATS:
                raise ConfigError(file, f"format: {value!r} is not one of {', '.join(FORMATS)}")
            out[key] = value
    return out


def load_config(start_dir: Union[str, os.PathLike, None] = None) -> dict:
    """The settings that apply in `start_dir` (default: the current folder), validated
    and normalised, with ``config_file`` naming their file; ``{}`` when there is none.
    Raises :class:`ConfigError` for a file that cannot be used."""
    found = find_config(start_dir)
    if found is None:
        return {}
    file, table = found
    cfg = validate(file, table)
    cfg["config_file"] = str(file)
    return cfg


def effective(config: dict, **given: Any) -> dict:
    """Settings for one command: what was given on the command line (not None), else the
    config file's, else :data:`DEFAULTS`. ``fail_on`` may be given as a string."""
    out = {k: v for k, v in DEFAULTS.items()}
    out.update({k: v for k, v in config.items() if k in KEYS})
    for k, v in given.items():
        if v is not None:
            out[k] = parse_fail_on(v) if k == "fail_on" and isinstance(v, str) else v
    return out


__all__ = ["load_config", "find_config", "effective", "validate", "parse_fail_on", "ConfigError",
           "DEFAULTS", "KEYS"]
