import django_filters

from apps.exams.models import Exam, ExamSession, Paper, SessionCenter


class ExamFilter(django_filters.FilterSet):
    start_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    start_before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = Exam
        fields = ["status", "code"]


class PaperFilter(django_filters.FilterSet):
    status = django_filters.CharFilter(field_name="exam__status", help_text="Status of the paper's exam.")

    class Meta:
        model = Paper
        fields = ["exam", "kind"]


class ExamSessionFilter(django_filters.FilterSet):
    status = django_filters.CharFilter(field_name="exam__status", help_text="Status of the session's exam.")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = ExamSession
        fields = ["exam", "paper", "date"]


class SessionCenterFilter(django_filters.FilterSet):
    exam = django_filters.UUIDFilter(field_name="session__exam")

    class Meta:
        model = SessionCenter
        fields = ["session", "center"]
