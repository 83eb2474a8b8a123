"""LLM rewriting of template captions, behind a fact guard.

A rewrite only adds fluency: every colour, material, object noun, number and quoted string of
the template caption must survive, none may be invented, and each must keep its role
(``diffforge.claims``: before or after, which object, which clothing part, which change, in
the stated order), so "from purple to gray" rewritten "from gray to purple" is refused. Anything else (a rejected rewrite,
a server error, a timeout, a garbage answer) keeps the template caption, so nothing is lost and
the report says how many captions were rewritten, rejected and failed.

Backends: ``none`` (templates as they are), ``openai`` (any OpenAI-compatible endpoint through
``diffforge.llm.ChatClient``: concurrency, retries, timeouts and a persistent cache live there),
``transformers`` (a local model path, batched generation, the same on-disk cache).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import jinja2

from diffforge.claims import claim_problems, extract_claims
from diffforge.claims.words import IMAGE_REFERENCE
from diffforge.errors import DiffforgeError
from diffforge.scenes.model import PairSpec
from diffforge.vocabulary import (
    COLOR_SYNONYMS,
    COLORS,
    MATERIAL_ADJECTIVES,
    MATERIAL_PREDICATES,
    NUMBER_WORDS,
    RELATION_WORDS,
    plural,
)

PROMPT_DIR = Path(__file__).resolve().parent / "prompts"

# ---------------------------------------------------------------------------------------------
# Fact guard
# ---------------------------------------------------------------------------------------------

_QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”')
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*|\d+")


@dataclass(frozen=True)
class Facts:
    """What a caption asserts, normalised: sets of canonical names."""

    colors: frozenset[str]
    materials: frozenset[str]
    nouns: frozenset[str]
    numbers: frozenset[int]
    quotes: frozenset[str]
    # direction, spatial and comparison words (OmniDiff's most frequent): left/right,
    # front/back, up/down, clockwise, appeared/disappeared, brighter/darker, larger/smaller ...
    relations: frozenset[str] = frozenset()
    relation_order: tuple[str, ...] = ()  # the same words in the order the caption says them

    def diff(self, other: Facts, relations: bool = True) -> list[str]:
        """Problems of ``other`` (a rewrite) against self (the template): dropped or invented.

        ``relations=False`` leaves direction and event words to the bound claims
        (``diffforge.claims``), which read them in context ("appears larger" is no appearance).
        """
        problems = []
        names = ("colors", "materials", "nouns", "numbers", "quotes")
        for name in (*names, "relations") if relations else names:
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine - theirs:
                problems.append(f"dropped {name}: {', '.join(sorted(map(str, mine - theirs)))}")
            if theirs - mine:
                problems.append(f"invented {name}: {', '.join(sorted(map(str, theirs - mine)))}")
        # "from the left ... to the right" swapped keeps both words: their order must hold
        for a, b in OPPOSITES if relations else ():
            both = {a, b} <= self.relations and {a, b} <= other.relations
            if both and _order(self.relation_order, a, b) != _order(other.relation_order, a, b):
                problems.append(f"swapped relations: {a}/{b}")
        return problems


# Opposite relation facts: a caption that states both must keep their order.
OPPOSITES: tuple[tuple[str, str], ...] = (
    ("left", "right"),
    ("front", "back"),
    ("up", "down"),
    ("clockwise", "counterclockwise"),
    ("appeared", "disappeared"),
    ("brighter", "darker"),
    ("larger", "smaller"),
    ("warmer", "cooler"),
)


def _order(seq: tuple[str, ...], a: str, b: str) -> tuple[str, ...]:
    """The order in which ``a`` and ``b`` occur in ``seq``, repeats collapsed."""
    out: list[str] = []
    for w in seq:
        if w in (a, b) and (not out or out[-1] != w):
            out.append(w)
    return tuple(out)


_COLOR_WORDS = {c: c for c in COLORS} | COLOR_SYNONYMS
_MATERIAL_WORDS = (
    {m: m for m in MATERIAL_ADJECTIVES}
    | {a: m for m, a in MATERIAL_ADJECTIVES.items()}
    | {p: m for m, p in MATERIAL_PREDICATES.items()}
)
_NUMBER_WORDS = {w: i for i, w in enumerate(NUMBER_WORDS)}


def lexicon_for(spec: PairSpec | None, extra: Iterable[str] = ()) -> dict[str, str]:
    """Object nouns a caption of this pair may name -> canonical noun (plurals, synonyms).

    Nouns of both scenes, light names, the library's synonyms when the library is available,
    and ``extra``; a rewrite naming one that the template did not is an invented category.
    """
    nouns: set[str] = set(extra)
    if spec is not None:
        for scene in (spec.before, spec.after):
            nouns.update(o.noun for o in scene.objects)
            nouns.update(o.category for o in scene.objects)
            nouns.update(light.name for light in scene.lights)
        for change in spec.changes:
            for side in (change.before, change.after, change.params):
                for key in ("noun", "from_noun", "category"):
                    if isinstance(side.get(key), str):
                        nouns.add(side[key])
    lex: dict[str, str] = {}
    for noun in nouns:
        noun = noun.replace("_", " ").lower()
        lex[noun] = noun
        lex[plural(noun)] = noun
    for syn, canon in _library_synonyms().items():
        if canon in lex:
            lex.setdefault(syn, canon)
            lex.setdefault(plural(syn), canon)
    return lex


@functools.lru_cache(maxsize=1)
def _library_synonyms() -> dict[str, str]:
    """synonym -> noun from the built-in asset library; empty until the library is available."""
    try:
        from diffforge.config import AssetsConfig
        from diffforge.scenes.assets import AssetLibrary

        library = AssetLibrary.load(AssetsConfig())
        specs = getattr(library, "specs", None) or getattr(library, "assets", {})
        specs = specs.values() if isinstance(specs, dict) else specs
    except Exception:  # the library is optional for the guard; nouns alone still work
        return {}
    out: dict[str, str] = {}
    for spec in specs:
        for syn in getattr(spec, "synonyms", []) or []:
            out[syn.lower()] = spec.noun.lower()
    return out


@functools.lru_cache(maxsize=256)
def _noun_pattern(keys: tuple[str, ...]) -> re.Pattern[str] | None:
    if not keys:
        return None
    alts = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    return re.compile(rf"\b(?:{alts})\b")


def extract_facts(text: str, lexicon: Mapping[str, str]) -> Facts:
    """The colours, materials, nouns, numbers and quoted strings a caption states."""
    quotes = frozenset(a or b for a, b in _QUOTED.findall(text))
    rest = IMAGE_REFERENCE.sub(" ", _QUOTED.sub(" ", text).lower())
    words = _WORD.findall(rest)
    colors = frozenset(_COLOR_WORDS[w] for w in words if w in _COLOR_WORDS)
    materials = frozenset(_MATERIAL_WORDS[w] for w in words if w in _MATERIAL_WORDS)
    numbers = frozenset(
        int(w) if w.isdigit() else _NUMBER_WORDS[w]
        for w in words
        if w.isdigit() or w in _NUMBER_WORDS
    )
    pattern = _noun_pattern(tuple(sorted(lexicon)))
    nouns = frozenset(lexicon[m] for m in pattern.findall(rest)) if pattern else frozenset()
    order = tuple(RELATION_WORDS[w] for w in words if w in RELATION_WORDS)
    return Facts(colors, materials, nouns, numbers, quotes, frozenset(order), order)


# The rewrite prompt (prompts/rewrite_system.j2) asks to keep the order of the changes; were it
# to allow reordering, the guard would compare the changes in any order.
PROMPT_ALLOWS_REORDER = False


def guard(template: str, candidate: str, lexicon: Mapping[str, str]) -> list[str]:
    """Why ``candidate`` may not replace ``template`` (empty list: it may): facts dropped or
    invented, and claims whose role, object or order differ (``"<reason>: detail"`` lines)."""
    if not candidate or not candidate.strip():
        return ["empty rewrite"]
    facts = extract_facts(template, lexicon)
    problems = facts.diff(extract_facts(candidate, lexicon), relations=False)
    problems += claim_problems(
        extract_claims(template, lexicon),
        extract_claims(candidate, lexicon),
        allow_reorder=PROMPT_ALLOWS_REORDER,
    )
    return problems


def reason_of(problem: str) -> str:
    """A problem line's reason, for counting: "dropped colors", "before/after", "position" ..."""
    return problem.split(":", 1)[0]


