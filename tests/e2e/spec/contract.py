"""Discord's published HTTP API (``openapi.json`` beside this file) as request-body checks.

The stand-in asks ``DiscordContract.check(method, path, body)`` about every REST request the bot
makes: the path is matched to the spec's path template and method (a literal segment such as
``@me`` wins over a ``{parameter}``), and its path parameters and body are validated with
``jsonschema`` against that operation's schemas, ``$ref`` s resolved inside the spec. Each
validator is built once, on first use. ``check_response`` holds the stand-in's own answers to the
spec's response schemas, ``check_schema`` any object to a named schema.

What comes back is in Discord's own terms, so the stand-in can answer the way Discord does
(HTTP 400, ``{"code": 50035, "message": "Invalid Form Body", "errors": {...}}``): where in the
body (``embeds.0.description``), Discord's error code and wording (``BASE_TYPE_MAX_LENGTH``,
"Must be 4096 or fewer in length."), and the spec's rule that refused it
(``RichEmbed.description maxLength 4096``).

Two leniencies, both Discord's own (the spec's README says so for the first; discord.py relies on
the second, e.g. ``message_reference.message_id`` and ``allowed_mentions.users`` go out as JSON
numbers): an integer field accepts a string of digits, and a snowflake accepts a non-negative
integer. And ``oneOf`` is read as ``anyOf``, as the spec's README says to.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import jsonschema
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).with_name("openapi.json")
SPEC_URI = "urn:discord-openapi"
API_PREFIX = "/api/v10"
INT_STRING = re.compile(r"-?[0-9]+")
SHOWN = 40  # characters of a refused value quoted in a message
PATH_MEMORY = 10_000  # path parameter values whose verdict is remembered


class SpecError(NamedTuple):
    """One thing in a request body that Discord's published schema refuses."""

    location: tuple[str, ...]  # where in the body: ("embeds", "0", "description")
    code: str  # Discord's error code: "BASE_TYPE_MAX_LENGTH"
    message: str  # Discord's wording: "Must be 4096 or fewer in length."
    rule: str  # the spec's rule: "RichEmbed.description maxLength 4096"

    def __str__(self) -> str:
        return f"{'.'.join(self.location) or '(body)'}: {self.message} [{self.rule}]"


@dataclass(frozen=True)
class Operation:
    """One method on one path template of the spec, and where its JSON request schema is."""

    method: str
    template: str
    operation_id: str
    pattern: re.Pattern[str]
    literals: int  # literal path segments: the more, the more specific
    body_pointer: str | None  # JSON pointer to the application/json schema, if it takes one
    body_required: bool
    responses: dict[str, str]  # status -> JSON pointer to the schema of that answer's body
    # each {parameter} of the template in order, with a JSON pointer to its schema if declared
    path_params: tuple[tuple[str, str | None], ...]


def _template_pattern(template: str) -> re.Pattern[str]:
    """``/channels/{channel_id}/messages`` -> a pattern with one group per parameter."""
    parts = [
        "([^/]+)" if seg.startswith("{") and seg.endswith("}") else re.escape(seg)
        for seg in template.split("/")
    ]
    return re.compile("/".join(parts))


def _pointer(*parts: str) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _operations(spec: dict) -> list[Operation]:
    """Every operation of the spec, the most specific path templates first."""
    ops = [
        _operation(template, item, method, op)
        for template, item in spec["paths"].items()
        for method, op in item.items()
        if method != "parameters"
    ]
    return sorted(ops, key=lambda o: -o.literals)


def _operation(template: str, item: dict, method: str, op: dict) -> Operation:
    """One operation, with JSON pointers to the schemas of its body, answers and path
    parameters (``item`` is its path's entry, where the parameters are declared)."""
    here = ("paths", template, method)
    body = op.get("requestBody") or {}
    json_body = "application/json" in body.get("content", {})
    answers = {
        status: _pointer(*here, "responses", status, "content", "application/json") + "/schema"
        for status, answer in op.get("responses", {}).items()
        if "application/json" in answer.get("content", {})
    }
    declared = {  # this spec declares path parameters on the path, for all its methods
        p["name"]: _pointer("paths", template, "parameters", str(i)) + "/schema"
        for i, p in enumerate(item.get("parameters", []))
        if p.get("in") == "path"
    }
    return Operation(
        method=method.upper(),
        template=template,
        operation_id=op.get("operationId", ""),
        pattern=_template_pattern(template),
        literals=sum(1 for seg in template.split("/") if seg and not seg.startswith("{")),
        body_pointer=(
            _pointer(*here, "requestBody", "content", "application/json") + "/schema"
            if json_body
            else None
        ),
        body_required=bool(body.get("required")),
        responses=answers,
        path_params=tuple(
            (name, declared.get(name)) for name in re.findall(r"\{([^}]+)\}", template)
        ),
    )


