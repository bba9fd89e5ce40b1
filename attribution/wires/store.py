"""The wire archive: a small :class:`WireStore` protocol and its SQLite implementation.

One SQLite file in WAL mode::

    items(rowid, id TEXT UNIQUE, agency, date, headline, url, language, byline, body,
          content_hash, source, names, ingested_at)
    quotes(rowid, item_id, quote_id, kind, text, start, end, speaker, speaker_type,
           speaker_method)                      -- start/end index items.body
    sentences(rowid, item_id, start, end, text)  -- for reported speech in wire copy
    quotes_fts(text), sentences_fts(text)        -- FTS5, rowid = quotes/sentences rowid
    embeddings(kind 'q'|'s', ref rowid, item_id, vec float32 blob)  -- MiniLM, optional
    meta(key, value)                            -- schema version, embedding model

``names`` holds the item's name phrases (see :mod:`attribution.match.event`), one per
line, for the same-event test.

Every write of an item (its row, quotes, sentences, FTS rows, vectors) happens in one
transaction together with the other items of its batch: a process killed mid-ingest
leaves the archive as it was after the last committed batch, and running the ingest
again adds what is missing (items already there with the same content hash are skipped).
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Optional, Protocol, Sequence

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS items (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    agency TEXT NOT NULL DEFAULT '',
    date TEXT,
    headline TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    byline TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    names TEXT NOT NULL DEFAULT '',
    ingested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS items_date ON items(date);
CREATE TABLE IF NOT EXISTS quotes (
    rowid INTEGER PRIMARY KEY,
    item_id TEXT NOT NULL,
    quote_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    speaker TEXT NOT NULL DEFAULT '',
    speaker_type TEXT NOT NULL DEFAULT 'unknown',
    speaker_method TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS quotes_item ON quotes(item_id);
CREATE TABLE IF NOT EXISTS sentences (
    rowid INTEGER PRIMARY KEY,
    item_id TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sentences_item ON sentences(item_id);
CREATE VIRTUAL TABLE IF NOT EXISTS quotes_fts USING fts5(
    text, tokenize = "unicode61 remove_diacritics 2");
CREATE VIRTUAL TABLE IF NOT EXISTS sentences_fts USING fts5(
    text, tokenize = "unicode61 remove_diacritics 2");
CREATE VIRTUAL TABLE IF NOT EXISTS items_names_fts USING fts5(
    names, tokenize = "unicode61 remove_diacritics 2");
CREATE TABLE IF NOT EXISTS embeddings (
    kind TEXT NOT NULL,
    ref INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    vec BLOB NOT NULL,
    PRIMARY KEY (kind, ref)
);
CREATE INDEX IF NOT EXISTS embeddings_item ON embeddings(item_id);
"""


@dataclass(frozen=True)
class StoredItem:
    id: str
    agency: str
    date: Optional[str]
    headline: str
    body: str
    url: str = ""
    language: str = ""
    byline: str = ""
    content_hash: str = ""
    source: str = ""
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredQuote:
    rowid: int
    item_id: str
    quote_id: str
    kind: str
    text: str
    start: int
    end: int
    speaker: str
    speaker_type: str
    speaker_method: str


@dataclass(frozen=True)
class StoredSentence:
    rowid: int
    item_id: str
    start: int
    end: int
    text: str


@dataclass
class ItemRecord:
    """Everything stored for one item: written in one go by :meth:`WireStore.put_many`."""

    item: StoredItem
    quotes: Sequence[tuple]  # (quote_id, kind, text, start, end, speaker, type, method)
    sentences: Sequence[tuple]  # (start, end, text)
    quote_vectors: Optional[Sequence[bytes]] = None  # float32 blobs, one per quote
    sentence_vectors: Optional[Sequence[bytes]] = None


