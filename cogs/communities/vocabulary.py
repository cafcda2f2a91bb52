"""The shared vocabulary of roles, levels, topics, regions and platforms: stable keys and display labels.

Onboarding stores these keys in a member's profile and the directory file uses them, so a key never changes
once shipped; labels and aliases may. Everything here is plain data, importable without Discord.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

_SEPARATORS = re.compile(r"[\s_\-/.]+")
_PUNCTUATION = re.compile(r"[!?,;:'\"’()\[\]]+")
FUZZY_CUTOFF = 0.82  # "perth" is 0.80 from "earth"; "singapur" 0.82 from "singapore"
MIN_FUZZY_LENGTH = 4  # shorter words ("us", "mid", "ml") must be typed exactly
# Words people put around a term: "I'm a beginner", "based in Nigeria", "senior level". Longest first.
_FILLER_BEFORE = tuple(
    sorted(
        (
            "i am a", "i am an", "im a", "im an", "i m a", "i m an", "i am", "im", "i m", "a", "an", "the",
            "i live in", "i m in", "im in", "i am in", "living in", "based in", "located in", "from", "in",
            "i work in", "i work as a", "i work as an", "i work as", "working as a", "working as an", "working as",
        ),
        key=len,
        reverse=True,
    )
)
_FILLER_AFTER = ("level", "here", "based", "please", "thanks")


def normalise(text: str) -> str:
    """Lower case, with runs of spaces, dashes, underscores, dots and slashes as one space."""
    return _SEPARATORS.sub(" ", text.casefold()).strip()


def strip_filler(plain: str) -> str:
    """A normalised phrase without the words people put around a term ("i m a beginner" -> "beginner")."""
    changed = True
    while changed and plain:
        changed = False
        for words in _FILLER_BEFORE:
            if plain.startswith(words + " "):
                plain, changed = plain[len(words) + 1 :], True
                break
        for words in _FILLER_AFTER:
            if plain.endswith(" " + words):
                plain, changed = plain[: -len(words) - 1], True
                break
    return plain


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

    def lookup(self, text: str, *, fuzzy: bool = True, cutoff: float = FUZZY_CUTOFF) -> Term | None:
        """The one forgiving lookup every command and onboarding use: what people type, as a term or None.

        In order: a key, label or alias as typed ("Senior", "data-engineer"); the same without the words around
        it ("I'm a beginner", "based in Nigeria", "senior level"); each comma-separated piece, the last first
        ("Toronto, Canada"); then, with `fuzzy`, the nearest spelling of 4 or more letters ("Phillipines",
        "machin learning"). Short words must match exactly, so "usb" is not "us".
        """
        plain = normalise(_PUNCTUATION.sub(" ", text))
        if not plain:
            return None
        candidates = [normalise(text), plain, strip_filler(plain)]
        pieces = [normalise(_PUNCTUATION.sub(" ", piece)) for piece in re.split(r"[,;]", text)]
        if len(pieces) > 1:  # "Toronto, Canada": each piece, the last (the widest) first
            candidates += [c for piece in reversed(pieces) for c in (piece, strip_filler(piece)) if c]
        candidates = list(dict.fromkeys(candidates))
        for candidate in candidates:
            found = self._index.get(candidate)
            if found is not None:
                return found
        if not fuzzy:
            return None
        long_spellings = [spelling for spelling in self._index if len(spelling) >= MIN_FUZZY_LENGTH]
        for candidate in candidates:
            if len(candidate) < MIN_FUZZY_LENGTH:
                continue
            close = difflib.get_close_matches(candidate, long_spellings, n=1, cutoff=cutoff)
            if close:
                return self._index[close[0]]
        return None

    def resolve_fuzzy(self, text: str, cutoff: float = FUZZY_CUTOFF) -> Term | None:
        """Like resolve, but also forgives a typo ("machin learning") and the words around a term (see lookup)."""
        return self.lookup(text, cutoff=cutoff)

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
        Term(
            "new-to-data",
            "New to data",
            "just starting out",
            aliases=(
                "new", "beginner", "beginners", "beginner level", "complete beginner", "total beginner", "newbie",
                "noob", "novice", "starting", "starter", "just starting", "just starting out", "getting started",
                "entry level", "no experience", "still learning", "learning", "fresher", "new to data science",
            ),
        ),
        Term(
            "early-career",
            "Early career",
            "a few years in",
            aliases=(
                "junior", "jr", "early", "intermediate", "mid", "mid level", "mid career", "midlevel", "graduate",
                "recent graduate", "new grad", "grad", "associate", "a few years", "few years in",
            ),
        ),
        Term(
            "experienced",
            "Experienced",
            "senior practitioners and leads",
            aliases=(
                "senior", "sr", "expert", "lead", "tech lead", "team lead", "principal", "staff", "advanced",
                "veteran", "seasoned", "head of data", "experienced professional",
            ),
        ),
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


def _places(text: str) -> tuple[str, ...]:
    """Countries, cities and demonyms of a region, one per line group, comma-separated."""
    return tuple(place.strip() for place in text.split(",") if place.strip())


REGIONS = Vocabulary(
    "region",
    (
        Term(
            "global",
            "Worldwide (online)",
            "open to anyone, anywhere",
            aliases=("worldwide", "online", "anywhere", "international", "remote", "world", "global", "everywhere"),
        ),
        Term(
            "africa",
            "Africa",
            aliases=_places(
                "african, nigeria, nigerian, naija, lagos, abuja, kenya, kenyan, kenia, nairobi, ghana, ghanaian,"
                "accra,"
                "south africa, south african, johannesburg, joburg, cape town, egypt, egyptian, cairo, ethiopia,"
                "ethiopian, addis ababa, rwanda, kigali, uganda, ugandan, kampala, tanzania, dar es salaam, senegal,"
                "dakar, morocco, casablanca, algeria, tunisia, cameroon, ivory coast, cote d ivoire, zimbabwe, harare,"
                "zambia, lusaka, botswana, namibia, mozambique, malawi, angola, sudan, somalia, benin, togo, mali,"
                "burkina faso, niger, congo, drc, kinshasa, madagascar, mauritius, sierra leone, liberia, gambia,"
                "libya, east africa, west africa, north africa, sub saharan africa"
            ),
        ),
        Term(
            "north-america",
            "North America",
            aliases=_places(
                "usa, us, u s, u s a, united states, united states of america, america, american, the states,"
                "new york, nyc, san francisco, sf, bay area, silicon valley, seattle, boston, chicago, los angeles,"
                "austin, texas, california, canada, canadian, toronto, vancouver, montreal, ottawa, mexico, mexican"
            ),
        ),
        Term(
            "latin-america",
            "Latin America",
            aliases=_places(
                "latam, latinoamerica, latino america, south america, central america, caribbean, brazil, brasil,"
                "brazilian, sao paulo, rio de janeiro, argentina, argentinian, buenos aires, colombia, colombian,"
                "bogota, medellin, chile, chilean, santiago, peru, peruvian, lima, venezuela, caracas, ecuador, quito,"
                "bolivia, la paz, uruguay, montevideo, paraguay, guatemala, costa rica, panama, cuba, havana,"
                "dominican republic, puerto rico, honduras, el salvador, nicaragua"
            ),
        ),
        Term(
            "europe",
            "Europe",
            aliases=_places(
                "eu, european, uk, u k, united kingdom, great britain, britain, england, english, london, manchester,"
                "scotland, edinburgh, wales, ireland, irish, dublin, germany, german, deutschland, berlin, munich,"
                "hamburg, france, french, paris, spain, spanish, espana, madrid, barcelona, italy, italian, rome,"
                "milan, netherlands, holland, dutch, amsterdam, poland, polish, warsaw, portugal, lisbon, sweden,"
                "stockholm, norway, oslo, denmark, copenhagen, finland, helsinki, switzerland, zurich, austria, vienna,"
                "belgium, brussels, czech republic, czechia, prague, hungary, budapest, romania, bucharest, greece,"
                "athens, ukraine, ukrainian, kyiv, kiev, serbia, belgrade, croatia, bulgaria, sofia, slovakia,"
                "slovenia, estonia, tallinn, latvia, riga, lithuania, vilnius, russia, moscow, iceland, luxembourg"
            ),
        ),
        Term(
            "middle-east",
            "Middle East",
            aliases=_places(
                "mena, uae, united arab emirates, emirates, dubai, abu dhabi, saudi arabia, saudi, ksa, riyadh,"
                "jeddah, turkey, turkiye, istanbul, ankara, israel, tel aviv, jordan, amman, lebanon, beirut, qatar,"
                "doha, kuwait, bahrain, oman, muscat, iran, tehran, iraq, baghdad, syria, palestine, yemen"
            ),
        ),
        Term(
            "asia",
            "Asia",
            aliases=_places(
                "asian, india, indian, bharat, bangalore, bengaluru, mumbai, bombay, delhi, new delhi, hyderabad,"
                "chennai, pune, kolkata, china, chinese, beijing, shanghai, shenzhen, japan, japanese, tokyo, osaka,"
                "south korea, korea, korean, seoul, singapore, singaporean, indonesia, indonesian, jakarta, pakistan,"
                "pakistani, karachi, lahore, islamabad, bangladesh, bangladeshi, dhaka, philippines, phillipines,"
                "philipines, filipino, manila, vietnam, viet nam, vietnamese, hanoi, ho chi minh city, saigon,"
                "thailand, thai, bangkok, malaysia, malaysian, kuala lumpur, sri lanka, colombo, nepal, kathmandu,"
                "taiwan, taipei, hong kong, kazakhstan, almaty, uzbekistan, tashkent, myanmar, cambodia, mongolia,"
                "south asia, southeast asia, east asia"
            ),
        ),
        Term(
            "oceania",
            "Oceania",
            aliases=_places(
                "australia, australian, aussie, sydney, melbourne, brisbane, perth, adelaide, canberra, new zealand,"
                "nz, kiwi, auckland, wellington, fiji, papua new guinea, pacific islands"
            ),
        ),
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
