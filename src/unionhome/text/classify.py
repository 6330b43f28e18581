"""Demand category suggestion: character n-grams and a linear model.

The model is trained with scikit-learn from the corpus shipped in ``data/demand_corpus.jsonl``
(hand-written demands labelled with the twelve categories of ``categories.py``). Web workers do
not train it and never import scikit-learn (≈140 MB a process): they score with the trained
weights exported to ``data/demand_model.tsv`` (``manage.py export_classifier``; a test
retrains and fails when the file no longer matches the corpus) by a few lines of pure Python
that compute what the pipeline's ``predict_proba`` does (``ShippedModel``).

Features: TF-IDF over character 1–3-grams of `normalise_for_matching(text)` (Simplified, lower
case, half-width), so Traditional and full-width input look like their Simplified forms. No jieba:
word features did not help on the corpus (5-fold macro-F1 0.865 with them, 0.884 without) and
would add jieba's 70 MB to every web worker. Model: one-vs-rest logistic regression (liblinear,
fixed random_state), whose normalised probabilities are the confidence.

``classify(text)`` is the one code path for the web form's suggestion and for the batch command
(``manage.py classify_demands``); ``evaluate()`` is the held-out check that both
``manage.py evaluate_classifier`` and the tests run.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unionhome.text.categories import CATEGORY_NAMES, CODE_BY_NAME
from unionhome.text.normalise import normalise_for_matching
from unionhome.text.spam import check as check_spam

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sklearn.pipeline import Pipeline

CORPUS_PATH = Path(__file__).resolve().parent / "data" / "demand_corpus.jsonl"
MODEL_PATH = Path(__file__).resolve().parent / "data" / "demand_model.tsv"
MODEL_FORMAT = 2
RANDOM_STATE = 20241
HELD_OUT_SHARE = 0.25
FALLBACK_CODE = "other"


@dataclass(frozen=True)
class Suggestion:
    """The suggested category and how sure the model is.

    ``alternatives`` are the next three categories after the suggested one, most likely first, as
    ``(code, name, probability)``; the probabilities of all twelve categories add up to 1.
    """

    code: str
    name: str
    confidence: float
    alternatives: tuple[tuple[str, str, float], ...] = ()


@dataclass(frozen=True)
class Example:
    text: str
    code: str


def load_corpus(path: Path = CORPUS_PATH) -> list[Example]:
    """The labelled corpus; fails loudly on a line that is not ``{"text", "category"}``."""
    examples = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            try:
                code = CODE_BY_NAME[row["category"]]
            except KeyError as error:
                raise ValueError(f"{path.name}:{number}: unknown category {error}") from None
            if not isinstance(row.get("text"), str) or not row["text"].strip():
                raise ValueError(f"{path.name}:{number}: text missing")
            examples.append(Example(row["text"], code))
    return examples


def build_pipeline() -> Pipeline:
    """An untrained pipeline (raw text in, category codes out). Imports scikit-learn."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            (
                "ngrams",
                TfidfVectorizer(
                    preprocessor=normalise_for_matching,
                    lowercase=False,  # normalise_for_matching already folds case
                    analyzer="char",
                    ngram_range=(1, 3),
                    min_df=2,
                    sublinear_tf=True,
                ),
            ),
            (
                "model",
                OneVsRestClassifier(
                    LogisticRegression(C=30.0, solver="liblinear", random_state=RANDOM_STATE)
                ),
            ),
        ]
    )


