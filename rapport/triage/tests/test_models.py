"""The trained triage model: training on a tiny data set, the artifacts, and any input answered."""

import csv
import json
import threading
from pathlib import Path
from typing import Any, cast

import pytest

from rapport.triage.classifier import INTENTS, SENTIMENTS, Prediction
from rapport.triage.trained import TrainedClassifier, load
from rapport.triage.training import train

NEGATIVE = ["awful service", "still broken and nobody helps", "worst app ever", "I hate the fees"]
NEUTRAL = ["the branch opens at nine", "new statement layout today", "posted from my phone"]
POSITIVE = ["love the new app", "great support thanks", "brilliant and friendly staff"]
EXTRA = ["@user", "today", "#bank", "again", "http://t.co/x", "lol", "ok", "now"]

INTENT_TEXTS = {
    "complaint": ["charged twice, still no refund", "app keeps crashing, fix it"],
    "praise": ["thanks for the quick help", "love your support team"],
    "question": ["how do I change my address?", "what time do you open?"],
    "lead": ["looking for a business account, any tips", "which bank should I switch to"],
    "idea": ["would be great if the app had dark mode", "please add apple pay"],
    "other": ["saw the branch on the high street", "nice weather today"],
}


def _rows(texts: list[str], copies: int) -> list[str]:
    return [f"{text} {EXTRA[i % len(EXTRA)]} {i}" for i in range(copies) for text in texts]


