from django.urls import path

from . import auth_views, docs, figures, views, visit_photos
from .resources import VIEWS

app_name = "api"

urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.DocsView.as_view(), name="docs"),
    path("auth/token/", auth_views.TokenView.as_view(), name="token"),
    path("visits/", views.VisitList.as_view(), name="visits"),
    path("visits/<int:pk>/", views.VisitDetail.as_view(), name="visit"),
    path("visits/<int:pk>/photos/", visit_photos.VisitPhotos.as_view(), name="visit_photos"),
    path("persons/", views.PersonList.as_view(), name="persons"),
    path("persons/<int:pk>/", views.PersonDetail.as_view(), name="person"),
    path("documents/search/", views.DocumentSearch.as_view(), name="document-search"),
    path("metrics/", figures.MetricList.as_view(), name="metrics"),
    path("metrics/<str:name>/", figures.MetricValue.as_view(), name="metric"),
    path("tables/", figures.TableList.as_view(), name="tables"),
    path("tables/<slug:slug>/", figures.TableValues.as_view(), name="table"),
]
for _name, (_res, _list, _detail) in VIEWS.items():
    urlpatterns += [
        path(f"{_name}/", _list.as_view(), name=_name),
        path(f"{_name}/<{_res.converter}:pk>/", _detail.as_view(), name=f"{_name}-detail"),
    ]
