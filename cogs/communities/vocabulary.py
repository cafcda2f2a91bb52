"""The shared vocabulary of roles, levels, topics, regions and platforms: stable keys and display labels.

Onboarding stores these keys in a member's profile and the directory file uses them, so a key never changes
once shipped; labels and aliases may. Everything here is plain data, importable without Discord.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Term:
    """One word of the vocabulary: a stable key, what people read, and other ways people write it."""

    key: str
    label: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    plural: str = ""  # roles only: "data engineers", for "serves data engineers"

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every normalised way of writing this term, the key first."""
        return tuple(dict.fromkeys(normalise(s) for s in (self.key, self.label, *self.aliases)))


@dataclass(frozen=True)
class Vocabulary:
    """An ordered set of terms with lookup by key, label or alias."""

    name: str  # "role", "topic", ... (used in messages)
    terms: tuple[Term, ...]
    _index: dict[str, Term] = field(init=False, repr=False, compare=False)
    _bits: dict[str, int] = field(init=False, repr=False, compare=False)
    _by_key: dict[str, Term] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Term] = {}
        for term in self.terms:
            for spelling in term.spellings:
                if index.setdefault(spelling, term) is not term:
                    raise ValueError(f"{self.name} vocabulary: {spelling!r} names two terms")
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_bits", {term.key: 1 << n for n, term in enumerate(self.terms)})
        object.__setattr__(self, "_by_key", {term.key: term for term in self.terms})

    def __contains__(self, key: object) -> bool:
        return key in self._bits

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(term.key for term in self.terms)

    def bit(self, key: str) -> int:
        """The key's bit in a mask (0 for an unknown key)."""
        return self._bits.get(key, 0)

    def mask(self, keys: Iterable[str]) -> int:
        """Keys as one integer with a bit per term, so overlaps are an AND and a bit count."""
        mask = 0
        for key in keys:
            mask |= self._bits.get(key, 0)
        return mask

    def get(self, key: str) -> Term | None:
        """The term with exactly this key."""
        return self._by_key.get(key)

    def label(self, key: str) -> str:
        """A key's display label; an unknown key is shown as it is."""
        term = self.get(key)
        return term.label if term else key

    def resolve(self, text: str) -> Term | None:
        """The term a person meant by a key, label or alias (case, spaces and dashes ignored)."""
        return self._index.get(normalise(text))

    def resolve_fuzzy(self, text: str, cutoff: float = 0.8) -> Term | None:
        """Like resolve, but also forgives a typo ("machin learning")."""
        exact = self.resolve(text)
        if exact is not None or not normalise(text):
            return exact
        close = difflib.get_close_matches(normalise(text), list(self._index), n=1, cutoff=cutoff)
        return self._index[close[0]] if close else None

    def search(self, text: str, limit: int = 25) -> list[Term]:
        """Terms matching the text: key or label prefix first, then alias prefix, then anywhere; all for ''."""
        needle = normalise(text)
        if not needle:
            return list(self.terms)[:limit]

        def rank(term: Term) -> int:
            spellings = term.spellings
            if normalise(term.key).startswith(needle) or normalise(term.label).startswith(needle):
                return 0
            if any(s.startswith(needle) for s in spellings):
                return 1
            return 2 if any(needle in s for s in spellings) else 3

        ranked = sorted((rank(term), index) for index, term in enumerate(self.terms))
        return [self.terms[index] for score, index in ranked if score < 3][:limit]


_SEPARATORS = re.compile(r"[\s_\-/.]+")


def normalise(text: str) -> str:
    """Lower case, with runs of spaces, dashes, underscores, dots and slashes as one space."""
    return _SEPARATORS.sub(" ", text.casefold()).strip()


ROLES = Vocabulary(
    "role",
    (
        Term("data-scientist", "Data scientist", aliases=("ds", "data science"), plural="data scientists"),
        Term("data-engineer", "Data engineer", aliases=("de",), plural="data engineers"),
        Term("data-analyst", "Data analyst", aliases=("analyst", "bi analyst"), plural="data analysts"),
        Term(
            "ml-engineer",
            "ML engineer",
            aliases=("machine learning engineer", "mle", "ai engineer"),
            plural="ML engineers",
        ),
        Term("analytics-engineer", "Analytics engineer", aliases=("ae",), plural="analytics engineers"),
        Term(
            "data-product-manager",
            "Data product manager",
            aliases=("product manager", "pm", "data pm"),
            plural="data product managers",
        ),
        Term("researcher", "Researcher", aliases=("scientist", "academic", "phd"), plural="researchers"),
        Term(
            "student",
            "Student / enthusiast",
            aliases=("enthusiast", "learner", "beginner"),
            plural="students and enthusiasts",
        ),
        Term("other", "Other", plural="everyone else in data"),
    ),
)

LEVELS = Vocabulary(
    "level",
    (
        Term("new-to-data", "New to data", "just starting out", aliases=("new", "beginner level", "starting")),
        Term("early-career", "Early career", "a few years in", aliases=("junior", "early", "intermediate")),
        Term("experienced", "Experienced", "senior practitioners and leads", aliases=("senior", "expert", "lead")),
    ),
)

