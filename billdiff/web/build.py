"""``billdiff build OUT``: the whole site as static files, for a server that only serves files.

The web app itself makes every file: Frozen-Flask (pinned in ``pyproject.toml``) asks the app
for each address, inside :func:`billdiff.urls.static_site`, where every link is a static-site
address (``compare/A/B/inline/``, ``api/documents.json``) that the app also answers
(:mod:`billdiff.web.paths`), and writes each answer to the file that address names
(``compare/A/B/inline/index.html``).  Pages that need the server (the draft form) say so
instead of showing a form that could not work.

What is built:

- every page: the dossier, every document, every topic, the guide, the draft notice;
- every comparison of every ordered pair of documents, whole and per topic, in each layout
  the pages link to;
- the API as JSON files (documents, each document, topics, each comparison the pages link to)
  and the OpenAPI description; the static files; one fact sheet per pair (preview and PDF);
- and then every address any built page links to, so that a link added to a template is
  built too.  Frozen-Flask writes only the addresses it is given (it does not read pages), and
  it has skipped files silently in the past; so each page is read as soon as it is written,
  and a link to an address the app answers with an error fails the build, naming both.

A build is atomic: everything is written to a new folder beside *OUT*; only when every file
is written is it flushed to the disk and put in *OUT*'s place (one ``renameat2`` exchange on
Linux, two renames elsewhere), and the previous site is removed after.  A build that fails for
any reason (a full disk, a page the app cannot make, an interrupt) removes its folder and
leaves the previous site as it was.  *OUT* is replaced only if it is empty or holds an earlier
build (its :data:`MARKER` file): a build never deletes a folder of other files.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import html
import json
import os
import re
import shutil
import tempfile
import time
import warnings
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from billdiff import __version__
from billdiff.errors import BilldiffError
from billdiff.urls import Urls, static_site

#: The file that marks a folder as a billdiff site (what makes it safe to replace).
MARKER = ".billdiff-site.json"
#: Links and assets in a page, and forms' targets.
_LINK = re.compile(r"<(a|link|img|script|form|iframe|source)\b[^>]*?\s(href|src|action)"
                   r'="([^"]*)"', re.IGNORECASE)
#: The link kinds that are assets: a file server ignores their query, so it may stay.
_ASSET_TAGS = frozenset({"link", "img", "script", "source"})


@dataclass
class Report:
    """What a build wrote."""

    out: Path
    base_url: str
    files: int = 0
    pages: int = 0
    json_files: int = 0
    pdfs: int = 0
    bytes: int = 0
    links: int = 0
    seconds: float = 0.0
    kinds: dict[str, int] = field(default_factory=dict)


class BuildError(BilldiffError):
    """The site could not be built (nothing was changed in *OUT*)."""


def check_base_url(value: str) -> str:
    """*value* if it is an ``http(s)://`` address with a host (a trailing ``/`` added);
    :class:`BuildError` naming ``--base-url`` otherwise."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
            or parts.fragment or "@" in parts.netloc:
        raise BuildError(f"not a plain http(s) address: {value!r}", where="--base-url",
                         fix="give the address the site will be published at, such as "
                             "https://example.org/billdiff/")
    return value.strip().rstrip("/") + "/"


