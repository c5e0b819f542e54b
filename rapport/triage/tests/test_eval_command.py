"""`rapport triage train` and `rapport triage eval`: parsing, errors naming file and line, JSON."""

import csv
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rapport.triage.management.commands import triage as command
from rapport.triage.tests.test_models import write_tiny_data
from rapport.triage.training import train


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("eval")
    data, intents = write_tiny_data(root)
    train(data, root / "models", intents_csv=intents)
    return root / "models"


def run(*args: Any) -> list[str]:
    out = StringIO()
    call_command("triage", *[str(a) for a in args], stdout=out)
    return out.getvalue().strip().splitlines()


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def test_eval_sentiment_prints_json_last(models, tmp_path):
    text = write(tmp_path / "t.txt", "love the new app\nawful service\nthe branch opens at nine\n")
    labels = write(tmp_path / "l.txt", "2\n0\nneutral\n")
    lines = run("eval", "sentiment", "--text", text, "--labels", labels, "--models", models)
    result = json.loads(lines[-1])
    assert list(result) == ["task", "n", "macro_recall", "accuracy", "macro_f1", "posts_per_s"]
    assert result["task"] == "sentiment"
    assert result["n"] == 3
    assert 0 <= result["macro_recall"] <= 1
    assert result["posts_per_s"] > 0


def test_eval_complaint_prints_json_last(models, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        [["id", "text", "label"], ["1", "still broken, awful", "1"], ["2", "love it", "0"]],
    )
    result = json.loads(run("eval", "complaint", "--csv", path, "--models", models)[-1])
    assert list(result) == ["task", "n", "f1", "macro_f1", "accuracy", "posts_per_s"]
    assert result["task"] == "complaint"
    assert result["n"] == 2


def test_eval_intent_prints_json_last(models, tmp_path):
    path = write_csv(
        tmp_path / "i.csv",
        [["text", "label"], ["how do I change my address?", "question"], ["love you", "praise"]],
    )
    result = json.loads(run("eval", "intent", "--csv", path, "--models", models)[-1])
    assert list(result) == ["task", "n", "macro_f1", "per_class", "posts_per_s"]
    assert set(result["per_class"]) == {"question", "praise"}


def test_eval_uses_the_shipped_or_lexicon_model_by_default(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["text", "label"], ["refund now!", "1"]])
    assert json.loads(run("eval", "complaint", "--csv", path)[-1])["n"] == 1


def test_mismatched_line_counts_name_the_file_and_line(tmp_path):
    text = write(tmp_path / "t.txt", "a\nb\nc\n")
    labels = write(tmp_path / "l.txt", "0\n1\n")
    with pytest.raises(CommandError, match=r"l\.txt, line 3: 3 texts .* but 2 labels"):
        run("eval", "sentiment", "--text", text, "--labels", labels)


def test_unknown_sentiment_label_names_the_line(tmp_path):
    text = write(tmp_path / "t.txt", "a\nb\n")
    labels = write(tmp_path / "l.txt", "0\nangry\n")
    with pytest.raises(CommandError, match=r"l\.txt, line 2: unknown label 'angry'"):
        run("eval", "sentiment", "--text", text, "--labels", labels)


def test_unknown_csv_label_names_the_line(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["text", "label"], ["x", "1"], ["y", "maybe"]])
    with pytest.raises(CommandError, match=r"c\.csv, line 3: unknown label 'maybe'"):
        run("eval", "complaint", "--csv", path)


def test_missing_column_is_named(tmp_path):
    path = write_csv(tmp_path / "i.csv", [["body", "label"], ["x", "praise"]])
    with pytest.raises(CommandError, match=r"i\.csv, line 1: missing column text"):
        run("eval", "intent", "--csv", path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match=r"nope\.csv: no such file"):
        run("eval", "complaint", "--csv", tmp_path / "nope.csv")


