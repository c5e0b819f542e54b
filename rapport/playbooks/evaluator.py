"""The restricted evaluator every playbook expression and script runs in; never Python itself.

An uploaded BPMN/DMN file is untrusted. Its gateway conditions, DMN cells and script tasks are
checked here twice: at upload (`check_expression`, `check_script`, without data) and again each
time they run (`RestrictedEnvironment`, the script-engine environment SpiffWorkflow calls). An
expression is parsed with `ast` and only a small whitelist of node types passes (no attribute
access, no lambda, no comprehension, no keyword or star arguments, no f-strings); calls only to the
functions in `FUNCTIONS`; exponents and sizes are bounded. What passes is evaluated by simpleeval's
`EvalWithCompoundTypes` with the same functions, never by `eval`/`exec`. A script task may only hold
lines of `name = expression`.
"""

import ast
import functools
import math
import operator
from collections.abc import Callable
from typing import Any

from simpleeval import (
    DEFAULT_OPERATORS,
    EvalWithCompoundTypes,
    InvalidExpression,
    NameNotDefined,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

MAX_EXPRESSION = 2_000  # characters in one expression
MAX_SCRIPT_LINES = 50
MAX_EXPONENT = 64
MAX_NUMBER = 10**15
MAX_STRING = 10_000  # characters in a string a script builds
MAX_ITEMS = 1_000  # items in a list or dict a script builds


class RefusedExpression(ValueError):
    """An expression or script the evaluator will not run, with the reason in plain words."""


class ExpressionFailed(ValueError):
    """An allowed expression that failed on the data (an unknown name, a division by zero)."""


def _lower(value: object) -> str:
    return str(value).lower()


def _upper(value: object) -> str:
    return str(value).upper()


def _round(value: float, digits: int = 0) -> float:
    return round(value, digits)


def _get(container: object, key: object, default: object = None) -> object:
    """data['key'] that gives `default` instead of failing when the key is missing."""
    if isinstance(container, dict):
        return container.get(key, default)
    if isinstance(container, (list, tuple)) and isinstance(key, int):
        return container[key] if -len(container) <= key < len(container) else default
    return default


#: The only functions an expression may call.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len,
    "min": min,
    "max": max,
    "abs": abs,
    "round": _round,
    "int": int,
    "float": float,
    "str": str,
    "bool": bool,
    "sum": sum,
    "any": any,
    "all": all,
    "lower": _lower,
    "upper": _upper,
    "get": _get,
}

#: Constant names an expression may use besides the task data.
CONSTANTS = {"True": True, "False": False, "None": None, "true": True, "false": False}

_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Pow,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Is,
    ast.IsNot,
    ast.IfExp,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.Subscript,
    ast.Slice,
)

#: Plain-words reasons for the node types people try most, for the error message.
_REFUSALS: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access ('.name') is not allowed; use data['key'] for a dictionary",
    ast.Lambda: "lambda functions are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.NamedExpr: "assignment inside an expression (:=) is not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.Starred: "* unpacking is not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
    ast.Set: "sets are not allowed; use a list",
    ast.BitAnd: "bitwise operators are not allowed",
    ast.BitOr: "bitwise operators are not allowed",
    ast.BitXor: "bitwise operators are not allowed",
    ast.LShift: "shift operators are not allowed",
    ast.RShift: "shift operators are not allowed",
    ast.Invert: "bitwise operators are not allowed",
    ast.MatMult: "the @ operator is not allowed",
}


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_tree(tree: ast.AST, text: str) -> None:
    for node in ast.walk(tree):  # hidden names first: the clearest reason for an escape attempt
        hidden = (
            node.id
            if isinstance(node, ast.Name)
            else node.attr
            if isinstance(node, ast.Attribute)
            else ""
        )
        if hidden.startswith("_"):
            raise RefusedExpression(
                f"names starting with '_' (like {hidden!r}) are not allowed (in {_shorten(text)!r})"
            )
    for node in ast.walk(tree):  # then a forbidden function, named
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id not in FUNCTIONS
        ):
            raise RefusedExpression(
                f"the function {node.func.id!r} is not allowed; use one of "
                f"{', '.join(sorted(FUNCTIONS))}"
            )
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            reason = _REFUSALS.get(type(node), f"{type(node).__name__} is not allowed")
            raise RefusedExpression(f"{reason} (in {_shorten(text)!r})")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise RefusedExpression(
                    f"only the functions {', '.join(sorted(FUNCTIONS))} may be called "
                    f"(in {_shorten(text)!r})"
                )
            if node.keywords:
                raise RefusedExpression(f"keyword arguments are not allowed ({node.func.id})")
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, (str, bytes)) and len(value) > MAX_STRING:
                raise RefusedExpression(f"a text constant longer than {MAX_STRING} characters")
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
                raise RefusedExpression(f"the number {value} is too large (at most {MAX_NUMBER})")
            if isinstance(value, bytes):
                raise RefusedExpression("bytes are not allowed")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            exponent = node.right
            if isinstance(exponent, ast.UnaryOp) and isinstance(exponent.operand, ast.Constant):
                exponent = exponent.operand
            if not isinstance(exponent, ast.Constant) or not isinstance(
                exponent.value, (int, float)
            ):
                raise RefusedExpression(
                    f"an exponent must be a number written in the expression "
                    f"(in {_shorten(text)!r})"
                )
            if abs(exponent.value) > MAX_EXPONENT:
                raise RefusedExpression(
                    f"the exponent {exponent.value} is too large (at most {MAX_EXPONENT})"
                )


