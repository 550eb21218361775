"""Admin pages of question papers: read-mostly. Papers are built, their sets made and
finalised through the same services as the API (the actions below); the admin never edits
a paper's questions or sets directly."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from apps.core.roles import Role
from apps.core.scoping import ScopedAdmin, scope_for
from apps.questions.choices import PaperStatus
from apps.questions.models import PaperQuestion, QuestionPaper
from apps.questions.papers import selectors, services
from utils.exceptions import ApplicationError


class PaperQuestionInline(admin.TabularInline):
    model = PaperQuestion
    fields = ("position", "section", "section_title", "question", "version", "marks", "negative_marks")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _run(modeladmin, request, queryset, service, done: str):
    for paper in queryset:
        try:
            service(user=request.user, paper=paper)
        except (ApplicationError, ValidationError) as exc:
            reason = exc.message if isinstance(exc, ApplicationError) else "; ".join(exc.messages)
            modeladmin.message_user(request, f"{paper}: {reason}", level=messages.ERROR)
        else:
            modeladmin.message_user(request, f"{paper}: {done}.", level=messages.SUCCESS)


@admin.action(description="Draw the questions from the blueprint")
def build(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.build_from_blueprint, "questions drawn")


@admin.action(description="Build the sets")
def build_sets(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.build_sets, "sets built")


@admin.action(description="Finalise (admins)")
def finalise(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.finalise_paper, "final")


@admin.register(QuestionPaper)
class QuestionPaperAdmin(ScopedAdmin):
    read_roles = frozenset({Role.PAPER_SETTER})
    write_roles = frozenset({Role.ADMIN})
    list_display = ("session", "status", "seed", "languages", "question_count", "set_count_built", "finalised_at")
    list_filter = ("status",)
    search_fields = ("session__paper__code", "session__exam__code")
    inlines = [PaperQuestionInline]
    actions = [build, build_sets, finalise]
    fields = (
        "session",
        "status",
        "blueprint",
        "seed",
        "languages",
        "instructions",
        "created_by",
        "finalised_by",
        "finalised_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        # The API's list (counts annotated), narrowed by the same scope rule.
        return scope_for(request.user, selectors.paper_list())

    @admin.display(description="questions")
    def question_count(self, paper):
        return paper.question_count

    @admin.display(description="sets built")
    def set_count_built(self, paper):
        return paper.set_count_built

    def has_add_permission(self, request):
        return False  # a paper is created through the API (it needs the services' checks)

    def has_change_permission(self, request, obj=None):
        return False  # read-mostly: the actions write, through the services

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != PaperStatus.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.delete_paper(user=request.user, paper=obj)