def _lenient(spec: dict) -> dict:
    """The spec as Discord reads it: a snowflake may be a JSON number too, and every ``oneOf``
    is an ``anyOf`` (the spec's README: both mean "one of these formats"; with digit strings
    taken as integers, ``"12"`` is both an int64 and a string nonce, which ``oneOf`` refuses)."""
    spec = _any_of(spec)  # a new tree: the one given stays as it was
    schemas = spec["components"]["schemas"]
    schemas["SnowflakeType"] = {
        "anyOf": [schemas["SnowflakeType"], {"type": "integer", "minimum": 0}]
    }
    return spec


def _any_of(node: Any) -> Any:
    if isinstance(node, dict):
        return {("anyOf" if k == "oneOf" else k): _any_of(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_any_of(v) for v in node]
    return node


def _is_integer(checker: Any, instance: Any) -> bool:
    """Discord reads a string of digits where it wants an integer (``"32"`` for permissions)."""
    if isinstance(instance, str):
        return bool(INT_STRING.fullmatch(instance))
    return jsonschema.Draft202012Validator.TYPE_CHECKER.is_type(instance, "integer")


def _format_checker() -> jsonschema.FormatChecker:
    """The two formats the message schemas lean on: ``uri`` (embed and button URLs) and
    ``date-time`` (embed timestamps). Others (int32, snowflake, nonce) carry their limits in
    ``minimum``/``maximum``/``pattern``/``maxLength`` already."""
    checker = jsonschema.FormatChecker(formats=())

    @checker.checks("uri")
    def is_uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme == "attachment")

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value: object) -> bool:
        if isinstance(value, str):
            datetime.fromisoformat(value)
        return True

    return checker


def _validator_class() -> Any:
    """Draft 2020-12 read as Discord reads it (digit strings are integers), with each ``$ref``
    target looked up once per contract (the lookups were a third of the time a body took)."""
    resolved: dict[tuple[str, str], Any] = {}  # (base URI, $ref) -> its target

    def ref(validator: Any, ref: str, instance: Any, schema: dict) -> Iterator[ValidationError]:
        key = (validator._resolver._base_uri, ref)
        if key not in resolved:
            resolved[key] = validator._resolver.lookup(ref)
        target = resolved[key]
        yield from validator.descend(instance, target.contents, resolver=target.resolver)

    return jsonschema.validators.extend(
        jsonschema.Draft202012Validator,
        validators={"$ref": ref},
        type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
    )


def _schema_names(spec: dict) -> dict[int, str]:
    """``id(subschema) -> "RichEmbed.description"`` for naming the rule an error broke."""
    names: dict[int, str] = {}
    for name, schema in spec["components"]["schemas"].items():
        names[id(schema)] = name
        for prop, sub in (schema.get("properties") or {}).items():
            names[id(sub)] = f"{name}.{prop}"
            if isinstance(sub.get("items"), dict):
                names[id(sub["items"])] = f"{name}.{prop}[]"
    return names