# ---------------------------------------------------------------------------------------------
# Backends
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A backend's reply for one caption: text, or an error line."""

    text: str | None = None
    error: str | None = None
    cached: bool = False


class Backend(Protocol):
    name: str

    def rewrite_many(self, captions: Sequence[str]) -> list[Answer]: ...


@functools.lru_cache(maxsize=1)
def _prompt_env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROMPT_DIR),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )


def prompt_messages(caption: str) -> list[dict[str, str]]:
    """Chat messages asking for one rewrite (prompts/rewrite_system.j2, rewrite_user.j2)."""
    env = _prompt_env()
    return [
        {"role": "system", "content": env.get_template("rewrite_system.j2").render().strip()},
        {"role": "user", "content": env.get_template("rewrite_user.j2").render(caption=caption)},
    ]


def clean_answer(text: str) -> str:
    """Strip what chat models wrap answers in: whitespace, one pair of outer quotes, a label."""
    text = text.strip()
    text = re.sub(r"^(?:rewritten(?: caption)?|caption)\s*:\s*", "", text, flags=re.I)
    if len(text) > 1 and text[0] == text[-1] and text[0] in "'`":
        text = text[1:-1].strip()
    return " ".join(text.split())


class NoneBackend:
    name = "none"

    def rewrite_many(self, captions: Sequence[str]) -> list[Answer]:
        return [Answer(text=c) for c in captions]


