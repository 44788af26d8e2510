"""The ``worksheets client ...`` commands: the casebook from the command line.

Each function takes the parsed arguments, calls the library and prints; the
library does the work. ``show`` prints the client's profile on purpose (the
therapist asked for it); nothing else prints a client's words.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from .casebook import (
    Casebook,
    check_client_id,
    import_bundle,
    open_casebook,
    read_bundle,
    write_bundle,
)
from .clientfile import load_client


def add_casebook_option(parser: argparse.ArgumentParser) -> None:
    """The ``--casebook PATH`` option every casebook command takes."""
    parser.add_argument("--casebook", type=Path, metavar="PATH",
                        help="the casebook file (default: $WORKSHEETS_CASEBOOK, else "
                             "casebook.sqlite3 in your user data folder)")


def build_client_parser(commands) -> None:
    """Add ``client`` and its sub-commands to the top-level sub-parsers."""
    client = commands.add_parser(
        "client", help="keep clients' records in the casebook",
        description="Add, list, show, export, import and delete clients in the casebook, "
                    "and show a client's audit trail.")
    sub = client.add_subparsers(dest="client_command", required=True, metavar="COMMAND")

    add = sub.add_parser("add", help="add a client from a client file",
                         description="Add a client to the casebook from a client file.")
    add.add_argument("--from", dest="source", required=True, type=Path, metavar="FILE",
                     help="the client file (YAML or JSON)")
    add.add_argument("--update", action="store_true",
                     help="replace the stored profile of a client already in the casebook "
                          "(ladder progress stays attached to unchanged steps)")
    sub.add_parser("list", help="list the clients", description="List the clients.")
    show = sub.add_parser("show", help="show a client's profile and what is stored",
                          description="Show a client's profile and how many records are "
                                      "stored.")
    show.add_argument("id", help="the client's id")
    export = sub.add_parser("export", help="export a client to a JSON bundle",
                            description="Write everything about one client to a portable, "
                                        "versioned JSON bundle.")
    export.add_argument("id", help="the client's id")
    export.add_argument("--out", required=True, type=Path, metavar="FILE",
                        help="where to write the bundle")
    imp = sub.add_parser("import", help="import a client from a JSON bundle",
                         description="Restore a client from a bundle. Importing the same "
                                     "bundle twice changes nothing; journal entries merge by "
                                     "their ids.")
    imp.add_argument("bundle", type=Path, metavar="FILE", help="the bundle file")
    delete = sub.add_parser("delete", help="delete every record of a client",
                            description="Delete every record of a client. Only an audit line "
                                        "without the client's name remains.")
    delete.add_argument("id", help="the client's id")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    audit = sub.add_parser("audit", help="show a client's audit trail",
                           description="Show when each record was created, changed or "
                                       "deleted, and by whom (therapist or client).")
    audit.add_argument("id", help="the client's id")
    for parser in (add, sub.choices["list"], show, export, imp, delete, audit):
        add_casebook_option(parser)


def build_backup_parser(commands) -> None:
    """Add the ``backup`` command."""
    backup = commands.add_parser(
        "backup", help="copy the whole casebook to a backup file",
        description="Copy the whole casebook to a file: a consistent snapshot, safe to run "
                    "while a notebook or the journal app is writing.")
    backup.add_argument("--out", required=True, type=Path, metavar="FILE",
                        help="the backup file to write")
    add_casebook_option(backup)


def run_backup(args: argparse.Namespace) -> int:
    """Run ``worksheets backup``."""
    with opened(args) as casebook:
        out = casebook.backup(args.out)
        print(f"backed up {casebook.path} to {out}")
    return 0


def opened(args: argparse.Namespace) -> Casebook:
    """Open the casebook the arguments name, printing any warnings about it."""
    casebook = open_casebook(getattr(args, "casebook", None))
    for warning in casebook.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return casebook


def run(args: argparse.Namespace) -> int:
    """Run one ``client`` sub-command."""
    if hasattr(args, "id"):
        check_client_id(args.id)  # before the casebook is even opened
    if args.client_command == "import":
        bundle = read_bundle(args.bundle)  # a bad bundle is refused before opening
    with opened(args) as casebook:
        if args.client_command == "add":
            profile = load_client(args.source)
            if args.update:
                casebook.update_client(profile)
                print(f"updated {profile.id} in {casebook.path}")
            else:
                casebook.add_client(profile)
                print(f"added {profile.id} to {casebook.path}")
        elif args.client_command == "list":
            clients = casebook.list_clients()
            if not clients:
                print(f"no clients yet in {casebook.path}")
            for profile in clients:
                print(f"{profile.id}  {profile.name}  (session {profile.session_date})")
        elif args.client_command == "show":
            _show(casebook, args.id)
        elif args.client_command == "export":
            out = write_bundle(casebook, args.id, args.out)
            print(f"wrote {out} (keep it safe: it holds the client's records)")
        elif args.client_command == "import":
            result = import_bundle(casebook, bundle)
            if not result.changed:
                print(f"{result.client_id}: already up to date, nothing changed")
            else:
                added = ", ".join(f"{n} {kind}(s)" for kind, n in result.added.items() if n)
                what = ["new client"] if result.new_client else []
                what += [f"replaced {', '.join(result.replaced)}"] if result.replaced else []
                what += [f"added {added}"] if added else []
                print(f"{result.client_id}: {'; '.join(what)}")
        elif args.client_command == "delete":
            casebook.get_client(args.id)  # an unknown id fails before asking
            if not args.yes and not _confirmed(args.id):
                print("error: not deleted (type the id exactly, or use --yes)", file=sys.stderr)
                return 1
            casebook.delete_client(args.id)
            print("deleted every record of that client; an audit line remains")
        elif args.client_command == "audit":
            for line in casebook.audit(args.id):
                print(line)
    return 0


def _show(casebook: Casebook, client_id: str) -> None:
    profile = casebook.get_client(client_id)
    print(yaml.safe_dump(profile.model_dump(mode="json", exclude_none=True),
                         allow_unicode=True, sort_keys=False).rstrip())
    print("# stored:")
    print(f"#   journal entries: {len(casebook.list_journal(client_id))}")
    print(f"#   ladder attempts: {len(casebook.list_ladder_attempts(client_id))}")
    print(f"#   listening records: {len(casebook.list_listening_records(client_id))}")
    print(f"#   packets generated: {len(casebook.list_packets(client_id))}")


def _confirmed(client_id: str) -> bool:
    if not sys.stdin or not sys.stdin.isatty():
        return False
    print("This deletes every record of this client and cannot be undone.", file=sys.stderr)
    try:
        answer = input("Type the client's id to confirm: ")
    except EOFError:
        return False
    return answer.strip() == client_id
