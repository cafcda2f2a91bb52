"""The shared vocabulary of roles, levels, topics, regions and platforms: stable keys and display labels.

Onboarding stores these keys in a member's profile and the directory file uses them, so a key never changes
once shipped; labels and aliases may. Everything here is plain data, importable without Discord.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from bot.i18n import N_, _

_SEPARATORS = re.compile(r"[\s_\-/.]+")
_PUNCTUATION = re.compile(r"[!?,;:'\"’()\[\]！？，；：、。“”‘’（）]+")
_PIECES = re.compile(r"[,;，；、]")
FUZZY_CUTOFF = 0.82  # "perth" is 0.80 from "earth"; "singapur" 0.82 from "singapore"
MIN_FUZZY_LENGTH = 4  # shorter words ("us", "mid", "ml") must be typed exactly
# Words people put around a term: "I'm a beginner", "based in Nigeria", "senior level". Longest first.
_FILLER_BEFORE: tuple[str, ...] = tuple(
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
_FILLER_AFTER: tuple[str, ...] = ("level", "here", "based", "please", "thanks")
# The same in French (typed with or without accents, apostrophes read as spaces) ...
_FILLER_BEFORE += tuple(
    sorted(
        (
            "je suis", "je suis un", "je suis une", "je suis en", "je suis au", "je suis a", "je suis à",
            "j habite en", "j habite au", "j habite a", "j habite à", "je vis en", "je vis au", "je vis à",
            "basé en", "basée en", "basé au", "basée au", "basé à", "basée à", "niveau", "un", "une", "le", "la", "au",
            "en", "à",
        ),
        key=len,
        reverse=True,
    )
)
_FILLER_AFTER += ("merci", "svp", "s il vous plaît")
# ... and in Chinese, written without spaces: "我是初学者", "我在非洲", "中级水平".
_FILLER_BEFORE_CJK = ("我是一名", "我是一个", "我住在", "我来自", "我是", "我在", "来自", "位于")
_FILLER_AFTER_CJK = ("水平", "级别", "地区")


def _places(text: str) -> tuple[str, ...]:
    """Countries, cities and demonyms of a region, one per line group, comma-separated."""
    return tuple(place.strip() for place in text.split(",") if place.strip())


def _spoken(terms: tuple[Term, ...], words: Mapping[str, str]) -> tuple[Term, ...]:
    """The terms with what members type in French and Chinese (comma-separated per key) as more spellings."""
    return tuple(replace(term, spoken=_places(words.get(term.key, ""))) for term in terms)


def comma_list(items: Iterable[str]) -> str:
    """Labels or phrases one after the other: "a, b, c" (in Chinese "a、b、c")."""
    return _(", ").join(items)


def quoted(text: str) -> str:
    """“text”, in the quotation marks of the language of the message being written."""
    return _("“{text}”").format(text=text)


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
        for words in _FILLER_BEFORE_CJK:
            if plain.startswith(words) and len(plain) > len(words):
                plain, changed = plain[len(words) :].strip(), True
                break
        for words in _FILLER_AFTER_CJK:
            if plain.endswith(words) and len(plain) > len(words):
                plain, changed = plain[: -len(words)].strip(), True
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
    # How members write it in the other languages the bot speaks (French, Chinese): its translated label and more.
    spoken: tuple[str, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every normalised way of writing this term, the key first."""
        return tuple(dict.fromkeys(normalise(s) for s in (self.key, self.label, *self.aliases, *self.spoken)))

    @property
    def shown(self) -> str:
        """The label in the language of the message being written (labels are in the catalogs: `N_()` above)."""
        return _(self.label)


