"""Who sees which questions, papers and documents (docs/questions.md, who sees questions).

* Admins see everything (`scope_for` never asks a rule for them).
* Paper setters see the bank of the subjects assigned to them, and the question papers
  whose questions all come from those subjects.
* Exam managers see no question and no paper content; the answer-key view lets them read a
  paper's keys after its last session has ended, through the paper rule below.
* Center staff see the encrypted documents of the sessions their center holds, and their
  center's release and download records. Evaluators see none of it.
"""

from django.db.models import Exists, OuterRef

from apps.core.roles import CENTER_ROLES, Role
from apps.core.scoping import HQ_STAFF, center_scoped, scope_rule
from apps.exams.selectors import sessions_held_at
from apps.questions.models import (
    DocumentDownload,
    DocumentKey,
    PaperDocument,
    PaperQuestion,
    PaperRelease,
    PaperSet,
    Passage,
    Question,
    QuestionHistory,
    QuestionImage,
    QuestionPaper,
    QuestionVersion,
    ReleaseAttempt,
    SetQuestion,
    SetterAssignment,
    Subject,
)


def assigned_subjects(user):
    return SetterAssignment.objects.filter(user=user).values("subject_id")


def _setter_only(subject_path: str):
    def rule(user, queryset):
        if user.role == Role.PAPER_SETTER:
            return queryset.filter(**{f"{subject_path}__in": assigned_subjects(user)})
        return queryset.none()

    return rule


scope_rule(Subject)(_setter_only("pk"))
scope_rule(Passage)(_setter_only("subject_id"))
scope_rule(Question)(_setter_only("subject_id"))
scope_rule(QuestionVersion)(_setter_only("question__subject_id"))
scope_rule(QuestionImage)(_setter_only("question__subject_id"))
scope_rule(QuestionHistory)(_setter_only("question__subject_id"))


@scope_rule(SetterAssignment)
def _assignments(user, queryset):
    return queryset.filter(user=user) if user.role == Role.PAPER_SETTER else queryset.none()


def papers_for(user, queryset):
    """Question papers `user` may see: a setter those drawing only on its subjects; an exam
    manager all of them (the answer-key view alone serves them, and checks the time)."""
    if user.role == Role.PAPER_SETTER:
        foreign = PaperQuestion.objects.filter(paper=OuterRef("pk")).exclude(
            question__subject_id__in=assigned_subjects(user)
        )
        return queryset.filter(~Exists(foreign))
    if user.role == Role.EXAM_MANAGER:
        return queryset
    return queryset.none()


scope_rule(QuestionPaper)(papers_for)


def _via_paper(paper_path: str):
    def rule(user, queryset):
        visible = papers_for(user, QuestionPaper.objects.all()).values("pk")
        return queryset.filter(**{f"{paper_path}__in": visible})

    return rule


scope_rule(PaperQuestion)(_via_paper("paper_id"))
scope_rule(PaperSet)(_via_paper("paper_id"))
scope_rule(SetQuestion)(_via_paper("paper_set__paper_id"))


@scope_rule(PaperDocument)
def _documents(user, queryset):
    if user.role in CENTER_ROLES and user.center_id:
        return queryset.filter(session__in=sessions_held_at(user.center_id).values("pk"))
    if user.role == Role.PAPER_SETTER:
        visible = papers_for(user, QuestionPaper.objects.all()).values("session_id")
        return queryset.filter(session_id__in=visible)
    return queryset.none()


@scope_rule(DocumentKey)
def _no_one_but_admins(user, queryset):
    return queryset.none()


for _model in (PaperRelease, ReleaseAttempt, DocumentDownload):
    scope_rule(_model)(center_scoped("center_id", hq_roles=HQ_STAFF))
