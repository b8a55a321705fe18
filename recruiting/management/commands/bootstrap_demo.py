"""``manage.py bootstrap_demo [--shared DIR] [--samples] [--email EMAIL] [--host H --port P]``: a working demo in one
command.

Loads a skill vocabulary, vacancies and candidates, scores every pair and prints a recruiter login:

* with the real data folder (``--shared``, default ``../shared`` beside the project): the O*NET and
  Stack Overflow vocabularies, ESCO's English and French labels as aliases when ``data/vocab/esco_v1.1.1`` is
  there, the vacancy seeds and the Kaggle resume CSV, all read by path;
* otherwise (or with ``--samples``) the small data written for this project in ``samples/``.

It only calls the public management commands (``import_skills``, ``import_vacancies``,
``import_candidates``, ``score``, ``create_recruiter``), which are idempotent, so running it twice adds
nothing new; the recruiter's password is reset and printed again.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

SAMPLES_DIR = Path(settings.BASE_DIR) / "samples"
LOGIN_URL = "http://127.0.0.1:8000/admin/"


def login_url(host: str = "", port: str = "") -> str:
    """The workspace's login URL on ``host``:``port`` (``make run``'s HOST and PORT; defaults 127.0.0.1:8000)."""
    host = (host or "127.0.0.1").strip()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    if host in ("0.0.0.0", "[::]"):
        host = "127.0.0.1"  # listening on every address; the browser opens the local one
    return f"http://{host}:{(str(port) or '8000').strip()}/admin/"


RECRUITERS_GROUP = "Recruiters"


@dataclass(frozen=True)
class DemoData:
    label: str
    onet: Path
    stackoverflow: Path
    vacancies: list[Path]
    candidates_csv: Path
    candidate_columns: dict[str, str]
    esco: Path | None = None


def _shared_data(shared: Path) -> DemoData | None:
    vocab = shared / "data" / "vocab"
    data = DemoData(
        label=f"real data in {shared}",
        onet=vocab / "onet29.2_Technology_Skills.txt",
        stackoverflow=vocab / "stackoverflow_TagSynonyms_2021-08.csv",
        vacancies=sorted((shared / "seeds").glob("*.txt")),
        candidates_csv=shared / "data" / "resumes" / "UpdatedResumeDataSet.csv",
        candidate_columns={"text_column": "Resume", "label_column": "Category"},
        esco=vocab / "esco_v1.1.1" if (vocab / "esco_v1.1.1" / "en" / "skills_en.csv").is_file() else None,
    )
    present = data.onet.is_file() and data.stackoverflow.is_file() and data.candidates_csv.is_file()
    return data if present and data.vacancies else None


def _sample_data() -> DemoData:
    return DemoData(
        label=f"sample data in {SAMPLES_DIR}",
        onet=SAMPLES_DIR / "vocab" / "technology_skills.txt",
        stackoverflow=SAMPLES_DIR / "vocab" / "tag_synonyms.csv",
        vacancies=sorted((SAMPLES_DIR / "vacancies").glob("*.md")),
        candidates_csv=SAMPLES_DIR / "candidates.csv",
        candidate_columns={"text_column": "Resume", "id_column": "id", "label_column": "Category"},
    )


class Command(BaseCommand):
    help = "Import demo vacancies and candidates, score them and print a recruiter login (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--shared",
            default=str(Path(settings.BASE_DIR).parent / "shared"),
            help="the real data folder (default: ../shared beside the project); samples/ is used when absent",
        )
        parser.add_argument("--samples", action="store_true", help="use samples/ even when --shared exists")
        parser.add_argument("--email", default="recruiter@example.com", help="the demo recruiter's login")
        parser.add_argument("--no-score", action="store_true", help="import only; do not score")
        # make run passes its HOST and PORT, so the printed login URL is the one runserver will answer on.
        parser.add_argument(
            "--host", default="127.0.0.1", help="the host runserver listens on (for the login URL)"
        )
        parser.add_argument(
            "--port", default="8000", help="the port runserver listens on (for the login URL)"
        )

    def handle(
        self,
        *args,
        shared: str,
        samples: bool,
        email: str,
        no_score: bool,
        host: str = "127.0.0.1",
        port: str = "8000",
        **options,
    ):
        data = None if samples else _shared_data(Path(shared).resolve())
        if data is None:
            data = _sample_data()
        self.stdout.write(f"Demo data: {data.label}")

        vocabulary = {"onet": str(data.onet), "stackoverflow": str(data.stackoverflow)}
        if data.esco is not None:
            vocabulary["esco"] = str(data.esco)
        self._step("Skill vocabulary", "import_skills", **vocabulary)
        self._step("Vacancies", "import_vacancies", *[str(p) for p in data.vacancies])
        self._step("Candidates", "import_candidates", str(data.candidates_csv), **data.candidate_columns)
        if not no_score:
            self._step("Scoring every candidate against every vacancy", "score", all=True, wait=True)

        password = self._recruiter(email)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Recruiter workspace ready"))
        self.stdout.write(f"  URL:      {login_url(host, port)}")
        self.stdout.write(f"  E-mail:   {email}")
        self.stdout.write(f"  Password: {password}")

    def _step(self, title: str, command: str, *args, **options) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(f"{title}: manage.py {command}"))
        try:
            call_command(command, *args, stdout=self.stdout, stderr=self.stderr, **options)
        except CommandError as exc:
            raise CommandError(f"bootstrap_demo: '{command}' failed: {exc}") from exc

    def _recruiter(self, email: str) -> str:
        """Create the recruiter, or reset its password; return the new password."""
        password = secrets.token_urlsafe(12)
        command_file = Path(__file__).resolve().parent / "create_recruiter.py"
        if command_file.is_file():
            # The project's own command (staff, Recruiters group, permissions); its output carries the
            # password, which is printed below in the login block instead.
            call_command(
                "create_recruiter", email, password=password, stdout=io.StringIO(), stderr=self.stderr
            )
            return password
        return _recruiter_fallback(email=email, password=password)


def _recruiter_fallback(*, email: str, password: str) -> str:
    """Used only while ``create_recruiter`` does not exist: a staff user in the Recruiters group."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        **{user_model.USERNAME_FIELD: email}, defaults={"email": email}
    )
    user.email = email
    user.is_staff = True
    user.is_active = True
    user.set_password(password)
    user.save()
    group, _ = Group.objects.get_or_create(name=RECRUITERS_GROUP)
    if not group.permissions.exists():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label__in=["recruiting", "matching"]).exclude(
                codename__startswith="delete_"
            )
        )
    user.groups.add(group)
    return password
