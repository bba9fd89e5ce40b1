"""The wire archive: reading wire copy, storing it (SQLite), and checking articles against it.

    with WireArchive.open("wires.db") as archive:          # an archive file
        checked = archive.check(analysis)                   # -> Analysis with .checked
    with WireArchive.from_folder("wires/") as archive:     # a folder: temporary archive
        ...
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Optional, Union

__all__ = ["WireArchive"]


class WireArchive:
    """A :class:`~attribution.wires.store.SQLiteWireStore` with the matcher on top."""

    def __init__(self, store, *, tempdir: Optional[str] = None, report=None,
                 window_days: int = 3, embed: Optional[bool] = None):
        self.store = store
        self._tempdir = tempdir
        self.ingest_report = report
        self.window_days = window_days
        self._embed = embed
        self._matcher = None

    @classmethod
    def open(cls, path: Union[str, os.PathLike], **kw) -> "WireArchive":
        from attribution.wires.store import SQLiteWireStore

        return cls(SQLiteWireStore(path), **kw)

    @classmethod
    def from_folder(cls, folder: Union[str, os.PathLike, Iterable], *, pipeline=None,
                    embed: bool = False, progress=None, **kw) -> "WireArchive":
        """Ingest the wire files under `folder` (or a list of paths) into a temporary
        archive, deleted on :meth:`close`."""
        from attribution.wires.ingest import Ingester
        from attribution.wires.store import SQLiteWireStore

        tmp = tempfile.mkdtemp(prefix="attribution-wires-")
        store = SQLiteWireStore(Path(tmp) / "wires.db")
        paths = [folder] if isinstance(folder, (str, os.PathLike)) else list(folder)
        report = Ingester(store, pipeline=pipeline, embed=embed).ingest(paths, progress=progress)
        return cls(store, tempdir=tmp, report=report, embed=embed if embed else None, **kw)

    @property
    def matcher(self):
        if self._matcher is None:
            from attribution.match.matcher import Matcher

            self._matcher = Matcher(self.store, window_days=self.window_days, embed=self._embed)
        return self._matcher

    def check_quotes(self, analysis):
        return self.matcher.check(analysis)

    def check(self, analysis):
        """The analysis with ``checked`` filled in."""
        from dataclasses import replace

        return replace(analysis, checked=self.matcher.check(analysis))

    def close(self) -> None:
        self.store.close()
        if self._tempdir:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
