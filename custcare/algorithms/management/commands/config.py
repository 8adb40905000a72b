"""`custcare config export [FILE]` / `custcare config import FILE [--dry-run] --user NAME`."""

import json
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from custcare.algorithms.config_io import configuration_export, configuration_import
from custcare.core.errors import DomainError


class Command(BaseCommand):
    help = "Export the configuration to a JSON file, or import one (validated, audited, all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser("export", help="Write the configuration as JSON (to FILE or standard output).")
        exp.add_argument("file", nargs="?")
        imp = sub.add_parser("import", help="Read a configuration file and upsert its records.")
        imp.add_argument("file")
        imp.add_argument("--user", required=True, help="The administrator the import is audited under.")
        imp.add_argument("--dry-run", action="store_true", help="Validate and count, change nothing.")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "export":
            text = json.dumps(configuration_export(), cls=DjangoJSONEncoder, indent=2, sort_keys=True)
            if opts["file"]:
                with open(opts["file"], "w", encoding="utf-8") as fh:
                    fh.write(text + "\n")
                self.stdout.write(f"Configuration written to {opts['file']}.")
            else:
                sys.stdout.write(text + "\n")
            return
        user = get_user_model().objects.filter(username=opts["user"]).first()
        if user is None:
            raise CommandError(f"No user '{opts['user']}'. Name an administrator with --user.")
        try:
            with open(opts["file"], encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"Cannot read {opts['file']}: {exc}") from exc
        try:
            counts = configuration_import(data=data, user=user, dry_run=opts["dry_run"])
        except DomainError as exc:
            details = "\n".join(f"  {k}: {'; '.join(v)}" for k, v in sorted(exc.fields.items()))
            raise CommandError(f"{exc.message}\n{details}") from exc
        verb = "Would import" if opts["dry_run"] else "Imported"
        self.stdout.write(
            f"{verb}: {counts['added']} added, {counts['changed']} changed, {counts['unchanged']} unchanged."
        )
