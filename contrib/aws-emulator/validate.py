"""Input validation against the official botocore service models.

The emulator rejects anything real AWS (or botocore's client-side checks)
would reject, with messages in the AWS "Coral" style that name the member
path, e.g.

  1 validation error detected: Value 'x' at 'principals.1.member' failed to
  satisfy constraint: Member must satisfy regular expression pattern: ...

Paths use the lower-camel member name, 1-based list indices followed by
".member", and map keys, like AWS does.
"""

import base64
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
# botocore's data layout (SERVICE/API-VERSION/service-2.json), so the test
# clients can load these same models with a botocore Loader.
MODEL_FILES = {
    "license-manager": "license-manager/2018-08-01/service-2.json",
    "organizations": "organizations/2016-11-28/service-2.json",
    "sts": "sts/2011-06-15/service-2.json",
}

INT32 = (-2**31, 2**31 - 1)
INT64 = (-2**63, 2**63 - 1)


class Problem:
    """One validation failure.  `reason` is an Organizations
    InvalidInputExceptionReason value, used only by that service."""

    def __init__(self, message, reason):
        self.message = message
        self.reason = reason


class InputInvalid(Exception):
    def __init__(self, problems):
        self.problems = problems
        super().__init__(self.message)

    @property
    def message(self):
        unknown = [p for p in self.problems if p.reason == "UNKNOWN"]
        if unknown:
            # botocore-style wording for unknown members; one is enough.
            return unknown[0].message
        n = len(self.problems)
        return "%d validation error%s detected: %s" % (
            n, "" if n == 1 else "s",
            "; ".join(p.message for p in self.problems))

    @property
    def reason(self):
        return self.problems[0].reason


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------

def model_dir():
    """The copies shipped in ./models: the emulator depends on nothing
    outside the repository."""
    return os.path.join(HERE, "models")


_MODELS = {}


def load_model(service, directory=None):
    key = (service, directory)
    if key not in _MODELS:
        path = os.path.join(directory or model_dir(), MODEL_FILES[service])
        with open(path, encoding="utf-8") as fh:
            _MODELS[key] = json.load(fh)
    return _MODELS[key]


# --------------------------------------------------------------------------
# Java regular expressions -> Python
# --------------------------------------------------------------------------

_CATEGORY_CACHE = {}


def _category_class(letter):
    """Character-class body listing every BMP code point whose Unicode
    category starts with `letter` (L, N, Z...): Python's re has no \\p{..}."""
    if letter not in _CATEGORY_CACHE:
        ranges, start, prev = [], None, None
        for cp in range(0x10000):
            if 0xD800 <= cp <= 0xDFFF:
                continue
            hit = unicodedata.category(chr(cp)).startswith(letter)
            if hit and start is None:
                start = cp
            if not hit and start is not None:
                ranges.append((start, prev))
                start = None
            prev = cp
        if start is not None:
            ranges.append((start, prev))
        _CATEGORY_CACHE[letter] = "".join(
            "\\u%04x" % a if a == b else "\\u%04x-\\u%04x" % (a, b)
            for a, b in ranges)
    return _CATEGORY_CACHE[letter]


def java_to_python_regex(pattern):
    """Translate the few Java-only constructs the models use.

    \\p{L} etc. become explicit ranges (inside or outside a class).  Java's
    \\uXXXX takes exactly four hex digits, like Python's, so the odd
    "\\u10000-\\u10FFFF" in the STS model means the same in both."""
    def repl(m):
        body = _category_class(m.group(1)[0])
        return body if _inside_class(pattern, m.start()) else "[" + body + "]"
    return re.sub(r"\\p\{(\w+)\}", repl, pattern)


def _inside_class(pattern, pos):
    depth, i = 0, 0
    while i < pos:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            depth += 1
        elif c == "]" and depth:
            depth -= 1
        i += 1
    return depth > 0


_REGEX_CACHE = {}


def compiled(pattern):
    if pattern not in _REGEX_CACHE:
        _REGEX_CACHE[pattern] = re.compile(java_to_python_regex(pattern))
    return _REGEX_CACHE[pattern]


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------

def _lower_camel(name):
    return name[:1].lower() + name[1:]


