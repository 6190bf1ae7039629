"""The ``billdiff`` command line: one click group, thin commands over the core library.

Exit codes follow ``diff(1)`` where it applies: 0 no differences (or success), 1 differences
(``compare``) or problems found (``validate``), 2 an error.  Errors are one line naming what,
where and how to fix it; set ``BILLDIFF_DEBUG=1`` to see a traceback.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import click

from billdiff import files, settings
from billdiff.errors import BilldiffError, visible
from billdiff.wording import plural

if TYPE_CHECKING:
    from billdiff.load import Corpus

# The corpus loader (pydantic and the models) and everything heavier are imported by the
# commands that use them, so that ``billdiff factsheet`` can start its PDF worker before it
# pays for them (see ``factsheet_cmd``) and ``--help`` stays quick.

#: Time limit of one fact-sheet render on the command line (the web app's is tighter).
CLI_RENDER_TIMEOUT = 60.0

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class UserError(click.ClickException):
    """A user-facing error: exit code 2, one line."""

    exit_code = 2

    def format_message(self) -> str:
        return self.message


class Group(click.Group):
    """Turns :class:`BilldiffError` and OS errors into one-line messages with exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BilldiffError as err:
            raise UserError(visible(err.message)) from err
        except OSError as err:
            name = f"{err.filename}: " if err.filename else ""
            raise UserError(visible(f"{name}{err.strerror or err}")) from err


def _set_bills(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.find_root().ensure_object(dict)["bills"] = value


def bills_option(func: Any) -> Any:
    """``--bills DIR`` after the command name too (``billdiff validate --bills DIR``)."""
    return click.option("--bills", type=click.Path(file_okay=False, path_type=Path),
                        expose_value=False, callback=_set_bills,
                        help="Corpus folder to use instead of the bundled dossier.")(func)


def _fail(message: str) -> NoReturn:
    raise UserError(message)


def _refuse_existing(out: Path | None, force: bool) -> None:
    """Refuse an existing ``--out`` before any work (the write refuses it again, atomically)."""
    if out is not None and out.exists() and not force:
        _fail(f"{out}: already exists (pass --force to replace it)")


def get_corpus(ctx: click.Context, documents: Iterable[str] | None = None) -> Corpus:
    """The corpus named by ``--bills`` (loaded once per command, checked clean).

    *documents* names the documents the command needs: only those (with their analyses and
    the small files) are read now, any other when first asked for; None reads them all.
    """
    from billdiff.amend.corpus import enable
    from billdiff.load import load_corpus

    obj = ctx.ensure_object(dict)
    if "corpus" not in obj:
        # the law "as amended" by a stored bill is named like a stored document
        obj["corpus"] = enable(load_corpus(obj.get("bills"), documents=documents)
                               .require_clean())
        # What is loaded lives as long as the command: keep it out of the collector's
        # generations (as the web app does), so collections do not walk it again.  No
        # collection first: a command's garbage is short-lived, and one full collection of a
        # whole code costs more (20 ms of title 7) than anything it would free.
        gc.freeze()
        warnings = obj["corpus"].warnings
        if warnings:
            click.echo(f"billdiff: note: {plural(len(warnings), 'stale reference')} in the "
                       "analyses (run `billdiff validate` to list them)", err=True)
    corpus: Corpus = obj["corpus"]
    return corpus


def _use_color(option: str) -> bool:
    if option == "always":
        return True
    if option == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


@click.group(cls=Group, context_settings=CONTEXT)
@click.option("--bills", "bills", type=click.Path(file_okay=False, path_type=Path),
              envvar="BILLDIFF_BILLS", show_envvar=True,
              help="Corpus folder to use instead of the bundled dossier.")
@click.version_option(package_name="billdiff")
@click.pass_context
def cli(ctx: click.Context, bills: Path | None) -> None:
    """Compare laws and bills provision by provision.

    The bundled corpus is the Massachusetts face-recognition dossier: G.L. c. 6, § 220 and the
    bills that would replace it.  Summaries are ours, not the law.  `billdiff init DIR` copies
    it to a folder you can edit.
    """
    # Every setting is read (and checked) once, before any command: a bad value is one line
    # naming the variable, never a silent default.
    settings.current()
    ctx.ensure_object(dict)["bills"] = bills


@cli.command("list")
@bills_option
@click.pass_context
def list_cmd(ctx: click.Context) -> None:
    """List the documents, oldest first, with how complete each text is."""
    from billdiff.textout import terminal_text

    corpus = get_corpus(ctx)
    for doc in corpus.ordered_documents():
        click.echo(terminal_text(f"{doc.id:<22} {doc.number:<18} {doc.filed or '':<10} "
                                 f"{doc.provenance.completeness.value:<8} {doc.title}"))


@cli.command("show")
@bills_option
@click.argument("doc")
@click.option("--section", "section_id", metavar="ID", help="Show only this section (by id).")
@click.option("--lines", "lines", metavar="A-B",
              help="Show exactly these printed lines (imported Massachusetts bills).")
@click.option("--page", type=click.IntRange(1), metavar="N",
              help="With --lines: the printed page, for bills whose line numbers restart "
                   "on each page.")
@click.pass_context
def show_cmd(ctx: click.Context, doc: str, section_id: str | None, lines: str | None,
             page: int | None) -> None:
    """Show a document's text, section by section, with its provenance."""
    from billdiff.textout import format_document

    corpus = get_corpus(ctx, (doc,))
    document = corpus.document(doc)
    if lines:
        from billdiff.importers.ma_bill import format_lines, parse_line_range

        start, end = parse_line_range(lines)
        click.echo(format_lines(document, start, end, page=page))
        return
    click.echo(format_document(document, corpus, section_id))


@cli.command("topics")
@bills_option
@click.pass_context
def topics_cmd(ctx: click.Context) -> None:
    """List the topics (the provisions people ask about)."""
    from billdiff.textout import terminal_text

    corpus = get_corpus(ctx, ())
    for topic in corpus.topics.values():
        click.echo(terminal_text(f"{topic.id:<24} {topic.title}"))
        click.echo(terminal_text(f"{'':<24} {topic.question}"))


def _output_options(func: Any) -> Any:
    """The options every comparing command shares (declared once)."""
    for option in reversed((
        click.option("--granularity", type=click.Choice(["word", "char"]), default="word",
                     show_default=True,
                     help="Mark changes by whole words, or refine replaced words to letters."),
        click.option("--hide-typography/--show-typography", "--normalize-quotes/--keep-quotes",
                     "hide_typography", default=False, show_default=True,
                     help="Do not mark typography (quote, dash or spacing style) in the "
                          "redline. It is never counted as a change either way."),
        click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
                     show_default=True),
    )):
        func = option(func)
    return func


