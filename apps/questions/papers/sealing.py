"""A finalised paper's sets, printed and stored encrypted: what travels to the centers.

Called by `services.finalise_paper` inside its transaction, so a paper is final exactly when
its set documents exist (the ciphertext files are written before their rows; see
apps/questions/release/storage.py).
"""

from apps.questions.choices import DocumentKind
from apps.questions.models import PaperDocument, QuestionPaper
from apps.questions.papers.printing import render_set_pdf
from apps.questions.release.storage import store_document


def seal_paper(*, user, paper: QuestionPaper) -> list[PaperDocument]:
    """Render every set of `paper` and store each PDF encrypted, one document per set."""
    session = paper.session
    documents = []
    for paper_set in paper.sets.order_by("letter"):
        documents.append(
            store_document(
                session=session,
                kind=DocumentKind.SET_PDF,
                set_letter=paper_set.letter,
                title=f"{session.exam.code} {session.paper.code} {session.date:%Y-%m-%d} "
                f"{session.start_time:%H:%M} set {paper_set.letter}",
                content_type="application/pdf",
                data=render_set_pdf(paper_set),
                user=user,
            )
        )
    return documents