class OpenAIBackend:
    """Any OpenAI-compatible endpoint via diffforge.llm.ChatClient (async, cached, retried)."""

    name = "openai"

    def __init__(self, cfg: Any = None, client: Any = None, **overrides: Any) -> None:
        if client is None:
            from diffforge.llm import ChatClient

            client = ChatClient.from_config(cfg, **overrides) if cfg else ChatClient(**overrides)
        self.client = client

    def rewrite_many(self, captions: Sequence[str]) -> list[Answer]:
        results = self.client.complete_many_sync([prompt_messages(c) for c in captions])
        return [
            Answer(text=r.text, cached=r.cached) if r.ok else Answer(error=r.error or "failed")
            for r in results
        ]

    def close(self) -> None:
        self.client.close()


class TransformersBackend:
    """A local causal LM (a path or cached hub id), batched greedy/temperature generation.

    Answers go through the same sqlite cache as the openai backend, keyed by model path and
    generation parameters, so a rerun never generates twice.
    """

    name = "transformers"

    def __init__(
        self,
        model: str,
        batch_size: int = 8,
        max_new_tokens: int = 160,
        temperature: float = 0.0,
        cache_path: Path | str | None = None,
        device: str | None = None,
    ) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:  # pragma: no cover - depends on the [train] extra
            raise DiffforgeError(
                f"rewrite backend 'transformers' needs torch and transformers ({exc}); "
                "install diffforge[train]"
            ) from None
        from diffforge.llm import ResponseCache, default_cache_path

        if not model:
            raise DiffforgeError(
                "rewrite backend 'transformers' needs a model path (rewrite.model)"
            )
        self.torch = torch
        self.model_name = str(model)
        self.tokenizer = AutoTokenizer.from_pretrained(model)
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = AutoModelForCausalLM.from_pretrained(model)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.model.to(self.device).eval()
        self.batch_size = batch_size
        self.params = {"max_new_tokens": max_new_tokens, "temperature": temperature}
        self.cache = ResponseCache(Path(cache_path or default_cache_path()))

    def _prompt(self, caption: str) -> str:
        messages = prompt_messages(caption)
        if getattr(self.tokenizer, "chat_template", None):
            return self.tokenizer.apply_chat_template(
                messages, tokenize=False, add_generation_prompt=True
            )
        return "\n\n".join(m["content"] for m in messages) + "\n\n"

    def rewrite_many(self, captions: Sequence[str]) -> list[Answer]:
        from diffforge.llm import cache_key

        out: list[Answer | None] = [None] * len(captions)
        todo: list[tuple[int, str, str]] = []
        for i, caption in enumerate(captions):
            key = cache_key(
                self.model_name, prompt_messages(caption), self.params, f"local:{self.model_name}"
            )
            hit = self.cache.get(key)
            if hit is not None:
                out[i] = Answer(text=hit, cached=True)
            else:
                todo.append((i, key, self._prompt(caption)))
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start : start + self.batch_size]
            try:
                texts = self._generate([p for _, _, p in batch])
            except Exception as exc:  # a crash in generation must not lose the batch
                for i, _, _ in batch:
                    out[i] = Answer(error=f"generation failed: {type(exc).__name__}: {exc}")
                continue
            for (i, key, _), text in zip(batch, texts, strict=True):
                self.cache.put(key, text, self.model_name)
                out[i] = Answer(text=text)
        return [a if a is not None else Answer(error="no answer") for a in out]

    def _generate(self, prompts: list[str]) -> list[str]:
        enc = self.tokenizer(prompts, return_tensors="pt", padding=True).to(self.device)
        temperature = self.params["temperature"]
        kwargs: dict[str, Any] = {
            "max_new_tokens": self.params["max_new_tokens"],
            "pad_token_id": self.tokenizer.pad_token_id,
            "do_sample": temperature > 0,
        }
        if temperature > 0:
            kwargs["temperature"] = temperature
        with self.torch.no_grad():
            ids = self.model.generate(**enc, **kwargs)
        new = ids[:, enc["input_ids"].shape[1] :]
        return self.tokenizer.batch_decode(new, skip_special_tokens=True)

    def close(self) -> None:
        self.cache.close()