@cli.command("compare")
@bills_option
@click.argument("a")
@click.argument("b")
@click.option("--topic", "topics", multiple=True, metavar="T",
              help="Compare only this topic (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text",
              show_default=True)
@_output_options
@click.option("--all", "show_all", is_flag=True, help="Text format: show unchanged pairs too.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.pass_context
def compare_cmd(ctx: click.Context, a: str, b: str, topics: tuple[str, ...], fmt: str,
                granularity: str, hide_typography: bool, color: str, show_all: bool,
                out: Path | None, force: bool) -> None:
    """Compare document A with document B, provision by provision.

    Put the earlier text first: A is shown on the left.  Exit code 0 when nothing changed in
    the law (typography alone is not a change), 1 when something did, 2 on error.
    """
    from billdiff.analysis import read_comparison
    from billdiff.compare import CompareOptions, compare_documents

    corpus = get_corpus(ctx, (a, b))
    doc_a, doc_b = corpus.document(a), corpus.document(b)
    options = CompareOptions(granularity=granularity,  # type: ignore[arg-type]
                             topics=tuple(topics))
    # one comparison per process: the cache (keyed by both documents' content digests, which
    # cost more than the lookup saves here) is for the web app
    reading = read_comparison(compare_documents(doc_a, doc_b, corpus=corpus, options=options))
    if fmt == "json":
        from billdiff.jsonout import comparison_json, dumps

        data = dumps(comparison_json(reading))
    elif fmt == "html":
        from billdiff.render import CompareRequest, standalone_comparison

        request = CompareRequest(a, b, options, "side", "hide" if hide_typography else "show")
        data = standalone_comparison(reading, corpus, request).encode("utf-8")
    else:
        from billdiff.textout import format_comparison

        data = (format_comparison(reading, color=_use_color(color) and out is None,
                                  show_unchanged=show_all,
                                  hide_typography=hide_typography) + "\n").encode("utf-8")
    if out is not None:
        files.write_atomically(out, data, force=force)
    else:
        click.echo(data, nl=False)
    ctx.exit(1 if reading.changed else 0)


@cli.command("amend")
@bills_option
@click.argument("target")
@click.argument("amendments", metavar="AMENDMENT...", nargs=-1, required=True)
@click.option("--id", "new_id", metavar="ID",
              help="Id of the amended document  [default: TARGET.as-amended-by.AMENDMENT]")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="The report's format.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the amended document (YAML) here, atomically.")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.pass_context
