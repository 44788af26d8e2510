"""The ``worksheets`` command: parse arguments, call the library, print.

Exit codes: 0 on success, 1 when the user's input is wrong or something
failed (one line per problem, no traceback), 2 on a usage error (argparse's
own convention). Nothing here prints a client's free text: messages come from
the library's errors, which name fields and files only. An unexpected error
is one line too; ``--debug`` shows where it happened (the traceback's files,
lines and the error's type, never its message, which may quote a record).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .cli_casebook import (
    add_casebook_option,
    add_force_option,
    build_audit_parser,
    build_backup_parser,
    build_client_parser,
    output_guard,
)
from .errors import WorksheetError
from .models.paper import PAPER_SIZES

PAPERS = tuple(PAPER_SIZES)


def _day(value: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError("write the date like 2026-11-24") from None


def _add_practice_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--paper", choices=PAPERS, default=None,
                        help="paper size (default: the practice's, else a4)")
    parser.add_argument("--practice", type=Path, metavar="DIR",
                        help="the practice folder: practice.yaml, templates, practice.css "
                             "(default: $WORKSHEETS_PRACTICE, else the one in your config "
                             "folder)")
    parser.add_argument("--templates", type=Path, metavar="DIR", help=argparse.SUPPRESS)


def _worksheet_list(value: str) -> list[str]:
    names = [part.strip() for part in value.split(",") if part.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give at least one worksheet name, e.g. ladder,journal")
    return names


def _add_client_options(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--client", type=Path, metavar="FILE",
                        help="the client file (YAML or JSON)")
    source.add_argument("--client-id", metavar="ID",
                        help="a client in the casebook (see `worksheets client list`)")
    add_casebook_option(parser)
    _add_practice_options(parser)
    parser.add_argument("--duplex", action="store_true",
                        help="for printing on both sides: each worksheet starts on a "
                             "right-hand page")
    parser.add_argument("--fillable", action="store_true",
                        help="make a PDF form: lines, tick boxes and scales can be filled "
                             "in a PDF reader, and `client import-answers` reads them back")
    parser.add_argument("--large-print", dest="large_print", action="store_true", default=None,
                        help="large print: text at least 16 pt, more room to write (default: "
                             "as the client file's print.large says)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per job."""
    parser = argparse.ArgumentParser(
        prog="worksheets",
        description="Printable, personalized attachment-therapy worksheets.",
        epilog="Add --debug to any command to see where an unexpected error happened.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("list", help="list every printable document",
                        description="List every document, grouped by what it is for "
                                    "(understanding, calming, practising, couples, keeping "
                                    "it going, therapist): name, who it is for, what it is "
                                    "made from, title and purpose.")

    render = commands.add_parser(
        "render", help="render one document to PDF",
        description="Render one document (see `worksheets list`) for a client to a PDF "
                    "file. Documents made from casebook records need --client-id.")
    render.add_argument("name", help="the document's name (see `worksheets list`)")
    _add_client_options(render)
    render.add_argument("--out", type=Path, metavar="PATH",
                        help="where to write the PDF (default: CLIENT-ID-NAME.pdf here)")
    render.add_argument("--from", dest="start", type=_day, metavar="DATE",
                        help="journal week and progress review: the first day (default: 7 "
                             "days or 4 weeks before --to)")
    render.add_argument("--to", dest="end", type=_day, metavar="DATE",
                        help="journal week and progress review: the last day (default: today)")
    add_force_option(render)

    packet = commands.add_parser(
        "packet", help="render a client's packet: a cover and several worksheets",
        description="Render a cover page with a contents list, then the chosen worksheets, "
                    "as one PDF with a bookmark per worksheet.")
    _add_client_options(packet)
    packet.add_argument("--out", required=True, type=Path, metavar="PATH",
                        help="where to write the PDF")
    packet.add_argument("--worksheets", type=_worksheet_list, metavar="a,b,c",
                        help="client documents in order (default: ladder,journal,listening; "
                             "goal-plan and journal-week need --client-id)")
    add_force_option(packet)

    build_client_parser(commands)
    build_backup_parser(commands)
    build_audit_parser(commands)

    journal = commands.add_parser(
        "journal", help="start the client's journal app in the browser",
        description="Start the client's journal app (a Voilà app, code hidden) on this "
                    "computer only, and print its address. Stop it with Ctrl+C.")
    journal.add_argument("--client-id", required=True, metavar="ID",
                         help="the client whose journal this is")
    journal.add_argument("--port", type=int, metavar="N", help="the port (default: a free one)")
    journal.add_argument("--stop-after", type=float, default=60.0, metavar="MINUTES",
                         help="stop the app after this many minutes without use (default 60; "
                              "0: never)")
    journal.add_argument("--max-pages", type=int, default=3, metavar="N",
                         help="the most windows the app may be open in at once (default 3)")
    add_casebook_option(journal)
    journal.add_argument("--practice", type=Path, metavar="DIR",
                         help="the practice folder for the printed week")

    demo = commands.add_parser(
        "demo", help="render the packet of a fictional demo client",
        description="Render the packet of the fictional client in examples/ and print "
                    "where it is.")
    demo.add_argument("--out", type=Path, default=Path("demo-output"), metavar="DIR",
                      help="folder to write into (default: ./demo-output)")
    _add_practice_options(demo)
    return parser


