"""One-value rules for candidate fields, shared by the model, the API and the bulk importer.

Each `parse_*` takes what a person or a spreadsheet gives (text, a number, a date cell)
and returns the stored value, or raises `ValueError` with a message meant for the
person who filled the sheet. The importer calls them directly (per row, fast); the
model's `clean()` calls the same checks, so the two can never disagree.
"""

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from apps.candidates.choices import CandidateStatus, Gender

# A date of birth is plausible when the candidate is between these ages today.
MIN_AGE_YEARS = 10
MAX_AGE_YEARS = 100
MAX_EXTRA_TIME_MINUTES = 240
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)

_GENDERS = {"m": Gender.MALE, "male": Gender.MALE, "f": Gender.FEMALE, "female": Gender.FEMALE}
_GENDERS |= {"o": Gender.OTHER, "other": Gender.OTHER, "t": Gender.OTHER, "transgender": Gender.OTHER}
_TRUE = {"yes", "y", "true", "t", "1"}
_FALSE = {"no", "n", "false", "f", "0", ""}
_PHONE_JUNK = re.compile(r"[\s\-().]")
_PHONE = re.compile(r"^[0-9]{10,15}$")
_SCIENTIFIC = re.compile(r"^[0-9.]+[eE][+-]?[0-9]+$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_CITY_SPLIT = re.compile(r"[;|\n]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_email_validator = EmailValidator()
# A strict subset of what Django's EmailValidator accepts (plain ASCII dot-atoms), checked
# first because it is ~10x cheaper; anything it does not match goes to the real validator.
_SIMPLE_EMAIL = re.compile(
    r"^[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.IGNORECASE
)


def text(value) -> str:
    """A cell as trimmed text. Whole numbers lose Excel's `.0`; dates become ISO dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def bounded(value: str, limit: int) -> str:
    if len(value) > limit:
        raise ValueError(f"At most {limit} characters (this has {len(value)}).")
    return value


def required(value: str) -> str:
    if not value:
        raise ValueError("Required.")
    return value


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def check_birth_date(value: dt.date, *, today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    if value >= today:
        raise ValueError(f"{value.isoformat()} is not in the past.")
    if value > _years_before(today, MIN_AGE_YEARS):
        raise ValueError(f"{value.isoformat()} makes the candidate younger than {MIN_AGE_YEARS}.")
    if value.year < today.year - MAX_AGE_YEARS:
        raise ValueError(f"{value.isoformat()} makes the candidate older than {MAX_AGE_YEARS}.")
    return value


def parse_date(value, *, today: dt.date | None = None) -> dt.date:
    """A date cell, an Excel serial number, `YYYY-MM-DD` or `DD/MM/YYYY` (also `-` or `.`)."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        day = _from_serial(value)
    else:
        raw = text(value)
        if not raw:
            raise ValueError("Required.")
        day = _from_text(raw)
    return check_birth_date(day, today=today)


def _from_serial(value: float) -> dt.date:
    if not float(value).is_integer() and value % 1 > 1e-9:
        # A date with a time of day; the time is irrelevant for a birth date.
        value = int(value)
    if not 1 <= value <= 2958465:
        raise ValueError(f"{value!r} is not an Excel date serial number.")
    return EXCEL_EPOCH + dt.timedelta(days=int(value))


def _from_text(raw: str) -> dt.date:
    try:
        match = _YMD.match(raw)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        match = _DMY.match(raw)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"'{raw}' is not a real date.") from None
    if raw.isdigit():
        return _from_serial(int(raw))
    # A datetime written as text by some programs: "1999-08-21 00:00:00".
    head = raw.split(" ", 1)[0].split("T", 1)[0]
    if head != raw:
        return _from_text(head)
    raise ValueError(f"'{raw}' is not a date; write YYYY-MM-DD or DD/MM/YYYY.")


def parse_gender(value) -> str:
    raw = text(value)
    gender = _GENDERS.get(raw.lower())
    if gender is None:
        raise ValueError("Required; use M, F or O." if not raw else f"'{raw}' is not a gender; use M, F or O.")
    return gender.value


def categories() -> tuple[str, ...]:
    return tuple(settings.CANDIDATE_CATEGORIES)


def parse_category(value, *, categories: tuple[str, ...] | None = None) -> str:
    """A code from settings.CANDIDATE_CATEGORIES (any case); empty means GEN (or the first code)."""
    allowed = categories if categories is not None else tuple(settings.CANDIDATE_CATEGORIES)
    raw = text(value).upper()
    if not raw:
        return "GEN" if "GEN" in allowed else allowed[0]
    if raw not in allowed:
        raise ValueError(f"'{raw}' is not a category; use one of {', '.join(allowed)}.")
    return raw


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise ValueError(f"'{text(value)}' is not yes or no.")
    raw = text(value).lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(f"'{text(value)}' is not yes or no; use Yes/No, True/False or 1/0.")


