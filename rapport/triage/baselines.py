"""The free baselines the shipped models are compared with (docs/triage.md): VADER and TextBlob.

Each is a `Classifier`, scored by the same `rapport triage eval … --model vader|textblob`.
Their usual readings: VADER's compound >= 0.05 is positive and <= -0.05 negative; TextBlob's
polarity above 0 is positive and below 0 negative. Neither knows complaints: as the issue's
stand-in, the complaint probability is VADER's negative share / TextBlob's negative polarity.
Intent comes from the lexicon model. TextBlob is a development dependency only.
"""

from rapport.triage.classifier import LexiconClassifier, Prediction
from rapport.triage.features import sanitize


def _prediction(sentiment: str, complaint: float, text: str, lexicon: Prediction) -> Prediction:
    probabilities = {s: 1.0 if s == sentiment else 0.0 for s in ("negative", "neutral", "positive")}
    return Prediction(
        sentiment=sentiment,
        sentiment_probabilities=probabilities,
        complaint_probability=round(complaint, 4),
        intent=lexicon.intent,
        intent_probabilities=lexicon.intent_probabilities,
        text=text,
    )


class VaderClassifier:
    name = "vader"

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._analyzer = SentimentIntensityAnalyzer()
        self._lexicon = LexiconClassifier()

    def predict(self, texts: list[str]) -> list[Prediction]:
        clean = [sanitize(t) for t in texts]
        out = []
        for text, lexicon in zip(clean, self._lexicon.predict(clean), strict=True):
            scores = self._analyzer.polarity_scores(text)
            compound = scores["compound"]
            sentiment = (
                "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"
            )
            complaint = scores["neg"] if sentiment == "negative" else 0.0
            out.append(
                _prediction(sentiment, 0.5 + complaint / 2 if complaint else 0.0, text, lexicon)
            )
        return out


class TextBlobClassifier:
    name = "textblob"

    def __init__(self) -> None:
        try:
            from textblob import TextBlob
        except ImportError:  # a development dependency
            raise RuntimeError(
                "TextBlob is not installed: `make test` installs it (requirements/dev.txt)."
            ) from None
        self._blob = TextBlob
        self._lexicon = LexiconClassifier()

    def predict(self, texts: list[str]) -> list[Prediction]:
        clean = [sanitize(t) for t in texts]
        out = []
        for text, lexicon in zip(clean, self._lexicon.predict(clean), strict=True):
            polarity = float(self._blob(text).sentiment.polarity)
            sentiment = "positive" if polarity > 0 else "negative" if polarity < 0 else "neutral"
            complaint = 0.5 - polarity / 2 if polarity < 0 else 0.0
            out.append(_prediction(sentiment, complaint, text, lexicon))
        return out


BASELINES: dict[str, type[VaderClassifier] | type[TextBlobClassifier]] = {
    "vader": VaderClassifier,
    "textblob": TextBlobClassifier,
}