def write_tiny_data(root: Path) -> tuple[Path, Path]:
    """A data folder in the shared layout, and an intents CSV: small, but enough to fit on."""
    sentiment = root / "data" / "tweeteval-sentiment"
    sentiment.mkdir(parents=True)
    lines: list[tuple[str, int]] = []
    for label, texts in enumerate([NEGATIVE, NEUTRAL, POSITIVE]):
        lines += [(t, label) for t in _rows(texts, 8)]
    for split, part in (("train", lines), ("val", lines[::4])):
        (sentiment / f"{split}_text.txt").write_text("".join(f"{t}\n" for t, _ in part))
        (sentiment / f"{split}_labels.txt").write_text("".join(f"{y}\n" for _, y in part))
    complaints = root / "data" / "complaints-twitter"
    complaints.mkdir()
    with (complaints / "dev.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "label", "domain"])
        for i, text in enumerate(_rows(NEGATIVE, 6)):
            writer.writerow([i, text, 1, "services"])
        for i, text in enumerate(_rows(NEUTRAL + POSITIVE, 4)):
            writer.writerow([100 + i, text, 0, "services"])
    intents = root / "intents.csv"
    with intents.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label"])
        for intent, texts in INTENT_TEXTS.items():
            for text in _rows(texts, 3):
                writer.writerow([text, intent])
    return root / "data", intents


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("triage")
    data, intents = write_tiny_data(root)
    steps: list[str] = []
    metadata = train(data, root / "models", steps.append, intents_csv=intents)
    metadata["steps"] = steps
    return root / "models", metadata


@pytest.fixture(scope="module")
def model(trained: tuple[Path, dict[str, Any]]) -> TrainedClassifier:
    return TrainedClassifier(trained[0])


def test_training_writes_the_artifacts_and_metadata(trained):
    models, metadata = trained
    assert {p.name for p in models.iterdir()} == {"metadata.json", "triage.joblib"}
    assert json.loads((models / "metadata.json").read_text()) == {
        k: v for k, v in metadata.items() if k != "steps"
    }
    assert metadata["name"] == f"trained-{metadata['version']}"
    files = metadata["training_files"]
    assert set(files) == {
        "tweeteval-sentiment/train_text.txt",
        "tweeteval-sentiment/train_labels.txt",
        "complaints-twitter/dev.csv",
        "intents.csv",
    }
    assert all(len(f["sha256"]) == 64 for f in files.values())
    scores = metadata["scores"]
    assert scores["sentiment"]["n_train"] == 80
    assert 0 <= scores["sentiment"]["val_macro_recall"] <= 1
    assert 0 <= scores["complaint"]["cv_f1"] <= 1
    assert len(scores["complaint"]["cv_f1_per_seed"]) == 3
    assert scores["intent"]["cv_folds"] == 5
    assert 0 <= scores["intent"]["cv_macro_f1"] <= 1
    assert metadata["artifact_bytes"]["triage.joblib"] > 0
    assert metadata["steps"][0].startswith("features")
    assert metadata["feedback"] == {}


def test_without_an_intent_file_the_lexicon_keeps_intent(tmp_path):
    data, _ = write_tiny_data(tmp_path)
    metadata = train(data, tmp_path / "models", intents_csv=tmp_path / "missing.csv")
    assert isinstance(metadata["scores"]["intent"], str)
    assert TrainedClassifier(tmp_path / "models").model.intent is None
    prediction = TrainedClassifier(tmp_path / "models").predict(["what time do you open?"])[0]
    assert prediction.intent == "question"


def _valid(p: Prediction) -> None:
    assert p.sentiment in SENTIMENTS
    assert set(p.sentiment_probabilities) == set(SENTIMENTS)
    assert sum(p.sentiment_probabilities.values()) == pytest.approx(1, abs=1e-3)
    assert 0 <= p.complaint_probability <= 1
    assert p.intent in INTENTS
    assert set(p.intent_probabilities) == set(INTENTS)
    assert sum(p.intent_probabilities.values()) == pytest.approx(1, abs=1e-3)
    assert -1 <= p.sentiment_score <= 1


BAD = [
    "",
    "   \n\t ",
    "😀🎉🔥",
    "https://example.com/a http://t.co/b www.example.org",
    "word " * 20_000,  # 100 KB
    "<html><body><p>Terrible <b>service</b></p><script>x()</script></body></html>",
    "Ужасный сервис 服务太差了 خدمة سيئة awful service",
    "\x00\u200b\ufeff",
    "@@@ ### !!! ???",
]


def test_any_input_gets_a_prediction(model):
    predictions = model.predict(BAD)
    assert len(predictions) == len(BAD)
    for p in predictions:
        _valid(p)


def test_non_strings_do_not_raise(model):
    predictions = model.predict(cast(list[str], [None, 42]))
    assert len(predictions) == 2
    _valid(predictions[0])


def test_empty_batch_and_batch_order(model):
    assert model.predict([]) == []
    texts = ["love the new app", "awful service, still broken", "the branch opens at nine"]
    batch = model.predict(texts)
    assert batch == [model.predict([t])[0] for t in texts]
    assert batch[0].sentiment == "positive"
    assert batch[1].sentiment == "negative"
    assert batch[1].complaint_probability > batch[0].complaint_probability


def test_predicting_from_many_threads_gives_the_same_answers(model):
    texts = [f"{t} {i}" for i, t in enumerate(NEGATIVE + NEUTRAL + POSITIVE + BAD[:4])]
    expected = model.predict(texts)
    results: list[list[Prediction]] = []

    def work() -> None:
        for _ in range(5):
            results.append(model.predict(texts))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 20
    assert all(r == expected for r in results)


def test_load_answers_none_without_or_with_broken_artifacts(tmp_path):
    assert load(tmp_path) is None
    (tmp_path / "metadata.json").write_text('{"name": "trained-1"}')
    (tmp_path / "sentiment.joblib").write_bytes(b"not a model")
    assert load(tmp_path) is None


def test_shipped_model_is_served_when_present():
    from rapport.triage.classifier import get_classifier
    from rapport.triage.trained import MODELS_DIR

    classifier = get_classifier()
    if (MODELS_DIR / "metadata.json").exists():
        assert isinstance(classifier, TrainedClassifier)
        _valid(classifier.predict(["@AcmeBank still charged twice, no refund. Unacceptable!"])[0])
    else:
        assert classifier.name == "lexicon-1"


def test_the_stacked_heads_decide_as_each_head_alone(model):
    """One sparse product serves the three heads: it must equal each head's own decision."""
    import numpy as np

    from rapport.triage.features import sanitize
    from rapport.triage.trained import sigmoid, softmax

    texts = [sanitize(t) for t in [*NEGATIVE, *POSITIVE, *BAD]]
    triage = model.model
    features = triage.featurizer.transform(texts)
    scores = triage.scores_of(features)
    sentiment = triage.sentiment.decision(features)
    complaint = triage.complaint.decision(features, sentiment)[:, 0]
    intent = triage.intent.decision(features, np.c_[sentiment, complaint])
    read = ~features.empty  # texts with nothing to read are set to neutral, no complaint
    assert read.sum() >= len(NEGATIVE) + len(POSITIVE)
    assert np.allclose(scores.sentiment[read], softmax(sentiment)[read], atol=1e-5)
    assert np.allclose(scores.complaint[read], sigmoid(complaint)[read], atol=1e-5)
    assert np.allclose(scores.intent, softmax(intent), atol=1e-5)


def test_corrections_are_learned_with_feedback(tmp_path):
    """A label people corrected in the product is added to training and recorded."""
    data, intents = write_tiny_data(tmp_path)
    phrase = "zorblatt fees again"
    before = train(data, tmp_path / "plain", intents_csv=intents)
    feedback = {
        "sentiment": [(f"{phrase} {i}", "positive") for i in range(12)],
        "complaint": [],
        "intent": [(f"{phrase} {i}", "idea") for i in range(12)],
    }
    after = train(data, tmp_path / "taught", intents_csv=intents, feedback=feedback)
    assert before["feedback"] == {}
    assert after["feedback"] == {"sentiment": 12, "complaint": 0, "intent": 12}
    # the feedback joins training, never the scored data
    assert after["scores"]["sentiment"]["n_train"] == before["scores"]["sentiment"]["n_train"]
    plain = TrainedClassifier(tmp_path / "plain").predict([phrase])[0]
    taught = TrainedClassifier(tmp_path / "taught").predict([phrase])[0]
    assert taught.sentiment_probabilities["positive"] > plain.sentiment_probabilities["positive"]
    assert taught.intent == "idea"


def test_a_text_with_nothing_to_read_is_neutral_and_no_complaint(model):
    for p in model.predict(["", "   \n"]):
        assert p.sentiment == "neutral"
        assert p.complaint_probability == 0
        _valid(p)


def test_predictions_tell_the_language(model):
    french, english, empty = model.predict(
        ["Le service client ne répond jamais, c'est inadmissible", "the new app is great", ""]
    )
    assert french.language == "fr"
    assert english.language == "en"
    assert empty.language == ""
