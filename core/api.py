"""The JSON API base (/api/v1): bearer-token authentication, JSON errors, request validation and an
OpenAPI 3.1 document generated from the routes and the pydantic models they declare.

Core features and plugins write API views the same way: `@operation(summary=..., response=Model, body=Model, auth=True)`."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import wraps
from typing import Annotated, Any

from flask import Blueprint, current_app, g, jsonify, request
from pydantic import BaseModel, Field, ValidationError

from core.accounts import user_for_token
from core.db import db
from core.errors import DomainError


bp = Blueprint("api", __name__, url_prefix="/api/v1")


# A database id as the API accepts it: anything else is refused with 400 before a query runs.
Id = Annotated[int, Field(gt=0, lt=2**63)]


class ApiError(DomainError):
    """An API refusal with its HTTP status."""

    def __init__(self, message: str, status: int = 400, details: list | None = None):
        super().__init__(message)
        self.status = status
        self.details = details


@dataclass
class Operation:
    summary: str
    description: str = ""
    tags: tuple[str, ...] = ("core",)
    response: type[BaseModel] | None = None
    response_list: bool = False
    body: type[BaseModel] | None = None
    auth: bool = False
    status: int = 200
    errors: tuple[int, ...] = ()
    query: dict[str, dict] = field(default_factory=dict)
    form: dict | None = None  # JSON Schema of a multipart/form-data body
    permission: str | None = None  # what the token's person needs on the tenant of the path


def operation(summary: str, *, response: type[BaseModel] | None = None, response_list: bool = False,
              body: type[BaseModel] | None = None, auth: bool = False, tags: tuple[str, ...] = ("core",),
              status: int = 200, errors: tuple[int, ...] = (), query: dict[str, dict] | None = None,
              form: dict | None = None, permission: str | None = None):
    """Declare an API view: what it answers, what it accepts, whether it needs a token, and the
    permission its person needs on the path's tenant (`permission` implies a token; refused with
    404 to people who have nothing to do with the tenant, 403 otherwise, before the body is read).

    With `body`, the JSON body is validated into that model and passed as `body=`; invalid input
    answers 400 with `{"error": ..., "details": [...]}` before the view runs.
    """
    auth = auth or permission is not None
    def decorator(view):
        op = Operation(summary=summary, description=(view.__doc__ or "").strip(), tags=tags, response=response,
                       response_list=response_list, body=body, auth=auth, status=status, errors=errors,
                       query=query or {}, form=form, permission=permission)

        @wraps(view)
        def wrapper(*args, **kwargs):
            if auth and g.get("api_user") is None:
                raise ApiError("需要有效的访问令牌（Authorization: Bearer <token>）。", 401)
            if permission is not None:
                from core.accounts import require_permission
                require_permission(g.api_user, permission, g.tenant)
            if body is not None:
                payload = request.get_json(silent=True)
                if not isinstance(payload, dict):
                    raise ApiError("请求体必须是 JSON 对象。", 400)
                if _contains_nul(payload):
                    raise ApiError("请求中含有不允许的控制字符。", 400)
                try:
                    kwargs["body"] = body.model_validate(payload)
                except ValidationError as exc:
                    details = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
                    raise ApiError("请求内容不符合要求。", 400, details)
            return view(*args, **kwargs)

        wrapper.api_operation = op
        return wrapper
    return decorator


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(v) for v in value)
    return False


@bp.before_app_request
def _authenticate_token() -> None:
    """API requests may carry a bearer token; a token that is present must be valid."""
    if not request.path.startswith("/api/"):
        return
    header = request.headers.get("Authorization", "")
    if not header:
        g.api_user = None
        return
    scheme, _, token = header.partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise ApiError("访问令牌无效或已被撤销。", 401)
    db.session.commit()  # last_used_at
    g.api_user = user


def api_error_response(exc: ApiError):
    payload: dict[str, Any] = {"error": exc.message}
    if exc.details:
        payload["details"] = exc.details
    response = jsonify(payload)
    response.status_code = exc.status
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


bp.app_errorhandler(ApiError)(api_error_response)


def api_user():
    return g.get("api_user")


class ErrorOut(BaseModel):
    error: str
    details: list[dict] | None = None


@bp.get("/openapi.json")
@operation("本 API 的 OpenAPI 3.1 描述", tags=("meta",))
def openapi():
    return jsonify(build_openapi(current_app))


_RULE_ARG = re.compile(r"<(?:(?P<conv>[a-zA-Z_]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


_CONVERTER_TYPES = {"int": {"type": "integer"}, "float": {"type": "number"}}


def _add_schema(components: dict, model: type[BaseModel]) -> dict:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components.setdefault(name, sub)
    name = schema.get("title", model.__name__)
    components.setdefault(name, schema)
    return {"$ref": f"#/components/schemas/{name}"}


def build_openapi(app) -> dict:
    components: dict[str, dict] = {}
    error_ref = _add_schema(components, ErrorOut)
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1"):
            continue
        view = app.view_functions[rule.endpoint]
        op: Operation | None = getattr(view, "api_operation", None)
        if op is None:
            continue
        path = _RULE_ARG.sub(lambda m: "{" + m.group("name") + "}", rule.rule)
        params = [{"name": m.group("name"), "in": "path", "required": True,
                   "schema": _CONVERTER_TYPES.get(m.group("conv") or "", {"type": "string"})}
                  for m in _RULE_ARG.finditer(rule.rule)]
        params += [{"name": name, "in": "query", "required": False,
                    "schema": {k: v for k, v in spec.items() if k != "description"},
                    **({"description": spec["description"]} if "description" in spec else {})}
                   for name, spec in op.query.items()]
        responses: dict[str, dict] = {}
        ok: dict[str, Any] = {"description": "成功"}
        if op.response is not None:
            ref = _add_schema(components, op.response)
            ok["content"] = {"application/json": {"schema": {"type": "array", "items": ref} if op.response_list else ref}}
        elif op.status != 204:
            ok["content"] = {"application/json": {"schema": {"type": "object"}}}
        responses[str(op.status)] = ok
        errors = set(op.errors) | ({400} if op.body else set()) | ({401} if op.auth else set())
        for code in sorted(errors):
            responses[str(code)] = {"description": _ERROR_TEXT.get(code, "错误"),
                                    "content": {"application/json": {"schema": error_ref}}}
        entry: dict[str, Any] = {"summary": op.summary, "operationId": rule.endpoint.replace(".", "_"),
                                 "tags": list(op.tags), "responses": responses}
        if op.description:
            entry["description"] = op.description
        if params:
            entry["parameters"] = params
        if op.form is not None:
            entry["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": op.form}}}
        if op.body is not None:
            entry["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": _add_schema(components, op.body)}}}
        if op.auth:
            entry["security"] = [{"bearerAuth": []}]
        if op.permission:
            entry["x-permission"] = str(op.permission)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{app.config['SITE_NAME']} API", "version": "1.0.0",
                 "description": "公开读取接口无需认证；编辑接口使用 `cms users token` 签发的令牌（Bearer）。"},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": components,
                       "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    }


_ERROR_TEXT = {400: "请求内容有误", 401: "缺少或无效的访问令牌", 403: "没有权限", 404: "不存在", 409: "冲突",
               429: "请求过于频繁"}
