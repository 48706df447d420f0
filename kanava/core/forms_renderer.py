"""Project-wide form rendering: accessible markup with Helsinki Design System classes.

settings.py: FORM_RENDERER = "kanava.core.forms_renderer.KanavaFormRenderer"

`{{ form }}` renders kanava/templates/forms/div.html and each
`{{ field.as_field_group }}` renders forms/field.html. Django 5.2 already puts
aria-invalid="true" on fields with errors and aria-describedby pointing to
"<id>_helptext" and "<id>_error"; the templates give those ids to the help and
error texts. KanavaBoundField adds the HDS class of each widget kind.
"""

from django.forms import widgets
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates, TemplatesSetting
from django.template import TemplateDoesNotExist


def widget_css_class(widget) -> str:
    if isinstance(widget, widgets.CheckboxSelectMultiple):
        return "hds-checkbox__input"
    if isinstance(widget, widgets.RadioSelect):
        return "hds-radio-button__input"
    if isinstance(widget, widgets.CheckboxInput):
        return "hds-checkbox__input"
    if isinstance(widget, widgets.Select):  # also SelectMultiple, NullBooleanSelect
        return "kanava-select"
    if isinstance(widget, widgets.FileInput):
        return "kanava-file"
    if isinstance(widget, (widgets.Input, widgets.Textarea)):
        return "hds-text-input__input"
    return ""


class KanavaBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if widget.is_hidden or isinstance(widget, widgets.MultiWidget):
            return attrs
        css = widget_css_class(widget)
        if css:
            existing = attrs.get("class") or widget.attrs.get("class") or ""
            if css not in existing.split():
                attrs["class"] = f"{existing} {css}".strip()
        return attrs


class KanavaFormRenderer(TemplatesSetting):
    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"
    bound_field_class = KanavaBoundField

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            # Django's own widget templates, when "django.forms" is not in
            # INSTALLED_APPS.
            return _builtin().get_template(template_name)


_builtin_renderer = None


def _builtin():
    global _builtin_renderer
    if _builtin_renderer is None:
        _builtin_renderer = DjangoTemplates()
    return _builtin_renderer
