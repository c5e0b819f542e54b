"""The committed OpenAPI schema and the code's, rendered the same way."""

import json
from pathlib import Path

SCHEMA_FILE = Path(__file__).with_name("openapi.json")


def render() -> str:
    from rapport.api.urls import api

    return (
        json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), indent=2, sort_keys=True) + "\n"
    )
