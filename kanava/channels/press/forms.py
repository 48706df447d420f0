from django import forms
from django.utils.translation import gettext_lazy as _

from kanava.channels.press.models import PressContact


class PressContactForm(forms.Form):
    newsroom = forms.CharField(label=_("Newsroom"), max_length=200,
                               error_messages={"required": _("Enter the newsroom's name.")},
                               help_text=_("The paper, radio station or news site, e.g. Pikkulan Sanomat."))
    name = forms.CharField(label=_("Journalist's name"), max_length=200, required=False,
                           help_text=_("Leave empty for a newsroom's shared address."))
    email = forms.EmailField(label=_("Email address"), max_length=254,
                             error_messages={"invalid": _("Enter a valid email address, such as toimitus@lehti.fi.")})
    language = forms.ChoiceField(label=_("Language of the releases"), choices=PressContact.Language.choices,
                                 widget=forms.RadioSelect)
