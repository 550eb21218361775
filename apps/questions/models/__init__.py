"""The questions app's models, one module per concern (the bank, papers, documents)."""

from apps.questions.models.bank import (
    HistoryAction,
    Passage,
    Question,
    QuestionHistory,
    QuestionImage,
    QuestionNumberCounter,
    QuestionVersion,
    SetterAssignment,
    Subject,
)
from apps.questions.models.documents import DocumentDownload, DocumentKey, PaperDocument, PaperRelease, ReleaseAttempt
from apps.questions.models.papers import PaperQuestion, PaperSet, QuestionPaper, SetQuestion

__all__ = [
    "DocumentDownload",
    "DocumentKey",
    "HistoryAction",
    "PaperDocument",
    "PaperQuestion",
    "PaperRelease",
    "PaperSet",
    "Passage",
    "Question",
    "QuestionHistory",
    "QuestionImage",
    "QuestionNumberCounter",
    "QuestionPaper",
    "QuestionVersion",
    "ReleaseAttempt",
    "SetQuestion",
    "SetterAssignment",
    "Subject",
]
