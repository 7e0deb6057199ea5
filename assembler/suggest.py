""""Did you mean ...?": the closest valid values to a mistyped one (standard library difflib).

Every unknown court id, key, motion kind, outcome, style or clause id ends its one-line
error with the nearest values a user could have meant, so the right one is never a guess.
"""

from __future__ import annotations

import difflib
from typing import Callable, Iterable


def closest(word: str, candidates: Iterable[str], *, limit: int = 3,
            cutoff: float = 0.6) -> list[str]:
    """The candidates nearest to `word`, best first.

    A candidate with the same letters in another order (`ndil` for `ilnd`) comes first: court
    ids and keys are often typed with their parts swapped, which difflib's ratio undervalues.
    """
    pool = list(dict.fromkeys(candidates))
    folded = word.casefold()
    same_letters = [c for c in pool if sorted(c.casefold()) == sorted(folded) and c != word]
    near = difflib.get_close_matches(folded, [c.casefold() for c in pool], n=limit + 2,
                                     cutoff=cutoff)
    if near:  # only those nearly as close as the best: 'discussion', not also 'conclusion'
        best = _ratio(folded, near[0])
        near = [n for n in near if _ratio(folded, n) >= best - 0.08]
    by_fold = {c.casefold(): c for c in pool}
    ranked = same_letters + [by_fold[n] for n in near if by_fold[n] not in same_letters]
    return [c for c in ranked if c != word][:limit]


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def did_you_mean(word: str, candidates: Iterable[str], *,
                 describe: Callable[[str], str | None] | None = None, limit: int = 3) -> str:
    """" (did you mean 'ilnd' (Northern District of Illinois)?)", or "" when nothing is close."""
    found = closest(word, candidates, limit=limit)
    return suggestion(found, describe=describe)


def suggestion(found: list[str], *, describe: Callable[[str], str | None] | None = None) -> str:
    """Phrase a list of suggestions as the tail of an error message."""
    if not found:
        return ""

    def show(value: str) -> str:
        label = describe(value) if describe else None
        return f"'{value}' ({label})" if label else f"'{value}'"

    shown = [show(v) for v in found]
    if len(shown) == 1:
        return f" (did you mean {shown[0]}?)"
    return f" (did you mean {', '.join(shown[:-1])} or {shown[-1]}?)"


def keys_at(model: type, path: tuple[str | int, ...]) -> list[str]:
    """The keys a pydantic model accepts at `path` (a list index steps into the items);
    where a union allows several shapes, the keys of each."""
    models = [model]
    for part in path:
        following: list[type] = []
        for current in models:
            if isinstance(part, int):
                following.append(current)  # items of a list were already unwrapped
                continue
            field = getattr(current, "model_fields", {}).get(part)
            if field is not None:
                following.extend(_models_in(field.annotation))
        models = following
    keys: list[str] = []
    for current in models:
        keys.extend(getattr(current, "model_fields", {}))
    return list(dict.fromkeys(keys))


def _models_in(annotation: object) -> list[type]:
    """The pydantic models an annotation holds, through Optional, Union, list and Annotated."""
    import typing

    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        return [annotation]
    found: list[type] = []
    for argument in typing.get_args(annotation):
        found.extend(_models_in(argument))
    return found


def path_hint(model: type, path: tuple[str | int, ...]) -> str:
    """" (did you mean 'signed.date'?)" for a dotted field path with a misspelt part."""
    for depth, part in enumerate(path):
        if isinstance(part, int):
            continue
        keys = keys_at(model, path[:depth])
        if part not in keys:
            near = closest(part, keys, limit=1)
            if not near:
                return ""
            fixed = [*path[:depth], near[0], *path[depth + 1:]]
            return suggestion([".".join(str(p) for p in fixed)])
    return ""
