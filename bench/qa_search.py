"""Benchmark: /qa search over 1,000,000 stored questions, and how fast questions are recorded.

    python -m bench.qa_search            # 1,000,000 questions on SQLite (a few minutes)
    python -m bench.qa_search --quick    # 100,000 questions (about a minute)
    python -m bench.qa_search --database postgresql://postgres@127.0.0.1:5432/qa_bench   # on PostgreSQL

Search figures go through the real path (QuestionSearch.search: the candidate statement, ranking and snippets in
Python) on distinct queries (Corpus.queries: subject words, rarer words, filler sentences, misses, typos; none
repeats), after 200 other queries warmed the page cache and the word counts as a running bot's are. Every query
goes through every variant in turn, so a neighbour's burst of CPU falls on all alike: the bot's search with its
window of 32, 16 and 64 matches and with no cached word counts; the search it replaced (bm25 over the newest 500
matches and FTS5's snippet(); on PostgreSQL ts_rank and ts_headline); and the baseline every ratio is taken
against, the bare MATCH (no join, ranking or snippet). Wall-clock and CPU time of this process (the database
threads included; a PostgreSQL server's own CPU is not) per search. On SQLite also: bm25 over every match (100
queries), a LIKE scan over a 20,000-question slice (what a bot without a full-text index does), and recording
through QAStore.add_question against a bare INSERT of the same row, one transaction each.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import string
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.common import write_results
from bot.client import all_migrations
from bot.database import Database
from bot.discovery import feature_packages
from cogs.qa.models import NewQuestion
from cogs.qa.rules import Timing
from cogs.qa.search import QuestionSearch, match_expression, search_terms
from cogs.qa.settings import QASettings
from cogs.qa.store import QAStore

GUILD = 700000000000000001
OTHER_GUILD = 700000000000000002
FORUM = 700000000000000009
THREAD_BASE = 1_200_000_000_000_000_000
SEED = 20250303

DOMAIN = """pandas numpy polars spark pyspark sql postgres mysql sqlite bigquery snowflake redshift duckdb dbt airflow
dagster prefect kafka flink beam docker kubernetes terraform aws gcp azure s3 lambda databricks delta iceberg parquet
avro json csv excel tableau looker powerbi metabase superset dashboard etl elt pipeline warehouse lakehouse schema
join merge groupby window partition index query performance memory slow error exception timeout deadlock null
duplicate dataframe series column row type cast datetime timezone regex string float integer sklearn scikit
pytorch tensorflow keras xgboost lightgbm catboost regression classification clustering embedding transformer
llm bert gpt fine tuning training validation overfitting underfitting feature engineering scaling normalization
pca tsne umap kmeans randomforest gradient boosting hyperparameter optuna mlflow wandb notebook jupyter colab
vscode git github ci deployment api fastapi flask streamlit gradio model serving inference latency batch streaming
realtime cdc debezium replication backup migration orm sqlalchemy alembic pytest testing mocking logging monitoring
grafana prometheus alerting interview career resume junior senior analyst engineer scientist manager portfolio
kaggle competition dataset labeling annotation statistics probability hypothesis ab test bayesian causal inference
forecasting timeseries arima prophet anomaly detection recommendation nlp tokenizer vector database retrieval rag
prompt agent evaluation metrics precision recall f1 auc roc confusion matrix imbalance smote sampling bootstrap
visualization matplotlib seaborn plotly altair chart plot histogram heatmap""".split()  # noqa: SIM905
COMMON = """the a to is of and in it i my for on with this that how not when what does do why can but from
be as at or have get an are using use there way if into after so any should would all one some it's doesn't
can't new need trying tried works working work run running runs getting got make want""".split()  # noqa: SIM905


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Common words, domain words and 4,000 rarer made-up words, with Zipf-like weights."""
    made_up = {"".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9))) for _ in range(4000)}
    words = COMMON + DOMAIN + sorted(made_up)
    weights = [1.0 / (rank + 8) for rank in range(len(words))]
    cumulative, total = [], 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    return words, cumulative


class Corpus:
    """Questions and queries drawn from one seeded vocabulary; rows for `guild` (90%) and `other_guild`."""

    def __init__(self, seed: int, guild: int = GUILD, other_guild: int = OTHER_GUILD, forum: int = FORUM) -> None:
        self.rng = random.Random(seed)
        self.words, self.cum = _vocabulary(self.rng)
        self.guild, self.other_guild, self.forum = guild, other_guild, forum

    def text(self, low: int, high: int) -> str:
        return " ".join(self.rng.choices(self.words, cum_weights=self.cum, k=self.rng.randint(low, high)))

    def row(self, i: int, now: int) -> tuple:
        """One qa_questions row: ~40% solved, 90% in the benchmarked guild, spread over three years."""
        rng = self.rng
        created = now - rng.randint(0, 3 * 365 * 86400)
        solved = rng.random() < 0.4
        tags = "\n".join(
            rng.sample(["python", "sql", "ml", "career", "spark", "dbt", "cloud", "stats"], rng.randint(0, 2))
        )
        return (
            THREAD_BASE + i,
            self.guild if rng.random() < 0.9 else self.other_guild,
            self.forum,
            rng.randint(1, 50_000),
            self.text(5, 12)[:100],
            self.text(15, 60),
            tags,
            "ask" if rng.random() < 0.5 else "direct",
            "solved" if solved else "open",
            created,
            created + rng.randint(0, 86400),
            rng.randint(0, 6),
            created + 3600 if solved else None,
            THREAD_BASE + i + 7 if solved else None,
            rng.randint(1, 50_000) if solved else None,
            self.text(8, 40) if solved else "",
            created + 3600 if solved else None,
            created + 86400 * 2,  # archived
        )

    def queries(self, n: int) -> list[str]:
        """What members type: `n` distinct queries (none repeats, so no cache of whole queries helps).

        One to three subject words most often, rarer words (the made-up tail of the vocabulary), sentences with
        filler words, words no question has, and typos of subject words.
        """
        rng = self.rng
        rare = self.words[len(COMMON) + len(DOMAIN) + 2000 :]  # the Zipf tail: in 0.15-0.3% of questions each
        filler = ["how do i", "why does", "best way to", "help with", "anyone know", "getting error with", "is it ok"]

        def typo(word: str) -> str:
            i = rng.randrange(len(word) - 1)
            return rng.choice([
                word[:i] + word[i + 1 :],  # a letter left out
                word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :],  # one mistyped
                word[:i] + word[i + 1] + word[i] + word[i + 2 :],  # two swapped
            ])

        makers = [
            (20, lambda: rng.choice(DOMAIN)),
            (20, lambda: " ".join(rng.sample(DOMAIN, 2))),
            (10, lambda: " ".join(rng.sample(DOMAIN, 3))),
            (8, lambda: rng.choice(rare)),
            (8, lambda: f"{rng.choice(DOMAIN)} {rng.choice(rare)}"),
            (10, lambda: f"{rng.choice(filler)} {' '.join(rng.sample(DOMAIN, rng.randint(1, 2)))}"),
            (6, lambda: f"{rng.choice(DOMAIN)} {rng.choice(DOMAIN)} {rng.choice(COMMON[30:])}"),
            (8, lambda: "".join(rng.choices(string.ascii_lowercase, k=rng.randint(5, 9)))),
            (10, lambda: " ".join(typo(w) for w in rng.sample(DOMAIN, rng.randint(1, 2)))),
        ]
        weights = [w for w, _ in makers]
        out: dict[str, None] = {}
        while len(out) < n:
            make = rng.choices(makers, weights=weights)[0][1]
            out[make()] = None
        return list(out)


_INSERT = (
    "INSERT INTO qa_questions (thread_id, guild_id, channel_id, asker_id, title, body, tags, source, state,"
    " created_at, last_activity_at, reply_count, solved_at, answer_message_id, answer_author_id, answer_text,"
    " answer_marked_at, archived_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


async def bulk_load(db: Database, corpus: Corpus, rows: int, now: int) -> float:
    """Synthetic questions through the real table (its triggers fill the index); returns rows/s."""
    started = time.perf_counter()
    chunk = 50_000
    for offset in range(0, rows, chunk):
        batch = [corpus.row(i, now) for i in range(offset, min(rows, offset + chunk))]
        async with db.transaction() as tx:
            await tx.executemany(_INSERT, batch)
            await tx.executemany(
                "INSERT INTO qa_question_tags (thread_id, guild_id, tag) VALUES (?, ?, ?)",
                [(r[0], r[1], tag) for r in batch for tag in r[6].split("\n") if tag],
            )
    return rows / (time.perf_counter() - started)


async def _recording(db: Database, corpus: Corpus, n: int, now: int) -> dict[str, float]:
    """Questions/s through QAStore.add_question vs a bare INSERT, one transaction per question each."""
    store = QAStore(db)
    timing = Timing.from_settings(QASettings())
    await db.execute("DROP TABLE IF EXISTS bench_plain")
    await db.execute(
        "CREATE TABLE bench_plain (thread_id INTEGER PRIMARY KEY, guild_id INTEGER, channel_id INTEGER,"
        " asker_id INTEGER, title TEXT, body TEXT, tags TEXT, source TEXT, created_at INTEGER)"
    )
    base = THREAD_BASE + 10**9
    await db.execute("DELETE FROM qa_questions WHERE thread_id >= ?", (base,))  # a kept database, run again
    rows = [corpus.row(i, now) for i in range(n)]
    questions = [
        NewQuestion(base + i, GUILD, FORUM, r[3], r[4], r[5], [t for t in r[6].split("\n") if t], "ask", now)
        for i, r in enumerate(rows)
    ]
    started = time.perf_counter()
    for q in questions:
        await store.add_question(q, timing)
    store_rate = n / (time.perf_counter() - started)
    started = time.perf_counter()
    for q in questions:
        await db.execute(
            "INSERT INTO bench_plain VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (q.thread_id, q.guild_id, q.channel_id, q.asker_id, q.title, q.body, "\n".join(q.tags), q.source, now),
        )
    bare_rate = n / (time.perf_counter() - started)
    # the hot path of a busy forum: a reply in a question thread (no Message Content needed)
    started = time.perf_counter()
    for i, q in enumerate(questions):
        await store.record_message(q.thread_id, base + 10**6 + i, 42, now + 60, timing)
    reply_rate = n / (time.perf_counter() - started)
    started = time.perf_counter()
    for q in questions:
        await db.execute("UPDATE bench_plain SET created_at = ? WHERE thread_id = ?", (now + 60, q.thread_id))
    bare_update_rate = n / (time.perf_counter() - started)
    await db.execute("DELETE FROM qa_questions WHERE thread_id >= ?", (base,))
    await db.execute("DROP TABLE bench_plain")
    return {
        "store_questions_per_s": store_rate,
        "bare_insert_per_s": bare_rate,
        "store_replies_per_s": reply_rate,
        "bare_update_per_s": bare_update_rate,
    }


# --- the variants measured side by side, on every query ---------------------------------------------------------------

Call = Callable[[str], Awaitable[Any]]

_OLD_RANKED = (
    "SELECT q.thread_id, q.channel_id, q.title, q.state = 'solved', q.answer_message_id, q.answer_author_id,"
    " q.created_at, q.tags FROM ("
    "   SELECT f.rowid AS id, f.rank AS score FROM qa_search f JOIN qa_questions w ON w.thread_id = f.rowid"
    "   WHERE f.qa_search MATCH ? AND w.guild_id = ? ORDER BY f.rowid DESC LIMIT 500"
    " ) AS m JOIN qa_questions q ON q.thread_id = m.id ORDER BY m.score LIMIT ?"
)


class Bm25Search:
    """/qa search as it was before, for the comparison: bm25 over the newest 500 matches of the server (bm25 first
    counts every question holding each word), FTS5's snippet() in a second statement, and the any-word query
    whenever no question had all words."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def _run(self, expression: str, guild_id: int, limit: int) -> list[Any]:
        rows = await self.db.fetch(_OLD_RANKED, (expression, guild_id, limit))
        if rows:
            marks = ", ".join("?" for _ in rows)
            await self.db.fetch(
                f"SELECT rowid, snippet(qa_search, -1, ?, ?, '…', 16) FROM qa_search"
                f" WHERE qa_search MATCH ? AND rowid IN ({marks})",
                ("\x02", "\x03", expression, *[row[0] for row in rows]),
            )
        return rows

    async def search(self, guild_id: int, query: str, limit: int = 8) -> list[Any]:
        strict = match_expression(query)
        if strict is None:
            return []
        hits = await self._run(strict, guild_id, limit)
        if hits or len(search_terms(query)) < 2:
            return hits
        return await self._run(match_expression(query, any_term=True) or strict, guild_id, limit)


