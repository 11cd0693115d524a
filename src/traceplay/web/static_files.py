"""The front end, served from the package: ETag revalidation and ``Cache-Control: no-cache``.

``no-cache`` means "revalidate before use", not "do not store": the browser keeps every file and asks
with ``If-None-Match``; an unchanged file answers 304 with no body. A new release is picked up on the
next load without a build step or hashed file names.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

PACKAGE = ("traceplay.web", "static")
CACHE_CONTROL = "no-cache"
INDEX = "index.html"


class PackageStatic(StaticFiles):
    """StaticFiles (which already answers 304 on a matching ETag) plus our cache policy."""

    def __init__(self) -> None:
        super().__init__(packages=[PACKAGE], follow_symlink=False)

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["cache-control"] = CACHE_CONTROL
        if path.endswith(".js"):  # one type for modules on every platform's mimetypes table
            response.headers["content-type"] = "text/javascript; charset=utf-8"
        return response

    async def index(self, request: Request) -> Response:
        """The page itself, for ``GET /``."""
        return await self.get_response(INDEX, request.scope)
