"""The programme settings' client-survey thresholds and the supplier's branding: validated on the form,
kept in the history, the logo checked while it arrives."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from kam.models import ProgrammeSettings
from kam.uploads import IMAGE_MAX_BYTES
from planning.client_pdf import branding
from tests.conftest import client_for
from tests.metrics.settings_form import settings_post_data

pytestmark = pytest.mark.django_db


def _data(**changes):
    return settings_post_data(**changes)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (138, 28, 28)).save(out, "PNG")
    return out.getvalue()


def test_lead_sets_supplier_branding_and_survey_thresholds_with_history(personas):
    url = reverse("metrics:programme_settings")
    logo = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
    response = client_for(personas.lead).post(url, {**_data(supplier_name="Suministros Iberia",
                                                            supplier_colour="#8a1c1c", survey_cadence_days=60,
                                                            survey_gap_alert_above=3), "supplier_logo": logo})
    assert response.status_code == 302
    s = ProgrammeSettings.current()
    assert (s.supplier_name, s.supplier_colour, s.survey_cadence_days, s.survey_gap_alert_above) == (
        "Suministros Iberia", "#8a1c1c", 60, 3)
    assert s.supplier_logo.name.startswith("branding/")
    assert branding()["logo"].startswith("data:image/png;base64,")
    assert s.history.filter(supplier_name="Suministros Iberia").exists()


@pytest.mark.parametrize("colour", ["red", "#12345", "#1234567", "#gggggg", "#123456;}"])
def test_colour_must_be_hex(personas, colour):
    response = client_for(personas.lead).post(reverse("metrics:programme_settings"), _data(supplier_colour=colour))
    assert response.status_code == 200 and "supplier_colour" in response.context["form"].errors


@pytest.mark.parametrize("name,content", [("logo.gif", b"GIF89a" + b"0" * 100), ("logo.png", b"not a png" * 20)])
def test_logo_must_be_a_real_png_or_jpeg(personas, name, content):
    upload = SimpleUploadedFile(name, content)
    response = client_for(personas.lead).post(reverse("metrics:programme_settings"),
                                              {**_data(), "supplier_logo": upload})
    assert response.status_code == 200 and "supplier_logo" in response.context["form"].errors
    assert not ProgrammeSettings.current().supplier_logo


def test_logo_larger_than_the_limit_is_refused(personas):
    upload = SimpleUploadedFile("logo.png", _png() + b"\0" * (IMAGE_MAX_BYTES + 1))
    response = client_for(personas.lead).post(reverse("metrics:programme_settings"),
                                              {**_data(), "supplier_logo": upload})
    assert response.status_code == 200 and "supplier_logo" in response.context["form"].errors


def test_thresholds_stay_on_the_0_10_scale(personas):
    response = client_for(personas.lead).post(reverse("metrics:programme_settings"),
                                              _data(survey_score_alert_below=11))
    assert response.status_code == 200 and "survey_score_alert_below" in response.context["form"].errors
