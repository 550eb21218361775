import datetime as dt

import factory

from apps.authentication.models import User
from apps.candidates.models import Candidate
from apps.centers.models import Center, Room
from apps.core.roles import Role
from apps.exams.models import Exam, ExamSession, ExamStatus, Paper

TEST_PASSWORD = "correct horse battery staple"


class CenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Center

    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"Center {n}")
    address = "1 Main Road"
    city = "Pune"
    state = "Maharashtra"
    contact_phone = "02012345678"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    center = factory.SubFactory(CenterFactory)
    code = factory.Sequence(lambda n: f"R{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Room {o.code}")
    rows = 5
    columns = 6
    capacity = 30


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.EVALUATOR
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ExamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exam

    code = factory.Sequence(lambda n: f"EXAM{n:03d}")
    name = factory.Sequence(lambda n: f"Exam {n}")
    start_date = dt.date(2026, 12, 1)
    end_date = dt.date(2026, 12, 10)
    status = ExamStatus.SCHEDULED


class PaperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Paper

    exam = factory.SubFactory(ExamFactory)
    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.Sequence(lambda n: f"Paper {n}")
    max_marks = 100
    pass_marks = 40
    duration_minutes = 120


class ExamSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExamSession

    paper = factory.SubFactory(PaperFactory)
    exam = factory.SelfAttribute("paper.exam")
    date = factory.SelfAttribute("exam.start_date")
    start_time = dt.time(10, 0)
    end_time = dt.time(12, 0)


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    exam = factory.SubFactory(ExamFactory)
    roll_number = factory.Sequence(lambda n: f"R{n:08d}")
    application_number = factory.Sequence(lambda n: f"APP{n:06d}")
    name = factory.Sequence(lambda n: f"Candidate {n}")
    father_name = "Father Name"
    date_of_birth = dt.date(2000, 5, 17)
    gender = "F"
    category = "GEN"
    phone = "9876543210"
    email = factory.Sequence(lambda n: f"candidate{n}@example.in")
    city = "Delhi"
    state = "Delhi"
