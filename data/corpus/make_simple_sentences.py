"""Writes en_simple.txt and ko_simple.txt: simple sentences from our own templates and the word
groups in core/text/corpus.py. Run once from the repo root; the output is committed, and the app
only reads the text files.   python data/corpus/make_simple_sentences.py
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.text.corpus import CORPUS_DIR, WORD_GROUPS  # noqa: E402

N_SENTENCES = 260
SEED = 7


def _final_consonant(word: str) -> int:
    """Index of the final consonant (받침) of the last Hangul syllable; 0 when there is none."""
    code = ord(word[-1]) - 0xAC00
    return code % 28 if 0 <= code < 11172 else 0


def josa(word: str, with_final: str, without_final: str) -> str:
    """Attach the particle form that fits the last syllable: 고양이가 / 말이, 사과를 / 빵을."""
    return word + (with_final if _final_consonant(word) else without_final)


def euro(word: str) -> str:
    """(으)로: 공원으로, 학교로; a final ㄹ (index 8) takes 로 too."""
    final = _final_consonant(word)
    return word + ("으로" if final and final != 8 else "로")


def english(rng: random.Random) -> str:
    g = WORD_GROUPS["en"]
    a, c, f, p, who, d, n = (rng.choice(g[k]) for k in
                             ("animals", "colours", "foods", "places", "people", "days", "numbers"))
    f2 = rng.choice([x for x in g["foods"] if x != f])
    i = g["days"].index(d)
    j = g["numbers"].index(n) % (len(g["numbers"]) - 1)
    templates = [
        f"The {a} sleeps in the {p}.",
        f"A {c} {a} runs to the {p}.",
        f"The {who} eats the {f} in the {p}.",
        f"On {d}, the {who} goes to the {p}.",
        f"The {who} has {n} {a}s." if n != "one" else f"The {who} has one {a}.",
        f"The {a} likes the {f}.",
        f"On {d} we eat {f} and {f2}.",
        f"The {c} house is next to the {p}.",
        f"My favourite colour is {c}.",
        f"The {who} paints the door {c}.",
        f"After {d} comes {g['days'][(i + 1) % 7]}.",
        f"{g['numbers'][j].capitalize()} plus one is {g['numbers'][j + 1]}.",
        f"The {who} sees a {c} {a} in the {p}.",
        f"Every {d} the {who} buys {f} at the market.",
    ]
    return rng.choice(templates)


def korean(rng: random.Random) -> str:
    g = WORD_GROUPS["ko"]
    a, c, f, p, who, d = (rng.choice(g[k]) for k in ("animals", "colours", "foods", "places", "people", "days"))
    f2 = rng.choice([x for x in g["foods"] if x != f])
    i = g["days"].index(d)
    counts = ("한", "두", "세", "네", "다섯", "여섯")
    j = rng.randrange(len(g["numbers"]) - 1)
    nxt = g["numbers"][j + 1]
    colour_nouns = {"빨간": "빨간색", "파란": "파란색", "초록": "초록색", "노란": "노란색", "하얀": "하얀색", "검은": "검은색"}
    templates = [
        f"{josa(a, '이', '가')} {p}에서 잔다.",
        f"{c} {josa(a, '이', '가')} {euro(p)} 달려간다.",
        f"{josa(who, '이', '가')} {p}에서 {josa(f, '을', '를')} 먹는다.",
        f"{d}에 {josa(who, '이', '가')} {p}에 간다.",
        f"{josa(who, '은', '는')} {a} {rng.choice(counts)} 마리를 키운다.",
        f"{josa(a, '은', '는')} {josa(f, '을', '를')} 좋아한다.",
        f"{d}에는 {josa(f, '과', '와')} {josa(f2, '을', '를')} 먹는다.",
        f"{c} 집은 {p} 옆에 있다.",
        f"내가 좋아하는 색은 {colour_nouns[c]}이다.",
        f"{josa(who, '이', '가')} 문을 {colour_nouns[c]}으로 칠한다.",
        f"{d} 다음은 {g['days'][(i + 1) % 7]}이다.",
        f"{g['numbers'][j]} 더하기 하나는 {nxt}{'이다' if _final_consonant(nxt) else '다'}.",
        f"{josa(who, '이', '가')} {p}에서 {c} {josa(a, '을', '를')} 본다.",
        f"{d}마다 {josa(who, '이', '가')} 시장에서 {josa(f, '을', '를')} 산다.",
    ]
    return rng.choice(templates)


def main() -> None:
    for lang, make in (("en", english), ("ko", korean)):
        rng = random.Random(SEED)
        seen: list[str] = []
        while len(seen) < N_SENTENCES:
            sentence = make(rng)
            if sentence not in seen:
                seen.append(sentence)
        (CORPUS_DIR / f"{lang}_simple.txt").write_text("\n".join(seen) + "\n", encoding="utf-8")
        print(lang, len(seen), "sentences")


if __name__ == "__main__":
    main()
