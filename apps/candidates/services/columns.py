"""The columns of a candidate sheet: shared by import and export so files round-trip."""

from apps.candidates.models import PERSONAL_FIELDS
from utils.spreadsheets import header_key

# Export order; import accepts any order. `exam_code` picks the exam per row.
COLUMNS = (
    "roll_number",
    "application_number",
    *PERSONAL_FIELDS,
    "exam_code",
)
# The model fields an import writes (everything above except exam_code).
FIELDS = COLUMNS[:-1]
REQUIRED = ("name", "date_of_birth", "gender")
CITY_SEPARATOR = "; "

# Extra spellings people use in headers, after header_key() normalisation.
_ALIASES = {
    "roll_number": ("rollno", "roll"),
    "application_number": ("applicationno", "appno", "applicationid", "appnumber"),
    "name": ("candidatename", "fullname", "nameofcandidate"),
    "father_name": ("fathersname", "nameoffather"),
    "date_of_birth": ("dob", "birthdate"),
    "gender": ("sex",),
    "pwd": ("pwbd", "personwithdisability", "disability"),
    "extra_time_minutes": ("extratime", "compensatorytime", "extratimemins"),
    "email": ("emailaddress", "emailid", "mail"),
    "phone": ("phonenumber", "phoneno", "mobile", "mobilenumber", "mobileno", "contactnumber"),
    "preferred_cities": ("citypreferences", "preferredcity", "cities"),
    "preferred_shifts": ("shiftpreferences", "preferredshift", "shifts", "preferreddates", "preferreddate"),
    "exam_code": ("exam",),
}

HEADER_TO_FIELD: dict[str, str] = {header_key(c): c for c in COLUMNS}
for _field, _aliases in _ALIASES.items():
    for _alias in _aliases:
        HEADER_TO_FIELD[_alias] = _field
