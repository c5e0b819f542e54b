"""The event catalogue, `docs/events.md`: every domain event and in-transaction hook, with its
payload, the domain that emits it and who reacts, written from the code (`rapport events`)."""

from pathlib import Path

from django.conf import settings

from rapport.core import events, hooks


def catalogue_file() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "events.md"


def _domain(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "rapport" else module


def _type_name(kind: object) -> str:
    """`int`, or `int or None` for a union (a `|` would split the table's cell)."""
    name = getattr(kind, "__name__", None) or str(kind).replace("NoneType", "None")
    return name.replace(" | ", " or ")


def render() -> str:
    lines = [
        "# Event catalogue",
        "",
        "Written by `rapport events` from the declarations in each domain's `events.py` and the",
        "listeners in each domain's `wiring.py`; `make lint` fails when this file is out of date.",
        "How the two mechanisms work: `rapport/core/events.py` and `rapport/core/hooks.py`.",
        "",
        "Every event carries `workspace_id`, `actor_id` (the member who acted; none when the",
        "machine did), `at`, and `object_id` (one object) or `ids` (a batch), of the kind named",
        "under *about*; *data* lists the extra keys. Listeners run after the commit, in the",
        "process that committed, or in a task of their own where marked *queued*.",
        "",
        "## Domain events (after commit)",
        "",
        "| event | what happened | about | data | emitted by | heard by |",
        "|---|---|---|---|---|---|",
    ]
    for name in sorted(events.CATALOGUE):
        declared = events.CATALOGUE[name]
        data = ", ".join(f"`{k}`: {_type_name(v)}" for k, v in declared.data.items()) or "—"
        heard = "<br>".join(
            f"`{listener.path.removeprefix('rapport.')}`" + (" (queued)" if listener.queued else "")
            for listener in events.LISTENERS.get(name, ())
        )
        lines.append(
            f"| `{name}` | {declared.summary} | `{declared.about}` | {data} "
            f"| {_domain(declared.declared_in)} | {heard or '—'} |"
        )
    lines += [
        "",
        "## In-transaction hooks",
        "",
        "Run by the domain that owns the write, inside its transaction; a hook that raises undoes",
        "the write.",
        "",
        "| verb | when | arguments | run by | hooks |",
        "|---|---|---|---|---|",
    ]
    for verb in sorted(hooks.POINTS):
        point = hooks.POINTS[verb]
        args = ", ".join(f"`{k}` ({v})" for k, v in point.args.items())
        registered = "<br>".join(
            f"`{hook.path.removeprefix('rapport.')}`" for hook in hooks.HOOKS.get(verb, ())
        )
        lines.append(
            f"| `{verb}` | {point.summary} | {args} | {_domain(point.declared_in)} "
            f"| {registered or '—'} |"
        )
    unknown = sorted(set(events.LISTENERS) - set(events.CATALOGUE)) + sorted(
        set(hooks.HOOKS) - set(hooks.POINTS)
    )
    if unknown:
        raise events.UndeclaredEvent(f"Listened to but never declared: {', '.join(unknown)}")
    return "\n".join(lines) + "\n"
