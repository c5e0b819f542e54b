"""The free baselines the shipped models are compared with (docs/triage.md): VADER and TextBlob.

Each is a `Classifier`, scored by the same `rapport triage eval … --model vader|textblob`.
Their usual readings: VADER's compound >= 0.05 is positive and <= -0.05 negative; TextBlob's
polarity above 0 is positive and below 0 negative. Neither knows complaints: as the issue's
stand-in, the complaint probability is VADER's negative share / TextBlob's negative polarity.
Intent comes from the lexicon model. TextBlob is a development dependency only.
"""

from rapport.triage.classifier import SENTIMENTS, LexiconClassifier, Prediction
from rapport.triage.features import sanitize


class Baseline:
    """A sentiment reader with the lexicon model's intent; subclasses say how they read a text."""

    name = "baseline"

    def __init__(self) -> None:
        self._lexicon = LexiconClassifier()

    def read(self, text: str) -> tuple[str, float]:
        """(sentiment, complaint probability) of one sanitised text."""
        raise NotImplementedError

    def predict(self, texts: list[str]) -> list[Prediction]:
        clean = [sanitize(t) for t in texts]
        out = []
        for text, lexicon in zip(clean, self._lexicon.predict(clean), strict=True):
            sentiment, complaint = self.read(text)
            out.append(
                Prediction(
                    sentiment=sentiment,
                    sentiment_probabilities={s: 1.0 if s == sentiment else 0.0 for s in SENTIMENTS},
                    complaint_probability=round(complaint, 4),
                    intent=lexicon.intent,
                    intent_probabilities=lexicon.intent_probabilities,
                    text=text,
                )
            )
        return out


class VaderClassifier(Baseline):
    name = "vader"

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        super().__init__()
        self._analyzer = SentimentIntensityAnalyzer()

    def read(self, text: str) -> tuple[str, float]:
        scores = self._analyzer.polarity_scores(text)
        compound = scores["compound"]
        if compound <= -0.05:
            return "negative", 0.5 + scores["neg"] / 2 if scores["neg"] else 0.0
        return ("positive" if compound >= 0.05 else "neutral"), 0.0


class TextBlobClassifier(Baseline):
    name = "textblob"

    def __init__(self) -> None:
        try:
            from textblob import TextBlob
        except ImportError:  # a development dependency
            raise RuntimeError(
                "TextBlob is not installed: `make test` installs it (requirements/dev.txt)."
            ) from None
        super().__init__()
        self._blob = TextBlob

    def read(self, text: str) -> tuple[str, float]:
        polarity = float(self._blob(text).sentiment.polarity)
        if polarity < 0:
            return "negative", 0.5 - polarity / 2
        return ("positive" if polarity > 0 else "neutral"), 0.0


BASELINES: dict[str, type[Baseline]] = {
    "vader": VaderClassifier,
    "textblob": TextBlobClassifier,
}