def _pages(count: int) -> str:
    return f"{count} page" if count == 1 else f"{count} pages"


def _print_warnings(warnings: Sequence[str]) -> None:
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _cmd_list(args: argparse.Namespace) -> int:
    from .documents import list_documents
    from .documents.registry import PURPOSES

    docs = list_documents()
    width = max(len(d.name) for d in docs)
    made = max(len(d.needs_text()) for d in docs)
    print(f"{'NAME':<{width}}  {'FOR':<9}  {'MADE FROM':<{made}}  WHAT IT IS")
    for purpose in PURPOSES:
        group = [d for d in docs if d.purpose == purpose]
        if not group:
            continue
        print(f"\n{purpose[0].upper() + purpose[1:]}:")
        for doc in group:
            print(f"{doc.name:<{width}}  {doc.audience:<9}  {doc.needs_text():<{made}}  "
                  f"{doc.title}: {doc.description}")
    return 0


def _practice(args: argparse.Namespace):
    """The practice, found once: --practice, $WORKSHEETS_PRACTICE, then the config folder."""
    from .practice import find_practice, load_practice

    named = getattr(args, "practice", None)
    if named is None and getattr(args, "templates", None) is not None:
        return load_practice(args.templates)  # the older name of --practice
    return find_practice(named)


def _load(args: argparse.Namespace):
    """The client profile from --client FILE or --client-id ID."""
    if args.client is not None:
        from . import load_client

        return load_client(args.client)
    from .casebook import check_client_id
    from .cli_casebook import note_read, opened

    check_client_id(args.client_id)
    with opened(args) as casebook:
        client = casebook.get_client(args.client_id)
        note_read(casebook, args.client_id)
        return client


def _gathered(args: argparse.Namespace, docs, start=None, end=None):
    """The inputs of *docs* from the casebook (--client-id), with the read noted."""
    from .casebook import check_client_id
    from .cli_casebook import note_read, opened
    from .documents import gather

    check_client_id(args.client_id)
    with opened(args) as casebook:
        inputs = gather(casebook, args.client_id, docs, start, end)
        note_read(casebook, args.client_id)
        return inputs


def _finish(result) -> int:
    _print_warnings(result.warnings)
    print(f"wrote {result.path} ({_pages(result.pages)})")
    return 0


def _cmd_render(args: argparse.Namespace) -> int:
    from .documents import Inputs, get_document, render_document
    from .files import check_target

    doc = get_document(args.name)  # an unknown name fails before the file is read
    if args.start is not None and args.end is not None and args.start > args.end:
        raise WorksheetError("--from: must be on or before the day given with --to")
    if args.client is not None:
        doc.check_file_is_enough()  # before the file is read
    if args.out is not None:
        check_target(args.out)  # a bad --out fails before the casebook is touched
    practice = _practice(args)
    if doc.name == "packet" and args.client_id is not None:
        args.worksheets = None
        args.out = args.out or Path(f"{args.client_id}-packet.pdf")
        return _cmd_packet(args, practice)
    if args.client is not None:
        inputs = Inputs(_load(args))
    else:
        inputs = _gathered(args, [doc], args.start, args.end)
    out = args.out or Path(f"{inputs.client.id}-{args.name}.pdf")
    return _finish(render_document(args.name, inputs, out, paper=args.paper,
                                   practice=practice, duplex=args.duplex,
                                   fillable=args.fillable, large_print=args.large_print))


