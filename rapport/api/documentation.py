"""How the API describes itself: every error an operation can answer is in its schema.

The handlers declare their answers (`response={201: ..., 409: ...}`); the errors every operation
shares (`errors.py`: a missing token, a role that may not, an object not in the workspace, a
request that does not match the schema, a rule that refuses it) are added here, with the body
each one really has. Two different schemas under one name are an error, not a silent overwrite.
"""

from typing import Any

from ninja import NinjaAPI
from ninja.errors import ConfigError
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from pydantic import BaseModel

from rapport.api.schemas import ErrorOut, InvalidOut, RequestInvalidOut

WRITES = {"post", "put", "patch", "delete"}

#: status -> (when an operation answers it, what it means, its body)
SHARED: dict[int, tuple[str, str, type[BaseModel] | None]] = {
    400: (
        "write or filter",
        "Refused by a rule of the workspace or of the data; the message names the problem",
        InvalidOut,
    ),
    401: (
        "auth",
        "Missing, unknown or revoked token: send `Authorization: Bearer <token>`",
        ErrorOut,
    ),
    403: ("auth", "The caller's role does not allow this", ErrorOut),
    404: ("object", "No such object in the caller's workspace", ErrorOut),
    413: ("body", "The request body is over 10 MB", ErrorOut),
    # gunicorn's own answer (an HTML page) to a request line over 4 KB, before the app runs
    414: ("query", "The address with its query string is over 4 KB", None),
    422: (
        "input",
        "The request does not match this schema: each problem named by where it is",
        RequestInvalidOut,
    ),
}


def _applies(when: str, method: str, operation: dict[str, Any]) -> bool:
    has_path_ids = any(p["in"] == "path" for p in operation.get("parameters", ()))
    has_body = "requestBody" in operation
    has_query = any(p["in"] == "query" for p in operation.get("parameters", ()))
    return {
        "write or filter": method in WRITES or has_query,
        "auth": bool(operation.get("security")),
        "object": has_path_ids or has_body,
        "body": has_body,
        "input": bool(operation.get("parameters")) or has_body,
        "query": has_query,
    }[when]


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF_TEMPLATE.format(model=model.__name__)}


class DocumentedSchema(OpenAPISchema):
    def __init__(self, api: NinjaAPI, path_prefix: str) -> None:
        super().__init__(api, path_prefix)
        for methods in self["paths"].values():
            for method, operation in methods.items():
                self._add_shared_errors(method, operation)

    def _add_shared_errors(self, method: str, operation: dict[str, Any]) -> None:
        responses = operation["responses"]
        for status, (when, description, model) in SHARED.items():
            key = str(status) if str(status) in responses else status
            declared = responses.get(key)
            if declared is None and not _applies(when, method, operation):
                continue
            if model is None:
                responses.setdefault(status, {"description": description})
                continue
            self._add_model(model)
            if declared is not None and "content" not in declared:
                # named by the handler (`openapi_extra`) where the rule above does not see it
                declared["content"] = {"application/json": {"schema": _ref(model)}}
            elif declared is None:
                content = {"application/json": {"schema": _ref(model)}}
                responses[status] = {"description": description, "content": content}
            elif status == 422 and "content" in declared:
                # The handler's own 422 (a policy's findings, a refused playbook) or the schema's.
                body = declared["content"]["application/json"]
                body["schema"] = {"anyOf": [body["schema"], _ref(model)]}
                declared["description"] = f"{declared['description']}, or: {description}"

    def _add_model(self, model: type[BaseModel]) -> None:
        schema = model.model_json_schema(ref_template=REF_TEMPLATE)
        self.add_schema_definitions({**schema.pop("$defs", {}), model.__name__: schema})

    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            known = self.schemas.get(name)
            if known is not None and known != definition:
                raise ConfigError(
                    f"Two different schemas are named {name!r} in the API; rename one "
                    "(clients generate one type per name)."
                )
        super().add_schema_definitions(definitions)


class RapportAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return DocumentedSchema(self, path_prefix)
