"""Demo candidates for `seed_demo` (called from apps/exams/demo.py), with generated photos."""

import datetime as dt
import io

from PIL import Image, ImageDraw

from apps.candidates.services.registration import candidate_create
from apps.exams.models import Exam

DEMO_CANDIDATES = [
    # name, father's name, date of birth, gender, category, pwd, city, state, phone
    ("Aarav Sharma", "Rajesh Sharma", dt.date(2001, 4, 12), "M", "GEN", False, "New Delhi", "Delhi", "9810012345"),
    ("Diya Patel", "Mahesh Patel", dt.date(2002, 9, 3), "F", "OBC", False, "Mumbai", "Maharashtra", "9820023456"),
    ("Kabir Reddy", "Srinivas Reddy", dt.date(2000, 1, 25), "M", "SC", True, "Bengaluru", "Karnataka", "9845034567"),
    ("Meera Iyer", "Venkat Iyer", dt.date(2001, 11, 30), "F", "GEN", False, "Bengaluru", "Karnataka", "9880045678"),
    ("Rohan Das", "Subhash Das", dt.date(1999, 7, 8), "M", "ST", False, "New Delhi", "Delhi", "9871056789"),
    ("Sana Khan", "Imran Khan", dt.date(2002, 2, 14), "F", "EWS", False, "Mumbai", "Maharashtra", "9833067890"),
]
_COLOURS = [(52, 101, 164), (115, 210, 22), (204, 0, 0), (117, 80, 123), (196, 160, 0), (6, 152, 154)]


def _portrait(initials: str, colour: tuple[int, int, int]) -> bytes:
    """A 240x300 passport-style placeholder: coloured background, head and shoulders, initials."""
    image = Image.new("RGB", (240, 300), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((70, 50, 170, 160), fill=(240, 220, 200))
    draw.rectangle((45, 190, 195, 300), fill=(240, 240, 240))
    draw.text((105, 230), initials, fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _signature(name: str) -> bytes:
    image = Image.new("L", (300, 80), 255)
    draw = ImageDraw.Draw(image)
    draw.line((10, 60, 80, 20, 150, 55, 220, 25, 290, 50), fill=0, width=3)
    draw.text((10, 5), name, fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed_demo_candidates(*, exam: Exam) -> int:
    """Register the demo candidates for `exam` (roll numbers generated). Returns how many."""
    for number, (name, father, born, gender, category, pwd, city, state, phone) in enumerate(DEMO_CANDIDATES):
        initials = "".join(part[0] for part in name.split())
        candidate_create(
            exam=exam,
            application_number=f"APP{number + 1:05d}",
            name=name,
            father_name=father,
            date_of_birth=born,
            gender=gender,
            category=category,
            pwd=pwd,
            extra_time_minutes=20 if pwd else 0,
            email=f"{name.split()[0].lower()}@example.in",
            phone=phone,
            address=f"{10 + number}, Main Road",
            city=city,
            state=state,
            preferred_cities=[city, "Mumbai" if city != "Mumbai" else "New Delhi"],
            photo=_portrait(initials, _COLOURS[number % len(_COLOURS)]),
            signature=_signature(name),
        )
    return len(DEMO_CANDIDATES)
