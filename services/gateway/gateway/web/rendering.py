"""Pages are Jinja2 templates in the visitor's language; their scripts get the same texts as JSON."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from gateway.domain.language import negotiate
from gateway.web.texts import AREAS, catalogue, for_area

LANGUAGE_COOKIE = "atende_lang"
ASSETS = "/static"
# Pages load nothing from elsewhere (no CDN: Atende works offline) and run no inline script.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors {ancestors}"
)


def static_folder() -> str:
    """Where the pages' scripts, styles and images are."""
    return str(files("gateway.web").joinpath("static"))


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(files("gateway.web").joinpath("templates"))),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,  # a misspelt variable fails the page (and its test), not silently
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page_language(request: Request) -> str:
    """pt-BR or en: the browser's Accept-Language, which the visitor's choice has already replaced
    (gateway.middleware.LanguageMiddleware)."""
    return negotiate(request.headers.get("accept-language"))


def local_path(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site (never another site: no open redirect), else ``default``."""
    if not target or not target.startswith("/") or "\\" in target or not target.isprintable():
        return default  # browsers drop tabs and newlines: "/\t/evil.example" would become "//evil.example"
    if target.startswith("//"):
        return default
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else default


def render(
    request: Request,
    template: str,
    *,
    title: str,
    status_code: int = 200,
    embeddable_by: str = "'self'",
    **context: Any,
) -> HTMLResponse:
    """A page: ``title`` is a text key; ``context`` reaches the template as it is."""
    language = page_language(request)
    texts = catalogue(language)
    folder = template.split("/", 1)[0]
    html = _environment().get_template(template).render(
        request=request,
        lang=language,
        texts=for_area(language, folder if folder in AREAS else None),  # what the page's scripts read
        t=texts.__getitem__,
        title=texts[title],
        assets=ASSETS,
        path=request.url.path,
        **context,
    )  # fmt: skip
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Content-Security-Policy"] = _CSP.format(ancestors=embeddable_by)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"  # pages may name the logged-in person
    response.headers["Content-Language"] = language
    return response
