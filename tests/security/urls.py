"""Every URL pattern of the project, walked from ``get_resolver()`` and filled with concrete ids, so a new URL is
covered by the CSRF and permission-matrix tests without anyone listing it.

``concrete_urls(world)`` yields ``Endpoint``s.  An id is chosen from the pattern: an admin URL
``admin/<app>/<model>/<id>/…`` gets the world's object of that model, an API URL ``api/v1/<resource>/<pk>/…`` the
object of that resource, a portal URL the object its name speaks of.  A pattern that cannot be filled raises
``UnfilledPattern`` naming it: add the model or name to the tables below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

# API resource (router prefix) -> model label.
API_RESOURCES = {
    "vacancies": "recruiting.vacancy",
    "candidates": "recruiting.candidate",
    "applications": "recruiting.application",
    "match-scores": "matching.matchscore",
    "skills": "matching.skill",
    "scoring-runs": "matching.scoringrun",
    "webhooks/endpoints": "recruiting.webhookendpoint",
    "webhooks/deliveries": "recruiting.webhookdelivery",
}

# Portal URL name -> model label of its <pk>.
PORTAL_OBJECTS = {
    "vacancy_detail": "recruiting.vacancy",
    "vacancy_apply": "recruiting.vacancy",
    "application_withdraw": "recruiting.application",
    "skill_remove": "recruiting.candidateskill",
    "qualification_remove": "recruiting.qualification",
    "experience_remove": "recruiting.experience",
}

# Objects that belong to the candidate (Zelda): URLs pointing at one are "another candidate's objects" to Bob.
CANDIDATE_OWNED = {
    "recruiting.candidate",
    "recruiting.application",
    "recruiting.candidateskill",
    "recruiting.qualification",
    "recruiting.experience",
    "recruiting.note",
    "matching.matchscore",
    "auth.user",
    "authtoken.tokenproxy",
    "account.emailaddress",
}

# Values for named groups that are not object ids.
FIXED_VALUES = {
    "app_label": "recruiting",
    "key": "no-such-key",
    "uidb36": "zz",
    "url": "no-such-page/",
    "format": "json",
    "report": "funnel",  # recruiting.reports.REPORTS
}


class UnfilledPattern(AssertionError):
    pass


@dataclass(frozen=True)
class Endpoint:
    name: str  # "portal:profile", "admin:recruiting_candidate_change", or the route when unnamed
    route: str  # the pattern as written, e.g. "admin/recruiting/candidate/<path:object_id>/change/"
    url: str  # a concrete path, e.g. "/admin/recruiting/candidate/7/change/"
    model: str | None  # label of the object the id points at
    view: object

    @property
    def area(self) -> str:
        if self.route.startswith("admin/"):
            return "admin"
        if self.route.startswith("api/"):
            return "api"
        if self.route.startswith("accounts/"):
            return "accounts"
        return "portal"

    @property
    def candidate_owned(self) -> bool:
        return self.model in CANDIDATE_OWNED


def walk(patterns=None, chain=(), namespaces=()):
    """``(chain of pattern objects, namespaces, URLPattern)`` for every leaf pattern."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = namespaces + ((entry.namespace,) if entry.namespace else ())
            yield from walk(entry.url_patterns, chain + (entry.pattern,), ns)
        elif isinstance(entry, URLPattern):
            yield chain + (entry.pattern,), namespaces, entry


def _route_text(chain) -> str:
    return "".join(str(p) for p in chain)


def _model_for(route: str, name: str) -> str | None:
    admin = re.match(r"admin/(\w+)/(\w+)/", route)
    if admin:
        try:
            return apps.get_model(admin.group(1), admin.group(2))._meta.label_lower
        except LookupError:
            return None
    api = re.match(r"api/v1/\^?([\w-]+(?:/[\w-]+)?)/\(\?P<pk>", route)
    if api:
        return API_RESOURCES.get(api.group(1))
    return PORTAL_OBJECTS.get(name.split(":")[-1])


def _value(group: str, model: str | None, objects: dict, route: str) -> str:
    if group in FIXED_VALUES:
        return FIXED_VALUES[group]
    if group == "content_type_id":
        from django.contrib.contenttypes.models import ContentType

        return str(ContentType.objects.get_for_model(objects["recruiting.candidate"]).pk)
    if group == "other_id":
        return str(objects["recruiting.candidate"].pk + 1000)  # no such candidate: the view must say so
    if group in {"pk", "object_id", "id"}:
        label = model or ("recruiting.candidate" if "/r/" in route else None)
        if label is None or label not in objects:
            raise UnfilledPattern(f"no object for {group!r} in {route!r}: add its model to tests/security")
        return str(objects[label].pk)
    raise UnfilledPattern(
        f"no value for {group!r} in {route!r}: add it to FIXED_VALUES in tests/security/urls.py"
    )


_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")


def _fill(pattern, model, objects, route) -> str:
    text = str(pattern)
    if isinstance(pattern, RoutePattern):
        return _ROUTE_PARAM.sub(lambda m: _value(m.group("parameter"), model, objects, route), text)
    assert isinstance(pattern, RegexPattern), pattern
    text = _REGEX_GROUP.sub(lambda m: _value(m.group(1), model, objects, route), text)
    text = text.lstrip("^").rstrip("$").replace(".*", "no-such-endpoint/").replace("/?", "/")
    return text.replace("\\.", ".")


def concrete_urls(objects: dict) -> list[Endpoint]:
    endpoints = []
    for chain, namespaces, leaf in walk():
        route = _route_text(chain)
        name = ":".join(namespaces + (leaf.name,)) if leaf.name else route
        model = _model_for(route, name)
        url = "/" + "".join(_fill(p, model, objects, route) for p in chain)
        match = resolve(url)
        if match.func is not leaf.callback:
            raise UnfilledPattern(
                f"{url} (filled from {route!r}) resolves to {match.view_name!r}, not to {name!r}"
            )
        endpoints.append(Endpoint(name=name, route=route, url=url, model=model, view=leaf.callback))
    return endpoints
