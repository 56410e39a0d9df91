"""The evidence a reviewer scores from: the attachments of an application assigned
to them (the applicant's forms, photos, materials), asked of the applications
service, which owns them.

Only the reviewer assigned to the application gets them (anyone else: NotFound, as
for the application itself). Under blind review the file names are left out — they
often carry the branch's or a person's name — and the pages name each file by its
kind and number instead; the files themselves are the evidence and are shown.
"""
from core.errors import NotFound
from services.scoring import campaign_setup
from services.scoring.reviewing import require_assigned

KEEP = ("id", "kind", "type", "size", "filename")


def listing(applications, application_id, blind):
    """[{"id", "kind", "type", "size", "filename"}] (filename None when blind)."""
    out = []
    for a in applications.attachments(application_id):
        view = {k: a.get(k) for k in KEEP}
        if blind:
            view["filename"] = None
        out.append(view)
    return out


def assigned_attachment(store, applications, person, campaign_id, application_id, attachment_id):
    """One attachment of an application assigned to `person`, with where its bytes
    are (`file_id` or `data_b64`); its file name left out under blind review."""
    require_assigned(store, person, campaign_id, application_id)
    blind = campaign_setup.load(store, campaign_id)["blind_review"]
    try:
        doc = applications.attachment(application_id, attachment_id)
    except NotFound:
        raise NotFound("No such attachment.", "附件不存在", field="attachment_id") from None
    if blind:
        doc = dict(doc, filename=None)
    return doc
