import django_filters

from apps.candidates.models import Candidate


class CandidateFilter(django_filters.FilterSet):
    city = django_filters.CharFilter(lookup_expr="iexact")
    exam_code = django_filters.CharFilter(field_name="exam__code", lookup_expr="iexact")

    class Meta:
        model = Candidate
        fields = ["exam", "exam_code", "center", "category", "status", "city", "gender", "pwd"]
