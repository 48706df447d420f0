"""``manage.py inbox_classify_eval --train TRAIN.tsv --test TEST.tsv``: how well
the inbox classifier does on held-out labelled data.

Each file has one ``label<TAB>text`` per line (any label set; blank lines are
skipped).  The model is trained on TRAIN only, with the same code the inbox
uses (kanava.text.classify), and scored on TEST; the result is printed as
JSON: per-class precision, recall, F1 and support, macro-F1, accuracy,
n_train and n_test.  The command refuses (exit status 1) when a TEST text also
appears in TRAIN: nothing learned from the test data may be evaluated on it.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from kanava.text.evaluate import OverlapError, evaluate, read_labelled


class Command(BaseCommand):
    help = "Train the inbox classifier on TRAIN only and print its scores on TEST as JSON."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--train", required=True, help="Training data: label<TAB>text per line.")
        parser.add_argument("--test", required=True, help="Held-out test data: label<TAB>text per line.")

    def handle(self, *args, train, test, **options):
        try:
            train_rows, test_rows = read_labelled(train), read_labelled(test)
            report = evaluate(train_rows, test_rows)
        except OverlapError as error:
            raise CommandError(f"Refused: {error}")
        except (OSError, ValueError) as error:
            raise CommandError(str(error))
        self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
