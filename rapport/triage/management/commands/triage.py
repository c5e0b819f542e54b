"""`rapport triage train` fits the triage models; `rapport triage eval <task>` scores them."""

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

import rapport
from rapport.triage.classifier import Classifier, get_classifier

REPO_ROOT = Path(rapport.__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
DATA_ENV = "RAPPORT_TRIAGE_DATA"


def default_data_dir() -> Path | None:
    if SHARED_DATA.is_dir():
        return SHARED_DATA
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    return None


class Command(BaseCommand):
    help = (
        "Triage models: train them from the shared data sets, or score them on labelled data. "
        "`rapport triage <subcommand> --help` for each."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        train = sub.add_parser(
            "train",
            help="Fit the sentiment, complaint (and intent) models; write rapport/triage/models/.",
            description=(
                "Fit the triage models on TweetEval sentiment (train), complaints-twitter "
                "(dev.csv) and, when present, rapport/triage/data/intents.csv; write the "
                "artifacts and metadata.json (training files' sha256, validation scores)."
            ),
        )
        train.add_argument(
            "--data",
            type=Path,
            help=(
                f"The data folder (with tweeteval-sentiment/ and complaints-twitter/). Default: "
                f"../shared/data next to the repository when it exists, else ${DATA_ENV}."
            ),
        )
        train.add_argument(
            "--out", type=Path, help="Where to write the models (default: rapport/triage/models)."
        )
        train.add_argument(
            "--intents",
            type=Path,
            help="The intent CSV (default: rapport/triage/data/intents.csv).",
        )
        train.add_argument(
            "--include-feedback",
            action="store_true",
            help=(
                "Also learn from the labels people corrected in Rapport (every workspace in "
                "this database); they are added to training, never to the scored data."
            ),
        )
        ev = sub.add_parser(
            "eval",
            help="Score the models on labelled data; the last line printed is JSON.",
            description="Score a model; `rapport triage eval <task> --help` for each task.",
        )
        tasks = ev.add_subparsers(dest="task", required=True)
        sentiment = tasks.add_parser(
            "sentiment",
            help="TweetEval layout: a text file and a labels file, line i with line i.",
            description=(
                "Macro recall, accuracy and macro F1 of sentiment; labels 0/1/2 "
                "(negative/neutral/positive) or the names, one a line."
            ),
        )
        sentiment.add_argument("--text", type=Path, required=True, help="One text a line.")
        sentiment.add_argument("--labels", type=Path, required=True, help="One label a line.")
        complaint = tasks.add_parser(
            "complaint",
            help="A CSV with columns text and label (1 = complaint, 0 = not).",
            description="F1 of the complaint class (probability >= 0.5), macro F1 and accuracy.",
        )
        complaint.add_argument("--csv", type=Path, required=True, help="CSV with text,label.")
        intent = tasks.add_parser(
            "intent",
            help="A CSV with columns text and label (an intent name).",
            description="Macro F1 over the intents in the file, and F1 per intent.",
        )
        intent.add_argument("--csv", type=Path, required=True, help="CSV with text,label.")
        for task in (sentiment, complaint, intent):
            task.add_argument(
                "--models",
                type=Path,
                help="A folder of trained models (default: the shipped model, else the lexicon).",
            )
            task.add_argument(
                "--model",
                choices=["shipped", "lexicon", "vader", "textblob"],
                default="shipped",
                help=(
                    "Which model to score: the shipped one (default), the lexicon fallback, or "
                    "a baseline (VADER, TextBlob) for comparison."
                ),
            )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "train":
            self.train(options)
        else:
            self.evaluate(options)

    def train(self, options: dict[str, Any]) -> None:
        from rapport.triage.evaluation import DataError
        from rapport.triage.training import INTENTS_CSV, MODELS_DIR, train

        data = options["data"] or default_data_dir()
        if data is None:
            raise CommandError(
                f"No training data: pass --data DIR (or set {DATA_ENV}); "
                f"{SHARED_DATA} does not exist."
            )
        if not Path(data).is_dir():
            raise CommandError(f"--data {data}: not a folder")
        out = options["out"] or MODELS_DIR
        feedback = None
        if options["include_feedback"]:
            from rapport.triage.feedback import TASKS, feedback_examples

            feedback = {task: feedback_examples(task) for task in TASKS}
            counts = ", ".join(f"{len(rows)} {task}" for task, rows in feedback.items())
            self.stdout.write(f"Feedback from Rapport: {counts} corrections")
        started = time.perf_counter()
        with tqdm(total=10, desc="training", file=sys.stderr, disable=None) as bar:

            def progress(step: str) -> None:
                bar.set_description(step)
                bar.update(1)

            try:
                metadata = train(
                    Path(data),
                    Path(out),
                    progress,
                    intents_csv=options["intents"] or INTENTS_CSV,
                    feedback=feedback,
                )
            except DataError as e:
                raise CommandError(str(e)) from None
        took = time.perf_counter() - started
        self.stdout.write(f"Wrote {metadata['name']} to {out} in {took:.0f} s")
        self.stdout.write(json.dumps(metadata["scores"]))

    def evaluate(self, options: dict[str, Any]) -> None:
        from rapport.triage import evaluation

        task = options["task"]
        try:
            if task == "sentiment":
                data = evaluation.read_sentiment(options["text"], options["labels"])
            elif task == "complaint":
                data = evaluation.read_complaints(options["csv"])
            else:
                data = evaluation.read_intents(options["csv"])
        except evaluation.DataError as e:
            raise CommandError(str(e)) from None
        classifier = self._classifier(options["models"], options["model"])
        self.stdout.write(f"{task}: {len(data.texts)} posts, model {classifier.name}")
        result = evaluation.evaluate(task, classifier, data)
        self.stdout.write(json.dumps(result))

    def _classifier(self, models: Path | None, model: str = "shipped") -> Classifier:
        if model != "shipped":
            if models is not None:
                raise CommandError("--models and --model are exclusive: pick one")
            from rapport.triage.baselines import BASELINES
            from rapport.triage.classifier import LexiconClassifier

            if model == "lexicon":
                return LexiconClassifier()
            try:
                return BASELINES[model]()
            except RuntimeError as e:
                raise CommandError(str(e)) from None
        if models is None:
            return get_classifier()
        from rapport.triage.trained import TrainedClassifier

        if not (models / "metadata.json").exists():
            raise CommandError(f"--models {models}: no metadata.json there")
        return TrainedClassifier(models)