def test_missing_models_folder_is_named(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["text", "label"], ["x", "1"]])
    with pytest.raises(CommandError, match=r"no metadata\.json"):
        run("eval", "complaint", "--csv", path, "--models", tmp_path)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["train"],
        ["eval"],
        ["eval", "sentiment"],
        ["eval", "complaint"],
        ["eval", "intent"],
    ],
)
def test_every_subcommand_has_help(args, capsys):
    parser = command.Command().create_parser("rapport", "triage")
    with pytest.raises(SystemExit) as exit_:
        parser.parse_args([*args, "--help"])
    assert exit_.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_train_without_data_names_the_option(monkeypatch, tmp_path):
    monkeypatch.setattr(command, "SHARED_DATA", tmp_path / "missing")
    monkeypatch.delenv(command.DATA_ENV, raising=False)
    with pytest.raises(CommandError, match="--data"):
        run("train")


def test_train_on_tiny_data_writes_metadata_and_prints_scores(monkeypatch, tmp_path):
    data, intents = write_tiny_data(tmp_path)
    monkeypatch.setattr(command, "SHARED_DATA", tmp_path / "missing")
    monkeypatch.setenv(command.DATA_ENV, str(data))
    lines = run("train", "--out", tmp_path / "out", "--intents", intents)
    metadata = json.loads((tmp_path / "out" / "metadata.json").read_text())
    assert json.loads(lines[-1]) == metadata["scores"]


def test_train_reports_bad_data_with_its_line(tmp_path):
    data, _ = write_tiny_data(tmp_path)
    labels = data / "tweeteval-sentiment" / "train_labels.txt"
    labels.write_text(labels.read_text().replace("1\n", "7\n", 1))
    with pytest.raises(CommandError, match=r"train_labels\.txt, line \d+: unknown label '7'"):
        run("train", "--data", data, "--out", tmp_path / "out")


def test_csv_texts_may_hold_newlines_and_errors_count_physical_lines(tmp_path):
    from rapport.triage.evaluation import read_intents

    path = write_csv(
        tmp_path / "i.csv",
        [["text", "label"], ["first line\nsecond line", "question"], ["z", "nope"]],
    )
    with pytest.raises(CommandError, match=r"i\.csv, line 4: unknown label 'nope'"):
        run("eval", "intent", "--csv", path)
    write_csv(path, [["text", "label"], ["first line\nsecond line", "question"]])
    assert read_intents(path).texts == ["first line\nsecond line"]


@pytest.mark.parametrize("model", ["vader", "textblob", "lexicon"])
def test_the_baselines_are_scored_by_the_same_command(model, tmp_path):
    text = write(tmp_path / "t.txt", "I love this bank, great app!\nawful, terrible service\n")
    labels = write(tmp_path / "l.txt", "2\n0\n")
    lines = run("eval", "sentiment", "--text", text, "--labels", labels, "--model", model)
    assert model in lines[0]
    result = json.loads(lines[-1])
    assert result["n"] == 2
    assert result["accuracy"] == 1.0  # two plain cases every baseline reads right


def test_models_folder_and_baseline_are_exclusive(models, tmp_path):
    path = write_csv(tmp_path / "c.csv", [["text", "label"], ["x", "1"]])
    with pytest.raises(CommandError, match="exclusive"):
        run("eval", "complaint", "--csv", path, "--models", models, "--model", "vader")


@pytest.mark.django_db
def test_train_includes_feedback_from_the_database_when_asked(monkeypatch, tmp_path):
    from rapport.triage import feedback

    data, intents = write_tiny_data(tmp_path)
    corrections = {"sentiment": [("fee again", "negative")], "intent": [], "complaint": []}
    monkeypatch.setattr(feedback, "feedback_examples", lambda task: corrections[task])
    lines = run(
        "train",
        "--data",
        data,
        "--out",
        tmp_path / "out",
        "--intents",
        intents,
        "--include-feedback",
    )
    assert any("1 sentiment" in line for line in lines)
    metadata = json.loads((tmp_path / "out" / "metadata.json").read_text())
    assert metadata["feedback"] == {"sentiment": 1, "intent": 0, "complaint": 0}