class DiscordContract:
    """The operations of Discord's spec and a validator for each one's request body."""

    def __init__(self, spec: dict) -> None:
        self.spec = _lenient(spec)
        self.operations = _operations(self.spec)
        resource = Resource.from_contents(self.spec, default_specification=DRAFT202012)
        self._registry: Registry = Registry().with_resource(SPEC_URI, resource)
        self._names = _schema_names(self.spec)
        self._format_checker = _format_checker()
        self._validator_class = _validator_class()
        self._validators: dict[str, Any] = {}
        self._path_seen: dict[tuple[str, str], list[SpecError]] = {}

    @classmethod
    @functools.cache
    def load(cls, path: Path = SPEC_PATH) -> DiscordContract:
        """The vendored spec, read once per process."""
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def operation(self, method: str, path: str) -> Operation | None:
        """The spec's operation for a request path (with or without ``/api/v10``)."""
        found = self._match(method, path)
        return found[0] if found else None

    def _match(self, method: str, path: str) -> tuple[Operation, tuple[str, ...]] | None:
        path = path.removeprefix(API_PREFIX)
        for op in self.operations:
            if op.method == method.upper() and (match := op.pattern.fullmatch(path)):
                return op, match.groups()
        return None

    def check(self, method: str, path: str, body: Any) -> list[SpecError]:
        """What Discord's schema refuses in this request (``[]``: nothing): its path parameters
        (a channel id that is no snowflake) and its body."""
        found = self._match(method, path)
        if found is None:
            return [SpecError((), "UNKNOWN_ROUTE", "404: Not Found", f"no {method} {path}")]
        op, values = found
        problems = [
            error._replace(location=(name, *error.location))
            for (name, pointer), value in zip(op.path_params, values, strict=True)
            if pointer is not None
            for error in self._path_errors(op, name, pointer, value)
        ]
        if op.body_pointer is None or (body is None and not op.body_required):
            return problems
        return problems + self._errors(op.body_pointer, body, op.operation_id)

    def _path_errors(self, op: Operation, name: str, pointer: str, value: str) -> list[SpecError]:
        """A path parameter's errors, remembered: the same channel and application ids come on
        most requests."""
        key = (pointer, value)
        if key not in self._path_seen:
            if len(self._path_seen) > PATH_MEMORY:
                self._path_seen.clear()
            self._path_seen[key] = self._errors(pointer, value, f"{op.template} {name}")
        return self._path_seen[key]

    def check_response(self, method: str, path: str, status: int, body: Any) -> list[SpecError]:
        """What Discord's schema for this answer says is missing or wrong in ``body`` (for the
        stand-in's own answers: they should look like Discord's)."""
        op = self.operation(method, path)
        pointer = op.responses.get(str(status)) if op else None
        return [] if pointer is None else self._errors(pointer, body, f"{op.operation_id} {status}")

    def check_schema(self, name: str, body: Any) -> list[SpecError]:
        """What ``components/schemas/NAME`` refuses in ``body`` (e.g. ``RichEmbed``)."""
        return self._errors(_pointer("components", "schemas", name), body, name)

    def _validator(self, pointer: str) -> Any:
        if pointer not in self._validators:
            self._validators[pointer] = self._validator_class(
                {"$ref": f"{SPEC_URI}#{pointer}"},
                registry=self._registry,
                format_checker=self._format_checker,
            )
        return self._validators[pointer]

    def _errors(self, pointer: str, body: Any, label: str) -> list[SpecError]:
        found = []
        for error in self._validator(pointer).iter_errors(body):
            for leaf in _leaves(error):
                found.extend(self._describe(leaf, label))
        return list(dict.fromkeys(found))

    def _describe(self, error: ValidationError, label: str) -> list[SpecError]:
        """Discord's code and wording for one error; ``label`` names the rule when the schema
        that failed is not a named one (the request body's own union)."""
        where = tuple(str(p) for p in error.absolute_path)
        name = self._names.get(id(error.schema), label)
        rule = f"{name} {error.validator} {_short(error.validator_value)}"
        if error.validator == "required":
            missing = [k for k in error.validator_value if k not in error.instance]
            return [
                SpecError((*where, k), "BASE_TYPE_REQUIRED", "This field is required", rule)
                for k in missing
            ]
        code, message = _discord_wording(error)
        return [SpecError(where, code, message, rule)]


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _length_message(schema: dict, failed: str, low: str, high: str) -> tuple[str, str]:
    """Discord's wording: "between 1 and 32" when both bounds matter, else the one broken."""
    lo, hi = schema.get(low), schema.get(high)
    if lo and hi is not None:
        return "BASE_TYPE_BAD_LENGTH", f"Must be between {lo} and {hi} in length."
    if failed == high:
        return "BASE_TYPE_MAX_LENGTH", f"Must be {hi} or fewer in length."
    return "BASE_TYPE_MIN_LENGTH", f"Must be {lo} or more in length."


TYPE_WORDING = {
    "integer": ("NUMBER_TYPE_COERCE", 'Value "{}" is not int.'),
    "number": ("NUMBER_TYPE_COERCE", 'Value "{}" is not a number.'),
    "string": ("STRING_TYPE_CONVERT", 'Could not interpret "{}" as string.'),
    "boolean": ("BOOLEAN_TYPE_CONVERT", 'Value "{}" is not a boolean.'),
    "array": ("LIST_TYPE_CONVERT", "Only iterables may be used in a ListType"),
    "object": ("DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"),
}


