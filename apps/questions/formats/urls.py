"""Routes of this part of the questions app (included by apps/questions/urls.py)."""

urlpatterns = []
