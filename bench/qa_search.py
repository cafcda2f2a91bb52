"""Benchmark: /qa search over 1,000,000 stored questions, and how fast questions are recorded.

    python -m bench.qa_search            # 1,000,000 questions (a few minutes)
    python -m bench.qa_search --quick    # 100,000 questions (well under a minute)

Search figures go through the real path (QuestionSearch.search over aiosqlite: FTS5 MATCH, bm25 with
column weights, join to the questions for the guild filter and the links, snippet), against two
baselines measured in the same run on the same file: the raw FTS5 MATCH without ranking, join or
snippet, and a LIKE scan (what a bot without a full-text index does) over a 20,000-question slice.
Recording goes through QAStore.add_question (one transaction per question, tags, search index, due
time) against a bare INSERT of the same row into a plain table, one transaction each as well.
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
from pathlib import Path
from typing import Any

from bench.common import write_results
from bot.client import all_migrations
from bot.database import Database
from cogs.qa.models import NewQuestion
from cogs.qa.rules import Timing
from cogs.qa.search import QuestionSearch, match_expression
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
        """What members type: one to three words, domain words most often, some rare ones."""
        out = []
        for _ in range(n):
            k = self.rng.choice([1, 2, 2, 3])
            picks = [self.rng.choice(DOMAIN) if self.rng.random() < 0.7 else self.text(1, 1) for _ in range(k)]
            out.append(" ".join(picks))
        return out


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


async def _time_each(calls: list[Any]) -> list[float]:
    """Milliseconds per awaited call."""
    out = []
    for call in calls:
        started = time.perf_counter()
        await call()
        out.append((time.perf_counter() - started) * 1000)
    return out


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


async def run(rows: int, queries: int, record: int, keep: Path | None) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="qa-bench-"))
    path = (keep or folder) / "qa-bench.db"
    corpus = Corpus(SEED)
    now = int(time.time())
    db = await Database.open(path)
    try:
        reuse = keep is not None and await db.fetchval("SELECT COUNT(*) FROM sqlite_master WHERE name = 'qa_questions'")
        if reuse and await db.fetchval("SELECT COUNT(*) FROM qa_questions") >= rows:
            load_rate = float("nan")
        else:
            await db.migrate(all_migrations(["qa"]))
            load_rate = await bulk_load(db, corpus, rows, now)
        stored = await db.fetchval("SELECT COUNT(*) FROM qa_questions")
        search = QuestionSearch(db)
        typed = corpus.queries(queries)
        typed = [q for q in typed if match_expression(q)]
        for q in typed[:20]:  # warm the page cache as a running bot would be
            await search.search(GUILD, q)
        real = await _time_each([lambda q=q: search.search(GUILD, q) for q in typed])
        raw = await _time_each(
            [
                lambda q=q: db.fetchall(
                    "SELECT rowid FROM qa_search WHERE qa_search MATCH ? LIMIT 8",
                    (match_expression(q),),
                )
                for q in typed
            ]
        )
        # the naive ranking: bm25 over every match of the guild (no window), snippet left out
        ranked_all = await _time_each(
            [
                lambda q=q: db.fetchall(
                    "SELECT q.thread_id FROM qa_search JOIN qa_questions q ON q.thread_id = qa_search.rowid"
                    " WHERE qa_search MATCH ? AND q.guild_id = ? ORDER BY qa_search.rank LIMIT 8",
                    (match_expression(q), GUILD),
                )
                for q in typed
            ]
        )
        like_slice = 20_000
        like_queries = typed[: max(20, queries // 10)]
        first_id = THREAD_BASE
        like = await _time_each(
            [
                lambda q=q: db.fetchall(
                    "SELECT thread_id FROM qa_questions WHERE thread_id < ? AND guild_id = ? AND "
                    + " AND ".join("(title LIKE ? OR body LIKE ? OR answer_text LIKE ?)" for _ in q.split())
                    + " ORDER BY created_at DESC LIMIT 8",
                    (first_id + like_slice, GUILD, *[f"%{w}%" for w in q.split() for _ in range(3)]),
                )
                for q in like_queries
            ]
        )
        hits = [len((await search.search(GUILD, q))[0]) for q in typed[:100]]
        recording = await _recording(db, corpus, record, now)
        size = await db.size_bytes()
    finally:
        await db.close()
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return {
        "questions": stored,
        "queries": queries,
        "bulk_load_questions_per_s": load_rate,
        "database_mib": size / 2**20,
        "search_p50_ms": pct(real, 50),
        "search_p99_ms": pct(real, 99),
        "search_max_ms": max(real),
        "ranked_all_p50_ms": pct(ranked_all, 50),
        "ranked_all_p99_ms": pct(ranked_all, 99),
        "raw_match_p50_ms": pct(raw, 50),
        "raw_match_p99_ms": pct(raw, 99),
        "like_scan_rows": like_slice,
        "like_scan_p50_ms": pct(like, 50),
        "like_scan_p99_ms": pct(like, 99),
        "mean_hits": statistics.mean(hits),
        **recording,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 questions instead of 1,000,000")
    parser.add_argument("--rows", type=int, help="how many questions to store")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the database in this folder")
    args = parser.parse_args()
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    queries = 300 if args.quick else 1000
    record = 1000 if args.quick else 3000
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    r = asyncio.run(run(rows, queries, record, args.keep))
    count = f"{r['questions']:,}"
    r["headline"] = [
        {"figure": f"search over {count} questions, p50", "value": f"{r['search_p50_ms']:.2f} ms",
         "baseline": "the bare FTS5 MATCH (no ranking, join or snippet)",
         "ratio": r["search_p50_ms"] / r["raw_match_p50_ms"]},
        {"figure": f"search over {count} questions, p99", "value": f"{r['search_p99_ms']:.2f} ms",
         "baseline": "the bare FTS5 MATCH", "ratio": r["search_p99_ms"] / r["raw_match_p99_ms"]},
        {"figure": "recording a question through the Q&A store", "value": f"{r['store_questions_per_s']:,.0f}/s",
         "baseline": "a bare INSERT, one transaction each",
         "ratio": r["store_questions_per_s"] / r["bare_insert_per_s"], "higher_is_better": True},
    ]
    table = [
        ("measure", "value", "vs baseline"),
        ("questions stored", f"{r['questions']:,}", ""),
        (
            "/qa search p50",
            f"{r['search_p50_ms']:.2f} ms",
            f"{r['search_p50_ms'] / r['raw_match_p50_ms']:.1f}× raw MATCH",
        ),
        (
            "/qa search p99",
            f"{r['search_p99_ms']:.2f} ms",
            f"{r['search_p99_ms'] / r['raw_match_p99_ms']:.1f}× raw MATCH",
        ),
        ("raw FTS5 MATCH p50 / p99", f"{r['raw_match_p50_ms']:.2f} / {r['raw_match_p99_ms']:.2f} ms", "baseline"),
        (
            "bm25 over every match p50 / p99",
            f"{r['ranked_all_p50_ms']:.2f} / {r['ranked_all_p99_ms']:.2f} ms",
            f"search p99 is {r['ranked_all_p99_ms'] / r['search_p99_ms']:.1f}× faster",
        ),
        (
            f"LIKE scan of {r['like_scan_rows']:,} p50 / p99",
            f"{r['like_scan_p50_ms']:.2f} / {r['like_scan_p99_ms']:.2f} ms",
            f"search p50 {r['like_scan_p50_ms'] / r['search_p50_ms']:.0f}× faster, on"
            f" {r['questions'] // r['like_scan_rows']}× the rows",
        ),
        ("bulk load (executemany)", f"{r['bulk_load_questions_per_s']:,.0f} questions/s", ""),
        (
            "recording via QAStore",
            f"{r['store_questions_per_s']:,.0f} questions/s",
            f"{r['store_questions_per_s'] / r['bare_insert_per_s']:.2f}× bare INSERT ({r['bare_insert_per_s']:,.0f}/s)",
        ),
        (
            "reply activity via QAStore",
            f"{r['store_replies_per_s']:,.0f} replies/s",
            f"{r['store_replies_per_s'] / r['bare_update_per_s']:.2f}× bare UPDATE ({r['bare_update_per_s']:,.0f}/s)",
        ),
        ("database size", f"{r['database_mib']:,.0f} MiB", ""),
    ]
    write_results("qa_search", r, table, quick=args.quick)


if __name__ == "__main__":
    main()