class TsRankSearch:
    """The plain PostgreSQL way, for the comparison: ts_rank (weights 8:3:2:1) over the newest 500 matches, then
    ts_headline for the snippets, the any-word query when no question had all words."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def _run(self, query_sql: str, words: list[str], guild_id: int, limit: int) -> list[Any]:
        rows = await self.db.fetch(
            f"SELECT m.thread_id, ts_headline('qa_english', q.body, {query_sql}) FROM ("
            f" SELECT thread_id, document FROM qa_search WHERE guild_id = ? AND document @@ {query_sql}"
            " ORDER BY thread_id DESC LIMIT 500) AS m JOIN qa_questions q ON q.thread_id = m.thread_id"
            f" ORDER BY ts_rank('{{0.1, 0.2, 0.3, 0.8}}', m.document, {query_sql}) DESC LIMIT ?",
            (*words, guild_id, *words, *words, limit),
        )
        return rows

    async def search(self, guild_id: int, query: str, limit: int = 8) -> list[Any]:
        words = search_terms(query)
        if not words:
            return []
        hits = await self._run("plainto_tsquery('qa_english', ?)", [" ".join(words)], guild_id, limit)
        if hits or len(words) < 2:
            return hits
        any_word = "(" + " || ".join("plainto_tsquery('qa_english', ?)" for _ in words) + ")"
        return await self._run(any_word, words, guild_id, limit)


def variants(db: Database) -> dict[str, Call]:
    """Name -> one search. The first is the bot's; "bare MATCH" is the baseline every ratio is taken against."""
    search = QuestionSearch(db)
    narrow, wide = QuestionSearch(db, rank_window=16), QuestionSearch(db, rank_window=64)
    out: dict[str, Call] = {
        "search": lambda q: search.search(GUILD, q),
        "search, window 16": lambda q: narrow.search(GUILD, q),
        "search, window 64": lambda q: wide.search(GUILD, q),
        # a fresh QuestionSearch per query: every word of a multi-word query counted (up to DF_CAP) on the way
        "search, no cached counts": lambda q: QuestionSearch(db).search(GUILD, q),
    }
    if db.backend == "sqlite":
        old = Bm25Search(db)
        out["bm25 window 500 + snippet() (before)"] = lambda q: old.search(GUILD, q)
        out["bare MATCH"] = lambda q: db.fetch(
            "SELECT rowid FROM qa_search WHERE qa_search MATCH ? LIMIT 8", (match_expression(q),)
        )
    else:
        plain = TsRankSearch(db)
        out["ts_rank window 500 + ts_headline"] = lambda q: plain.search(GUILD, q)
        out["bare MATCH"] = lambda q: db.fetch(
            "SELECT thread_id FROM qa_search WHERE document @@ plainto_tsquery('qa_english', ?) LIMIT 8",
            (" ".join(search_terms(q)),),
        )
    return out


