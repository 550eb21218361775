"""Job kinds of this app (discovered at start-up by apps.jobs)."""

from apps.centers.models import Center
from apps.exams.models import Exam
from apps.jobs.registry import register_job_kind
from apps.jobs.services import job_output_path
from apps.seating.admit_cards import admit_cards_write_zip
from apps.seating.allocation import allocation_run


def run_allocation(job, params, progress):
    """params: {"exam": id, "seed", "dry_run", "reset"} as POST /api/exams/{id}/allocate/ took them."""
    exam = Exam.objects.get(pk=params["exam"])
    report = allocation_run(
        exam=exam, seed=params["seed"], dry_run=params["dry_run"], reset=params["reset"], progress=progress
    )
    return report.as_dict()


def run_admit_cards(job, params, progress):
    """params: {"exam": id, "center": id or None}; produces a zip of one PDF per candidate."""
    exam = Exam.objects.get(pk=params["exam"])
    center = Center.objects.get(pk=params["center"]) if params.get("center") else None
    suffix = f"-{center.code}" if center else ""
    path = job_output_path(job, suffix=".zip", filename=f"admit-cards-{exam.code}{suffix}.zip")
    cards = admit_cards_write_zip(exam=exam, center=center, output=path, progress=progress)
    return {"exam": exam.code, "center": center.code if center else None, "cards": cards}


register_job_kind("seating.allocate", run_allocation, label="Allocate centers, rooms, seats and paper sets")
register_job_kind("seating.admit_cards", run_admit_cards, label="Admit cards of an exam (zip of PDFs)")