@dataclass(frozen=True)
class Vocabulary:
    """An ordered set of terms with lookup by key, label or alias."""

    name: str  # "role", "topic", ... (used in messages)
    terms: tuple[Term, ...]
    # What members type in French and Chinese, per key, comma-separated: each translated label and common words.
    spoken: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    _index: dict[str, Term] = field(init=False, repr=False, compare=False)
    _bits: dict[str, int] = field(init=False, repr=False, compare=False)
    _by_key: dict[str, Term] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "terms", _spoken(self.terms, self.spoken))
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
        """A key's display label in the current language; an unknown key is shown as it is."""
        term = self.get(key)
        return _(term.label) if term else key

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
        pieces = [normalise(_PUNCTUATION.sub(" ", piece)) for piece in _PIECES.split(text)]
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
            if any(normalise(name).startswith(needle) for name in (term.key, term.label, term.shown)):
                return 0
            if any(s.startswith(needle) for s in spellings):
                return 1
            return 2 if any(needle in s for s in spellings) else 3

        ranked = sorted((rank(term), index) for index, term in enumerate(self.terms))
        return [self.terms[index] for score, index in ranked if score < 3][:limit]


_ROLE_WORDS = {
    "data-scientist": "scientifique des données, scientifique de données, 数据科学家",
    "data-engineer": "ingénieur de données, ingénieure de données, ingénieur données, ingénieur data, 数据工程师",
    "data-analyst": "analyste de données, analyste données, analyste data, analyste, 数据分析师, 分析师",
    "ml-engineer": (
        "ingénieur ml, ingénieure ml, ingénieur en apprentissage automatique, ingénieur ia, 机器学习工程师,"
        "算法工程师, 人工智能工程师"
    ),
    "analytics-engineer": "ingénieur analytics, ingénieure analytics, ingénieur analytique, 分析工程师",
    "data-product-manager": "chef de produit data, cheffe de produit data, chef de produit, 数据产品经理, 产品经理",
    "researcher": "chercheur, chercheuse, doctorant, doctorante, universitaire, 研究人员, 研究员, 学者, 博士",
    "student": (
        "étudiant / passionné, étudiant, étudiante, passionné, passionnée, apprenant, débutant, débutante,"
        "学生 / 爱好者, 学生, 爱好者, 初学者"
    ),
    "other": "autre, 其他",
}

ROLES = Vocabulary(
    "role",
    (
        Term("data-scientist", N_("Data scientist"), aliases=("ds", "data science"), plural=N_("data scientists")),
        Term("data-engineer", N_("Data engineer"), aliases=("de",), plural=N_("data engineers")),
        Term("data-analyst", N_("Data analyst"), aliases=("analyst", "bi analyst"), plural=N_("data analysts")),
        Term(
            "ml-engineer",
            N_("ML engineer"),
            aliases=("machine learning engineer", "mle", "ai engineer"),
            plural=N_("ML engineers"),
        ),
        Term("analytics-engineer", N_("Analytics engineer"), aliases=("ae",), plural=N_("analytics engineers")),
        Term(
            "data-product-manager",
            N_("Data product manager"),
            aliases=("product manager", "pm", "data pm"),
            plural=N_("data product managers"),
        ),
        Term("researcher", N_("Researcher"), aliases=("scientist", "academic", "phd"), plural=N_("researchers")),
        Term(
            "student",
            N_("Student / enthusiast"),
            aliases=("enthusiast", "learner", "beginner"),
            plural=N_("students and enthusiasts"),
        ),
        Term("other", N_("Other"), plural=N_("everyone else in data")),
    ),
    _ROLE_WORDS,
)

_LEVEL_WORDS = {
    "new-to-data": (
        "débutant, débutante, débutants, grand débutant, je débute, nouveau, nouvelle, sans expérience,"
        "数据新手, 新手, 初学者, 入门, 刚入门, 零基础, 小白"
    ),
    "early-career": (
        "début de carrière, intermédiaire, jeune diplômé, jeune diplômée, quelques années, 职业早期, 中级, 应届生,"
        "毕业生, 工作几年"
    ),
    "experienced": (
        "expérimenté, expérimentée, confirmé, confirmée, sénior, experte, avancé, avancée, 资深, 经验丰富, 高级,"
        "专家, 有经验"
    ),
}