def _render(value):
    """Render a value like Coral's Java toString()."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join("%s=%s" % (k, _render(v))
                               for k, v in value.items()) + "}"
    return str(value)


class Validator:
    def __init__(self, model):
        self.model = model
        self.shapes = model["shapes"]

    def input_shape(self, operation):
        op = self.model["operations"][operation]
        return op.get("input", {}).get("shape")

    def validate(self, operation, params):
        """Raise InputInvalid unless `params` (decoded JSON) fits the input
        shape of `operation`."""
        shape_name = self.input_shape(operation)
        problems = []
        if shape_name is None:
            if params:
                problems.append(Problem(
                    'Unknown parameter in input: "%s", must be one of: ' %
                    sorted(params)[0], "UNKNOWN"))
        else:
            self._structure(shape_name, params, "", problems, top=True)
        if problems:
            raise InputInvalid(problems)

    # -- per type ----------------------------------------------------------

    def _check(self, shape_name, value, path, problems):
        shape = self.shapes[shape_name]
        kind = shape["type"]
        checker = getattr(self, "_" + kind, None)
        if checker is None:
            problems.append(Problem("Value '%s' at '%s' has unsupported type "
                                    "%s" % (_render(value), path, kind),
                                    "INVALID_SYNTAX"))
            return
        checker(shape_name, value, path, problems)

    def _type_error(self, value, path, kind, problems):
        problems.append(Problem(
            "Value '%s' at '%s' failed to satisfy constraint: Member must be "
            "of type %s" % (_render(value), path, kind), "INVALID_SYNTAX"))

    def _structure(self, shape_name, value, path, problems, top=False):
        shape = self.shapes[shape_name]
        if not isinstance(value, dict):
            return self._type_error(value, path or "input", "structure",
                                    problems)
        members = shape.get("members", {})
        where = "input" if top else path
        for name in value:
            if name not in members:
                problems.append(Problem(
                    'Unknown parameter in %s: "%s", must be one of: %s' % (
                        where, name, ", ".join(members)), "UNKNOWN"))
        for name, member in members.items():
            sub = (path + "." if path else "") + _lower_camel(name)
            item = value.get(name)
            if item is None:
                if name in shape.get("required", []):
                    problems.append(Problem(
                        "Value null at '%s' failed to satisfy constraint: "
                        "Member must not be null" % sub, "INPUT_REQUIRED"))
                continue
            self._check(member["shape"], item, sub, problems)

    def _list(self, shape_name, value, path, problems):
        shape = self.shapes[shape_name]
        if not isinstance(value, list):
            return self._type_error(value, path, "list", problems)
        self._length(shape, value, len(value), path, problems)
        for i, item in enumerate(value, 1):
            sub = "%s.%d.member" % (path, i)
            if item is None:
                problems.append(Problem(
                    "Value null at '%s' failed to satisfy constraint: Member "
                    "must not be null" % sub, "INVALID_LIST_MEMBER"))
                continue
            self._check(shape["member"]["shape"], item, sub, problems)

    def _map(self, shape_name, value, path, problems):
        shape = self.shapes[shape_name]
        if not isinstance(value, dict):
            return self._type_error(value, path, "map", problems)
        self._length(shape, value, len(value), path, problems)
        for key, item in value.items():
            self._check(shape["key"]["shape"], key, path + ".key", problems)
            if item is None:
                continue
            self._check(shape["value"]["shape"], item, "%s.%s" % (path, key),
                        problems)

    def _string(self, shape_name, value, path, problems):
        shape = self.shapes[shape_name]
        if not isinstance(value, str):
            return self._type_error(value, path, "string", problems)
        self._length(shape, value, len(value), path, problems)
        if "enum" in shape and value not in shape["enum"]:
            problems.append(Problem(
                "Value '%s' at '%s' failed to satisfy constraint: Member must "
                "satisfy enum value set: [%s]" % (
                    value, path, ", ".join(shape["enum"])), "INVALID_ENUM"))
        pattern = shape.get("pattern")
        if pattern is not None and not compiled(pattern).fullmatch(value):
            problems.append(Problem(
                "Value '%s' at '%s' failed to satisfy constraint: Member must "
                "satisfy regular expression pattern: %s" % (
                    value, path, pattern), "INVALID_PATTERN"))

    def _number(self, shape_name, value, path, problems, kind, bounds):
        shape = self.shapes[shape_name]
        if isinstance(value, bool) or not isinstance(value, int) or \
                not bounds[0] <= value <= bounds[1]:
            return self._type_error(value, path, kind, problems)
        self._range(shape, value, path, problems)

    def _integer(self, shape_name, value, path, problems):
        self._number(shape_name, value, path, problems, "integer", INT32)

    def _long(self, shape_name, value, path, problems):
        self._number(shape_name, value, path, problems, "long", INT64)

    def _double(self, shape_name, value, path, problems):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return self._type_error(value, path, "double", problems)
        self._range(self.shapes[shape_name], value, path, problems)

    _float = _double

    def _boolean(self, shape_name, value, path, problems):
        if not isinstance(value, bool):
            self._type_error(value, path, "boolean", problems)

    def _timestamp(self, shape_name, value, path, problems):
        # JSON 1.1 sends timestamps as epoch seconds (a number).
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self._type_error(value, path, "timestamp", problems)

    def _blob(self, shape_name, value, path, problems):
        try:
            if not isinstance(value, str):
                raise ValueError
            base64.b64decode(value, validate=True)
        except ValueError:
            self._type_error(value, path, "blob (base64)", problems)

    # -- constraints -------------------------------------------------------

    def _length(self, shape, value, length, path, problems):
        if "min" in shape and length < shape["min"]:
            problems.append(Problem(
                "Value '%s' at '%s' failed to satisfy constraint: Member must "
                "have length greater than or equal to %d" % (
                    _render(value), path, shape["min"]), "MIN_LENGTH_EXCEEDED"))
        if "max" in shape and length > shape["max"]:
            problems.append(Problem(
                "Value '%s' at '%s' failed to satisfy constraint: Member must "
                "have length less than or equal to %d" % (
                    _render(value), path, shape["max"]), "MAX_LENGTH_EXCEEDED"))

    def _range(self, shape, value, path, problems):
        if "min" in shape and value < shape["min"]:
            problems.append(Problem(
                "Value '%s' at '%s' failed to satisfy constraint: Member must "
                "have value greater than or equal to %s" % (
                    _render(value), path, shape["min"]), "MIN_VALUE_EXCEEDED"))
        if "max" in shape and value > shape["max"]:
            problems.append(Problem(
                "Value '%s' at '%s' failed to satisfy constraint: Member must "
                "have value less than or equal to %s" % (
                    _render(value), path, shape["max"]), "MAX_VALUE_EXCEEDED"))


def strip_nulls(value):
    """JSON null members mean "absent" (as on AWS); drop them so handlers
    only see members that were really given."""
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value]
    return value


# --------------------------------------------------------------------------
# Query protocol (STS): flat form parameters -> structured input
# --------------------------------------------------------------------------

class QueryDecodeError(Exception):
    pass


def decode_query_params(validator, operation, form):
    """Turn {'RoleArn': 'x', 'Tags.member.1.Key': 'k', ...} into the nested
    input structure of `operation`, converting scalars by shape type.  Unknown
    or malformed names raise InputInvalid with an 'Unknown parameter'
    problem."""
    shape_name = validator.input_shape(operation)
    shapes = validator.shapes
    result = {}
    for name, raw in form.items():
        if shape_name is None:
            raise InputInvalid([Problem(
                'Unknown parameter in input: "%s", must be one of: ' % name,
                "UNKNOWN")])
        _assign(shapes, shape_name, result, name.split("."), raw, name)
    return result


def _unknown(name, where, members):
    return InputInvalid([Problem(
        'Unknown parameter in %s: "%s", must be one of: %s' % (
            where, name, ", ".join(members)), "UNKNOWN")])


def _assign(shapes, shape_name, target, parts, raw, full):
    members = shapes[shape_name].get("members", {})
    if not parts:                       # e.g. "Tags.member.1" with no field
        raise _unknown(full, "input", members)
    head = parts[0]
    if head not in members:
        raise _unknown(full if len(parts) == 1 else head, "input", members)
    member_shape = members[head]["shape"]
    shape = shapes[member_shape]
    rest = parts[1:]
    if shape["type"] == "structure":
        if not rest:
            raise _unknown(full, "input", members)
        _assign(shapes, member_shape, target.setdefault(head, {}), rest, raw,
                full)
    elif shape["type"] == "list":
        # Name.member.N[.Sub...]
        if len(rest) < 2 or rest[0] != "member" or not rest[1].isdigit() \
                or int(rest[1]) < 1:
            raise _unknown(full, "input", members)
        items = target.setdefault(head, [])
        index = int(rest[1]) - 1
        while len(items) <= index:
            items.append(None)
        item_shape = shape["member"]["shape"]
        if shapes[item_shape]["type"] == "structure":
            if items[index] is None:
                items[index] = {}
            _assign(shapes, item_shape, items[index], rest[2:], raw, full)
        elif len(rest) == 2:
            items[index] = _scalar(shapes[item_shape], raw)
        else:
            raise _unknown(full, "input", members)
    else:
        if rest:
            raise _unknown(full, "input", members)
        target[head] = _scalar(shape, raw)


def _scalar(shape, raw):
    kind = shape["type"]
    try:
        if kind in ("integer", "long"):
            return int(raw)
        if kind in ("double", "float"):
            return float(raw)
        if kind == "boolean":
            if raw not in ("true", "false"):
                raise ValueError
            return raw == "true"
    except ValueError:
        return raw  # left as a string: the validator reports the type error
    return raw


if __name__ == "__main__":  # quick manual check: validate a JSON file
    svc, op, path = sys.argv[1:4]
    with open(path) as fh:
        Validator(load_model(svc)).validate(op, json.load(fh))
    print("ok")
