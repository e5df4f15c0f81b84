"""Report folders as the commands that read them find them: by id or path, and whether their files
are the last run's.

``vetreport audit`` and ``vetreport diff`` take a report as a report id under
``--out`` or as a folder. A folder whose last run failed keeps an earlier
run's CSVs (its manifest says so); a command reading them must not take them
for the current ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..writers.manifest import failed_stage
from ..writers.manifest import read as read_manifest


class FolderError(Exception):
    """A report folder that cannot be used, with what to do about it."""


@dataclass
class ReportFolder:
    path: Path
    manifest: dict | None

    @property
    def name(self) -> str:
        return self.path.resolve().name

    def stale(self, filename: str) -> str | None:
        """Why ``filename`` is not the last run's, or None when it is (or the folder has no manifest)."""
        if not self.manifest:
            return None
        if self.manifest.get("status") == "error":
            failed = failed_stage(self.manifest) or {}
            return (f"the last run of {self.name} failed (stage {failed.get('name', '?')}: {failed.get('message', '?')}), "
                    f"so its {filename} is from an earlier run; run it again")
        files = self.manifest.get("files")
        if files is not None and filename not in files:
            return f"{filename} in {self.path} was not written by the run its manifest.json describes"
        return None


def find_report(ref: str | Path, out_root: Path, needs: tuple[str, ...]) -> ReportFolder:
    """The folder ``ref`` names (a path, or a report id under ``out_root``) that holds the files ``needs``."""
    candidates = [Path(ref)] + ([out_root / str(ref)] if not Path(ref).is_absolute() else [])
    for folder in candidates:
        if all((folder / name).is_file() for name in needs):
            return ReportFolder(folder, read_manifest(folder))
    looked = " and ".join(str(c) for c in dict.fromkeys(candidates))
    raise FolderError(f"no {' and '.join(needs)} for '{ref}': not a report folder (looked in {looked}); give a "
                      f"report folder, or a report id with --out set to the folder `vetreport run` wrote")