async def measure(calls: dict[str, Call], queries: list[str]) -> dict[str, dict[str, float]]:
    """Each query through every variant in turn (the order rotating), so a neighbour's burst of CPU falls on all of
    them alike: wall-clock milliseconds per search, and CPU milliseconds of this process (the database threads
    included) per search."""
    names = list(calls)
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for i, query in enumerate(queries):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            started_cpu, started = time.process_time(), time.perf_counter()
            await calls[name](query)
            wall[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - started_cpu) * 1000)
    return {
        name: {"p50_ms": pct(wall[name], 50), "p90_ms": pct(wall[name], 90), "p99_ms": pct(wall[name], 99),
               "mean_ms": statistics.mean(wall[name]), "cpu_mean_ms": statistics.mean(cpu[name])}
        for name in names
    }


async def _open(target: str | None, keep: Path | None, folder: Path) -> Database:
    if target:
        return await Database.open(target)
    return await Database.open((keep or folder) / "qa-bench.db")


async def _stored(db: Database) -> int:
    exists = (
        "SELECT COUNT(*) FROM sqlite_master WHERE name = 'qa_questions'" if db.backend == "sqlite"
        else "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'qa_questions'"
    )
    if not await db.fetchval(exists):
        return -1
    return int(await db.fetchval("SELECT COUNT(*) FROM qa_questions"))