def _discord_wording(error: ValidationError) -> tuple[str, str]:
    """Discord's error code and message for a failed keyword (its codes where known, a close
    reading of them otherwise)."""
    kind, value, schema = error.validator, error.validator_value, error.schema
    if kind in ("maxLength", "minLength"):
        return _length_message(schema, kind, "minLength", "maxLength")
    if kind in ("maxItems", "minItems"):
        return _length_message(schema, kind, "minItems", "maxItems")
    if kind == "maximum":
        return "NUMBER_TYPE_MAX", f"int value should be less than or equal to {value}."
    if kind == "minimum":
        return "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {value}."
    if kind == "type":
        wanted = [t for t in ([value] if isinstance(value, str) else value) if t != "null"]
        code, text = TYPE_WORDING.get(wanted[0] if wanted else "", ("BASE_TYPE_INVALID", "{}"))
        return code, text.format(_short(error.instance))
    if kind in ("enum", "const"):
        choices = value if kind == "enum" else [value]
        shown = ", ".join(json.dumps(c) for c in choices)
        return "BASE_TYPE_CHOICES", f"Value must be one of ({shown})."
    if kind == "pattern" and schema.get("format") == "snowflake":
        return "NUMBER_TYPE_COERCE", f'Value "{_short(error.instance)}" is not snowflake.'
    if kind == "format" and value == "uri":
        return "URL_TYPE_INVALID_URL", "Not a well formed URL."
    if kind == "format" and value == "date-time":
        return "DATE_TIME_TYPE_PARSE", f'Could not parse "{_short(error.instance)}".'
    if kind in ("oneOf", "anyOf"):
        return "UNION_TYPE_CHOICES", "Value does not match any of the allowed types."
    return "BASE_TYPE_INVALID", error.message[:200]


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """The errors that say what is wrong. A union (``oneOf``/``anyOf``) failing says little: look
    inside the branch the body meant, the one whose ``type`` matches (a button, not a select; an
    embed, not ``null``), and report its errors."""
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        yield error
        return
    if all(e.validator == "const" and not e.relative_path for e in error.context):
        yield _as_enum(error, [e.validator_value for e in error.context])  # ButtonStyleTypes
        return
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(int(sub.schema_path[0]), []).append(sub)
    meant = [errs for errs in branches.values() if not any(_wrong_kind(e) for e in errs)]
    if not meant:  # no branch is for this kind of value: say which kinds would do
        yield _no_branch(error)
        return
    for sub in min(meant, key=_branch_cost):
        yield from _leaves(sub)


def _branch_cost(errors: list[ValidationError]) -> tuple[int, int]:
    """Of several branches the body could have meant (autocomplete choices: integer, number or
    string), the one it fits best: fewest values of the wrong JSON type, then fewest errors."""
    leaves = [leaf for error in errors for leaf in _leaves(error)]
    return sum(leaf.validator == "type" for leaf in leaves), len(leaves)


def _no_branch(error: ValidationError) -> ValidationError:
    """A union none of whose branches takes this kind of value, as one error: the ``type`` tags
    the branches accept (a component of an unknown type), else the JSON types they accept."""
    tags = sorted({v for e in error.context if _wrong_tag(e) for v in _values(e)}, key=_order)
    if tags:
        return _as_enum(error, tags, "type")
    types = [v for e in error.context if e.validator == "type" for v in _values(e) if v != "null"]
    type_error = ValidationError(
        error.message,
        validator="type",
        validator_value=types,
        instance=error.instance,
        schema=error.schema,
        path=error.relative_path,
    )
    type_error.parent = error.parent
    return type_error


def _order(value: Any) -> tuple[str, Any]:
    return (type(value).__name__, value)


def _as_enum(error: ValidationError, values: list, key: str | None = None) -> ValidationError:
    """A union of constants (or of ``type`` tags, at ``key``) failed: one error naming them."""
    instance = error.instance
    if key is not None:
        instance = instance.get(key) if isinstance(instance, dict) else None
    enum_error = ValidationError(
        f"{instance!r} is not one of {values}",
        validator="enum",
        validator_value=values,
        instance=instance,
        schema=error.schema,
        path=[*error.relative_path, *([key] if key else [])],
    )
    enum_error.parent = error.parent
    return enum_error


def _values(error: ValidationError) -> list:
    value = error.validator_value
    return list(value) if isinstance(value, list) else [value]


def _wrong_kind(error: ValidationError) -> bool:
    """The branch is for another kind of value: another JSON type, or another ``type`` tag."""
    return (error.validator == "type" and not error.relative_path) or _wrong_tag(error)


def _wrong_tag(error: ValidationError) -> bool:
    return list(error.relative_path) == ["type"] and error.validator in ("enum", "const")


def discord_errors(problems: list[SpecError]) -> dict:
    """The ``errors`` of Discord's 50035 answer: the body's shape, each refused field holding
    ``{"_errors": [{"code", "message"}]}``."""
    tree: dict = {}
    for problem in problems:
        node = tree
        for key in problem.location:
            node = node.setdefault(key, {})
        node.setdefault("_errors", []).append({"code": problem.code, "message": problem.message})
    return tree
