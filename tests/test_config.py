"""attribution.config: attribution.toml / [tool.attribution], found upward from a folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from attribution.config import DEFAULTS, ConfigError, effective, find_config, load_config, parse_fail_on


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("ATTRIBUTION_CONFIG", raising=False)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "newsroom"
    (root / ".git").mkdir(parents=True)
    return root


def test_attribution_toml_found_from_a_subfolder(tmp_path):
    root = repo(tmp_path)
    write(root / "attribution.toml", 'wires = "data/wires.db"\nwindow = 2\nfail-on = ["altered", "misattributed"]\n'
                                     'format = "json"\n')
    sub = root / "stories" / "2026"
    sub.mkdir(parents=True)
    cfg = load_config(sub)
    assert cfg == {
        "wires": str((root / "data" / "wires.db").resolve()),  # relative to the config file
        "window": 2,
        "fail_on": ["altered", "misattributed"],
        "format": "json",
        "config_file": str(root / "attribution.toml"),
    }


def test_pyproject_tool_table_and_precedence(tmp_path):
    root = repo(tmp_path)
    write(root / "pyproject.toml", '[project]\nname = "x"\n\n[tool.attribution]\nwires = "/srv/wires.db"\n'
                                   'fail_on = "altered,unverified"\nworkers = 4\n')
    cfg = load_config(root)
    assert cfg["wires"] == str(Path("/srv/wires.db").resolve())
    assert cfg["fail_on"] == ["altered", "unverified"] and cfg["workers"] == 4
    assert cfg["config_file"].endswith("pyproject.toml")
    # attribution.toml in the same folder wins
    write(root / "attribution.toml", "window = 5\n")
    assert load_config(root) == {"window": 5, "config_file": str(root / "attribution.toml")}
    # a nearer folder wins over a farther one
    write(root / "desk" / "attribution.toml", "window = 1\n")
    assert load_config(root / "desk")["window"] == 1


def test_pyproject_without_table_is_passed_over(tmp_path):
    root = repo(tmp_path)
    write(root / "attribution.toml", "window = 7\n")
    write(root / "pkg" / "pyproject.toml", '[project]\nname = "pkg"\n')
    assert load_config(root / "pkg")["window"] == 7


def test_search_stops_at_the_repository_root(tmp_path):
    write(tmp_path / "attribution.toml", "window = 9\n")  # above the repository: not used
    root = repo(tmp_path)
    assert load_config(root) == {}
    assert find_config(root) is None


def test_no_config_gives_empty_dict_and_defaults(tmp_path):
    root = repo(tmp_path)
    assert load_config(root) == {}
    opts = effective({})
    assert opts["window"] == 3 and opts["fail_on"] == ["altered", "misattributed", "unverified"]
    assert opts["format"] == "table" and opts["wires"] is None


def test_effective_command_line_over_config_over_defaults(tmp_path):
    cfg = {"window": 5, "fail_on": ["altered"], "wires": "/a.db", "config_file": "x"}
    opts = effective(cfg, window=None, fail_on="unverified,altered", wires=None, format="csv")
    assert opts["window"] == 5 and opts["wires"] == "/a.db" and opts["format"] == "csv"
    assert opts["fail_on"] == ["unverified", "altered"]
    assert effective(cfg, fail_on="")["fail_on"] == []  # '' on the command line: never fail
    assert "config_file" not in opts
    assert DEFAULTS["fail_on"] == ["altered", "misattributed", "unverified"]  # untouched


@pytest.mark.parametrize("body, words", [
    ("windw = 3\n", "unknown key 'windw'"),
    ("window = -1\n", "window: expected an integer >= 0"),
    ("window = true\n", "window: expected an integer"),
    ('window = "3"\n', "window: expected an integer"),
    ('fail-on = ["altred"]\n', "unknown verdict 'altred'"),
    ("fail-on = [1]\n", "expected a list of verdicts"),
    ('format = "xml"\n', "format: 'xml' is not one of"),
    ("wires = 3\n", "wires: expected a path"),
    ("workers = 0\n", "workers: expected an integer >= 1"),
    ("window = \n", "not valid TOML"),
])
def test_bad_settings_are_one_line_naming_the_file(tmp_path, body, words):
    root = repo(tmp_path)
    f = write(root / "attribution.toml", body)
    with pytest.raises(ConfigError) as e:
        load_config(root)
    msg = str(e.value)
    assert words in msg and str(f) in msg and "\n" not in msg
    assert e.value.exit_code == 2


def test_env_var_names_the_file(tmp_path, monkeypatch):
    f = write(tmp_path / "elsewhere" / "gate.toml", 'fail_on = ["misattributed"]\n')
    monkeypatch.setenv("ATTRIBUTION_CONFIG", str(f))
    assert load_config(repo(tmp_path))["fail_on"] == ["misattributed"]
    monkeypatch.setenv("ATTRIBUTION_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError):
        load_config(tmp_path)


def test_parse_fail_on():
    assert parse_fail_on(" altered , unverified,altered ") == ["altered", "unverified"]
    assert parse_fail_on([]) == []
    with pytest.raises(ValueError):
        parse_fail_on("confirmed,nonsense")
