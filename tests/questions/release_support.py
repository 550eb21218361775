"""Helpers of the release suites: a real PDF, a session held at A01 and B01, HQ's node key."""

import datetime as dt
import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from apps.exams.models import ExamStatus, SessionCenter
from tests.factories import ExamFactory, ExamSessionFactory, PaperFactory

SECRET_LINE = "Q1. The distinctive question text of set A"


def real_pdf(text: str = SECRET_LINE, pages: int = 2) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setPageCompression(0)  # the text is in the file as written: a plaintext leak would show
    for page in range(pages):
        pdf.drawString(72, 720, f"{text} (page {page + 1})")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def afternoon_session(*centers, exam_code="EXQ"):
    """A scheduled exam's session at 15:00-17:00 on the exam day, held at `centers`."""
    exam = ExamFactory(code=exam_code, status=ExamStatus.SCHEDULED)
    paper = PaperFactory(exam=exam, code="P1")
    session = ExamSessionFactory(paper=paper, exam=exam, start_time=dt.time(15, 0), end_time=dt.time(17, 0))
    for center in centers:
        SessionCenter.objects.create(session=session, center=center)
    return session
