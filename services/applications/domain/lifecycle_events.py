"""The `data` of notice.published, notice.closed and award.granted (plain functions,
so a unit test checks them against the notifications catalog and the AsyncAPI
contract). Times are ISO 8601 UTC; the id lists are routing hints."""
from core.envelope import iso_utc


def notice_data(notice, campaign, entries, scope_unit_ids, scope_user_ids, listed_user_ids):
    """notice.published (a version went on notice) or notice.closed (`entries` = the
    final list)."""
    return {
        "notice_id": notice["_id"], "campaign_id": campaign["_id"], "program": campaign["program"],
        "academic_year": campaign.get("academic_year"), "campaign_title": campaign.get("title"),
        "version": notice["version"], "days": notice["days"],
        "opens_at": iso_utc(notice["opens_at"]), "closes_at": iso_utc(notice["closes_at"]),
        "supersedes": notice.get("supersedes"),
        "entries": [dict(e) for e in entries],
        "scope_unit_ids": list(scope_unit_ids), "scope_user_ids": list(scope_user_ids),
        "listed_user_ids": list(listed_user_ids),
    }


AWARD_FIELDS = ("award_id", "program", "campaign_id", "academic_year", "recipient_kind", "recipient_id",
                "recipient_name", "title", "title_en", "level", "code", "category", "application_id", "member_ids")


def award_data(award, recipient_user_ids, counselor_ids):
    """award.granted: the catalog's fields plus code, category, application_id and
    member_ids (the people of the class / dorm / branch, for person-level history)."""
    data = {k: award.get(k) for k in AWARD_FIELDS if k != "award_id"}
    data["award_id"] = award["_id"]
    data["recipient_user_ids"] = list(recipient_user_ids)
    data["counselor_ids"] = list(counselor_ids)
    return data
