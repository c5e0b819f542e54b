"""Canned responses: templates with a few variables, rendered by a sandboxed template engine.

The engine knows no tags and only a handful of text filters, and a template may name only the
variables below, checked when the template is saved. It renders on a fixed context of plain
strings: a customer's name is inserted as a value and never read as a template.
"""

from dataclasses import dataclass
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.template import Context, Engine, Library, TemplateSyntaxError
from django.template.base import FilterExpression, Node, TextNode, Variable, VariableNode
from django.template.defaultfilters import capfirst, default, lower, title, upper

from rapport.core.models import Membership
from rapport.listening.models import Post

MAX_TEMPLATE = 5000

#: The variables a canned response may use, with what each becomes.
VARIABLES = {
    "contact.first_name": "The first name of the person you answer (or their handle)",
    "contact.name": "Their full name as the network shows it",
    "contact.handle": "Their handle, without the @",
    "agent.first_name": "Your first name",
    "agent.name": "Your full name",
    "workspace.name": "The company's name in Rapport",
    "status_link": "The public status page of their issue, when the reply has one",
}


def register_variables(variables: dict[str, str]) -> None:
    """Adds the variables a domain above fills in its own canned responses (ideas: an idea's
    title, status, note and link in its announcements), from that domain's `wiring.py`. They
    render empty in an ordinary reply."""
    VARIABLES.update(variables)


register = Library()
register.filter("lower", lower)
register.filter("upper", upper)
register.filter("capfirst", capfirst)
register.filter("title", title)
register.filter("default", default)
FILTERS = sorted(register.filters)


class _SandboxedEngine(Engine):
    default_builtins: ClassVar[list[str]] = []  # no {% tags %} at all, not even {% load %}


ENGINE = _SandboxedEngine(
    builtins=["rapport.engagement.canned"], libraries={}, autoescape=False, debug=False
)


def _problem(message: str) -> ValidationError:
    examples = ", ".join("{{ " + v + " }}" for v in list(VARIABLES)[:3])
    return ValidationError(
        {"text": f"{message} A canned response may use variables such as {examples}."}
    )


def _check_node(node: Node) -> None:
    if isinstance(node, TextNode):
        return
    if not isinstance(node, VariableNode):
        raise _problem("Tags such as {% … %} are not allowed.")
    expression: FilterExpression = node.filter_expression
    var = expression.var
    if not isinstance(var, Variable) or var.literal is not None or var.lookups is None:
        raise _problem("Only variables may appear between {{ and }}.")
    name = ".".join(var.lookups)
    if name not in VARIABLES:
        raise _problem(f"Unknown variable {{{{ {name} }}}}.")
    for func, args in expression.filters:
        for is_variable, arg in args:
            if is_variable:
                raise _problem(f"A filter's argument must be quoted text, not {arg}.")
        if func.__name__ not in FILTERS:  # pragma: no cover - the library has no others
            raise _problem(f"Unknown filter {func.__name__}.")


def validate(text: str) -> str:
    """The template as it will be stored; a ValidationError on `text` names the problem."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "A canned response needs some text."})
    if len(text) > MAX_TEMPLATE:
        raise ValidationError({"text": f"A canned response has at most {MAX_TEMPLATE} characters."})
    if "{%" in text:
        raise _problem("Tags such as {% … %} are not allowed.")
    try:
        template = ENGINE.from_string(text)
    except TemplateSyntaxError as error:
        raise _problem(f"The template has an error: {str(error).rstrip('.?')}.") from None
    for node in template.nodelist:
        _check_node(node)
    return text


def uses(text: str, variable: str) -> bool:
    try:
        template = ENGINE.from_string(text)
    except TemplateSyntaxError:
        return False
    return any(
        isinstance(n, VariableNode)
        and isinstance(n.filter_expression.var, Variable)
        and ".".join(n.filter_expression.var.lookups or ()) == variable
        for n in template.nodelist
    )


@dataclass(frozen=True)
class Rendered:
    text: str
    missing: list[str]  # variables that had no value here (e.g. no status link yet)


def context_for(post: Post, agent: Membership, status_link: str = "") -> dict[str, object]:
    identity = post.identity
    name = (
        (identity.contact.name if identity and identity.contact else "")
        or post.author_name
        or (identity.display_name if identity else "")
    ).strip()
    handle = post.author_handle or (identity.handle if identity else "")
    agent_name = (agent.user.full_name or agent.user.display_name).strip()
    return {
        "contact": {
            "first_name": name.split()[0] if name else handle,
            "name": name or handle,
            "handle": handle,
        },
        "agent": {"first_name": agent_name.split()[0] if agent_name else "", "name": agent_name},
        "workspace": {"name": agent.workspace.name},
        "status_link": status_link,
    }


def fill(text: str, context: dict[str, object]) -> str:
    """A stored canned response filled in with `context` (plain strings, nested by the dots of
    the variables' names), for a domain that sends it itself (an idea's announcement)."""
    validate(text)
    return ENGINE.from_string(text).render(Context(context, autoescape=False)).strip()


def render(text: str, post: Post, agent: Membership, status_link: str = "") -> Rendered:
    """The canned response filled in for this post and agent (a stored, validated template)."""
    validate(text)
    context = context_for(post, agent, status_link)
    missing = [v for v in ("status_link",) if not context[v] and uses(text, v)]
    rendered = ENGINE.from_string(text).render(Context(context, autoescape=False))
    return Rendered(text=" ".join(rendered.split(" ")).strip(), missing=missing)
