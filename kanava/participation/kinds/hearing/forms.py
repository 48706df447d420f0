"""Forms of the hearing: they parse and validate what was typed; ``actions.py`` decides."""

from __future__ import annotations

import json
import math

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kanava.core.models import LANGUAGE_NAMES, in_language
from kanava.participation.models import Contribution
from kanava.participation.kinds.hearing.conf import HearingSettings
from kanava.participation.kinds.hearing.models import MapInput

MAX_NAME = 80
MAX_ADDRESS = 200
MAX_POLYGON_POINTS = 200
MAX_ANSWER = 5000
MAX_REASON = 1000


def clean_text(value: str) -> str:
    """Plain text as typed, without NUL and other control characters (newlines and tabs stay)."""
    return "".join(ch for ch in value if ch in "\n\t" or ch >= " " or ch == "\r").replace("\r\n", "\n").strip()


def _position(value) -> tuple[float, float]:
    if (not isinstance(value, (list, tuple)) or len(value) < 2
            or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in value[:2])):
        raise ValueError
    lon, lat = float(value[0]), float(value[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError
    return round(lon, 7), round(lat, 7)


def parse_geometry(raw: str, mode: str) -> dict | None:
    """A GeoJSON Point (``mode`` point) or Polygon (area) from the map; None when empty; ValueError when bad."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if len(raw) > 20_000:
        raise ValueError
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError
    if mode == MapInput.POINT and data.get("type") == "Point":
        return {"type": "Point", "coordinates": list(_position(data.get("coordinates")))}
    if mode == MapInput.AREA and data.get("type") == "Polygon":
        rings = data.get("coordinates")
        if not isinstance(rings, list) or len(rings) != 1 or not isinstance(rings[0], list):
            raise ValueError
        ring = [list(_position(p)) for p in rings[0]]
        if not 4 <= len(ring) <= MAX_POLYGON_POINTS:
            raise ValueError
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        return {"type": "Polygon", "coordinates": [ring]}
    raise ValueError


class CommentForm(forms.Form):
    """A resident's comment or reply.  Location fields appear only when the section asks for one."""

    text = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 6}), strip=False)
    display_name = forms.CharField(
        label=_("Your name (optional)"), required=False, max_length=MAX_NAME,
        help_text=_("Shown with your comment. Leave it empty to comment anonymously."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"max_length": _("The name is too long: at most %(limit_value)s characters.")})
    place = forms.ChoiceField(label=_("Place"), required=False,
                              help_text=_("Choose the place your comment is about, if any."))
    address = forms.CharField(label=_("Address or description of the place (optional)"), required=False,
                              max_length=MAX_ADDRESS, widget=forms.TextInput(attrs={"autocomplete": "off"}),
                              error_messages={"max_length": _("The address is too long: at most %(limit_value)s "
                                                              "characters.")})
    geometry = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-hearing-geometry": ""}))
    # Left empty by people (it is hidden); bots fill in every field they see.
    website = forms.CharField(required=False, label=_("Leave this field empty"),
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, section, reply: bool = False, language: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.section = section
        self.limit = HearingSettings.of(section.process).max_comment_length
        self.fields["text"].validators = []  # NUL and other control characters are removed by clean_text
        self.fields["text"].widget.attrs["maxlength"] = str(self.limit)
        if reply:
            self.fields["text"].label = _("Your reply")
        if reply or section.map_input == MapInput.NONE:
            for name in ("place", "address", "geometry"):
                del self.fields[name]
        else:
            organisation = section.process.organisation
            self.fields["place"].choices = [("", _("No particular place"))] + [
                (p["id"], in_language(p.get("name") or {}, language, organisation) or p["id"])
                for p in section.places or [] if p.get("id")]

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def clean_text(self):
        text = clean_text(self.cleaned_data.get("text") or "")
        if not text:
            raise ValidationError(_("Write your comment."), code="required")
        if len(text) > self.limit:
            raise ValidationError(
                _("Your comment is too long: at most %(limit)s characters, and it has %(count)s. Shorten it and "
                  "send it again.") % {"limit": self.limit, "count": len(text)}, code="max_length")
        return text

    def clean_display_name(self):
        return clean_text(self.cleaned_data.get("display_name") or "").replace("\n", " ")

    def clean_address(self):
        return clean_text(self.cleaned_data.get("address") or "").replace("\n", " ")

    def clean_geometry(self):
        try:
            return parse_geometry(self.cleaned_data.get("geometry") or "", self.section.map_input)
        except (ValueError, TypeError):
            raise ValidationError(_("The place drawn on the map could not be read. Draw it again or choose a "
                                    "place from the list."), code="geometry")

    def visible_fields_in_order(self):
        names = ["text", "display_name"] + [n for n in ("place", "address") if n in self.fields]
        return [self[name] for name in names]

    def location(self) -> dict:
        data = self.cleaned_data
        return {"geometry": data.get("geometry"), "place": data.get("place") or "",
                "address": data.get("address") or ""}


class OfflineCommentForm(CommentForm):
    """A comment staff record from a paper form, a phone call or an event."""

    source = forms.ChoiceField(label=_("Where the comment came from"),
                               choices=[c for c in Contribution.Source.choices if c[0] != Contribution.Source.ONLINE])
    language = forms.ChoiceField(label=_("Language of the comment"))
    received_on = forms.DateField(label=_("Date received"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                  help_text=_("Leave empty for today."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["website"]
        self.fields["text"].label = _("The comment as given")
        self.fields["display_name"].help_text = _("The name the resident wants shown, if any.")
        languages = self.section.process.languages or ["fi", "sv"]
        self.fields["language"].choices = [(code, LANGUAGE_NAMES.get(code, code)) for code in languages]

    is_bot = False


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason for hiding, shown in the moderation record"), max_length=MAX_REASON,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason for hiding the comment.")})


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("The organisation's answer"), max_length=MAX_ANSWER,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": _("Write the answer.")})

    def clean_answer(self):
        return clean_text(self.cleaned_data["answer"])


class SectionForm(forms.Form):
    """A section's texts in each of the process's languages, its map input and named places."""

    ordering = forms.IntegerField(label=_("Position"), min_value=0, initial=0)
    map_input = forms.ChoiceField(label=_("Location in comments"), choices=MapInput.choices)
    places = forms.CharField(
        label=_("Named places (GeoJSON)"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("A JSON list of places residents can choose instead of using the map: "
                    '[{"id": "yard", "name": {"fi": "Piha", "sv": "Gården"}, "geometry": {"type": "Point", '
                    '"coordinates": [24.94, 60.17]}}].'))

    def __init__(self, *args, languages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = languages
        for code in languages:
            name = LANGUAGE_NAMES.get(code, code)
            self.fields[f"title_{code}"] = forms.CharField(label=_("Title (%(language)s)") % {"language": name},
                                                           max_length=200, required=code == languages[0])
            self.fields[f"abstract_{code}"] = forms.CharField(
                label=_("Abstract (%(language)s)") % {"language": name}, required=False, max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Text in Markdown (%(language)s)") % {"language": name}, required=False, max_length=100_000,
                widget=forms.Textarea(attrs={"rows": 12}))

    @classmethod
    def initial_for(cls, section) -> dict:
        initial = {"ordering": section.ordering, "map_input": section.map_input,
                   "places": json.dumps(section.places, ensure_ascii=False, indent=1) if section.places else ""}
        for field in ("title", "abstract", "body"):
            for code, value in (getattr(section, field) or {}).items():
                initial[f"{field}_{code}"] = value
        return initial

    def clean_places(self):
        raw = (self.cleaned_data.get("places") or "").strip()
        if not raw:
            return []
        try:
            places = json.loads(raw)
            if not isinstance(places, list):
                raise ValueError
            cleaned = []
            for place in places:
                if not isinstance(place, dict) or not str(place.get("id") or "").strip():
                    raise ValueError
                geometry = place.get("geometry")
                if geometry is not None:
                    mode = MapInput.POINT if geometry.get("type") == "Point" else MapInput.AREA
                    geometry = parse_geometry(json.dumps(geometry), mode)
                names = {k: str(v) for k, v in (place.get("name") or {}).items() if k in LANGUAGE_NAMES}
                cleaned.append({"id": str(place["id"]).strip()[:64], "name": names, "geometry": geometry})
            return cleaned
        except (ValueError, TypeError, AttributeError):
            raise ValidationError(_("The places are not a valid list. Check the example below the field."),
                                  code="places")

    def texts(self) -> dict:
        data = self.cleaned_data
        return {field: {code: data[f"{field}_{code}"].strip() for code in self.languages
                        if data.get(f"{field}_{code}", "").strip()}
                for field in ("title", "abstract", "body")}


class ImageForm(forms.Form):
    image = forms.ImageField(label=_("Image"))

    def __init__(self, *args, languages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = languages
        for code in languages:
            self.fields[f"alt_{code}"] = forms.CharField(
                label=_("Text alternative (%(language)s)") % {"language": LANGUAGE_NAMES.get(code, code)},
                max_length=300, help_text=_("What the image shows, for people who cannot see it."),
                error_messages={"required": _("Describe the image for people who cannot see it.")})

    def alt(self) -> dict:
        return {code: self.cleaned_data[f"alt_{code}"] for code in self.languages}


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("Document"), help_text=_("A PDF, an office document or a text file."))

    def __init__(self, *args, languages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = languages
        for code in languages:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": LANGUAGE_NAMES.get(code, code)}, max_length=200,
                error_messages={"required": _("Give the document a title.")})

    def title(self) -> dict:
        return {code: self.cleaned_data[f"title_{code}"] for code in self.languages}