def parse_extra_time(value) -> int:
    raw = text(value)
    if not raw:
        return 0
    try:
        minutes = int(raw)
    except ValueError:
        raise ValueError(f"'{raw}' is not a whole number of minutes.") from None
    if not 0 <= minutes <= MAX_EXTRA_TIME_MINUTES:
        raise ValueError(f"{minutes} is outside 0 to {MAX_EXTRA_TIME_MINUTES} minutes.")
    return minutes


def parse_email(value) -> str:
    raw = text(value)
    if not raw:
        return ""
    bounded(raw, 254)
    if _SIMPLE_EMAIL.match(raw):
        return raw
    try:
        _email_validator(raw)
    except ValidationError:
        raise ValueError(f"'{raw}' is not an e-mail address.") from None
    return raw


def parse_phone(value) -> str:
    """Digits only, 10 to 15 of them. A number cell (9876543210.0) becomes "9876543210";
    spaces, dashes, brackets and a leading + are dropped."""
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"'{value!r}' is not a phone number.")
    raw = text(value)
    if not raw:
        return ""
    if _SCIENTIFIC.match(raw):
        raise ValueError(
            f"'{raw}' is in scientific notation, so its digits are lost; format the column as text and re-enter it."
        )
    digits = _PHONE_JUNK.sub("", raw)
    if digits.startswith("+"):
        digits = digits[1:]
    if not _PHONE.match(digits):
        raise ValueError(f"'{raw}' is not a phone number of 10 to 15 digits.")
    return digits


def _split_list(value) -> list[str]:
    """The items of a cell holding a list: separated by `;` or `|`, or by commas when there is
    no other separator, or written as a JSON-like list `["a", "b"]`."""
    raw = text(value)
    if not raw:
        return []
    if raw.startswith("[") and raw.endswith("]"):
        return raw[1:-1].replace('"', "").replace("'", "").split(",")
    parts = _CITY_SPLIT.split(raw)
    if len(parts) == 1 and "," in raw:
        parts = raw.split(",")
    return parts


def parse_cities(value) -> list[str]:
    """A list of cities, most preferred first, separated by `;` or `|` (a JSON list also works)."""
    items = [text(v) for v in value] if isinstance(value, list) else [p.strip() for p in _split_list(value)]
    cities = [c for c in items if c]
    for city in cities:
        bounded(city, 100)
        if _CONTROL.search(city):
            raise ValueError("Contains a control character (such as NUL); retype the value.")
    if len(cities) > 10:
        raise ValueError(f"At most 10 preferred cities (this has {len(cities)}).")
    return cities


MAX_PREFERRED_SHIFTS = 10
_SHIFT = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:[ T]+(\d{1,2})[:.](\d{2})(?::00)?)?$")


def parse_shift(value) -> str:
    """One preferred shift: a date `2026-12-01` (any shift that day) or a date and start
    time `2026-12-01 14:00` (that shift); a date cell works too. Returns the normal form."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    raw = " ".join(text(value).split())
    match = _SHIFT.match(raw)
    day = None
    if match:
        try:
            day = dt.date.fromisoformat("{:0>4}-{:0>2}-{:0>2}".format(*match.group(1).split("-")))
        except ValueError:
            day = None
    if day is None:
        raise ValueError(
            f"'{raw}' is not a shift: write its date (2026-12-01) or date and start time (2026-12-01 14:00)."
        )
    if match.group(2) is None:
        return day.isoformat()
    hour, minute = int(match.group(2)), int(match.group(3))
    if hour > 23 or minute > 59:
        raise ValueError(f"'{raw}' has no valid start time (HH:MM, 00:00 to 23:59).")
    return f"{day.isoformat()} {hour:02d}:{minute:02d}"


def parse_shifts(value) -> list[str]:
    """Preferred shifts, most preferred first, separated by `;` or `|` (a JSON list or a
    list also works): each a date or a date and start time (`parse_shift`)."""
    if isinstance(value, list | tuple):
        parts = list(value)
    elif isinstance(value, dt.date):
        parts = [value]
    else:
        parts = _split_list(value)
    shifts = []
    for part in parts:
        if isinstance(part, str) and not part.strip():
            continue
        shift = parse_shift(part)
        if shift not in shifts:
            shifts.append(shift)
    if len(shifts) > MAX_PREFERRED_SHIFTS:
        raise ValueError(f"At most {MAX_PREFERRED_SHIFTS} preferred shifts (this has {len(shifts)}).")
    return shifts


def status_choices() -> list[str]:
    return [s.value for s in CandidateStatus]