def amend_cmd(ctx: click.Context, target: str, amendments: tuple[str, ...], new_id: str | None,
              fmt: str, out: Path | None, force: bool) -> None:
    """Apply the amending instructions of AMENDMENT (several: in order) to TARGET.

    Prints a report of every instruction: applied (where), not applied (why), in conflict
    (with which earlier one), or addressed to another text.  Nothing is guessed: an
    instruction that cannot be placed exactly is reported and left alone.  --out writes the
    amended document, generated by billdiff and marked as not official.  Exit code 0 when
    every instruction applied, 1 when some did not, 2 on error.
    """
    from billdiff.amend import amend_document

    _refuse_existing(out, force)
    corpus = get_corpus(ctx, (target, *amendments))
    result = amend_document(corpus.document(target),
                            [corpus.document(a) for a in amendments], new_id=new_id)
    if out is not None:
        from billdiff.importers import dump_document

        text = dump_document(result.document)
        _check_document_size(text, result.document.id)
        files.write_atomically(out, text.encode("utf-8"), force=force)
    report = result.report_json() if fmt == "json" else result.report_text()
    click.echo(report.rstrip("\n"))
    if not result.report:
        names = ", ".join(corpus.document(a).number for a in amendments)
        click.echo(f"note: {names}: no amending instruction billdiff can read (a copy that "
                   "lacks its lead-in holds none); nothing was applied", err=True)
    if out is not None:
        click.echo(f"wrote {out} ({result.document.id})", err=True)
    elif fmt == "text" and result.report:
        click.echo("note: the amended document was not written (give --out FILE); "
                   f"`billdiff compare {target} {result.document.id}` compares it when a "
                   "relation of the bill names the text", err=True)
    ctx.exit(0 if result.all_applied else 1)


@cli.command("validate")
@bills_option
@click.pass_context
def validate_cmd(ctx: click.Context) -> None:
    """Check every file of the corpus; list every problem; exit 1 if there is any."""
    from billdiff.load import load_corpus

    corpus = load_corpus(ctx.ensure_object(dict).get("bills"))
    for problem in corpus.problems:
        click.echo(str(problem))
    if corpus.problems:
        errors, warnings = len(corpus.errors), len(corpus.warnings)
        click.echo(f"{plural(errors, 'error')} and {plural(warnings, 'warning')} in "
                   f"{visible(str(corpus.root))}" + (" (warnings do not stop the other commands)"
                                       if warnings and not errors else ""), err=True)
        ctx.exit(1)
    click.echo(f"{visible(str(corpus.root))}: OK ({len(corpus.documents)} documents, "
               f"{len(corpus.topics)} topics, {len(corpus.analyses)} analyses, "
               f"{len(corpus.sources)} sources, {len(corpus.facts)} facts)")


@cli.command("import")
@bills_option
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", default="auto", show_default=True,
              type=click.Choice(["auto", "dc-xml", "dc-law", "ma-bill", "plain", "pdf"]),
              help="The input's format; auto detects it from the content (a D.C. law, "
                   "dc-law, is named: its XML looks like the Code's).")
@click.option("--id", "doc_id", required=True, help="Id of the new document (its file name).")
@click.option("--source-url", metavar="URL",
              help="Where the text was published (required for plain text).")
@click.option("--official/--unofficial", default=False, show_default=True,
              help="Whether the file is the official text, from the official publisher. An "
                   "import is unofficial unless you say so: its sections are marked "
                   "single-source unless --status says otherwise.")