class WireStore(Protocol):
    """What the matcher and the CLI need from a wire archive."""

    def status(self, item_id: str, content_hash: str) -> str:
        """'new', 'unchanged' or 'changed'."""

    def put_many(self, records: Sequence[ItemRecord]) -> None: ...

    def get_item(self, item_id: str) -> Optional[StoredItem]: ...

    def items(self, ids: Iterable[str]) -> dict[str, StoredItem]: ...

    def search_quotes(self, match: str, *, date_from: Optional[str] = None,
                      date_to: Optional[str] = None, limit: int = 20) -> list[StoredQuote]: ...

    def search_sentences(self, match: str, *, date_from: Optional[str] = None,
                         date_to: Optional[str] = None, limit: int = 20) -> list[StoredSentence]: ...

    def event_items(self, names: Iterable[str], *, date_from: Optional[str] = None,
                    date_to: Optional[str] = None, limit: int = 40) -> list[StoredItem]:
        """Items in the date window whose names best match `names`."""

    def quotes_of(self, item_ids: Iterable[str]) -> list[StoredQuote]: ...

    def sentences_of(self, item_ids: Iterable[str]) -> list[StoredSentence]: ...

    def vectors_of(self, item_ids: Iterable[str]) -> dict[tuple[str, int], bytes]: ...

    def count(self) -> int: ...

    def close(self) -> None: ...


_NON_WORD = re.compile(r"\W+")