def _cmd_packet(args: argparse.Namespace, practice=None) -> int:
    from .documents import chosen_documents, render_casebook_packet, render_packet
    from .files import check_target

    docs = chosen_documents(args.worksheets)  # unknown or repeated names fail first
    if args.client is not None:
        for doc in docs:
            doc.check_file_is_enough()
    check_target(args.out)
    practice = practice or _practice(args)
    if args.client is not None:
        result = render_packet(_load(args), args.out, worksheets=args.worksheets,
                               paper=args.paper, practice=practice, duplex=args.duplex,
                               fillable=args.fillable, large_print=args.large_print)
    else:
        from .casebook import check_client_id
        from .cli_casebook import opened

        check_client_id(args.client_id)
        with opened(args) as casebook:
            result = render_casebook_packet(casebook, args.client_id, args.out,
                                            worksheets=args.worksheets, paper=args.paper,
                                            practice=practice, duplex=args.duplex,
                                            fillable=args.fillable,
                                            large_print=args.large_print)
    return _finish(result)


def _cmd_demo(args: argparse.Namespace) -> int:
    from . import demo_client_path, load_client, render_packet

    practice = _practice(args)
    client = load_client(demo_client_path())
    out = args.out / f"{client.id}-packet.pdf"
    result = render_packet(client, out, paper=args.paper, practice=practice)
    _print_warnings(result.warnings)
    print(f"The demo packet for a fictional client ({_pages(result.pages)}) is at:")
    print(f"  {result.path.resolve()}")
    return 0


def _cmd_client(args: argparse.Namespace) -> int:
    from .cli_casebook import run

    return run(args)


def _cmd_journal(args: argparse.Namespace) -> int:
    import signal
    import subprocess

    from .journal_server import prepare

    practice = _practice(args)  # a bad practice folder fails before anything starts
    prepared = prepare(args.client_id, args.casebook, args.port, args.max_pages,
                       args.stop_after, practice.folder)
    try:
        print("Starting the journal app…", flush=True)
        server = subprocess.Popen(prepared.command, env=prepared.env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        # SIGTERM to this command stops the app and its kernels, as Ctrl+C does.
        signal.signal(signal.SIGTERM, lambda *_: server.send_signal(signal.SIGTERM))
        try:
            if prepared.wait_until_answering(server):
                prepared.cleanup()  # Voilà has read its settings: the token file goes
                # Printed only now: the address opens at once, never "can't be reached".
                print(f"The journal app for {args.client_id} is ready at {prepared.address}")
                print("Open that address in a browser on this computer (it holds a one-time "
                      "key: do not share it). Press Ctrl+C to stop it.", flush=True)
            code = server.wait()
        except KeyboardInterrupt:
            server.send_signal(signal.SIGTERM)
            code = server.wait(timeout=20)
        if code not in (0, -signal.SIGTERM, -signal.SIGINT, 130, 143):
            print("error: the journal app stopped unexpectedly (is the port already in use?)",
                  file=sys.stderr)
            return 1
        print("stopped")
        return 0
    finally:
        prepared.cleanup()


def _die_with_parent() -> None:
    """In the Voilà child: get SIGTERM when ``worksheets journal`` dies, even by SIGKILL."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (AttributeError, OSError):
        pass  # not Linux: Ctrl+C and SIGTERM still stop it


def _cmd_backup(args: argparse.Namespace) -> int:
    from .cli_casebook import run_backup

    return run_backup(args)


def _cmd_audit(args: argparse.Namespace) -> int:
    from .cli_casebook import run_verify_audit

    return run_verify_audit(args)


def _cmd_casebook(args: argparse.Namespace) -> int:
    from .cli_casebook import run_casebook

    return run_casebook(args)


COMMANDS = {"list": _cmd_list, "render": _cmd_render, "packet": _cmd_packet, "demo": _cmd_demo,
            "client": _cmd_client, "backup": _cmd_backup, "casebook": _cmd_casebook,
            "audit": _cmd_audit,
            "journal": _cmd_journal}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    argv = [arg for arg in argv if arg != "--debug"]
    args = build_parser().parse_args(argv)
    try:
        with output_guard(args):
            return COMMANDS[args.command](args)
    except WorksheetError as error:
        for line in error.lines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as error:  # noqa: BLE001 - the one place that catches everything
        return _unexpected(error, debug)


def _unexpected(error: Exception, debug: bool) -> int:
    """One line for an error we did not foresee; where it happened only with --debug.

    The error's own message is never printed: it may quote a client's record.
    """
    import traceback

    kind = type(error).__name__
    if isinstance(error, MemoryError | RecursionError):
        print("error: the input is too large or too deeply nested to read; nothing was "
              "changed", file=sys.stderr)
    else:
        print(f"error: something unexpected went wrong ({kind}); nothing was changed. "
              f"Please report it; run the command again with --debug to see where",
              file=sys.stderr)
    if debug:
        for line in traceback.format_tb(error.__traceback__):
            print(line.rstrip(), file=sys.stderr)
        print(f"{kind} (its message is not shown: it may hold a client's words)",
              file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