def parse_expression(text: str) -> ast.Expression:
    """The checked syntax tree of one expression; RefusedExpression says what is wrong."""
    if not isinstance(text, str):
        raise RefusedExpression("the expression is empty")
    return _parse_expression(text)


@functools.lru_cache(maxsize=2048)  # a playbook evaluates the same few texts over and over
def _parse_expression(text: str) -> ast.Expression:
    if not isinstance(text, str) or not text.strip():
        raise RefusedExpression("the expression is empty")
    if len(text) > MAX_EXPRESSION:
        raise RefusedExpression(
            f"the expression is {len(text)} characters long; at most {MAX_EXPRESSION}"
        )
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise RefusedExpression(
            f"not a valid expression: {exc.msg} (in {_shorten(text)!r})"
        ) from None
    _check_tree(tree, text)
    return tree


def check_expression(text: str) -> None:
    parse_expression(text)


def parse_script(script: str) -> list[tuple[str, ast.Expression, str]]:
    """A script task's lines as (name, checked expression, source); only `name = expression`."""
    out: list[tuple[str, ast.Expression, str]] = []
    lines = (script or "").splitlines()
    if len([line for line in lines if line.strip()]) > MAX_SCRIPT_LINES:
        raise RefusedExpression(f"a script may have at most {MAX_SCRIPT_LINES} lines")
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            module = ast.parse(stripped, mode="exec")
        except SyntaxError as exc:
            raise RefusedExpression(
                f"line {number}: not a valid assignment: {exc.msg} ({_shorten(stripped)!r})"
            ) from None
        statement = module.body[0] if len(module.body) == 1 else None
        if (
            not isinstance(statement, ast.Assign)
            or len(statement.targets) != 1
            or not isinstance(statement.targets[0], ast.Name)
        ):
            raise RefusedExpression(
                f"line {number}: a script may only hold lines of the form "
                f"'name = expression' ({_shorten(stripped)!r})"
            )
        name = statement.targets[0].id
        if name.startswith("_") or name in FUNCTIONS or name in CONSTANTS:
            raise RefusedExpression(f"line {number}: {name!r} may not be assigned")
        source = ast.get_source_segment(stripped, statement.value) or ""
        try:
            out.append((name, parse_expression(source), source))
        except RefusedExpression as exc:
            raise RefusedExpression(f"line {number}: {exc}") from None
    return out


def check_script(script: str) -> None:
    parse_script(script)


def _safe_pow(base: Any, exponent: Any) -> Any:
    if isinstance(exponent, (int, float)) and abs(exponent) > MAX_EXPONENT:
        raise RefusedExpression(f"the exponent {exponent} is too large (at most {MAX_EXPONENT})")
    if isinstance(base, (int, float)) and abs(base) > MAX_NUMBER:
        raise RefusedExpression(f"the number {base} is too large to raise to a power")
    return base**exponent


