"""RFC 9457 problem details: the one shape every error of this API takes."""

from collections.abc import Mapping
from http import HTTPStatus

import marshmallow as ma
from flask import current_app, has_request_context, jsonify, request
from werkzeug.exceptions import HTTPException

from api.config import MAX_JSON_DEPTH
from api.http import problem_words
from api.lib.languages import FALLBACK, LANGUAGES

PROBLEM_MIMETYPE = "application/problem+json"

# Plain words for people; werkzeug's defaults are written for server operators.
DETAILS = {
    400: "The request could not be read. Check that the body is valid JSON, nested at most "
         f"{MAX_JSON_DEPTH} levels deep.",
    401: "You need to sign in to do this.",
    403: "Your account is not allowed to do this.",
    404: "Nothing was found at this address.",
    405: "This address does not support that method. See the Allow header.",
    409: "This request conflicts with another one still in progress.",
    412: "This item has changed since you loaded it. Load it again, then retry.",
    413: "The request body is too large (the limit is 64 KiB).",
    415: "Send the request body as JSON (Content-Type: application/json).",
    422: "Some input was not valid. See 'errors' for each field.",
    428: "This request must be conditional: send If-Match with the item's ETag.",
    429: "Too many requests. Wait for the time in Retry-After, then try again.",
    500: "Something went wrong on our side. It has been logged; please try again later.",
    503: "The service is not ready. Please try again shortly.",
}

# Headers an exception may carry that the client needs (Allow on 405, Retry-After on 429...).
_PASSED_HEADERS = {"allow", "retry-after", "www-authenticate"}


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem details object."""

    type = ma.fields.String(
        required=True,
        metadata={"description": "URI reference naming the problem type; `about:blank` "
                  "means the HTTP status says it all.", "example": "about:blank"},
    )
    title = ma.fields.String(
        required=True, metadata={"description": "Short summary of the problem type."}
    )
    status = ma.fields.Integer(
        required=True, metadata={"description": "The HTTP status code, repeated."}
    )
    detail = ma.fields.String(
        required=True, metadata={"description": "What went wrong here, in plain words."}
    )
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={
            "description": "Validation messages by field; nested fields are joined "
            "with dots (`answers.0.value`).",
            "example": {"page_size": ["Must be greater than or equal to 1 and less "
                                      "than or equal to 100."]},
        },
    )


def flatten_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into a flat {field.path: [messages]} map."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_errors(value, path))
    elif isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
        flat[prefix or "_request"] = list(messages)
    elif isinstance(messages, list | tuple):
        for index, value in enumerate(messages):
            flat.update(flatten_errors(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or "_request"] = [str(messages)]
    return flat


def _strip_location(messages):
    """webargs nests errors under where they came from ('query', 'json'); callers know."""
    if isinstance(messages, Mapping) and set(messages) <= {
        "query", "json", "headers", "cookies", "form", "files", "path", "view_args",
    }:
        merged: dict = {}
        for value in messages.values():
            merged.update(value if isinstance(value, Mapping) else {"_request": value})
        return merged
    return messages


def caller_language() -> str:
    """`?lang=` when it names a language we speak, else Accept-Language, else English."""
    if not has_request_context():
        return FALLBACK
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default=FALLBACK)


def problem(status: int, detail: str | None = None, *, errors=None, headers=None,
            type_: str = "about:blank", title: str | None = None, members=None):
    """Build a problem+json response in the caller's language (English where a message has
    no translation yet); `members` are extension members (RFC 9457 3.2)."""
    language = caller_language()
    used: list[str] = []

    def words(text: str) -> str:
        said, in_language = problem_words.message(text, language)
        used.append(in_language)
        return said

    if title is None:
        title, in_language = problem_words.title(status, language)
        used.append(in_language)
    body = {
        "type": type_,
        "title": title,
        "status": status,
        "detail": words(detail or DETAILS.get(status, HTTPStatus(status).description)),
    }
    if errors:
        body["errors"] = {field: [words(text) for text in texts]
                          for field, texts in flatten_errors(errors).items()}
    body.update(members or {})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_MIMETYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    # Which languages the words are in (the asked-for one first), and that they depend on it.
    response.headers["Content-Language"] = ", ".join(dict.fromkeys(sorted(
        used, key=lambda used_language: used_language != language)))
    response.vary.add("Accept-Language")
    return response


def problem_from_exception(error: HTTPException):
    """Render any werkzeug HTTPException (abort, routing, webargs) as a problem."""
    status = error.code or 500
    if status >= 500:
        # Log the cause for operators; the client learns nothing about internals.
        cause = getattr(error, "original_exception", None) or error
        if status == 500:
            current_app.logger.error("Unhandled error", exc_info=cause)
        return problem(status, DETAILS.get(status))

    data = getattr(error, "data", None) or {}
    headers = {k: v for k, v in error.get_headers() if k.lower() in _PASSED_HEADERS}
    headers.update(data.get("headers") or {})
    errors = data.get("errors") or data.get("messages")
    detail = data.get("message")
    if detail is None:
        detail = DETAILS.get(status) if status in DETAILS else error.description
    return problem(status, detail, errors=_strip_location(errors) if errors else None,
                   headers=headers)
