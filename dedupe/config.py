"""Options from a TOML file, so a run can be written down, reviewed and repeated.

Keys are the command-line option names (``num-perm`` or ``num_perm``). Top-level keys apply to every
command that has that option; a table named after a command (``[run]``, ``[pairs]``, ``[index.build]``)
applies to that command only and wins. Options given on the command line win over the file.
"""

from __future__ import annotations

import sys
from typing import Any

import click

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def option_names(command: click.Command, *, long_only: bool = False) -> dict[str, str]:
    """Every spelling a config key may use for an option (long name with - or _, the parameter name).

    ``long_only``: one spelling per option, its first long name (the parameter name where it has none),
    in the command's order: the keys ``--print-config`` writes, which this reads back.
    """
    names: dict[str, str] = {}
    for param in command.params:
        if not isinstance(param, click.Option) or param.name is None:
            continue
        longs = [opt[2:] for opt in param.opts if opt.startswith("--")]
        if long_only:
            names[longs[0] if longs else param.name] = param.name
            continue
        names[param.name] = param.name
        for long in longs:
            names[long] = param.name
            names[long.replace("-", "_")] = param.name
    return names


def load(path: str, command: click.Command, command_path: str) -> dict[str, Any]:
    """The parameter values a config file sets for ``command`` (a click default map)."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as err:
        raise click.BadParameter(f"cannot read {path}: {err.strerror or err}") from err
    except tomllib.TOMLDecodeError as err:
        raise click.BadParameter(f"{path} is not valid TOML: {err}") from err
    names = option_names(command)
    section: Any = data
    for part in command_path.split("."):
        section = section.get(part, {}) if isinstance(section, dict) else {}
    values: dict[str, Any] = {}
    for source in ({k: v for k, v in data.items() if not isinstance(v, dict)}, section):
        for key, value in source.items():
            if key not in names:
                valid = ", ".join(sorted(k for k in names if "_" not in k))
                raise click.BadParameter(f"{path}: unknown option {key!r} for `{command_path}` (options: {valid})")
            values[names[key]] = value
    return values


def config_option(command_path: str):
    """``--config FILE``: read before the other options, so they fall back to its values."""

    def callback(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
        if value is not None:
            ctx.default_map = {**(ctx.default_map or {}), **load(value, ctx.command, command_path)}
        return value

    return click.option(
        "--config",
        type=click.Path(dir_okay=False),
        is_eager=True,
        expose_value=False,
        callback=callback,
        help="Read options from a TOML file (keys: option names; a [" + command_path + "] table too); options "
        "given on the command line win.",
    )


def to_toml(values: dict[str, Any], table: str) -> str:
    """The effective settings as a TOML table that --config reads back."""
    lines = [f"[{table}]"]
    for key, value in values.items():
        if value is None:
            continue
        lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