TOPICS = Vocabulary(
    "topic",
    (
        Term(
            "data-science",
            "Data science",
            "statistics, modelling and experiments",
            aliases=("statistics", "stats", "modelling"),
        ),
        Term(
            "machine-learning",
            "Machine learning",
            "training and evaluating models",
            aliases=("ml", "deep learning", "dl", "ai", "artificial intelligence"),
        ),
        Term(
            "mlops",
            "MLOps",
            "taking models to production: pipelines, deployment, monitoring",
            aliases=("ml ops", "ml engineering", "model deployment", "ml in production"),
        ),
        Term(
            "data-engineering",
            "Data engineering",
            "pipelines, warehouses, orchestration and streaming",
            aliases=("etl", "pipelines", "big data", "spark", "airflow"),
        ),
        Term(
            "analytics",
            "Data analysis",
            "dashboards, BI, SQL and spreadsheets",
            aliases=(
                "data analysis",
                "data analytics",
                "bi",
                "business intelligence",
                "dashboards",
                "sql",
                "excel",
                "power bi",
                "tableau",
            ),
        ),
        Term(
            "analytics-engineering",
            "Analytics engineering",
            "modelling data in the warehouse with dbt",
            aliases=("dbt", "data modelling", "data modeling"),
        ),
        Term(
            "nlp",
            "NLP",
            "language technology: text, speech and translation",
            aliases=(
                "natural language processing",
                "language",
                "languages",
                "text",
                "llm",
                "llms",
                "large language models",
            ),
        ),
        Term("computer-vision", "Computer vision", "images and video", aliases=("cv", "vision", "images")),
        Term("audio", "Audio and speech", "speech recognition, sound and music", aliases=("speech", "sound")),
        Term(
            "research",
            "AI research",
            "papers, open questions and fundamental research",
            aliases=("ai research", "ml research", "papers"),
        ),
        Term(
            "open-source",
            "Open source",
            "building and contributing to open projects",
            aliases=("oss", "open source software", "contributing"),
        ),
        Term(
            "competitions",
            "Competitions",
            "hackathons and data challenges with leaderboards",
            aliases=("competition", "hackathons", "hackathon", "challenges", "kaggle"),
        ),
        Term("datasets", "Datasets", "finding and publishing data", aliases=("data sets", "open data")),
        Term(
            "learning",
            "Courses and learning",
            "free courses, study groups and tutorials",
            aliases=("courses", "course", "education", "tutorials", "bootcamp", "zoomcamp"),
        ),
        Term(
            "careers",
            "Careers and jobs",
            "career advice, job posts and mentoring",
            aliases=("career", "jobs", "job", "mentoring", "mentorship", "hiring"),
        ),
        Term(
            "events",
            "Meetups and events",
            "meetups, talks and conferences",
            aliases=("meetups", "meetup", "conferences", "talks", "webinars"),
        ),
        Term(
            "low-code",
            "Low-code and no-code",
            "tools that need little or no programming",
            aliases=("no code", "nocode", "lowcode"),
        ),
        Term(
            "data-management",
            "Data management",
            "governance, quality and versioning of data",
            aliases=("data governance", "data quality", "data versioning", "versioning"),
        ),
    ),
)

REGIONS = Vocabulary(
    "region",
    (
        Term(
            "global",
            "Worldwide (online)",
            "open to anyone, anywhere",
            aliases=("worldwide", "online", "anywhere", "international", "remote", "world"),
        ),
        Term(
            "africa",
            "Africa",
            aliases=(
                "nigeria",
                "lagos",
                "kenya",
                "nairobi",
                "ghana",
                "accra",
                "south africa",
                "egypt",
                "ethiopia",
                "rwanda",
                "uganda",
                "tanzania",
                "senegal",
            ),
        ),
        Term("north-america", "North America", aliases=("usa", "us", "united states", "canada", "toronto", "mexico")),
        Term(
            "latin-america",
            "Latin America",
            aliases=("latam", "south america", "brazil", "argentina", "colombia", "chile", "peru"),
        ),
        Term(
            "europe",
            "Europe",
            aliases=("eu", "uk", "united kingdom", "germany", "france", "spain", "italy", "netherlands", "poland"),
        ),
        Term("middle-east", "Middle East", aliases=("mena", "uae", "saudi arabia", "turkey", "israel")),
        Term(
            "asia",
            "Asia",
            aliases=(
                "india",
                "china",
                "japan",
                "singapore",
                "indonesia",
                "pakistan",
                "bangladesh",
                "philippines",
                "vietnam",
                "korea",
            ),
        ),
        Term("oceania", "Oceania", aliases=("australia", "new zealand")),
    ),
)

PLATFORMS = Vocabulary(
    "platform",
    (
        Term("slack", "Slack"),
        Term("discord", "Discord"),
        Term("telegram", "Telegram"),
        Term("meetup", "Meetup", aliases=("meetup.com",)),
        Term("forum", "Forum", aliases=("discourse", "forums")),
        Term(
            "website", "Website", "a sign-up page or form on the community's own site", aliases=("web", "site", "form")
        ),
    ),
)

ACCESS = Vocabulary(
    "access",
    (
        Term("open", "Open to anyone", aliases=("public",)),
        Term("application", "By application", aliases=("apply", "invite", "invitation")),
    ),
)

COSTS = Vocabulary(
    "cost",
    (
        Term("free", "Free"),
        Term("freemium", "Free, with paid extras"),
        Term("paid", "Paid"),
    ),
)

# Plain lists for other features (onboarding) that only need keys and labels.
ROLE_KEYS = ROLES.keys
LEVEL_KEYS = LEVELS.keys
TOPIC_KEYS = TOPICS.keys
REGION_KEYS = REGIONS.keys
