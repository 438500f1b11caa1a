"""Discord's JSON error bodies, raised as exceptions by the handlers and turned into responses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ApiError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def missing_permissions() -> ApiError:
    return ApiError(403, 50013, "Missing Permissions")


def missing_access() -> ApiError:
    return ApiError(403, 50001, "Missing Access")


UNKNOWN = {
    "channel": 10003,
    "guild": 10004,
    "member": 10007,
    "message": 10008,
    "user": 10013,
    "webhook": 10015,
    "interaction": 10062,
    "application command": 10063,
    "guild scheduled event": 10070,
    "guild scheduled event user": 10071,
}


def unknown(kind: str) -> ApiError:
    return ApiError(404, UNKNOWN[kind], f"Unknown {kind.title()}")


class FormErrors:
    """Collects field errors into Discord's nested ``errors`` tree; raise with :meth:`check`."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def add(self, path: Sequence[str | int], code: str, message: str) -> None:
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def length(self, path: Sequence[str | int], value: Any, maximum: int, minimum: int = 0) -> None:
        if value is None:
            return
        size = len(value) if isinstance(value, str | list) else len(str(value))
        if minimum and not minimum <= size <= maximum:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {minimum} and {maximum} in length.")
        elif size > maximum:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {maximum} or fewer in length.")

    def required(self, path: Sequence[str | int], present: bool) -> None:
        if not present:
            self.add(path, "BASE_TYPE_REQUIRED", "This field is required")

    def check(self) -> None:
        if self.tree:
            raise ApiError(400, 50035, "Invalid Form Body", self.tree)