class Model:
    """A trained pipeline with the category names attached."""

    def __init__(self, pipeline: Pipeline):
        import numpy as np

        self.pipeline = pipeline
        self.codes: list[str] = [str(code) for code in pipeline.classes_]
        # One-vs-rest predict_proba validates its input once per category (~2.5 ms a call for a
        # single text); the same numbers come straight from the stacked coefficients.
        estimators = pipeline.named_steps["model"].estimators_
        self._vectorizer = pipeline.named_steps["ngrams"]
        self._weights = np.vstack([e.coef_ for e in estimators]).T.copy()
        self._intercepts = np.concatenate([e.intercept_ for e in estimators])

    @classmethod
    def train(cls, examples: Sequence[Example]) -> Model:
        pipeline = build_pipeline()
        pipeline.fit([e.text for e in examples], [e.code for e in examples])
        return cls(pipeline)

    def rank(self, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        """For each text, every category code with its probability, most likely first."""
        rows = self.probabilities(texts)
        return [
            sorted(zip(self.codes, map(float, row), strict=True), key=lambda pair: -pair[1])
            for row in rows
        ]

    def probabilities(self, texts: Sequence[str]) -> Any:
        """A (texts × categories) array, rows summing to 1, columns in ``self.codes`` order:
        what ``pipeline.predict_proba`` gives (one-vs-rest sigmoids, normalised per row)."""
        import numpy as np
        import sklearn

        # Our own strings and coefficients: re-validating them costs more than the arithmetic.
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            features = self._vectorizer.transform(list(texts))
        scores = features @ self._weights + self._intercepts
        positive = 1.0 / (1.0 + np.exp(-scores))
        return positive / positive.sum(axis=1, keepdims=True)

    def suggest(self, text: str | None) -> Suggestion:
        return _suggestion(self.rank([text or ""])[0], text)

    def export(self) -> dict[str, Any]:
        """The weights a `ShippedModel` needs, as JSON-ready data (8 significant digits)."""
        vectorizer = self._vectorizer
        if (vectorizer.analyzer, vectorizer.ngram_range, vectorizer.norm) != ("char", (1, 3), "l2"):
            raise ValueError("ShippedModel scores char 1-3-grams with l2 norm only")
        if not vectorizer.sublinear_tf:
            raise ValueError("ShippedModel assumes sublinear tf")
        by_index = sorted(vectorizer.vocabulary_.items(), key=lambda pair: pair[1])
        idf = vectorizer.idf_
        return {
            "format": MODEL_FORMAT,
            "corpus_sha256": _corpus_digest(),
            "codes": self.codes,
            "intercepts": [_round(x) for x in self._intercepts],
            "ngrams": {
                gram: [_round(idf[index]), *(_round(w) for w in self._weights[index])]
                for gram, index in by_index
            },
        }


def _round(value: float) -> float:
    return float(f"{float(value):.8g}")


def _corpus_digest(path: Path = CORPUS_PATH) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _suggestion(ranked: list[tuple[str, float]], text: str | None) -> Suggestion:
    if not normalise_for_matching(text):
        return Suggestion(FALLBACK_CODE, CATEGORY_NAMES[FALLBACK_CODE], 0.0)
    (code, probability), runners_up = ranked[0], ranked[1:4]
    return Suggestion(
        code,
        CATEGORY_NAMES[code],
        round(probability, 4),
        tuple((c, CATEGORY_NAMES[c], round(p, 4)) for c, p in runners_up),
    )


# scikit-learn's char analyzer folds runs of white space to one space before cutting n-grams.
_WHITE_SPACES = re.compile(r"\s\s+")


class ShippedModel:
    """The exported weights, scored in pure Python: TF-IDF of character 1–3-grams (sublinear tf,
    l2 norm), one-vs-rest logistic scores, sigmoids normalised per text — the arithmetic of
    `Model.probabilities`, to the export's 8 significant digits."""

    def __init__(self, head: dict[str, Any], rows):
        """`head`: format, codes, intercepts; `rows`: (n-gram, [idf, weight per code])."""
        if head.get("format") != MODEL_FORMAT:
            raise ValueError(f"unknown classifier model format {head.get('format')!r}")
        self.codes: list[str] = list(head["codes"])
        self.corpus_sha256: str = head.get("corpus_sha256", "")
        width = len(self.codes)
        self._width = width
        self._intercepts = tuple(head["intercepts"])
        self._index: dict[str, int] = {}
        # Flat arrays keep 11,000 n-grams × 13 numbers at ~1 MB instead of ~5 MB of floats.
        self._idf = array("d")
        self._weights = array("d")
        for index, (gram, numbers) in enumerate(rows):
            if len(numbers) != width + 1:
                raise ValueError(f"classifier model: n-gram {gram!r} has {len(numbers)} numbers")
            self._index[gram] = index
            self._idf.append(numbers[0])
            self._weights.extend(numbers[1:])

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> ShippedModel:
        """Line by line: parsing the whole file as one JSON document left ~12 MB of freed
        objects in every web worker's heap."""
        with path.open(encoding="utf-8") as lines:
            head = json.loads(next(lines))
            return cls(head, (_model_row(line) for line in lines if line.strip()))

    def _features(self, text: str) -> dict[int, float]:
        text = _WHITE_SPACES.sub(" ", normalise_for_matching(text))
        counts: dict[int, int] = {}
        index = self._index
        length = len(text)
        for size in (1, 2, 3):
            for start in range(length - size + 1):
                feature = index.get(text[start : start + size])
                if feature is not None:
                    counts[feature] = counts.get(feature, 0) + 1
        idf = self._idf
        values = {f: (1.0 + math.log(n)) * idf[f] for f, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values()))
        return {f: v / norm for f, v in values.items()} if norm else {}

    def probabilities_one(self, text: str) -> list[float]:
        scores = list(self._intercepts)
        weights, width = self._weights, self._width
        for feature, value in self._features(text).items():
            base = feature * width
            for k in range(width):
                scores[k] += value * weights[base + k]
        positive = [1.0 / (1.0 + math.exp(-s)) for s in scores]
        total = sum(positive)
        return [p / total for p in positive]

    def rank(self, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        return [
            sorted(zip(self.codes, self.probabilities_one(t), strict=True), key=lambda p: -p[1])
            for t in texts
        ]

    def suggest(self, text: str | None) -> Suggestion:
        return _suggestion(self.rank([text or ""])[0], text)


_lock = threading.Lock()
_model: ShippedModel | None = None


def get_model() -> ShippedModel:
    """The process-wide scorer, loaded from the exported weights on first use (thread-safe)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = ShippedModel.load()
    return _model


def train_model() -> Model:
    """The scikit-learn model trained on the whole shipped corpus (what the export is made of)."""
    return Model.train(load_corpus())


def _model_row(line: str) -> tuple[str, list[float]]:
    gram, numbers = line.rstrip("\n").split("\t")
    return json.loads(gram), [float(x) for x in numbers.split(" ")]


def read_model_file(path: Path = MODEL_PATH) -> tuple[dict[str, Any], dict[str, list[float]]]:
    """The file as data (head, {n-gram: numbers}), for checks."""
    with path.open(encoding="utf-8") as lines:
        head = json.loads(next(lines))
        return head, dict(_model_row(line) for line in lines if line.strip())


def export_model(path: Path = MODEL_PATH) -> dict[str, Any]:
    """Train on the corpus and write the weights web workers score with: a JSON head line, then
    one n-gram per line (JSON-quoted, a tab, idf and the weights), so a retrained model's diff
    shows which weights moved."""
    data = train_model().export()
    head = {key: value for key, value in data.items() if key != "ngrams"}
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps(head, ensure_ascii=False) + "\n")
        for gram, numbers in data["ngrams"].items():
            out.write(f"{json.dumps(gram, ensure_ascii=False)}\t{' '.join(map(repr, numbers))}\n")
    return data


def suggest_category(text: str | None) -> Suggestion:
    """The most likely category for a demand, with confidence and three alternatives.

    Empty text gets 其他建议 with confidence 0.
    """
    return get_model().suggest(text)


def classify(text: str | None) -> dict[str, Any]:
    """``{"category": <Chinese name>, "is_spam": bool, "confidence": 0..1}`` for one text.

    The category is the model's best guess even for spam; ``is_spam`` comes from the rules in
    ``spam.py``.
    """
    suggestion = suggest_category(text)
    return {
        "category": suggestion.name,
        "is_spam": check_spam(text).is_spam,
        "confidence": suggestion.confidence,
    }


# --- evaluation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryScore:
    code: str
    name: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    scores: list[CategoryScore]
    macro_f1: float
    accuracy: float
    n_train: int
    n_test: int
    train_seconds: float
    classify_seconds: float  # one text through `Model.suggest`, median of repeated runs
    mistakes: list[tuple[str, str, str]] = field(default_factory=list)  # (text, true, predicted)


def split(
    examples: Sequence[Example], test_size: float = HELD_OUT_SHARE, seed: int = RANDOM_STATE
) -> tuple[list[Example], list[Example]]:
    """A stratified train/held-out split, the same for the same seed."""
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(
        list(examples),
        test_size=test_size,
        random_state=seed,
        stratify=[e.code for e in examples],
    )
    return train, test


def evaluate(
    test_size: float = HELD_OUT_SHARE,
    seed: int = RANDOM_STATE,
    examples: Sequence[Example] | None = None,
) -> Evaluation:
    """Train on one part of the corpus, score on the held-out rest (never seen in training)."""
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    examples = load_corpus() if examples is None else examples
    train, test = split(examples, test_size, seed)

    started = time.perf_counter()
    model = Model.train(train)
    train_seconds = time.perf_counter() - started

    predicted = [ranked[0][0] for ranked in model.rank([e.text for e in test])]
    truth = [e.code for e in test]
    codes = list(CATEGORY_NAMES)
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=codes, zero_division=0
    )
    scores = [
        CategoryScore(code, CATEGORY_NAMES[code], float(p), float(r), float(f), int(s))
        for code, p, r, f, s in zip(codes, precision, recall, f1, support, strict=True)
    ]

    sample = test[0].text
    timings = []
    for _ in range(21):
        started = time.perf_counter()
        model.suggest(sample)
        timings.append(time.perf_counter() - started)

    return Evaluation(
        scores=scores,
        macro_f1=float(f1_score(truth, predicted, labels=codes, average="macro", zero_division=0)),
        accuracy=float(accuracy_score(truth, predicted)),
        n_train=len(train),
        n_test=len(test),
        train_seconds=train_seconds,
        classify_seconds=sorted(timings)[len(timings) // 2],
        mistakes=[
            (e.text, e.code, guess)
            for e, guess in zip(test, predicted, strict=True)
            if guess != e.code
        ],
    )