def default_db_path() -> Path:
    """``$XDG_DATA_HOME/attribution/wires.db`` (``~/.local/share/attribution/wires.db``)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "attribution" / "wires.db"


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


class SQLiteWireStore:
    """The SQLite archive. Safe for one writer; readers can open it concurrently (WAL)."""

    def __init__(self, path: "str | os.PathLike[str]", *, readonly: bool = False):
        self.path = str(path)
        if self.path != ":memory:" and not readonly:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        if readonly:
            uri = Path(self.path).resolve().as_uri() + "?mode=ro"
            self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        else:
            self.conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self.conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        if not readonly:
            if self.path != ":memory:":
                self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.executescript(_SCHEMA)
            self.conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)",
                              (SCHEMA_VERSION,))
            self.conn.commit()
        self.conn.execute("PRAGMA cache_size=-65536")

    # ------------------------------------------------------------------ writing

    @classmethod
    def open_existing(cls, path: "str | os.PathLike[str]") -> "SQLiteWireStore":
        """An archive that must exist already, opened read-only where SQLite allows it.

        A WAL archive whose shared-memory file cannot be opened read-only is opened
        normally; any other failure is raised (a stranger's file never gets our tables).
        """
        store = None
        try:
            store = cls(path, readonly=True)
            store.count()
            return store
        except sqlite3.OperationalError as e:
            if store is not None:
                store.close()
            if "unable to open" not in str(e):
                raise
        store = cls(path)
        store.count()
        return store

    def status(self, item_id: str, content_hash: str) -> str:
        row = self.conn.execute("SELECT content_hash FROM items WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            return "new"
        return "unchanged" if row[0] == content_hash else "changed"

    def _delete(self, cur: sqlite3.Cursor, item_id: str) -> None:
        qrows = [r[0] for r in cur.execute("SELECT rowid FROM quotes WHERE item_id = ?", (item_id,))]
        srows = [r[0] for r in cur.execute("SELECT rowid FROM sentences WHERE item_id = ?", (item_id,))]
        cur.executemany("DELETE FROM quotes_fts WHERE rowid = ?", [(r,) for r in qrows])
        cur.executemany("DELETE FROM sentences_fts WHERE rowid = ?", [(r,) for r in srows])
        cur.execute("DELETE FROM quotes WHERE item_id = ?", (item_id,))
        cur.execute("DELETE FROM sentences WHERE item_id = ?", (item_id,))
        cur.execute("DELETE FROM embeddings WHERE item_id = ?", (item_id,))
        row = cur.execute("SELECT rowid FROM items WHERE id = ?", (item_id,)).fetchone()
        if row is not None:
            cur.execute("DELETE FROM items_names_fts WHERE rowid = ?", (row[0],))
        cur.execute("DELETE FROM items WHERE id = ?", (item_id,))

    def put_many(self, records: Sequence[ItemRecord]) -> None:
        """Store (or replace) items, all of them in one transaction."""
        if not records:
            return
        with self._lock:
            cur = self.conn.cursor()
            try:
                cur.execute("BEGIN IMMEDIATE")
                for rec in records:
                    it = rec.item
                    self._delete(cur, it.id)
                    cur.execute(
                        "INSERT INTO items(id, agency, date, headline, url, language, byline, body,"
                        " content_hash, source, names, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        (it.id, it.agency, it.date, it.headline, it.url, it.language, it.byline,
                         it.body, it.content_hash, it.source, "\n".join(it.names), _now()),
                    )
                    cur.execute("INSERT INTO items_names_fts(rowid, names) VALUES (?, ?)",
                                (cur.lastrowid, "\n".join(it.names)))
                    for n, q in enumerate(rec.quotes):
                        cur.execute(
                            "INSERT INTO quotes(item_id, quote_id, kind, text, start, \"end\", speaker,"
                            " speaker_type, speaker_method) VALUES (?,?,?,?,?,?,?,?,?)",
                            (it.id,) + tuple(q),
                        )
                        rid = cur.lastrowid
                        cur.execute("INSERT INTO quotes_fts(rowid, text) VALUES (?, ?)", (rid, q[2]))
                        if rec.quote_vectors is not None:
                            cur.execute("INSERT INTO embeddings(kind, ref, item_id, vec) VALUES ('q',?,?,?)",
                                        (rid, it.id, rec.quote_vectors[n]))
                    for n, s in enumerate(rec.sentences):
                        cur.execute(
                            "INSERT INTO sentences(item_id, start, \"end\", text) VALUES (?,?,?,?)",
                            (it.id,) + tuple(s),
                        )
                        rid = cur.lastrowid
                        cur.execute("INSERT INTO sentences_fts(rowid, text) VALUES (?, ?)", (rid, s[2]))
                        if rec.sentence_vectors is not None:
                            cur.execute("INSERT INTO embeddings(kind, ref, item_id, vec) VALUES ('s',?,?,?)",
                                        (rid, it.id, rec.sentence_vectors[n]))
                cur.execute("COMMIT")
            except BaseException:
                try:
                    cur.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                raise

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))
            self.conn.commit()

    def get_meta(self, key: str) -> Optional[str]:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------------ reading

    @staticmethod
    def _item(row) -> StoredItem:
        return StoredItem(
            id=row["id"], agency=row["agency"], date=row["date"], headline=row["headline"],
            body=row["body"], url=row["url"], language=row["language"], byline=row["byline"],
            content_hash=row["content_hash"], source=row["source"],
            names=tuple(n for n in (row["names"] or "").split("\n") if n),
        )

    def get_item(self, item_id: str) -> Optional[StoredItem]:
        row = self.conn.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
        return self._item(row) if row else None

    def items(self, ids: Iterable[str]) -> dict[str, StoredItem]:
        ids = list(dict.fromkeys(ids))
        out: dict[str, StoredItem] = {}
        for chunk in _chunks(ids, 500):
            q = f"SELECT * FROM items WHERE id IN ({','.join('?' * len(chunk))})"
            for row in self.conn.execute(q, chunk):
                out[row["id"]] = self._item(row)
        return out

    def iter_items(self) -> Iterator[StoredItem]:
        for row in self.conn.execute("SELECT * FROM items ORDER BY rowid"):
            yield self._item(row)

    @staticmethod
    def _quote(row) -> StoredQuote:
        return StoredQuote(row["rowid"], row["item_id"], row["quote_id"], row["kind"], row["text"],
                           row["start"], row["end"], row["speaker"], row["speaker_type"],
                           row["speaker_method"])

    @staticmethod
    def _sentence(row) -> StoredSentence:
        return StoredSentence(row["rowid"], row["item_id"], row["start"], row["end"], row["text"])

    def _date_clause(self, date_from: Optional[str], date_to: Optional[str]) -> tuple[str, list]:
        if not date_from and not date_to:
            return "", []
        # items with an unknown date stay candidates: nothing says they are another day's
        return (" AND (i.date IS NULL OR (i.date >= ? AND i.date <= ?))",
                [date_from or "0000-00-00", date_to or "9999-99-99"])

    def search_quotes(self, match: str, *, date_from: Optional[str] = None,
                      date_to: Optional[str] = None, limit: int = 20) -> list[StoredQuote]:
        clause, args = self._date_clause(date_from, date_to)
        sql = (
            "SELECT q.* FROM quotes_fts f JOIN quotes q ON q.rowid = f.rowid"
            " JOIN items i ON i.id = q.item_id"
            f" WHERE quotes_fts MATCH ?{clause} ORDER BY f.rank LIMIT ?"
        )
        try:
            return [self._quote(r) for r in self.conn.execute(sql, [match, *args, limit])]
        except sqlite3.OperationalError:
            return []

    def search_sentences(self, match: str, *, date_from: Optional[str] = None,
                         date_to: Optional[str] = None, limit: int = 20) -> list[StoredSentence]:
        clause, args = self._date_clause(date_from, date_to)
        sql = (
            "SELECT s.* FROM sentences_fts f JOIN sentences s ON s.rowid = f.rowid"
            " JOIN items i ON i.id = s.item_id"
            f" WHERE sentences_fts MATCH ?{clause} ORDER BY f.rank LIMIT ?"
        )
        try:
            return [self._sentence(r) for r in self.conn.execute(sql, [match, *args, limit])]
        except sqlite3.OperationalError:
            return []

    def event_items(self, names: Iterable[str], *, date_from: Optional[str] = None,
                    date_to: Optional[str] = None, limit: int = 40) -> list[StoredItem]:
        """Items in the date window whose names best match `names` (bm25), best first."""
        terms = []
        for n in names:
            words = re.findall(r"\w+", n)
            if words:
                terms.append('"' + " ".join(words) + '"')
        if not terms:
            return []
        if date_from or date_to:
            found = self._event_items_in_window(terms, date_from, date_to, limit)
            if found is not None:
                return found
        clause, args = self._date_clause(date_from, date_to)
        sql = (
            "SELECT i.* FROM items_names_fts f JOIN items i ON i.rowid = f.rowid"
            f" WHERE items_names_fts MATCH ?{clause} ORDER BY f.rank LIMIT ?"
        )
        try:
            return [self._item(r) for r in self.conn.execute(sql, [" OR ".join(terms[:200]), *args, limit])]
        except sqlite3.OperationalError:
            return []

    # A date window holds a few days of wires however large the archive grows: when it
    # holds few enough items, score those by shared names instead of ranking every item
    # that shares a name (bm25 over the whole archive grows with the archive).
    WINDOW_SCAN_MAX = 5000

    def _event_items_in_window(self, terms: list[str], date_from, date_to, limit: int):
        lo, hi = date_from or "0000-00-00", date_to or "9999-99-99"
        n = self.conn.execute(
            "SELECT (SELECT COUNT(*) FROM items WHERE date >= ? AND date <= ?)"
            " + (SELECT COUNT(*) FROM items WHERE date IS NULL)", (lo, hi)).fetchone()[0]
        if n > self.WINDOW_SCAN_MAX:
            return None
        from attribution.resolve.names import fold

        phrases = [" " + fold(t.strip('"')) + " " for t in terms]
        # SQLite drops the items that hold none of the names' last words; Python then
        # checks whole phrases on what is left
        keys = sorted({ph.split()[-1] for ph in phrases if ph.strip()})[:100]
        if not keys:
            return []
        any_key = " OR ".join("instr(names, ?) > 0" for _ in keys)
        scored = []
        for rowid, names in self.conn.execute(
                "SELECT rowid, names FROM items WHERE ((date >= ? AND date <= ?) OR date IS NULL)"
                f" AND ({any_key})", (lo, hi, *keys)):
            # stored names are already folded at ingest (match.verdict.norm_name)
            flat = " " + _NON_WORD.sub(" ", (names or "").lower()) + " "
            score = sum(1 for ph in phrases if ph in flat)
            if score:
                scored.append((-score, rowid))
        scored.sort()
        ids = [r for _, r in scored[:limit]]
        if not ids:
            return []
        rows = {r["rowid"]: r for r in self.conn.execute(
            f"SELECT * FROM items WHERE rowid IN ({','.join('?' * len(ids))})", ids)}
        return [self._item(rows[r]) for r in ids if r in rows]

    def quotes_of(self, item_ids: Iterable[str]) -> list[StoredQuote]:
        out: list[StoredQuote] = []
        for chunk in _chunks(list(item_ids), 500):
            q = f"SELECT * FROM quotes WHERE item_id IN ({','.join('?' * len(chunk))}) ORDER BY rowid"
            out.extend(self._quote(r) for r in self.conn.execute(q, chunk))
        return out

    def sentences_of(self, item_ids: Iterable[str]) -> list[StoredSentence]:
        out: list[StoredSentence] = []
        for chunk in _chunks(list(item_ids), 500):
            q = f"SELECT * FROM sentences WHERE item_id IN ({','.join('?' * len(chunk))}) ORDER BY rowid"
            out.extend(self._sentence(r) for r in self.conn.execute(q, chunk))
        return out

    def vectors_of(self, item_ids: Iterable[str]) -> dict[tuple[str, int], bytes]:
        out: dict[tuple[str, int], bytes] = {}
        for chunk in _chunks(list(item_ids), 500):
            q = f"SELECT kind, ref, vec FROM embeddings WHERE item_id IN ({','.join('?' * len(chunk))})"
            for kind, ref, vec in self.conn.execute(q, chunk):
                out[(kind, ref)] = vec
        return out

    def has_embeddings(self) -> bool:
        return self.conn.execute("SELECT 1 FROM embeddings LIMIT 1").fetchone() is not None

    def count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM items").fetchone()[0]

    def stats(self) -> dict:
        c = self.conn
        return {
            "items": self.count(),
            "quotes": c.execute("SELECT COUNT(*) FROM quotes").fetchone()[0],
            "sentences": c.execute("SELECT COUNT(*) FROM sentences").fetchone()[0],
            "embeddings": c.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0],
            "per_agency": [tuple(r) for r in c.execute(
                "SELECT agency, COUNT(*) FROM items GROUP BY agency ORDER BY COUNT(*) DESC, agency")],
            "per_day": [tuple(r) for r in c.execute(
                "SELECT COALESCE(date, '(unknown)'), COUNT(*) FROM items GROUP BY date ORDER BY date")],
        }

    def integrity_check(self) -> list[str]:
        """Problems found ([] when the archive is consistent)."""
        c = self.conn
        problems = [r[0] for r in c.execute("PRAGMA integrity_check") if r[0] != "ok"]
        n_items = c.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        n_names = c.execute("SELECT COUNT(*) FROM items_names_fts").fetchone()[0]
        if n_items != n_names:
            problems.append(f"items: {n_items} rows but items_names_fts has {n_names}")
        for table, fts in (("quotes", "quotes_fts"), ("sentences", "sentences_fts")):
            n1 = c.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            n2 = c.execute(f"SELECT COUNT(*) FROM {fts}").fetchone()[0]
            if n1 != n2:
                problems.append(f"{table}: {n1} rows but {fts} has {n2}")
            orphans = c.execute(
                f"SELECT COUNT(*) FROM {table} WHERE item_id NOT IN (SELECT id FROM items)").fetchone()[0]
            if orphans:
                problems.append(f"{table}: {orphans} rows of no item")
        return problems

    def close(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:  # pragma: no cover
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _chunks(seq: list, n: int) -> Iterator[list]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]
