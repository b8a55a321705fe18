"""The admin fairness report: selection rates by self-reported group, four-fifths rule, recruiters only."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from recruiting.models import Application, Candidate, Vacancy

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    vacancy = Vacancy.objects.create(title="MLE", reference="mle", description="x")
    for group, n, advanced in (("Group A", 10, 5), ("Group B", 10, 2)):
        for i in range(n):
            c = Candidate.objects.create(reference=f"{group}-{i}", self_reported_group=group, cv_text="x")
            Application.objects.create(
                candidate=c,
                vacancy=vacancy,
                revealed=i < advanced,
                stage="screening" if i < advanced else "applied",
            )
    return vacancy


def user(role):
    u = get_user_model().objects.create_user(
        f"{role}@example.com", f"{role}@example.com", "pw", is_staff=role != "candidate"
    )
    if role == "recruiter":
        u.groups.add(Group.objects.get(name="Recruiters"))
    return u


def test_recruiters_see_rates_and_the_adverse_impact_flag(client, data):
    client.force_login(user("recruiter"))
    response = client.get("/admin/fairness/", {"vacancy": data.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Group A" in html and "50%" in html and "Group B" in html and "20%" in html
    assert "0.40" in html and "<strong>yes</strong>" in html  # 0.2 / 0.5 < 0.8


@pytest.mark.parametrize("role", ["candidate", "staff_not_recruiter"])
def test_others_cannot_read_the_report(client, data, role):
    client.force_login(user(role))
    response = client.get("/admin/fairness/")
    assert response.status_code in (302, 403)
    assert b"Group A" not in response.content