@click.option("--completeness", type=click.Choice(["complete", "partial"]), default=None,
              help="Whether the file holds the whole document (say complete only if you "
                   "know it does).  [default: complete for DC Code XML and a D.C. law, read "
                   "whole; partial for the other formats]")
@click.option("--status", "text_status",
              type=click.Choice(["official", "excerpt", "single-source"]),
              help="Text status of every imported section (default: single-source; official "
                   "with --official).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the document YAML here (default: standard output).")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.option("--suggest-topics-from", "related", metavar="DOC",
              help="Suggest topics for the new sections from this tagged document.")
@click.pass_context
def import_cmd(ctx: click.Context, path: Path, fmt: str, doc_id: str, source_url: str | None,
               official: bool, completeness: str | None, text_status: str | None,
               out: Path | None, force: bool, related: str | None) -> None:
    """Turn an official text (DC Code XML, a D.C. law, MA bill text or PDF, plain text) into a
    document.

    The result is a valid document with its provenance (source, checksum, date imported).
    Sections matching tagged sections of a related document (--suggest-topics-from) get
    suggested topics, kept apart from confirmed ones until a person confirms them.
    """
    from billdiff.importers import dump_document, run_import
    from billdiff.model import iter_sections

    _refuse_existing(out, force)
    document = run_import(path, fmt, doc_id, source_url=source_url, official=official,
                          completeness=completeness, status=text_status)
    if related:
        from billdiff.align import apply_topic_suggestions

        document = apply_topic_suggestions(document, get_corpus(ctx, (related,)).document(related))
    text = dump_document(document)
    _check_document_size(text, doc_id)
    if out is None:
        click.echo(text, nl=False)
    else:
        files.write_atomically(out, text.encode("utf-8"), force=force)
        count = sum(1 for _ in iter_sections(document.sections))
        click.echo(f"wrote {out} ({plural(count, 'section')})", err=True)
        _report_stale_analyses(out, doc_id)


def _check_document_size(text: str, doc_id: str) -> None:
    """Refuse to write a document the loader would then refuse to read."""
    size, limit = len(text.encode("utf-8")), settings.max_file_bytes()
    if size > limit:
        _fail(f"{doc_id}: the document would be {size:,} bytes, over the {limit:,}-byte limit "
              "for corpus files (import a part of it, or raise BILLDIFF_MAX_FILE_BYTES); "
              "nothing written")


def _report_stale_analyses(out: Path, doc_id: str) -> None:
    """After writing into a corpus, name analyses that cite sections the new text lacks."""
    if out.parent.name != "documents" or not (out.parent.parent / "documents").is_dir():
        return
    from billdiff.load import load_corpus

    try:
        corpus = load_corpus(out.parent.parent)
    except BilldiffError:
        return
    stale = [p for p in corpus.warnings if p.file.endswith(f"analyses/{doc_id}.yaml")]
    if stale:
        refs = plural(len(stale), "reference")
        click.echo(f"note: analyses/{doc_id}.yaml has {refs} to sections the new text does "
                   "not have; update its `sections` and `cites` to the new section ids "
                   "(`billdiff validate` lists them)", err=True)


@cli.group("fetch", cls=Group)
def fetch_group() -> None:
    """Fetch official texts from the Massachusetts Legislature's public API.

    Users outside the United States may be blocked by the Legislature's firewall: point
    --api-base (or BILLDIFF_API_BASE) at a mirror or proxy.
    """


def _fetch_options(func: Any) -> Any:
    func = click.option("--force", is_flag=True, help="Replace --out if it exists.")(func)
    func = click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
                        help="Write the document YAML here (default: standard output).")(func)
    func = click.option("--id", "doc_id", help="Id of the new document.")(func)
    func = click.option("--allow-redirect-to", "allow_redirect_to", multiple=True,
                        metavar="HOST",
                        help="A host the server may redirect to, besides its own (repeatable). "
                             "Redirects are followed only over http(s), never from https to "
                             "http; the final address is recorded, and a text from any host "
                             "but the Legislature's is never marked official.")(func)
    func = click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0,
                        show_default=True,
                        help="Seconds the whole fetch may take (every request together).")(func)
    func = click.option("--api-base", envvar="BILLDIFF_API_BASE", metavar="URL",
                        help="The API's base URL (a mirror or proxy).")(func)
    return func


