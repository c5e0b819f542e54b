"""Every error leaves the API as JSON with a message that names the problem."""

import json
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.parser import Parser

NUL = "\x00"


def _problem(loc: list[str | int], kind: str, msg: str) -> SchemaError:
    return SchemaError([{"type": kind, "loc": loc, "msg": msg}])


def _nul_in(data: Any, where: list[str | int]) -> list[str | int] | None:
    """Where a NUL character is (PostgreSQL stores none, in text or JSON), or None."""
    if isinstance(data, str):
        return where if NUL in data else None
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, value in items:
        if isinstance(key, str) and NUL in key:
            return [*where, key]
        found = _nul_in(value, [*where, key])
        if found is not None:
            return found
    return None


NUL_MESSAGE = "Text may not contain the NUL character (\\u0000)"


class ObjectParser(Parser):
    """Every JSON body of the API is an object: an array or a string is refused, not read as
    an object whose fields are all missing (ninja's schemas read attributes off anything). Text
    with a NUL character is refused too: PostgreSQL cannot store it (a 500), SQLite can."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            kind = type(data).__name__
            raise _problem(["body"], "model_type", f"Input should be a JSON object, not {kind}")
        if (where := _nul_in(data, ["body"])) is not None:
            raise _problem(where, "string_nul", NUL_MESSAGE)
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        source = "query" if data is request.GET else "form"
        for key, values in data.lists():
            if any(isinstance(v, str) and NUL in v for v in [key, *values]):
                raise _problem([source, key], "string_nul", NUL_MESSAGE)
        return super().parse_querydict(data, list_fields, request)


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, detail: Any, **extra: Any) -> HttpResponse:
        return api.create_response(request, {"detail": detail, **extra}, status=status)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, 413, "The request body is over 10 MB; send less at a time.")

    @api.exception_handler(MultiPartParserError)
    def bad_form(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        return respond(request, 400, f"Cannot parse the multipart form: {exc}")

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        cause = exc.__cause__
        if isinstance(cause, SchemaError):  # raised by ObjectParser while reading the body
            return unprocessable(request, cause)
        if isinstance(cause, ValueError):  # not JSON, or not UTF-8
            return respond(request, 400, f"Cannot parse request body: it is not JSON ({cause})")
        return respond(request, exc.status_code, exc.message)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, str(exc) or "Not found")

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, str(exc) or "You may not do this.")

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(
            request, 401, "Missing, unknown or revoked token: send `Authorization: Bearer <token>`."
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(SchemaError)
    def unprocessable(request: HttpRequest, exc: SchemaError) -> HttpResponse:
        # Name each problem by where it is (`name`, `page`, `team_id`), not ninja's internals.
        problems = []
        for error in exc.errors:
            where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "payload"))
            problems.append(f"{where or 'body'}: {error.get('msg', 'invalid')}")
        return respond(request, 422, "; ".join(problems), errors=exc.errors)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = {
                name: [m for e in errs for m in e.messages] for name, errs in exc.error_dict.items()
            }
            message = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
            return respond(request, 400, message, fields=fields)
        return respond(request, 400, " ".join(exc.messages))