def _refuse_unsafe_target(out: Path) -> None:
    """*OUT* may be new, an empty folder or an earlier build; nothing else is ever replaced."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise BuildError("exists and is not a folder", where=str(out),
                         fix="choose a new folder, or remove it first")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise BuildError("is a folder of other files, not an earlier billdiff build; nothing "
                         "was changed", where=str(out), fix="choose a new or empty folder")
    parent = out.parent
    if parent.exists() and not parent.is_dir():
        raise BuildError(f"{parent} is a file, not a folder", where=str(out),
                         fix="choose a folder inside a folder")
    if not parent.is_dir():
        raise BuildError(f"the folder {parent} does not exist", where=str(out),
                         fix="create it first")


def _os_error(out: Path, err: OSError) -> BuildError:
    return BuildError(f"cannot write the site ({err.strerror or err}); the previous site is "
                      "unchanged and nothing was left behind", where=str(out),
                      fix="free some space or choose a folder you can write to"
                      if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES,
                                       errno.EPERM) else None)


def _seeds(app: Any, urls: Urls) -> list[str]:
    """The addresses every site has (see the module docstring), without the base path."""
    from billdiff.web.state import get_corpus

    corpus = get_corpus(app)
    ids = [d.id for d in corpus.ordered_documents()]
    topics = list(corpus.topics)
    out = [urls.home(), urls.guide(), urls.compare(), urls.draft(), urls.openapi(),
           urls.api_documents(), urls.api_topics()]
    out += [urls.document(d) for d in ids] + [urls.api_document(d) for d in ids]
    out += [urls.topic(t) for t in topics]
    for a in ids:
        for b in ids:
            if a == b:
                continue
            for chosen in [(), *((t,) for t in topics)]:
                for view in ("side", "inline"):
                    out.append(urls.compare(a, b, topics=chosen, view=view))
                out.append(urls.api_compare(a, b, topics=chosen))
            out += [urls.factsheet(a, b), urls.factsheet(a, b, pdf=True)]
    return out


def _links(text: str) -> Iterator[tuple[str, str]]:
    """``(tag, url)`` of every link, asset and form target in a page."""
    for m in _LINK.finditer(text):
        yield m.group(1).lower(), html.unescape(m.group(3))


class _Crawl:
    """The addresses to build: the seeds, then whatever the built pages link to."""

    def __init__(self, root: Path, base_url: str, seeds: list[str]) -> None:
        self.root = root
        self.base_url = base_url
        self.base_path = urlsplit(base_url).path  # ends with "/"
        self.queue: deque[str] = deque(dict.fromkeys(self._local(s) for s in seeds))
        self.seen: set[str] = set(self.queue)
        self.linked_from: dict[str, str] = {}
        self.links = 0
        self.problems: list[str] = []

    def _local(self, url: str) -> str:
        """An address of this site as Frozen-Flask takes it: the path below the base."""
        path = urlsplit(url).path
        return "/" + path[len(self.base_path):] if path.startswith(self.base_path) else path

    def file_of(self, local: str) -> Path:
        """The file Frozen-Flask writes for *local*."""
        name = unquote(local)
        return self.root / (name.lstrip("/") + ("index.html" if name.endswith("/") else ""))

    def __call__(self) -> Iterator[str]:
        """Frozen-Flask's URL generator (it builds each address before asking for the next,
        so the page just yielded is on disk when this resumes)."""
        while self.queue:
            local = self.queue.popleft()
            yield local
            self._read(local)

    def _read(self, local: str) -> None:
        path = self.file_of(local)
        if path.suffix != ".html" or not path.is_file():
            return
        page_url = urljoin(self.base_url, local.lstrip("/"))
        for tag, href in _links(path.read_text(encoding="utf-8")):
            self.links += 1
            target = urljoin(page_url, href)
            parts = urlsplit(target)
            inside = target.startswith(self.base_url) or target == self.base_url.rstrip("/")
            if parts.scheme not in ("http", "https") or not inside:
                continue  # another site, or mailto:
            if parts.query and tag not in _ASSET_TAGS:
                self.problems.append(f"{local} links to {href}, which has a query: a file "
                                     "server ignores it")
                continue
            # A form's target is followed like a link: a form that needs the server (its
            # address answers an error without a query) fails the build instead of breaking.
            new = self._local(target)
            if new not in self.seen:
                self.seen.add(new)
                self.linked_from[new] = local
                self.queue.append(new)


def _exchange(new: Path, old: Path) -> bool:
    """Swap two folders in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False if this
    system cannot."""
    name = ctypes.util.find_library("c")
    if not name or not hasattr(os, "sync"):
        return False
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(new), at_fdcwd, os.fsencode(old), rename_exchange)
    if result != 0:
        code = ctypes.get_errno()
        if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            return False
        raise OSError(code, os.strerror(code), str(old))
    return True


def _put_in_place(tmp: Path, out: Path) -> None:
    """Make *tmp* be *out*, in one step where the system can (see the module docstring)."""
    if hasattr(os, "sync"):
        os.sync()  # the new site is on the disk before it replaces the old one
    if not out.exists():
        os.rename(tmp, out)
        return
    if _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the previous site
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rename(out, old / "site")
    try:
        os.rename(tmp, out)
    except OSError:
        os.rename(old / "site", out)  # put the previous site back
        raise
    shutil.rmtree(old, ignore_errors=True)


def _app_error(app: Any, url: str, base_url: str) -> str:
    """The message the app answers *url* with (the reason a build stopped)."""
    with static_site():
        response = app.test_client().get(url, base_url=base_url)
    text = response.get_data(as_text=True)
    message = ""
    if response.mimetype == "application/json":
        try:
            message = str(json.loads(text).get("error", ""))
        except ValueError:
            message = ""
    else:
        m = re.search(r'<p class="lede">(.*?)</p>', text, re.DOTALL)
        message = html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip() if m else ""
    return f"{response.status}" + (f": {message}" if message else "")


def build_site(out: str | os.PathLike[str], *, bills: str | os.PathLike[str] | None = None,
               base_url: str = "http://127.0.0.1:5000/") -> Report:
    """Write the site for *bills* (default: the settings' corpus) to *out*, its links made for
    *base_url* (see the module docstring); :class:`BuildError` (nothing changed) otherwise."""
    from flask_frozen import Freezer, MimetypeMismatchWarning, MissingURLGeneratorWarning

    from billdiff import settings
    from billdiff.web import create_app

    started = time.monotonic()
    # Absolute: Frozen-Flask takes a relative destination from the app's package folder.
    out = Path(os.path.abspath(out))
    base_url = check_base_url(base_url)
    _refuse_unsafe_target(out)
    app = create_app({
        "ENV": "development", "TESTING": False, "BILLS_DIR": str(settings.bills_dir(bills)),
        "SITE_URL": base_url.rstrip("/"), "FACTSHEET_RENDERS_PER_MINUTE": 0,
        "PAGE_CACHE_BYTES": 0,
        # One snapshot of the corpus: a build never picks up an edit half way.
        "CORPUS_CHECK_SECONDS": 1e12,
        # This app answers only the build's own requests, never the network; Frozen-Flask
        # makes some of them with no host at all.
        "TRUSTED_HOSTS": None,
    })
    live = app.extensions["billdiff.live"]
    if live.loaded is None:
        summary = live.trouble.summary if live.trouble else "it changed while it was read"
        raise BuildError(f"the corpus has problems: {summary}", where=str(live.root),
                         fix="run `billdiff validate` to list them all; nothing was built")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=out.parent))
    except OSError as err:
        raise _os_error(out, err) from None
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # a site is public: the folder as any new folder
        app.config.update(FREEZER_DESTINATION=str(tmp), FREEZER_BASE_URL=base_url,
                          FREEZER_REMOVE_EXTRA_FILES=False, FREEZER_REDIRECT_POLICY="error")
        freezer = Freezer(app, with_static_files=True, with_no_argument_rules=False,
                          log_url_for=False)
        with static_site():
            crawl = _Crawl(tmp, base_url, _seeds(app, Urls.for_site(base_url)))
            freezer.register_generator(crawl)
            with warnings.catch_warnings():
                warnings.simplefilter("error", MimetypeMismatchWarning)
                # Endpoints without files (the health check, the draft POST) are expected.
                warnings.simplefilter("ignore", MissingURLGeneratorWarning)
                try:
                    built = freezer.freeze()
                except ValueError as err:
                    raise BuildError(_explain(err, app, crawl, base_url), where=str(out),
                                     fix="nothing was changed") from None
                except MimetypeMismatchWarning as err:
                    raise BuildError(f"a file would be served with the wrong type: {err}",
                                     where=str(out), fix="nothing was changed") from None
        if crawl.problems:
            raise BuildError(f"{crawl.problems[0]}" + (f" (and {len(crawl.problems) - 1} "
                             "more)" if len(crawl.problems) > 1 else ""), where=str(out),
                             fix="nothing was changed; this is a bug in billdiff's pages, "
                                 "please report it")
        report = _count(tmp, out, base_url, len(built))
        report.links = crawl.links
        (tmp / ".nojekyll").write_bytes(b"")  # GitHub Pages: serve the files as they are
        (tmp / MARKER).write_text(json.dumps({
            "billdiff": __version__, "base_url": base_url, "files": report.files,
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }, indent=2) + "\n", encoding="utf-8")
        _put_in_place(tmp, out)
    except OSError as err:
        raise _os_error(out, err) from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        state = app.extensions.get("billdiff.factsheet")
        if state is not None and state.renderer is not None:
            state.renderer.close()
    report.seconds = time.monotonic() - started
    return report


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _explain(err: ValueError, app: Any, crawl: _Crawl, base_url: str) -> str:
    """What Frozen-Flask's "Unexpected status ... on URL /x" means, for a person."""
    m = re.search(r"on URL (\S+)", str(err))
    if not m:
        return f"the site could not be built: {err}"
    url = m.group(1)
    where = crawl.linked_from.get(url)
    linked = f", linked from {where}" if where else ""
    return f"the app answers {url}{linked} with {_app_error(app, url, base_url)}"


def _count(tmp: Path, out: Path, base_url: str, addresses: int) -> Report:
    report = Report(out=out, base_url=base_url)
    for path in tmp.rglob("*"):
        if not path.is_file():
            continue
        report.files += 1
        report.bytes += path.stat().st_size
        kind = path.suffix or "(none)"
        report.kinds[kind] = report.kinds.get(kind, 0) + 1
    report.pages = report.kinds.get(".html", 0)
    report.json_files = report.kinds.get(".json", 0)
    report.pdfs = report.kinds.get(".pdf", 0)
    if report.files < addresses:
        raise BuildError(f"{addresses} addresses were built but only {report.files} files "
                         "written", where=str(out), fix="nothing was changed; please report it")
    return report


__all__ = ["MARKER", "BuildError", "Report", "build_site", "check_base_url"]