def _emit_document(document: Any, out: Path | None, force: bool) -> None:
    from billdiff.fetch import write_document_atomically
    from billdiff.importers import dump_document

    text = dump_document(document)
    _check_document_size(text, document.id)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_document_atomically(document, out, force=force)
        click.echo(f"wrote {out}", err=True)
        _report_stale_analyses(out, document.id)


@fetch_group.command("ma-bill")
@click.argument("court", type=int)
@click.argument("number")
@_fetch_options
def fetch_bill_cmd(court: int, number: str, api_base: str | None, timeout: float,
                   allow_redirect_to: tuple[str, ...], doc_id: str | None, out: Path | None,
                   force: bool) -> None:
    """Fetch bill NUMBER (e.g. S1053) of General Court COURT (e.g. 194) as a document."""
    from billdiff.fetch import fetch_ma_bill

    _refuse_existing(out, force)
    _emit_document(fetch_ma_bill(court, number, api_base=api_base, timeout=timeout,
                                 doc_id=doc_id, allow_redirect_to=allow_redirect_to),
                   out, force)


@fetch_group.command("mgl")
@click.argument("chapter")
@click.argument("section")
@_fetch_options
def fetch_mgl_cmd(chapter: str, section: str, api_base: str | None, timeout: float,
                  allow_redirect_to: tuple[str, ...], doc_id: str | None, out: Path | None,
                  force: bool) -> None:
    """Fetch section SECTION of chapter CHAPTER of the General Laws (e.g. 6 220)."""
    from billdiff.fetch import fetch_mgl

    _refuse_existing(out, force)
    _emit_document(fetch_mgl(chapter, section, api_base=api_base, timeout=timeout,
                             doc_id=doc_id, allow_redirect_to=allow_redirect_to), out, force)


@cli.command("compare-text")
@bills_option
@click.argument("file", type=click.File("r", encoding="utf-8", errors="strict"))
@click.option("--against", "against", required=True, metavar="DOC",
              help="The stored document to compare the draft with (shown on the left).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@_output_options
@click.pass_context
def compare_text_cmd(ctx: click.Context, file: Any, against: str, fmt: str, granularity: str,
                     hide_typography: bool, color: str) -> None:
    """Compare your own draft (FILE, or - for standard input) with a stored document.

    The draft is parsed like an imported text, its provisions are paired with the stored
    document's, and topics are suggested for them.  Nothing is stored.  Exit code 0 when
    nothing changed in the law, 1 when something did, 2 on error.
    """
    from billdiff.analysis import read_comparison
    from billdiff.compare import CompareOptions
    from billdiff.draft import compare_draft

    try:
        text = file.read()
    except UnicodeDecodeError as err:
        _fail(f"{file.name}: not valid UTF-8 (byte {err.start}); save the draft as UTF-8")
    corpus = get_corpus(ctx, (against,))
    result = compare_draft(corpus, text, against,
                           CompareOptions(granularity=granularity))  # type: ignore[arg-type]
    reading = read_comparison(result.comparison)
    if fmt == "json":
        from billdiff.jsonout import comparison_json, dumps

        data: dict[str, Any] = dict(comparison_json(reading))
        data["suggested_topics"] = {k: list(v) for k, v in result.suggestions.items()}
        click.echo(dumps(data), nl=False)
    else:
        from billdiff.textout import format_comparison

        click.echo(format_comparison(reading, color=_use_color(color),
                                     hide_typography=hide_typography))
        if result.suggestions:
            click.echo("\nSuggested topics for your draft (from alignment; not confirmed):")
            for sid, topics in result.suggestions.items():
                click.echo(f"  {sid}: {', '.join(topics)}")
    ctx.exit(1 if reading.changed else 0)


@cli.command("serve")
@bills_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface, as in a container).")
@click.option("--port", default=None, type=click.IntRange(1, 65535), envvar="PORT",
              help="Port to listen on  [default: 5000; 8000 with --production]")
@click.option("--production", is_flag=True,
              help="Serve with gunicorn and the production checks (BILLDIFF_ENV=production): "
                   "several processes, timeouts, access log, graceful restarts.")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="With --production: server processes (default: BILLDIFF_WORKERS, else two "
                   "per CPU plus one).")