LEVELS = Vocabulary(
    "level",
    (
        Term(
            "new-to-data",
            N_("New to data"),
            "just starting out",
            aliases=(
                "new", "beginner", "beginners", "beginner level", "complete beginner", "total beginner", "newbie",
                "noob", "novice", "starting", "starter", "just starting", "just starting out", "getting started",
                "entry level", "no experience", "still learning", "learning", "fresher", "new to data science",
            ),
        ),
        Term(
            "early-career",
            N_("Early career"),
            "a few years in",
            aliases=(
                "junior", "jr", "early", "intermediate", "mid", "mid level", "mid career", "midlevel", "graduate",
                "recent graduate", "new grad", "grad", "associate", "a few years", "few years in",
            ),
        ),
        Term(
            "experienced",
            N_("Experienced"),
            "senior practitioners and leads",
            aliases=(
                "senior", "sr", "expert", "lead", "tech lead", "team lead", "principal", "staff", "advanced",
                "veteran", "seasoned", "head of data", "experienced professional",
            ),
        ),
    ),
    _LEVEL_WORDS,
)

_TOPIC_WORDS = {
    "data-science": "science des données, statistiques, modélisation, 数据科学, 统计, 统计学, 建模",
    "machine-learning": (
        "apprentissage automatique, apprentissage profond, intelligence artificielle, ia, 机器学习, 深度学习,"
        "人工智能"
    ),
    "mlops": "mise en production, déploiement de modèles, 模型部署, 机器学习运维",
    "data-engineering": "ingénierie des données, ingénierie de données, 数据工程, 大数据, 数据管道",
    "analytics": (
        "analyse de données, analyse des données, tableaux de bord, informatique décisionnelle, 数据分析,"
        "商业智能, 仪表盘, 报表"
    ),
    "analytics-engineering": "ingénierie analytique, modélisation des données, 分析工程, 数据建模",
    "nlp": (
        "traitement du langage (nlp), traitement du langage, traitement automatique des langues, tal,"
        "grands modèles de langage, 自然语言处理, 大模型, 大语言模型, 语言模型"
    ),
    "computer-vision": "vision par ordinateur, vision artificielle, 计算机视觉, 图像, 视觉",
    "audio": "audio et parole, parole, reconnaissance vocale, son, 音频与语音, 语音, 音频, 语音识别",
    "research": "recherche en ia, recherche, articles scientifiques, 人工智能研究, 研究, 论文",
    "open-source": "logiciel libre, libre, contribuer, 开源, 开源软件",
    "competitions": "compétitions, compétition, concours, défis, 竞赛, 比赛, 黑客松",
    "datasets": "jeux de données, jeu de données, données ouvertes, 数据集, 开放数据",
    "learning": (
        "cours et apprentissage, cours, formation, formations, tutoriels, apprendre, apprentissage, 课程与学习,"
        "课程, 学习, 教程, 培训"
    ),
    "careers": (
        "carrières et emplois, carrière, carrières, emploi, emplois, offres d emploi, mentorat, recrutement,"
        "职业与求职, 职业, 求职, 工作机会, 招聘, 职业发展"
    ),
    "events": (
        "rencontres et événements, événements, évènements, rencontres, conférences, 聚会与活动, 活动, 聚会,"
        "会议, 讲座"
    ),
    "low-code": "low-code et no-code, sans code, 低代码与无代码, 低代码, 无代码",
    "data-management": (
        "gestion des données, gouvernance des données, qualité des données, versionnage, 数据管理, 数据治理,"
        "数据质量"
    ),
}

