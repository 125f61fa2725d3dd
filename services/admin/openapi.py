"""The OpenAPI 3.1 document, generated from the endpoint list and its pydantic models."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import (
    GenerateJsonSchema,
    JsonSchemaMode,
    JsonSchemaValue,
    models_json_schema,
)
from pydantic_core import core_schema

from services.admin.endpoints import Access, Endpoint

_REF = "#/components/schemas/{model}"

# PostgreSQL text cannot hold U+0000, so no string the API takes may contain it: a body or
# query string with one is a 400 (http.py), a path parameter with one names nothing (404).
NUL = "\x00"
_NO_NUL = "^[^\\x00]*$"
_PATH_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)}")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    """Every non-2xx answer (CONTRACT §6)."""

    error: ErrorDetail


class _Schemas(GenerateJsonSchema):
    """pydantic's JSON schemas, with every input string saying it takes no NUL."""

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        json_schema = super().str_schema(schema)
        # A field with a pattern of its own says it there (EMAIL leaves U+0000 out).
        if self.mode == "validation" and "pattern" not in json_schema:
            json_schema["pattern"] = _NO_NUL
        return json_schema

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        json_schema = super().dict_schema(schema)
        # pydantic says a key pattern with patternProperties, which leaves keys outside the
        # pattern (a key holding NUL) unconstrained, values and all: every key must match.
        patterns = json_schema.pop("patternProperties", None)
        if patterns is not None:
            ((keys, values),) = patterns.items()
            json_schema["additionalProperties"] = values
            json_schema["propertyNames"] = {**json_schema.get("propertyNames", {}), "pattern": keys}
        return json_schema


def build_document(endpoints: Sequence[Endpoint], *, title: str, version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document for `endpoints`; `$ref`s point into components/schemas."""
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorBody, "serialization")]
    for endpoint in endpoints:
        if endpoint.body is not None:
            models.append((endpoint.body, "validation"))
        if endpoint.response is not None:
            models.append((endpoint.response, "serialization"))
    refs, schema = models_json_schema(models, ref_template=_REF, schema_generator=_Schemas)
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        operation = _operation(endpoint, refs)
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schema.get("$defs", {}),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
    }


def _operation(endpoint: Endpoint, refs: dict[Any, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": endpoint.operation_id,
        "summary": endpoint.summary,
        "tags": list(endpoint.tags),
        "parameters": _parameters(endpoint),
        "responses": _responses(endpoint, refs),
    }
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(endpoint.body, "validation")]}},
        }
    operation["security"] = _security(endpoint.access)
    return operation


def _parameters(endpoint: Endpoint) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(endpoint.path)
    ]
    if endpoint.query is not None:
        query_schema = endpoint.query.model_json_schema(
            ref_template=_REF, schema_generator=_Schemas
        )
        required = set(query_schema.get("required", []))
        for name, prop in query_schema.get("properties", {}).items():
            schema = {k: v for k, v in prop.items() if k != "title"}
            parameters.append(
                {"name": name, "in": "query", "required": name in required, "schema": schema}
            )
    return parameters


def _responses(endpoint: Endpoint, refs: dict[Any, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if endpoint.response is None:
        responses[str(endpoint.status)] = {"description": "Done; no content."}
    else:
        schema = refs[(endpoint.response, "serialization")]
        responses[str(endpoint.status)] = {
            "description": endpoint.summary,
            "content": {"application/json": {"schema": schema}},
        }
    error_schema = refs[(ErrorBody, "serialization")]
    for status in endpoint.documented_errors():
        responses[str(status)] = {
            "description": "Error",
            "content": {"application/json": {"schema": error_schema}},
        }
    return responses


def _security(access: Access) -> list[dict[str, list[str]]]:
    kinds: dict[Access, list[Literal["bearer", "apiKey"]]] = {
        Access.PUBLIC: [],
        Access.OWNER: ["bearer"],
        Access.AUTHENTICATED: ["bearer"],
        Access.TENANT_READ: ["bearer", "apiKey"],
        Access.TENANT_WRITE: ["bearer", "apiKey"],
    }
    return [{kind: []} for kind in kinds[access]]