@click.pass_context
def serve_cmd(ctx: click.Context, host: str, port: int | None, production: bool,
              workers: int | None) -> None:
    """Serve the web app on the corpus.

    Without --production: Flask's development server, for one person on this computer.  With
    --production: gunicorn, configured by billdiff/gunicorn_conf.py, behind a reverse proxy
    (see the README).  The app checks its settings and the corpus first, and refuses to start
    on either if it cannot work.
    """
    from billdiff.web import create_app

    if workers is not None and not production:
        _fail("--workers: only with --production (the development server is one process)")
    bills = settings.bills_dir(ctx.ensure_object(dict).get("bills"))
    config: dict[str, Any] = {"BILLS_DIR": str(bills)}
    if production:
        config["ENV"] = "production"
    try:
        app = create_app(config)
    except BilldiffError as err:
        _fail(f"cannot start: {visible(err.message)}")
    if production:
        from billdiff.web.serve import run_gunicorn

        run_gunicorn(app, host=host, port=port or 8000, workers=workers)
        return
    port = port or 5000
    click.echo(f"billdiff: serving {visible(str(bills))} on http://{host}:{port}/ (development "
               "server; use --production to serve the public)", err=True)
    app.run(host=host, port=port, debug=False, use_reloader=False, threaded=True)


@cli.command("init")
@click.argument("folder", type=click.Path(path_type=Path))
def init_cmd(folder: Path) -> None:
    """Copy the bundled dossier to FOLDER (a new folder), to edit and serve as your own.

    The copy is made in a temporary folder beside FOLDER and put in place only when complete:
    on any error (a full disk, a folder you cannot write to) nothing is left behind.
    """
    from billdiff.scaffold import copy_dossier

    count = copy_dossier(folder)
    click.echo(f"wrote {visible(str(folder))} ({plural(count, 'file')}); use it with "
               f"`billdiff --bills {visible(str(folder))} validate`, or set "
               "BILLDIFF_BILLS to it", err=True)


@cli.command("build")
@bills_option
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--base-url", metavar="URL",
              help="Where the site will be published, such as https://example.org/billdiff/: "
                   "links are made for that path, and fact sheets print it.  [default: "
                   "BILLDIFF_SITE_URL, else http://127.0.0.1:5000/]")
@click.pass_context
def build_cmd(ctx: click.Context, out: Path, base_url: str | None) -> None:
    """Write the whole site to OUT as static files, for any server of plain files.

    Every page, every comparison of every pair of documents (and per topic), the API as JSON
    files with its OpenAPI description, and a fact sheet (preview and PDF) per pair.  The
    draft page says it needs the server.  OUT is replaced only when the new site is complete,
    and only if it is empty or an earlier build; a failed build leaves it as it was.
    """
    from billdiff.factsheet import DEFAULT_SITE_URL
    from billdiff.web.build import build_site, check_base_url

    chosen = base_url or settings.current().site_url or DEFAULT_SITE_URL
    chosen = check_base_url(chosen)
    report = build_site(out, bills=ctx.ensure_object(dict).get("bills"), base_url=chosen)
    click.echo(f"wrote {visible(str(out))}: {plural(report.files, 'file')} "
               f"({report.pages} pages, {report.json_files} JSON, {report.pdfs} PDFs; "
               f"{report.bytes / 1e6:.1f} MB) in {report.seconds:.0f} s, for {chosen}", err=True)
    if urlsplit(chosen).hostname in ("127.0.0.1", "localhost"):
        click.echo(f"note: the fact sheets' links and QR codes point at {chosen}, this "
                   "computer; pass --base-url with the address you will publish at", err=True)


def main() -> None:
    """Console entry point: no traceback for a user unless ``BILLDIFF_DEBUG=1``."""
    try:
        cli.main(prog_name="billdiff")
    except SystemExit:
        raise
    except BrokenPipeError:
        # the reader went away (``billdiff list | head -1``): not an error of ours.  Point
        # standard output at /dev/null so the interpreter's final flush does not fail too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except Exception as err:  # noqa: BLE001 - last line of defence for users
        if _debug():
            raise
        click.echo(f"billdiff: internal error: {type(err).__name__}: {err} "
                   "(set BILLDIFF_DEBUG=1 for details, and please report it)", err=True)
        sys.exit(2)


