import json

from django.core.management.base import BaseCommand, CommandError

from apps.exams.selectors import exam_by_code_or_id
from apps.seating.allocation import allocation_run
from utils.exceptions import ApplicationError
from utils.progress import TerminalProgress


class Command(BaseCommand):
    help = (
        "Allocate an exam's registered candidates to centers, rooms, seats and question-paper sets. "
        "Existing seats are kept unless --reset. See README, 'Exam logistics', for the rules."
    )

    def add_arguments(self, parser):
        parser.add_argument("--exam-id", required=True, help="Exam code or UUID.")
        parser.add_argument("--seed", type=int, default=0, help="Seed of the seat shuffle (same seed, same seats).")
        parser.add_argument("--dry-run", action="store_true", help="Compute and report; write nothing.")
        parser.add_argument("--reset", action="store_true", help="Drop the exam's allocations first and redo all.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, **options):
        exam = exam_by_code_or_id(options["exam_id"])
        if exam is None:
            raise CommandError(f"No exam with code or id {options['exam_id']!r}.")
        verbosity = options["verbosity"]
        with TerminalProgress(description="allocating", unit="rows", enabled=verbosity >= 1) as bar:
            try:
                result = allocation_run(
                    exam=exam, seed=options["seed"], dry_run=options["dry_run"], reset=options["reset"], progress=bar
                )
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
        self.render(result, as_json=options["json"], verbosity=verbosity)

    def render(self, result, *, as_json: bool, verbosity: int) -> None:
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
            return
        prefix = "[dry run] would place" if result.dry_run else "Placed"
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix} {result.placed} of {result.candidates} candidates "
                f"({result.allocations_created} seats written, {result.kept} kept) in {result.seconds:.1f} s."
            )
        )
        for label, line in result.per_shift.items():
            self.stdout.write(
                f"  shift {label}: {line['placed']} placed, {line['seated']} seated of {line['seats']} seats "
                f"({line['free']} free)"
            )
        if result.wishes_honoured or result.wishes_missed_count:
            self.stdout.write(
                f"Preferred shifts: {result.wishes_honoured} honoured, {result.wishes_missed_count} not honoured."
            )
            if verbosity >= 2:
                for item in result.wishes_missed:
                    self.stdout.write(f"  {item.roll_number}: {item.reason} (given {item.given or '-'})")
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(warning))
        if result.unplaced_count:
            self.stdout.write(self.style.WARNING(f"{result.unplaced_count} could not be placed:"))
            for reason, count in result.unplaced_reasons.most_common():
                self.stdout.write(f"  {count:>8}  {reason}")
            if verbosity >= 2:
                for item in result.unplaced:
                    self.stdout.write(f"  {item.roll_number}: {item.reason}")
