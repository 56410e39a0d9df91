"""`min_count` in a program's attachment declaration: 3-5 photos means at least 3."""
from core import uploads as attachments

PHOTOS = {"kind": "photo", "label_zh": "案例图片", "label_en": "Case photo", "types": ["jpg", "png"],
          "required": True, "min_count": 3, "max_count": 5}
PORTRAIT = {"kind": "portrait", "label_zh": "作者生活照", "label_en": "Author's photo", "types": ["jpg"],
            "required": False, "min_count": 2, "max_count": 3}
FORM = {"kind": "form", "label_zh": "审批表", "label_en": "Approval form", "types": ["pdf"], "required": True}


def _files(kind, n):
    return [{"kind": kind} for _ in range(n)]


def test_fewer_than_min_count_is_missing_naming_the_count():
    errors = attachments.missing_required([PHOTOS], _files("photo", 2))
    assert errors == [{"field": "attachments.photo",
                       "message": "At least 3 file(s) of Case photo are needed; 2 uploaded.",
                       "message_zh": "案例图片至少需要 3 个，已上传 2 个"}]
    none = attachments.missing_required([PHOTOS], [])
    assert none[0]["message_zh"] == "案例图片至少需要 3 个，已上传 0 个"


def test_min_count_reached_is_fine():
    assert attachments.missing_required([PHOTOS], _files("photo", 3)) == []
    assert attachments.missing_required([PHOTOS], _files("photo", 5)) == []


def test_optional_kind_min_count_applies_once_a_file_is_there():
    assert attachments.missing_required([PORTRAIT], []) == []
    assert attachments.missing_required([PORTRAIT], _files("portrait", 1))[0]["message_zh"] == \
        "作者生活照至少需要 2 个，已上传 1 个"
    assert attachments.missing_required([PORTRAIT], _files("portrait", 2)) == []


def test_required_without_min_count_keeps_its_message():
    errors = attachments.missing_required([FORM, PHOTOS], _files("photo", 4))
    assert errors == [{"field": "attachments.form", "message": "Approval form is required.", "message_zh": "缺少审批表"}]