def _debug() -> bool:
    """``BILLDIFF_DEBUG``, read without failing (a bad value was reported already)."""
    try:
        return settings.current().debug
    except BilldiffError:
        return False


@cli.command("factsheet")
@bills_option
@click.argument("a")
@click.argument("b")
@click.option("--topic", "topics", multiple=True, metavar="T",
              help="A provision to show (repeatable; default: warrant-requirement, "
                   "surveillance-ban and due-process where the corpus has them, else its "
                   "first three topics).")
@click.option("--org", "org_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Organisation YAML (name, logo, colors, contact, ask, call_to_action); "
                   "see examples/org.yaml.")
@click.option("--paper", type=click.Choice(["letter", "a4"]), default="letter",
              show_default=True)
@click.option("--site-url", metavar="URL",
              help="Base URL of the live site (for the link and QR code).  [default: "
                   "BILLDIFF_SITE_URL, else http://127.0.0.1:5000]")
@click.option("--date", "date_text", metavar="YYYY-MM-DD",
              help="Date printed on the sheet (default: today).")
@click.option("--html", "as_html", is_flag=True, help="Write the HTML instead of the PDF.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Write the PDF (or HTML) here.")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.pass_context
def factsheet_cmd(ctx: click.Context, a: str, b: str, topics: tuple[str, ...],
                  org_file: Path | None, paper: str, site_url: str | None,
                  date_text: str | None,
                  as_html: bool, out: Path, force: bool) -> None:
    """Make a one-page fact sheet (PDF) comparing A (current law) with B (the bill).

    The sheet is rendered fully in memory and written atomically: on any error no file is
    left behind.
    """
    import datetime as dt

    from billdiff import pdf

    site_url = (site_url or settings.current().site_url or "http://127.0.0.1:5000").rstrip("/")
    _refuse_existing(out, force)
    if not out.parent.is_dir():
        _fail(f"{out}: folder {out.parent} does not exist")
    if out.parent.is_dir() and not os.access(out.parent, os.W_OK):
        _fail(f"{out}: folder {out.parent} is not writable")
    try:
        date = dt.date.fromisoformat(date_text) if date_text else dt.date.today()
    except ValueError:
        raise BilldiffError(f"--date {date_text!r} is not a date",
                            fix="use YYYY-MM-DD") from None
    # The PDF is made in a worker process started now: it loads WeasyPrint (about a third of
    # a second) while this process loads the corpus and prepares the page.  ``fork`` is
    # instant, and safe in a process of one thread on Linux; elsewhere the default applies.
    single = sys.platform.startswith("linux") and threading.active_count() == 1
    renderer = pdf.BoundedRenderer(timeout=CLI_RENDER_TIMEOUT,
                                   start_method="fork" if single else None)
    renderer.start()
    if single:
        # Nor does this process's collector copy the pages the two share (until it is done).
        gc.freeze()
    try:
        from billdiff import factsheet

        factsheet.check_site_url(site_url)
        org = factsheet.load_org(org_file) if org_file is not None else factsheet.DEFAULT_ORG
        corpus = get_corpus(ctx, (a, b))
        request = factsheet.FactSheetRequest(a, b, tuple(topics), paper, site_url, date)
        data, sheet = factsheet.make_pdf(corpus, request, org, renderer=renderer)
    finally:
        renderer.close()
        if single:
            gc.unfreeze()
    if as_html:
        data = factsheet.render_html(sheet).encode("utf-8")
    files.write_atomically(out, data, force=force)
    click.echo(f"wrote {out} ({len(sheet.provisions)} provisions, {len(sheet.facts)} facts)",
               err=True)
    if sheet.left_out:
        click.echo(f"note: left off the sheet: {', '.join(sheet.left_out)} (we have no "
                   "plain-language reading of either text on "
                   f"{'it' if len(sheet.left_out) == 1 else 'them'})", err=True)
    if site_url == "http://127.0.0.1:5000":
        click.echo("note: the link and QR code point at http://127.0.0.1:5000, this "
                   "computer; pass --site-url (or set BILLDIFF_SITE_URL) to your public site "
                   "before you print it", err=True)
