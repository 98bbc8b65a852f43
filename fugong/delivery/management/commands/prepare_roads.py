"""`fugong prepare_roads COUNTY.osm.pbf --out var/roads`: the road graph that plans travel on
(set ROUTING_GRAPH to the folder), once per extract, never at plan time. It is built beside the
folder and put in its place at the end, so plans made meanwhile keep the old graph."""

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fugong.routing import roads


class Command(BaseCommand):
    help = "Prepare the road graph (OSRM: car and bicycle networks) from an OpenStreetMap extract."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("extract", type=Path, help="an .osm.pbf extract, e.g. the county cut out of its province")
        parser.add_argument(
            "--out", type=Path, help="the graph folder (default: ROUTING_GRAPH, else var/roads)", default=None
        )
        parser.add_argument("--threads", type=int, default=min(4, os.cpu_count() or 1))

    def handle(self, *args: Any, **options: Any) -> None:
        extract: Path = options["extract"]
        out: Path = options["out"] or settings.ROUTING_GRAPH or settings.VAR_DIR / "roads"
        if not extract.is_file():
            raise CommandError(f"{extract}: no such file")
        building, old = out.with_name(out.name + ".new"), out.with_name(out.name + ".old")
        shutil.rmtree(building, ignore_errors=True)
        try:
            roads.prepare(extract.resolve(), building, threads=options["threads"], say=self.stdout.write)
        except subprocess.CalledProcessError as error:
            shutil.rmtree(building, ignore_errors=True)
            lines = (error.stderr or error.stdout or "").strip().splitlines()[-5:]
            raise CommandError("OSRM failed:\n" + "\n".join(lines)) from None
        shutil.rmtree(old, ignore_errors=True)
        if out.exists():
            out.rename(old)
        building.rename(out)
        shutil.rmtree(old, ignore_errors=True)
        self.stdout.write(self.style.SUCCESS(f"Road graph ready in {out}; set ROUTING_GRAPH={out.resolve()}"))