TOPICS = Vocabulary(
    "topic",
    (
        Term(
            "data-science",
            N_("Data science"),
            "statistics, modelling and experiments",
            aliases=("statistics", "stats", "modelling"),
        ),
        Term(
            "machine-learning",
            N_("Machine learning"),
            "training and evaluating models",
            aliases=("ml", "deep learning", "dl", "ai", "artificial intelligence"),
        ),
        Term(
            "mlops",
            N_("MLOps"),
            "taking models to production: pipelines, deployment, monitoring",
            aliases=("ml ops", "ml engineering", "model deployment", "ml in production"),
        ),
        Term(
            "data-engineering",
            N_("Data engineering"),
            "pipelines, warehouses, orchestration and streaming",
            aliases=("etl", "pipelines", "big data", "spark", "airflow"),
        ),
        Term(
            "analytics",
            N_("Data analysis"),
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
            N_("Analytics engineering"),
            "modelling data in the warehouse with dbt",
            aliases=("dbt", "data modelling", "data modeling"),
        ),
        Term(
            "nlp",
            N_("NLP"),
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
        Term("computer-vision", N_("Computer vision"), "images and video", aliases=("cv", "vision", "images")),
        Term("audio", N_("Audio and speech"), "speech recognition, sound and music", aliases=("speech", "sound")),
        Term(
            "research",
            N_("AI research"),
            "papers, open questions and fundamental research",
            aliases=("ai research", "ml research", "papers"),
        ),
        Term(
            "open-source",
            N_("Open source"),
            "building and contributing to open projects",
            aliases=("oss", "open source software", "contributing"),
        ),
        Term(
            "competitions",
            N_("Competitions"),
            "hackathons and data challenges with leaderboards",
            aliases=("competition", "hackathons", "hackathon", "challenges", "kaggle"),
        ),
        Term("datasets", N_("Datasets"), "finding and publishing data", aliases=("data sets", "open data")),
        Term(
            "learning",
            N_("Courses and learning"),
            "free courses, study groups and tutorials",
            aliases=("courses", "course", "education", "tutorials", "bootcamp", "zoomcamp"),
        ),
        Term(
            "careers",
            N_("Careers and jobs"),
            "career advice, job posts and mentoring",
            aliases=("career", "jobs", "job", "mentoring", "mentorship", "hiring"),
        ),
        Term(
            "events",
            N_("Meetups and events"),
            "meetups, talks and conferences",
            aliases=("meetups", "meetup", "conferences", "talks", "webinars"),
        ),
        Term(
            "low-code",
            N_("Low-code and no-code"),
            "tools that need little or no programming",
            aliases=("no code", "nocode", "lowcode"),
        ),
        Term(
            "data-management",
            N_("Data management"),
            "governance, quality and versioning of data",
            aliases=("data governance", "data quality", "data versioning", "versioning"),
        ),
    ),
    _TOPIC_WORDS,
)


_REGION_WORDS = {
    "global": (
        "monde entier (en ligne), monde entier, monde, mondial, en ligne, partout, à distance, 全球（线上）, 全球,"
        "线上, 在线, 国际, 远程, 世界"
    ),
    "africa": (
        "afrique, africain, africaine, nigéria, sénégal, côte d ivoire, maroc, algérie, tunisie, cameroun,"
        "égypte, éthiopie, afrique du sud, afrique de l ouest, afrique de l est, afrique du nord, 非洲, 尼日利亚,"
        "肯尼亚, 南非, 埃及, 加纳, 摩洛哥, 拉各斯"
    ),
    "north-america": (
        "amérique du nord, états unis, etats unis, québec, montréal, mexique, 北美, 北美洲, 美国, 加拿大, 墨西哥,"
        "纽约, 硅谷"
    ),
    "latin-america": (
        "amérique latine, amérique du sud, amérique centrale, caraïbes, brésil, argentine, colombie, pérou,"
        "chili, 拉丁美洲, 拉美, 南美, 南美洲, 巴西, 阿根廷"
    ),
    "europe": (
        "européen, européenne, royaume uni, angleterre, allemagne, espagne, italie, pays bas, belgique, suisse,"
        "londres, bruxelles, genève, lyon, 欧洲, 英国, 法国, 德国, 伦敦, 巴黎"
    ),
    "middle-east": (
        "moyen orient, émirats arabes unis, arabie saoudite, turquie, liban, israël, jordanie, 中东, 阿联酋, 迪拜,"
        "沙特, 土耳其"
    ),
    "asia": (
        "asie, asiatique, inde, chine, japon, corée du sud, corée, singapour, pékin, thaïlande, indonésie, malaisie,"
        "亚洲, 中国, 北京, 上海, 深圳, 杭州, 广州, 香港, 台湾, 日本, 韩国, 新加坡, 印度"
    ),
    "oceania": "océanie, australie, nouvelle zélande, 大洋洲, 澳大利亚, 澳洲, 新西兰",
}

REGIONS = Vocabulary(
    "region",
    (
        Term(
            "global",
            N_("Worldwide (online)"),
            "open to anyone, anywhere",
            aliases=("worldwide", "online", "anywhere", "international", "remote", "world", "global", "everywhere"),
        ),
        Term(
            "africa",
            N_("Africa"),
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
            N_("North America"),
            aliases=_places(
                "usa, us, u s, u s a, united states, united states of america, america, american, the states,"
                "new york, nyc, san francisco, sf, bay area, silicon valley, seattle, boston, chicago, los angeles,"
                "austin, texas, california, canada, canadian, toronto, vancouver, montreal, ottawa, mexico, mexican"
            ),
        ),
        Term(
            "latin-america",
            N_("Latin America"),
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
            N_("Europe"),
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
            N_("Middle East"),
            aliases=_places(
                "mena, uae, united arab emirates, emirates, dubai, abu dhabi, saudi arabia, saudi, ksa, riyadh,"
                "jeddah, turkey, turkiye, istanbul, ankara, israel, tel aviv, jordan, amman, lebanon, beirut, qatar,"
                "doha, kuwait, bahrain, oman, muscat, iran, tehran, iraq, baghdad, syria, palestine, yemen"
            ),
        ),
        Term(
            "asia",
            N_("Asia"),
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
            N_("Oceania"),
            aliases=_places(
                "australia, australian, aussie, sydney, melbourne, brisbane, perth, adelaide, canberra, new zealand,"
                "nz, kiwi, auckland, wellington, fiji, papua new guinea, pacific islands"
            ),
        ),
    ),
    _REGION_WORDS,
)

_PLATFORM_WORDS = {"forum": "论坛", "website": "site web, site internet, 网站, 官网"}

PLATFORMS = Vocabulary(
    "platform",
    (
        Term("slack", N_("Slack")),
        Term("discord", N_("Discord")),
        Term("telegram", N_("Telegram")),
        Term("meetup", N_("Meetup"), aliases=("meetup.com",)),
        Term("forum", N_("Forum"), aliases=("discourse", "forums")),
        Term(
            "website",
            N_("Website"),
            "a sign-up page or form on the community's own site",
            aliases=("web", "site", "form"),
        ),
    ),
    _PLATFORM_WORDS,
)

_ACCESS_WORDS = {
    "open": "ouvert à tous, ouvert, libre accès, 对所有人开放, 开放, 公开",
    "application": "sur candidature, candidature, sur invitation, 需申请, 申请, 邀请",
}

ACCESS = Vocabulary(
    "access",
    (
        Term("open", N_("Open to anyone"), aliases=("public",)),
        Term("application", N_("By application"), aliases=("apply", "invite", "invitation")),
    ),
    _ACCESS_WORDS,
)

_COST_WORDS = {
    "free": "gratuit, gratuite, 免费",
    "freemium": "gratuit avec options payantes, options payantes, 免费，另有付费内容, 免费增值",
    "paid": "payant, payante, 付费, 收费",
}

COSTS = Vocabulary(
    "cost",
    (
        Term("free", N_("Free")),
        Term("freemium", N_("Free, with paid extras")),
        Term("paid", N_("Paid")),
    ),
    _COST_WORDS,
)

# Plain lists for other features (onboarding) that only need keys and labels.
ROLE_KEYS = ROLES.keys
LEVEL_KEYS = LEVELS.keys
TOPIC_KEYS = TOPICS.keys
REGION_KEYS = REGIONS.keys