async def run(rows: int, queries: int, record: int, keep: Path | None, target: str | None) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="qa-bench-"))
    corpus = Corpus(SEED)
    now = int(time.time())
    db = await _open(target, keep, folder)
    try:
        stored = await _stored(db)
        load_s = float("nan")
        if stored < rows:
            if stored < 0:
                await db.migrate(all_migrations(feature_packages()))
            started = time.perf_counter()
            await bulk_load(db, corpus, rows, now)
            load_s = time.perf_counter() - started
            if db.backend == "postgresql":
                await db.execute("VACUUM ANALYZE qa_search")
                await db.execute("ANALYZE qa_questions")
        stored = await _stored(db)
        typed = [q for q in Corpus(SEED + 1).queries(queries) if search_terms(q)]
        calls = variants(db)
        # warm the page cache and the word counts as a running bot's are, with other queries than the measured ones
        for q in Corpus(SEED + 2).queries(200):
            for call in calls.values():
                await call(q)
        measured = await measure(calls, typed)
        search = QuestionSearch(db)
        outcomes = [await search.search(GUILD, q) for q in typed]
        extra: dict[str, Any] = {}
        if db.backend == "sqlite":
            # the naive ranking: bm25 over every match of the guild (no window), snippet left out; 100 queries
            extra["bm25 over every match"] = (await measure({"bm25 over every match": lambda q: db.fetch(
                "SELECT q.thread_id FROM qa_search JOIN qa_questions q ON q.thread_id = qa_search.rowid"
                " WHERE qa_search MATCH ? AND q.guild_id = ? ORDER BY qa_search.rank LIMIT 8",
                (match_expression(q), GUILD))}, typed[:100]))["bm25 over every match"]
            like_slice = 20_000
            extra["like"] = (await measure({"like": lambda q: db.fetch(
                "SELECT thread_id FROM qa_questions WHERE thread_id < ? AND guild_id = ? AND "
                + " AND ".join("(title LIKE ? OR body LIKE ? OR answer_text LIKE ?)" for _ in q.split())
                + " ORDER BY created_at DESC LIMIT 8",
                (THREAD_BASE + like_slice, GUILD, *[f"%{w}%" for w in q.split() for _ in range(3)]),
            )}, typed[: max(20, queries // 10)]))["like"]
            extra["like_scan_rows"] = like_slice
            extra.update(await _recording(db, corpus, record, now))
        size = await db.size_bytes()
    finally:
        await db.close()
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "backend": db.backend,
        "questions": stored,
        "queries": len(typed),
        "bulk_load_s": load_s,
        "database_mib": size / 2**20,
        "variants": measured,
        "loose_share": sum(loose for _, loose in outcomes) / len(outcomes),
        "no_hit_share": sum(not hits for hits, _ in outcomes) / len(outcomes),
        "mean_hits": statistics.mean(len(hits) for hits, _ in outcomes),
        **extra,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 questions instead of 1,000,000")
    parser.add_argument("--rows", type=int, help="how many questions to store")
    parser.add_argument("--queries", type=int, help="how many distinct queries to measure (300 quick, 1000 full)")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the SQLite database in this folder")
    parser.add_argument("--database", help="a postgresql:// URL: measure on PostgreSQL (the database is kept, and"
                        " reused when it holds enough questions)")
    args = parser.parse_args()
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    queries = args.queries or (300 if args.quick else 1000)
    record = 1000 if args.quick else 3000
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    r = asyncio.run(run(rows, queries, record, args.keep, args.database))
    v = r["variants"]
    ours, bare = v["search"], v["bare MATCH"]
    before_name = next(name for name in v if name.endswith("(before)") or name.startswith("ts_rank"))
    before = v[before_name]
    count = f"{r['questions']:,}"
    engine = "SQLite" if r["backend"] == "sqlite" else "PostgreSQL"
    r["headline"] = [
        {"figure": f"search over {count} questions ({engine}), p50", "value": f"{ours['p50_ms']:.2f} ms",
         "baseline": "the bare MATCH (no ranking, join or snippet), same queries, same run",
         "ratio": ours["p50_ms"] / bare["p50_ms"]},
        {"figure": f"search over {count} questions ({engine}), p99", "value": f"{ours['p99_ms']:.2f} ms",
         "baseline": "the bare MATCH", "ratio": ours["p99_ms"] / bare["p99_ms"]},
        {"figure": f"search over {count} questions ({engine}), CPU per search",
         "value": f"{ours['cpu_mean_ms']:.2f} ms", "baseline": before_name,
         "ratio": ours["cpu_mean_ms"] / before["cpu_mean_ms"]},
    ]
    if "store_questions_per_s" in r:
        r["headline"].append(
            {"figure": "recording a question through the Q&A store", "value": f"{r['store_questions_per_s']:,.0f}/s",
             "baseline": "a bare INSERT, one transaction each",
             "ratio": r["store_questions_per_s"] / r["bare_insert_per_s"], "higher_is_better": True})
    table = [
        ("variant", "p50 ms", "p99 ms", "mean ms", "CPU ms / search", "p50 / bare", "mean / bare", "CPU / bare"),
        *[
            (name, f"{x['p50_ms']:.2f}", f"{x['p99_ms']:.2f}", f"{x['mean_ms']:.2f}", f"{x['cpu_mean_ms']:.2f}",
             f"{x['p50_ms'] / bare['p50_ms']:.1f}×", f"{x['mean_ms'] / bare['mean_ms']:.1f}×",
             f"{x['cpu_mean_ms'] / bare['cpu_mean_ms']:.1f}×")
            for name, x in v.items()
        ],
    ]
    for name in ("bm25 over every match", "like"):
        if name in r:
            x = r[name]
            label = f"LIKE scan of {r['like_scan_rows']:,} rows" if name == "like" else f"{name} (100 queries)"
            table.append((label, f"{x['p50_ms']:.2f}", f"{x['p99_ms']:.2f}", f"{x['mean_ms']:.2f}",
                          f"{x['cpu_mean_ms']:.2f}", "", "", ""))
    notes = [
        f"{engine}, {count} questions, {r['queries']} distinct queries; no hit {r['no_hit_share']:.0%},"
        f" any-word results {r['loose_share']:.0%}, {r['mean_hits']:.1f} hits on average",
        f"database {r['database_mib']:,.0f} MiB"
        + (f", built in {r['bulk_load_s']:.0f} s" if r["bulk_load_s"] == r["bulk_load_s"] else ", reused"),
    ]
    if "store_questions_per_s" in r:
        notes.append(
            f"recording via QAStore {r['store_questions_per_s']:,.0f} questions/s"
            f" ({r['store_questions_per_s'] / r['bare_insert_per_s']:.2f}× bare INSERT);"
            f" reply activity {r['store_replies_per_s']:,.0f}/s"
            f" ({r['store_replies_per_s'] / r['bare_update_per_s']:.2f}× bare UPDATE)")
    r["notes"] = notes
    name = "qa_search" if r["backend"] == "sqlite" else "qa_search_postgresql"
    write_results(name, r, table, quick=args.quick)
    print("\n".join(notes))


if __name__ == "__main__":
    main()
