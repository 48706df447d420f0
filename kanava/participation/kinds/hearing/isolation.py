"""Objects for the isolation test (kanava/core/tests/test_isolation_everywhere.py): a hearing in ``cast.org``."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kanava.participation.models import Process
from kanava.participation.kinds.hearing import actions

_SECTION = {"section": "hearing_section"}

ID_ARGUMENTS = {
    "hearing_staff:section": _SECTION,
    "hearing_staff:image_add": _SECTION,
    "hearing_staff:document_add": _SECTION,
    "hearing_staff:record": _SECTION,
    "hearing_staff:image_remove": {**_SECTION, "image": "hearing_image"},
    "hearing_staff:document_remove": {**_SECTION, "document": "hearing_document"},
    "hearing_staff:comment": {"comment": "hearing_comment"},
    "hearing_staff:comment_hide": {"comment": "hearing_comment"},
    "hearing_staff:comment_answer": {"comment": "hearing_comment"},
}


def objects(cast, actor_of) -> dict:
    process = Process.objects.create(organisation=cast.org, kind="hearing", slug="isolation-hearing",
                                     title={"fi": "Kuuleminen", "sv": "Hörande"}, languages=["fi", "sv"],
                                     state=Process.State.PUBLISHED)
    actor = actor_of(cast.lead)
    section = actions.do_save_section(actor, process, None, title={"fi": "Osa", "sv": "Del"}, abstract={}, body={},
                                      map_input="point", places=[], ordering=0)
    comment, _created = actions.do_add_comment(actor, section, text="Kommentti")
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#0f5e8c").save(buffer, "PNG")
    image = actions.do_add_image(actor, section, SimpleUploadedFile("a.png", buffer.getvalue()), {"fi": "Kuva"})
    document = actions.do_add_document(actor, section, SimpleUploadedFile("a.txt", b"Liite.\n"), {"fi": "Liite"})
    return {"process_hearing": process.pk, "hearing_section": section.pk, "hearing_comment": comment.pk,
            "hearing_image": image.pk, "hearing_document": document.pk}
