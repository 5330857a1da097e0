"""A small cookie-keeping form client for the provider web page, over real HTTP with
``urllib``: it follows no redirect, so a test sees each answer and its cookie."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@dataclass
class Page:
    status: int
    headers: list[tuple[str, str]]
    text: str

    @property
    def csrf(self) -> str:
        m = CSRF.search(self.text)
        assert m, self.text
        return m.group(1)

    @property
    def version(self) -> int:
        m = VERSION.search(self.text)
        assert m, self.text
        return int(m.group(1))

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def cookies(self) -> list[str]:
        return [v for k, v in self.headers if k.lower() == "set-cookie"]


@dataclass
class Browser:
    """Sends the cookie it was last given, like a browser on one site."""

    base: str
    jar: dict[str, str] = field(default_factory=dict)

    def _open(self, method: str, path: str, data: bytes | None = None) -> Page:
        headers = {}
        if self.jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=20) as reply:
                page = Page(reply.status, list(reply.headers.items()), reply.read().decode("utf-8"))
        except urllib.error.HTTPError as err:
            page = Page(err.code, list(err.headers.items()), err.read().decode("utf-8"))
        for raw in page.cookies():
            for name, morsel in SimpleCookie(raw).items():
                self.jar[name] = morsel.value
        return page

    def get(self, path: str) -> Page:
        return self._open("GET", path)

    def post(self, path: str, fields: dict[str, str | list[str]]) -> Page:
        return self._open("POST", path, urllib.parse.urlencode(fields, doseq=True).encode())

    def sign_in(self, token: str) -> Page:
        form = self.get("/portal/")
        return self.post("/portal/signin", {"csrf": form.csrf, "token": token})
