"""Parse what a person typed into a safe, structured query; no input can become query syntax."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import regex

from .languages import MAX_NAME_WORDS, find_language
from .text import is_segmented, tokens

#: Bounds that keep one request's work small whatever is typed.
MAX_GROUPS = 12
MAX_ALTERNATIVES = 24
#: Prefix search needs this many characters: `a*` would expand to half the vocabulary.
MIN_PREFIX_CHARS = 2
#: A word is corrected for one typo only from this length on; shorter words have too many neighbours.
MIN_TYPO_CHARS = 5
MIN_SUBSTRING_CHARS = 3
#: Private-use prefix of the tokens that index an entry's languages (see documents.py): users
#: can type it, and then it only does what a language name does.
LANGUAGE_MARK = "\ue000"

_UNIT = regex.compile(r'"([^"]*)"?|(\S+)')
_ALPHABETS = {
    "Latin": "abcdefghijklmnopqrstuvwxyz",
    "Cyrillic": "абвгдежзийклмнопрстуфхцчшщъыьэюяёіїєґў",
    "Greek": "αβγδεζηθικλμνξοπρστυφχψως",
    "Arabic": "".join(chr(c) for c in range(0x0621, 0x064B)) + "پچژکگیٹڈڑںھے",
    "Devanagari": "".join(chr(c) for c in range(0x0901, 0x0970) if chr(c).isprintable()),
}
_SCRIPT = {name: regex.compile(rf"\p{{{name}}}") for name in _ALPHABETS}


@dataclass(frozen=True)
class Clause:
    """A word, or a phrase of adjacent tokens; with ``prefix`` the last token may be a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass
class Group:
    """Alternatives of which one must match; ``languages`` are the subtags a language name named."""

    clauses: list[Clause]
    languages: frozenset[str] = frozenset()


@dataclass
class ParsedQuery:
    """All groups must match and no excluded clause may; ``key`` compares against names exactly."""

    groups: list[Group] = field(default_factory=list)
    excluded: list[Clause] = field(default_factory=list)
    key: str = ""
    relaxed: bool = False

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def terms(self) -> list[str]:
        """Return the tokens a result is expected to contain (for highlighting)."""
        seen: dict[str, None] = {}
        for group in self.groups:
            for clause in group.clauses:
                for tok in clause.tokens:
                    if not tok.startswith(LANGUAGE_MARK):
                        seen.setdefault(tok)
        return list(seen)

    @property
    def prefixes(self) -> list[str]:
        return [c.tokens[-1] for g in self.groups for c in g.clauses if c.prefix]

    @property
    def languages(self) -> frozenset[str]:
        return frozenset().union(*(g.languages for g in self.groups)) if self.groups else frozenset()


def parse_query(q: str) -> ParsedQuery:
    """Turn free text into groups: words and "phrases" AND together, `OR` joins, `-word` excludes, `pre*`."""
    units: list[tuple[Clause, bool, bool]] = []  # clause, excluded, plain (may be part of a language name)
    pending_or = False
    or_marks: list[bool] = []
    for match in _UNIT.finditer(q):
        quoted, word = match.group(1), match.group(2)
        if word == "OR":
            pending_or = bool(units)
            continue
        negate = prefix = False
        text = quoted if quoted is not None else word
        if quoted is None:
            negate = len(word) > 1 and word.startswith("-")
            prefix = word.endswith("*")
        toks = tuple(tokens(text))
        if not toks:
            continue
        # A prefix needs a real stem, and an unspaced script's character already matches inside words.
        prefix = prefix and len(toks[-1]) >= MIN_PREFIX_CHARS and not is_segmented(toks[-1])
        units.append((Clause(toks, prefix), negate, quoted is None and not prefix and not negate))
        or_marks.append(pending_or and not negate)
        pending_or = False

    parsed = ParsedQuery(key=" ".join(t for c, neg, _ in units if not neg for t in c.tokens))
    positives = [(i, c, plain) for i, (c, neg, plain) in enumerate(units) if not neg]
    if not positives:
        return parsed  # only exclusions: nothing to look for
    parsed.excluded = [c for c, neg, _ in units if neg][:MAX_ALTERNATIVES]
    i = 0
    while i < len(positives):
        index, clause, plain = positives[i]
        width, languages = _language_span(positives, i)
        if width:
            toks = tuple(t for _, c, _ in positives[i : i + width] for t in c.tokens)
            clause = Clause(toks)
            alternatives = [clause] + [Clause((LANGUAGE_MARK + code,)) for code in sorted(languages)]
            group = Group(alternatives[:MAX_ALTERNATIVES], languages)
        else:
            width, group = 1, Group([clause])
        if or_marks[index] and parsed.groups:
            parsed.groups[-1].clauses = (parsed.groups[-1].clauses + group.clauses)[:MAX_ALTERNATIVES]
            parsed.groups[-1].languages |= group.languages
        else:
            parsed.groups.append(group)
        i += width
    parsed.groups = parsed.groups[:MAX_GROUPS]
    return parsed


def _language_span(positives, start: int) -> tuple[int, frozenset[str]]:
    # The longest run of plain words from `start` that names a language, e.g. "modern standard arabic".
    for width in range(MAX_NAME_WORDS, 0, -1):
        run = positives[start : start + width]
        if len(run) < width or not all(plain for _, _, plain in run):
            continue
        if width > 1 and any(i - j != 1 for (i, _, _), (j, _, _) in zip(run[1:], run, strict=False)):
            continue
        codes = find_language([" ".join(c.tokens) for _, c, _ in run])
        if codes:
            return width, codes
    return 0, frozenset()


def expandable(query: ParsedQuery) -> list[str]:
    """Return the single words that a relaxed query may widen with typo fixes and substrings."""
    words = []
    for group in query.groups:
        for clause in group.clauses:
            tok = clause.tokens[0]
            if (
                len(clause.tokens) == 1
                and not clause.prefix
                and len(tok) >= MIN_SUBSTRING_CHARS
                and not is_segmented(tok)
                and not tok.startswith(LANGUAGE_MARK)
                and not tok.isdigit()
            ):
                words.append(tok)
    return list(dict.fromkeys(words))


def relax(query: ParsedQuery, expansions: dict[str, list[str]]) -> ParsedQuery:
    """Return the query with each expandable word also matching its known neighbours."""
    if not any(expansions.values()):
        return query
    groups = []
    for group in query.groups:
        clauses = list(group.clauses)
        for clause in group.clauses:
            if len(clause.tokens) == 1 and not clause.prefix:
                clauses += [Clause((word,)) for word in expansions.get(clause.tokens[0], ())]
        groups.append(replace(group, clauses=list(dict.fromkeys(clauses))[:MAX_ALTERNATIVES]))
    return replace(query, groups=groups, relaxed=True)


def one_typo_away(word: str) -> list[str]:
    """Return the strings one edit (delete, swap, replace, insert) from a word of five or more letters."""
    if len(word) < MIN_TYPO_CHARS:
        return []
    letters = set(word)
    for script, pattern in _SCRIPT.items():
        if pattern.search(word):
            letters.update(_ALPHABETS[script])
    alphabet = sorted(letters)
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out.update(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1)
    out.update(a + c + b[1:] for a, b in splits if b for c in alphabet)
    out.update(a + c + b for a, b in splits for c in alphabet)
    out.discard(word)
    return sorted(out)