def make_backend(cfg: Any = None, **overrides: Any) -> Backend:
    """The backend a RewriteConfig names (``none`` when cfg is None)."""
    backend = getattr(cfg, "backend", "none") if cfg is not None else "none"
    if backend == "none":
        return NoneBackend()
    if backend == "openai":
        return OpenAIBackend(cfg, **overrides)
    if backend == "transformers":
        return TransformersBackend(
            cfg.model, temperature=getattr(cfg, "temperature", 0.0), **overrides
        )
    raise DiffforgeError(
        f"rewrite.backend: unknown backend {backend!r}; valid: none, openai, transformers"
    )


# ---------------------------------------------------------------------------------------------
# Rewriting a batch
# ---------------------------------------------------------------------------------------------


@dataclass
class RewriteReport:
    """Counts over one batch; ``rejections`` keeps a few example reasons for the log."""

    backend: str = "none"
    total: int = 0
    rewritten: int = 0
    rejected: int = 0
    failed: int = 0
    cached: int = 0
    rejections: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # rejected rewrites per reason (one rewrite counts once under each reason it has)
    reasons: dict[str, int] = field(default_factory=dict)

    def add(self, other: RewriteReport) -> None:
        for name in ("total", "rewritten", "rejected", "failed", "cached"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for reason, n in other.reasons.items():
            self.reasons[reason] = self.reasons.get(reason, 0) + n
        self.rejections = (self.rejections + other.rejections)[:20]
        self.errors = (self.errors + other.errors)[:20]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def summary(self) -> str:
        line = (
            f"rewrite ({self.backend}): {self.total} captions, {self.rewritten} rewritten "
            f"(kept), {self.rejected} rejected by the fact guard, {self.failed} failed "
            f"({self.cached} from cache)"
        )
        if self.reasons:
            by = sorted(self.reasons.items(), key=lambda kv: (-kv[1], kv[0]))
            line += "\nrejected by reason: " + ", ".join(f"{r} {n}" for r, n in by)
        return line


def rewrite_captions(
    captions: Sequence[str],
    lexicons: Sequence[Mapping[str, str]],
    backend: Backend,
) -> tuple[list[str], list[str], RewriteReport]:
    """(texts, sources, report): each text is the guarded rewrite or the template caption.

    ``sources[i]`` is "template", "rewrite", "rejected" or "failed".
    """
    report = RewriteReport(backend=backend.name, total=len(captions))
    if backend.name == "none" or not captions:
        return list(captions), ["template"] * len(captions), report
    answers = backend.rewrite_many(captions)
    texts, sources = [], []
    for caption, lexicon, answer in zip(captions, lexicons, answers, strict=True):
        if answer.text is None:
            report.failed += 1
            report.errors.append(answer.error or "failed")
            texts.append(caption)
            sources.append("failed")
            continue
        report.cached += answer.cached
        candidate = clean_answer(answer.text)
        problems = guard(caption, candidate, lexicon)
        if problems:
            report.rejected += 1
            for reason in dict.fromkeys(reason_of(p) for p in problems):
                report.reasons[reason] = report.reasons.get(reason, 0) + 1
            if len(report.rejections) < 20:
                report.rejections.append("; ".join(problems))
            texts.append(caption)
            sources.append("rejected")
        else:
            report.rewritten += 1
            texts.append(candidate)
            sources.append("rewrite")
    report.errors = report.errors[:20]
    return texts, sources, report
