"""The ``worksheets client ...`` commands: the casebook from the command line.

Each function takes the parsed arguments, calls the library and prints; the
library does the work. ``show`` prints the client's profile on purpose (the
therapist asked for it); nothing else prints a client's words.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: `worksheets --help` and `list` start fast
    from .casebook import Casebook


def add_casebook_option(parser: argparse.ArgumentParser) -> None:
    """The ``--casebook PATH`` option every casebook command takes."""
    parser.add_argument("--casebook", type=Path, metavar="PATH",
                        help="the casebook file (default: $WORKSHEETS_CASEBOOK, else "
                             "casebook.sqlite3 in your user data folder)")


def add_force_option(parser: argparse.ArgumentParser) -> None:
    """``--force``: replace an existing file at --out that worksheets did not write."""
    parser.add_argument("--force", action="store_true",
                        help="replace an existing file at --out even if worksheets did not "
                             "write it (never the casebook, the client file, a link or a "
                             "device)")


def output_guard(args: argparse.Namespace):
    """The files no ``--out`` may replace in this command: the casebook and the input file."""
    from .casebook import resolve_path
    from .files import guarded

    casebook = resolve_path(getattr(args, "casebook", None))
    protected = [(casebook, "the casebook")]
    protected += [(casebook.with_name(casebook.name + suffix), "one of the casebook's files")
                  for suffix in ("-wal", "-shm", "-journal")]
    for name in ("client", "source", "bundle"):
        value = getattr(args, name, None)
        if isinstance(value, Path):
            protected.append((value, "the file this command reads"))
    return guarded(protected, force=getattr(args, "force", False))


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
    sealing = export.add_mutually_exclusive_group()
    sealing.add_argument("--passphrase", action="store_true",
                         help="encrypt the bundle with a passphrase you are asked for (to "
                              "carry a client to another computer or practice)")
    sealing.add_argument("--plain", action="store_true",
                         help="write plain JSON even from an encrypted casebook")
    add_force_option(export)
    imp = sub.add_parser("import", help="import a client from a JSON bundle",
                         description="Restore a client from a bundle. Importing the same "
                                     "bundle twice changes nothing; journal entries merge by "
                                     "their ids.")
    imp.add_argument("bundle", type=Path, metavar="FILE", help="the bundle file")
    imp.add_argument("--replace", action="store_true",
                     help="replace the profile, history map and goal plan with the bundle's "
                          "even when the casebook's are newer (records are always merged)")
    answers = sub.add_parser(
        "import-answers", help="store what a client wrote in a filled, fillable worksheet",
        description="Read a worksheet or packet made with --fillable and filled in a PDF "
                    "reader, and store what it holds: journal days as journal entries, ladder "
                    "tries as ladder attempts, listening talks as listening records, anything "
                    "else as a worksheet response. Nothing is stored when any field is wrong; "
                    "importing the same file twice stores nothing new.")
    answers.add_argument("file", type=Path, metavar="FILE.pdf", help="the filled PDF")
    answers.add_argument("--client-id", metavar="ID",
                         help="refuse the file unless it was made for this client")
    delete = sub.add_parser("delete", help="delete every record of a client",
                            description="Delete every record of a client. Only an audit line "
                                        "without the client's name remains.")
    delete.add_argument("id", help="the client's id")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    audit = sub.add_parser("audit", help="show a client's audit trail",
                           description="Show when each record was created, changed or "
                                       "deleted, and by whom (therapist or client).")
    audit.add_argument("id", help="the client's id")
    for parser in (add, sub.choices["list"], show, export, imp, answers, delete, audit):
        add_casebook_option(parser)


_BACKUP_HELP = ("Copy the whole casebook to a file: a consistent snapshot, safe to run while "
                "a notebook or the journal app is writing. The copy is checked with SQLite's "
                "full integrity check before it replaces an earlier backup.")


def _add_backup_arguments(backup: argparse.ArgumentParser) -> None:
    backup.add_argument("--out", required=True, type=Path, metavar="FILE",
                        help="the backup file to write")
    backup.add_argument("--passphrase", action="store_true",
                        help="encrypt the backup with a passphrase you are asked for (an "
                             "encrypted casebook's backup has its key without this)")
    add_casebook_option(backup)
    add_force_option(backup)


def build_backup_parser(commands) -> None:
    """Add the ``backup`` command and the ``casebook`` group (init, check, restore, backup)."""
    _add_backup_arguments(commands.add_parser(
        "backup", help="copy the whole casebook to a backup file", description=_BACKUP_HELP))
    group = commands.add_parser(
        "casebook", help="make, check, back up or restore the casebook",
        description="Make a new casebook, check it thoroughly, back it up, or put a backup "
                    "back in its place.")
    sub = group.add_subparsers(dest="casebook_command", required=True, metavar="COMMAND")
    init = sub.add_parser(
        "init", help="make a new, empty casebook",
        description="Make a new, empty casebook (a private file: only you can read it). "
                    "An existing casebook is left as it is.")
    init.add_argument("--encrypt", action="store_true",
                      help="make it encrypted (the key is kept in this computer's keyring, "
                           "or made from a passphrase you are asked for)")
    _add_passphrase_option(init)
    add_casebook_option(init)
    encrypt = sub.add_parser(
        "encrypt", help="encrypt the casebook",
        description="Encrypt the casebook with SQLCipher (AES-256). The key is kept in this "
                    "computer's keyring, or made from a passphrase (--passphrase, or when "
                    "there is no keyring). A new key's recovery code is shown once: write it "
                    "down. Close the journal app and notebooks first.")
    _add_passphrase_option(encrypt)
    add_casebook_option(encrypt)
    add_casebook_option(sub.add_parser(
        "decrypt", help="turn an encrypted casebook back into a plain one",
        description="Write the encrypted casebook back as a plain SQLite file (anyone who "
                    "can read the file can then read the records). Close the journal app and "
                    "notebooks first."))
    add_casebook_option(sub.add_parser(
        "recovery-code", help="show the recovery code of an encrypted casebook's key",
        description="Show the recovery code that opens the encrypted casebook without the "
                    "keyring or the passphrase. Keep it on paper, somewhere safe."))
    add_casebook_option(sub.add_parser(
        "check", help="check the whole casebook",
        description="Run SQLite's full integrity check and read every stored record back. "
                    "Exit code 1 when something is wrong; nothing is changed."))
    _add_backup_arguments(sub.add_parser("backup", help="copy the whole casebook to a file",
                                         description=_BACKUP_HELP))
    restore = sub.add_parser(
        "restore", help="put a backup in place of the casebook",
        description="Check a backup, then put it in place of the casebook. Nothing is "
                    "deleted: the current casebook is first copied aside (or, when it cannot "
                    "be opened, moved aside with its -wal and -shm files), and programs that "
                    "have the casebook open see the restored records.")
    restore.add_argument("backup", type=Path, metavar="BACKUP", help="the backup file")
    add_casebook_option(restore)


def _add_passphrase_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--passphrase", action="store_true",
                        help="use a passphrase you type (asked for, never given on the "
                             "command line) instead of a key in the keyring")


def _print_new_key(key, new_in_keyring: bool) -> None:
    if key is None:
        return
    if new_in_keyring:
        print("A new key was made and kept in this computer's keyring. Without it the "
              "casebook cannot be opened: write down this recovery code and keep it safe "
              "(it opens the casebook on any computer):")
        print(f"  {key.recovery_code()}")
    elif key.source == "passphrase":
        print("It opens with your passphrase. Forgetting it means losing the records: "
              "'worksheets casebook recovery-code' shows a code to keep on paper as well.")


def run_encryption(args: argparse.Namespace) -> int:
    """Run ``casebook encrypt``, ``decrypt`` and ``recovery-code``."""
    from .casebook import encryption, keys

    keys.set_prompt(_ask)
    if args.casebook_command == "encrypt":
        done = encryption.encrypt(args.casebook, passphrase=args.passphrase)
        print(f"encrypted {done.path} (key: {done.key.source})")
        _print_new_key(done.key, done.new_in_keyring)
        print("Earlier backups and exports are not changed by this: make a new backup, "
              "then delete the old plain ones.")
        return 0
    if args.casebook_command == "decrypt":
        done = encryption.decrypt(args.casebook)
        print(f"decrypted {done.path}: it is a plain SQLite file now; anyone who can read "
              f"the file can read the records")
        return 0
    with opened(args) as casebook:
        if casebook.key is None:
            print(f"error: casebook {casebook.path}: is not encrypted, so it has no recovery "
                  f"code", file=sys.stderr)
            return 1
        print(casebook.key.recovery_code())
    return 0


def run_backup(args: argparse.Namespace) -> int:
    """Run ``worksheets backup`` (and ``worksheets casebook backup``)."""
    with opened(args) as casebook:
        passphrase = _export_passphrase(new=True, what="backup") if args.passphrase else None
        out = casebook.backup(args.out, passphrase)
        how = ("; encrypted with your passphrase" if passphrase else
               "; encrypted with the casebook's key" if casebook.key else "")
        print(f"backed up {casebook.path} to {out} (checked: whole{how})")
    return 0


def run_casebook(args: argparse.Namespace) -> int:
    """Run one ``casebook`` sub-command."""
    from .casebook import check_casebook, keys, resolve_path, restore_backup
    from .casebook.opening import NEW_KEY_WARNING

    keys.set_prompt(_ask)  # a backup or casebook may need its passphrase

    if args.casebook_command == "backup":
        return run_backup(args)
    if args.casebook_command in ("encrypt", "decrypt", "recovery-code"):
        return run_encryption(args)
    if args.casebook_command == "init":
        path = resolve_path(args.casebook)
        existed = path.exists()
        encrypt = "passphrase" if args.passphrase else (True if args.encrypt else None)
        with opened(args, create=True, encrypt=encrypt, key_news=False) as casebook:
            if existed:
                print(f"the casebook is already there: {casebook.path}")
            else:
                print(f"made a new {'encrypted ' if casebook.key else ''}casebook: "
                      f"{casebook.path}")
                _print_new_key(casebook.key, NEW_KEY_WARNING in casebook.warnings)
        return 0
    if args.casebook_command == "check":
        with opened(args) as casebook:
            report = check_casebook(casebook)
        counts = ", ".join(f"{n} {kind}(s)" for kind, n in report.counts.items() if n)
        if report.ok:
            print(f"{report.path}: whole; every record reads back ({counts or 'no records'})")
            return 0
        for problem in report.sqlite_problems:
            print(f"error: casebook {report.path}: SQLite: {problem}", file=sys.stderr)
        for record in report.unreadable:
            print(f"error: casebook {report.path}: the stored {record} cannot be read",
                  file=sys.stderr)
        print(f"To go back to a backup: worksheets casebook restore BACKUP --casebook "
              f"{report.path}", file=sys.stderr)
        return 1
    result = restore_backup(args.backup, resolve_path(args.casebook))
    print(f"restored {args.backup} into {result.path}")
    for kept in result.kept:
        print(f"  the casebook as it was before is kept at {kept}")
    if result.decrypted:
        print("note: the backup was encrypted, but this casebook is not, so the restored "
              "records are not encrypted now; to encrypt them: worksheets casebook encrypt",
              file=sys.stderr)
    return 0


def build_audit_parser(commands) -> None:
    """Add ``audit verify``."""
    group = commands.add_parser("audit", help="check the audit trail",
                                description="Check the casebook's audit trail.")
    sub = group.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
    add_casebook_option(sub.add_parser(
        "verify", help="check that the audit trail has not been changed",
        description="Recompute the audit trail's hash chain. Exit code 1, naming the first "
                    "line that does not fit, when a line was changed, removed or moved. "
                    "Note the printed head value somewhere safe: a trail that still "
                    "leads to it later was not rewritten."))


def run_verify_audit(args: argparse.Namespace) -> int:
    """Run ``worksheets audit verify``."""
    with opened(args) as casebook:
        report = casebook.verify_audit()
    if not report.ok:
        print(f"error: casebook {casebook.path}: the audit trail was changed: line "
              f"{report.first_bad} does not fit the lines before it", file=sys.stderr)
        return 1
    removed = f", {report.redacted} emptied when their client was deleted" \
        if report.redacted else ""
    print(f"the audit trail is whole: {report.lines} lines{removed}")
    print(f"head: {report.head}")
    return 0


def note_read(casebook: Casebook, client_id: str) -> None:
    """Record a read in the audit trail; say so when it could not be noted."""
    shown = len(casebook.warnings)
    casebook.record_access("read", client_id)
    for warning in casebook.warnings[shown:]:
        print(f"warning: {warning}", file=sys.stderr)


def opened(args: argparse.Namespace, create: bool = False, encrypt: bool | str | None = None,
           key_news: bool = True) -> Casebook:
    """Open the casebook the arguments name, printing any warnings about it.

    Only the commands that add records pass *create*; every other command
    reports a missing casebook instead of making an empty one. A key is asked
    for at the terminal when none is found (see casebook/keys.py). *key_news*:
    print the warning that a new key went into the keyring (``init`` shows the
    recovery code itself instead).
    """
    from .casebook import keys, open_casebook
    from .casebook.opening import NEW_KEY_WARNING

    keys.set_prompt(_ask)
    casebook = open_casebook(getattr(args, "casebook", None), create=create, encrypt=encrypt)
    for warning in casebook.warnings:
        if key_news or warning != NEW_KEY_WARNING:
            print(f"warning: {warning}", file=sys.stderr)
    return casebook


def _ask(question: str, new: bool) -> str | None:
    """Ask for a passphrase at the terminal (never echoed); None when there is no terminal."""
    import getpass

    if not sys.stdin or not sys.stdin.isatty():
        return None
    try:
        return getpass.getpass(question)
    except EOFError:  # Ctrl-D: nothing typed
        return ""
    except OSError:
        return None


def run(args: argparse.Namespace) -> int:
    """Run one ``client`` sub-command."""
    from .casebook import check_client_id, import_bundle, read_bundle, resolve_path, write_bundle
    from .clientfile import load_client
    if hasattr(args, "id"):
        check_client_id(args.id)  # before the casebook is even opened
    if args.client_command == "import":
        bundle = _read_bundle_before_opening(args)
    if args.client_command == "add":
        profile = load_client(args.source)  # a bad file is refused before opening
    if args.client_command == "import-answers":
        from .answers import read_form

        if args.client_id is not None:
            check_client_id(args.client_id)
        read_form(args.file)  # a file that is not a filled worksheet is refused first
    creating = args.client_command in ("add", "import")
    try:
        existed = resolve_path(getattr(args, "casebook", None)).exists()
    except OSError:
        existed = True  # opening says what is wrong with the path

    with opened(args, create=creating) as casebook:
        if not existed:
            print(f"made a new {'encrypted ' if casebook.key else ''}casebook: "
                  f"{casebook.path}")
        if args.client_command == "add":
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
            note_read(casebook, args.id)
        elif args.client_command == "export":
            seal = "passphrase" if args.passphrase else ("plain" if args.plain else None)
            casebook.get_client(args.id)  # an unknown id fails before asking
            out = write_bundle(casebook, args.id, args.out, seal,
                               _export_passphrase(new=True) if args.passphrase else None)
            how = ("encrypted with your passphrase" if args.passphrase else
                   "encrypted with this casebook's key" if casebook.key and not args.plain
                   else "not encrypted")
            print(f"wrote {out} ({how}; keep it safe: it holds the client's records)")
        elif args.client_command == "import":
            if bundle is None:
                bundle = read_bundle(args.bundle, keys=[k for k in [casebook.key] if k]
                                     + keys_known())
            result = import_bundle(casebook, bundle, replace=args.replace)
            if casebook.key is None and _sealed(args.bundle):
                print("note: the bundle was encrypted, but this casebook is not, so the "
                      "client's records are not encrypted here; to encrypt them: worksheets "
                      "casebook encrypt", file=sys.stderr)
            if not result.changed:
                print(f"{result.client_id}: already up to date, nothing changed")
            else:
                added = ", ".join(f"{n} {kind}(s)" for kind, n in result.added.items() if n)
                what = ["new client"] if result.new_client else []
                what += [f"replaced {', '.join(result.replaced)}"] if result.replaced else []
                what += [f"added {added}"] if added else []
                what += [f"added {result.audit_lines} audit line(s)"] if result.audit_lines \
                    else []
                print(f"{result.client_id}: {'; '.join(what)}")
            if result.kept_newer:
                print(f"{result.client_id}: kept the casebook's newer "
                      f"{', '.join(result.kept_newer)} (changed after this bundle was made; "
                      f"use --replace to take the bundle's)")
        elif args.client_command == "import-answers":
            from .answers import import_answers

            result = import_answers(casebook, args.file, args.client_id)
            print(f"{result.client_id}: {args.file.name}")
            for line in result.summary():
                print(f"  {line}")
        elif args.client_command == "delete":
            casebook.get_client(args.id)  # an unknown id fails before asking
            if not args.yes and not _confirmed(args.id):
                print("error: not deleted (type the id exactly, or use --yes)", file=sys.stderr)
                return 1
            shown = len(casebook.warnings)
            casebook.delete_client(args.id)
            print("deleted every record of that client; an audit line remains")
            for warning in casebook.warnings[shown:]:
                print(f"warning: {warning}", file=sys.stderr)
        elif args.client_command == "audit":
            for line in casebook.audit(args.id):
                print(line)
    return 0


def _read_bundle_before_opening(args: argparse.Namespace):
    """The bundle to import, read before the casebook is opened (a bad one changes nothing).

    A bundle sealed with a casebook's key that no key at hand opens is read
    once the casebook (and its key) is open: None then. Nothing is created
    for a bundle that cannot be opened.
    """
    from .casebook import read_bundle, resolve_path
    from .errors import BundleError

    if not needs_casebook_key(args.bundle):
        return read_bundle(args.bundle, passphrase=lambda: _export_passphrase(new=False))
    try:
        return read_bundle(args.bundle, keys=keys_known())
    except BundleError:
        if not resolve_path(getattr(args, "casebook", None)).exists():
            raise
        return None


def _sealed(path: Path) -> bool:
    from .casebook.sealing import is_sealed

    try:
        with open(path, "rb") as handle:
            return is_sealed(handle.read(64))
    except OSError:
        return False


def needs_casebook_key(path: Path) -> bool:
    from .casebook.sealing import needs_casebook_key as sealed_with_key

    try:
        if not path.is_file():
            return False  # a pipe is never opened here (read_bundle refuses it)
        with open(path, "rb") as handle:
            return sealed_with_key(handle.read(2048))
    except OSError:
        return False  # read_bundle says what is wrong


def keys_known() -> list:
    from .casebook import keys

    return keys.known_keys()


def _export_passphrase(new: bool, what: str = "bundle") -> str | None:
    """A bundle's or backup's passphrase: $WORKSHEETS_EXPORT_PASSPHRASE, else asked."""
    import os

    from .casebook.sealing import ENV_PASSPHRASE, check_passphrase
    from .errors import BundleError

    text = os.environ.get(ENV_PASSPHRASE) or _ask(
        f"New passphrase for the {what}: " if new else f"Passphrase for the {what}: ", new)
    if new:
        check_passphrase(text)
        if not os.environ.get(ENV_PASSPHRASE) and _ask("The same passphrase again: ", True) \
                != text:
            raise BundleError("passphrase", ["the two did not match; nothing was written"])
    return text


def _show(casebook: Casebook, client_id: str) -> None:
    import yaml
    profile = casebook.get_client(client_id)
    print(yaml.safe_dump(profile.model_dump(mode="json", exclude_none=True),
                         allow_unicode=True, sort_keys=False).rstrip())
    from .casebook.kinds import BY_NAME as RECORDS_BY_NAME

    print("# stored:")
    for kind, count in casebook.count_records(client_id).items():
        print(f"#   {RECORDS_BY_NAME[kind].plural}: {count}")


def _confirmed(client_id: str) -> bool:
    if not sys.stdin or not sys.stdin.isatty():
        return False
    print("This deletes every record of this client and cannot be undone.", file=sys.stderr)
    try:
        answer = input("Type the client's id to confirm: ")
    except EOFError:
        return False
    return answer.strip() == client_id
