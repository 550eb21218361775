from django.db.models import QuerySet

from apps.candidates.models import Candidate


def candidate_list() -> QuerySet[Candidate]:
    """Candidates with their exam and center joined (the list shows both codes)."""
    return Candidate.objects.select_related("exam", "center")
