"""The lists that had no query-count test (users, exams, papers, session centers): the number
of queries a page costs does not grow with the rows on it, for HQ staff and center staff."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.roles import Role
from apps.exams.models import ExamStatus, SessionCenter
from tests.factories import CenterFactory, ExamFactory, ExamSessionFactory, PaperFactory, UserFactory

pytestmark = pytest.mark.django_db


def queries(client, url) -> tuple[int, int]:
    """(queries, rows on the page) of one GET of `url`."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.json()
    return len(captured), len(response.json()["results"])


def add_schedule(center, n: int) -> None:
    """`n` scheduled exams, each with two papers and a session of each held at `center`."""
    for _ in range(n):
        exam = ExamFactory(status=ExamStatus.SCHEDULED)
        for _paper in range(2):
            paper = PaperFactory(exam=exam)
            session = ExamSessionFactory(exam=exam, paper=paper)
            SessionCenter.objects.create(session=session, center=center)


def add_users(center, n: int) -> None:
    for i in range(n):
        UserFactory(role=Role.INVIGILATOR if i % 2 else Role.CENTER_MANAGER, center=center)


@pytest.mark.parametrize("url", ["/api/exams/", "/api/papers/", "/api/session-centers/"])
@pytest.mark.parametrize("who", ["admin", "exam_manager", "manager_a", "invigilator_a"])
def test_schedule_lists_cost_the_same_queries_for_few_rows_or_many(client_for, cast, center_a, url, who):
    client = client_for(cast[who])
    add_schedule(center_a, 1)
    add_schedule(CenterFactory(), 1)  # another center's rows, out of center staff's scope
    few, few_rows = queries(client, url)
    add_schedule(center_a, 8)
    many, many_rows = queries(client, url)
    assert many_rows > few_rows > 0
    assert many == few, f"{url} as {who}: {few} queries for {few_rows} rows, {many} for {many_rows}"


def test_the_user_list_costs_the_same_queries_for_few_users_or_many(client_for, admin, center_a):
    client = client_for(admin)
    add_users(center_a, 2)
    few, few_rows = queries(client, "/api/users/")
    add_users(CenterFactory(), 20)
    many, many_rows = queries(client, "/api/users/")
    assert many_rows > few_rows
    assert many == few, f"{few} queries for {few_rows} users, {many} for {many_rows}"
