"""What a campaign tells applicants: its notice (申报通知正文), its requirements
(申报要求) and the templates they download (项目申请表 .docx ...).

Guarantees:
  * only the campaign's admin writes them, never on a withdrawn campaign; each change
    is one conditional replace on the campaign's version with its history entry;
  * texts are plain text (paragraphs separated by blank lines), at most
    MAX_TEXT characters each; control characters are refused at the gateway's boundary;
  * a template is checked from its bytes (core/uploads.py: TEMPLATE_TYPES, the
    configured size limit), its bytes live in the file store (core/filestore.py) and
    the campaign keeps its reference; the same bytes uploaded again return the
    template stored first; at most MAX_TEMPLATES; replacing keeps its place in the
    list; deleting removes it from the campaign (the bytes stay: the file store is
    content-addressed and shared);
  * anyone signed in who may see the campaign downloads a template.
"""
import hashlib

from core.errors import NotFound, field_error, invalid
from core.filestore import upload_bytes
from core.uploads import check_upload
from services.applications.campaign_edits import _admin_campaign, _record
from services.applications.campaigns import campaign_view

MAX_TEXT = 20000
MAX_TEMPLATES = 10
TEMPLATE_TYPES = ("doc", "docx", "pdf", "xls", "xlsx")
_SPEC = [{"kind": "template", "label_zh": "模板", "label_en": "A template", "types": list(TEMPLATE_TYPES),
          "max_count": MAX_TEMPLATES}]
TEXTS = {"notice_text": ("申报通知正文", "The notice"), "requirements": ("申报要求", "Requirements")}


def _clean(text):
    """Line endings as \\n, trailing spaces and surrounding blank lines dropped."""
    lines = [line.rstrip() for line in str(text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def set_texts(store, actor, campaign_id, data, now):
    """Store `notice_text` and/or `requirements` (either may be empty). Returns the view."""
    campaign = _admin_campaign(store, actor, campaign_id)
    changes, problems = {}, []
    for name, (zh, en) in TEXTS.items():
        if name in data and data[name] is not None:
            value = _clean(data[name])
            if len(value) > MAX_TEXT:
                problems.append(field_error(name, f"{en}: at most {MAX_TEXT} characters ({len(value)} given).",
                                            f"{zh}最多 {MAX_TEXT} 字（现为 {len(value)} 字）"))
            changes[name] = value
    if problems:
        raise invalid(problems)
    if not changes:
        raise invalid([field_error("notice_text", "Nothing to change.", "没有要修改的内容")])
    updated, version = _record(campaign, actor, "notice_edited", now)
    updated.update(changes)
    return campaign_view(store.replace_campaign(updated, version), now)


def add_template(store, actor, campaign_id, filename, data_ref, max_bytes, now, replace_id=None):
    """Attach a template (or replace `replace_id` with it). Returns the template's view."""
    campaign = _admin_campaign(store, actor, campaign_id)
    data = upload_bytes(data_ref, store.files)
    templates = list(campaign.get("templates") or [])
    if replace_id is not None and not any(t["id"] == replace_id for t in templates):
        raise NotFound("No such template in this campaign.", "该活动没有这个模板", field="template_id")
    others = [dict(t, kind="template") for t in templates if t["id"] != replace_id]
    digest = hashlib.sha256(data).hexdigest()
    same = next((t for t in templates if t.get("sha256") == digest), None)
    if same is not None:
        return _template_view(same)
    meta = check_upload(_SPEC, "template", filename, data, max_bytes, others)
    stored = store.files.put(data)
    template = {"id": "tpl_" + digest[:16], "filename": meta["filename"], "type": meta["type"],
                "content_type": meta["content_type"], "size": meta["size"], "sha256": digest,
                "file_id": stored["file_id"], "uploaded_at": now, "uploaded_by": actor.ref()}
    if replace_id is None:
        templates.append(template)
    else:
        templates = [template if t["id"] == replace_id else t for t in templates]
    updated, version = _record(campaign, actor, "template_replaced" if replace_id else "template_added", now,
                               changes={"template": meta["filename"]})
    updated["templates"] = templates
    store.replace_campaign(updated, version)
    return _template_view(template)


def delete_template(store, actor, campaign_id, template_id, now):
    campaign = _admin_campaign(store, actor, campaign_id)
    templates = list(campaign.get("templates") or [])
    gone = next((t for t in templates if t["id"] == template_id), None)
    if gone is None:
        raise NotFound("No such template in this campaign.", "该活动没有这个模板", field="template_id")
    updated, version = _record(campaign, actor, "template_deleted", now, changes={"template": gone["filename"]})
    updated["templates"] = [t for t in templates if t["id"] != template_id]
    store.replace_campaign(updated, version)
    return {"deleted": template_id}


def get_template(store, campaign_id, template_id):
    """The template's view with its `file_id` (for the download)."""
    campaign = store.get_campaign(campaign_id)
    found = next((t for t in campaign.get("templates") or [] if t["id"] == template_id), None)
    if found is None or campaign.get("state") == "withdrawn":
        raise NotFound("No such template in this campaign.", "该活动没有这个模板", field="template_id")
    return dict(_template_view(found), file_id=found["file_id"])


def _template_view(template):
    from services.applications.views import jsonable
    return jsonable({k: v for k, v in template.items() if k not in ("file_id", "kind")})