def _bounded(value: Any) -> Any:
    """Refuses results that could exhaust memory or cannot be stored with the workflow."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if abs(value) > MAX_NUMBER**2:
            raise RefusedExpression("the result is too large a number")
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise RefusedExpression("the result is not a finite number")
        return value
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise RefusedExpression(f"the result is longer than {MAX_STRING} characters")
        return value
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_ITEMS:
            raise RefusedExpression(f"the result has more than {MAX_ITEMS} items")
        return [_bounded(v) for v in value]
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            raise RefusedExpression(f"the result has more than {MAX_ITEMS} items")
        return {str(k): _bounded(v) for k, v in value.items()}
    raise RefusedExpression(f"the result is a {type(value).__name__}, which cannot be kept")


def _operators() -> dict[type[ast.AST], Any]:
    ops = dict(DEFAULT_OPERATORS)
    ops[ast.Pow] = _safe_pow
    for refused in (ast.BitAnd, ast.BitOr, ast.BitXor, ast.LShift, ast.RShift, ast.Invert):
        ops.pop(refused, None)
    ops[ast.Mult] = _safe_mult
    return ops


def _safe_mult(a: Any, b: Any) -> Any:
    for seq, times in ((a, b), (b, a)):
        if (
            isinstance(seq, (str, list, tuple))
            and isinstance(times, int)
            and len(seq) * max(times, 0) > MAX_STRING
        ):
            raise RefusedExpression(f"the result would be longer than {MAX_STRING} items")
    return operator.mul(a, b)


def evaluate(text: str, names: dict[str, Any]) -> Any:
    """The value of one checked expression over `names` (the task data)."""
    tree = parse_expression(text)
    evaluator = EvalWithCompoundTypes(
        operators=_operators(), functions=dict(FUNCTIONS), names={**names, **CONSTANTS}
    )
    # EvalWithCompoundTypes adds list/tuple/dict/set as functions; keep to the whitelist.
    evaluator.functions = dict(FUNCTIONS)
    try:
        return _bounded(evaluator.eval(text.strip(), previously_parsed=tree.body))
    except RefusedExpression:
        raise
    except NameNotDefined as exc:
        raise ExpressionFailed(str(exc)) from None
    except InvalidExpression as exc:
        raise RefusedExpression(str(exc)) from None
    except Exception as exc:  # a runtime error of the expression itself (unknown key, 1/0)
        raise ExpressionFailed(f"{type(exc).__name__}: {exc} (in {_shorten(text)!r})") from None


def execute(script: str, data: dict[str, Any]) -> None:
    """Runs a script task's `name = expression` lines over `data`, assigning into it."""
    for name, tree, source in parse_script(script):
        evaluator = EvalWithCompoundTypes(
            operators=_operators(), functions=dict(FUNCTIONS), names={**data, **CONSTANTS}
        )
        evaluator.functions = dict(FUNCTIONS)
        try:
            data[name] = _bounded(evaluator.eval(source, previously_parsed=tree.body))
        except RefusedExpression:
            raise
        except NameNotDefined as exc:
            raise ExpressionFailed(f"{name} = {_shorten(source)}: {exc}") from None
        except InvalidExpression as exc:
            raise RefusedExpression(f"{name} = {_shorten(source)}: {exc}") from None
        except Exception as exc:
            raise ExpressionFailed(
                f"{name} = {_shorten(source)}: {type(exc).__name__}: {exc}"
            ) from None


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """The SpiffWorkflow script environment of playbooks: `evaluate` and `execute` go through
    the checks above and simpleeval; service calls are refused."""

    def evaluate(
        self,
        expression: str,
        context: dict[str, Any],
        external_context: dict[str, Any] | None = None,
    ) -> Any:
        return evaluate(expression, {**context, **(external_context or {})})

    def execute(
        self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> bool:
        if external_context:
            scratch = {**context, **external_context}
            execute(script, scratch)
            for key, value in scratch.items():
                if key not in external_context:
                    context[key] = value
        else:
            execute(script, context)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise RefusedExpression("service tasks are not supported in playbooks")


class RestrictedScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's script engine with the restricted environment; `validate` only parses."""

    def __init__(self) -> None:
        super().__init__(environment=RestrictedEnvironment())
