"""Errors a user can cause and fix. The CLI prints them without a traceback."""


class DirectoryError(Exception):
    """Base for mistakes in input or data that the user can correct."""


class UnknownPlace(DirectoryError):
    """Free text that names no place in the gazetteer."""

    def __init__(self, text: str) -> None:
        super().__init__(f"I don't know that place: {text!r}")
        self.text = text


class UnknownCategory(DirectoryError):
    def __init__(self, code: str) -> None:
        super().__init__(f"unknown category code: {code!r}")
        self.code = code


class UnknownService(DirectoryError):
    def __init__(self, service_id: str) -> None:
        super().__init__(f"no service with id {service_id!r}")
        self.service_id = service_id


class StaleUpdate(DirectoryError):
    """A provider edit based on an older version than the one stored."""


class DataFileError(DirectoryError):
    """A shipped data file (taxonomy, gazetteer, demo) is malformed."""
