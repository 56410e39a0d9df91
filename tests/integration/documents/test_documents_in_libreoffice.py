"""Every document as an office opens it: the Word forms of every installed program,
the Excel workbooks and the certificate are converted to PDF by headless LibreOffice
(Debian's libreoffice-writer/-calc, installed by `deploy/platform test`), then each
PDF is checked for its page size (A4; workbooks landscape), its page count, and that
no English code or internal id reaches the page. Bounded: one LibreOffice run for
all files (about 10-30 s)."""
import io
import re
import shutil
import subprocess

import pypdf
import pytest

from core import excel, labels
from core.programs import installed_programs
from gateway.documents import certificate, word

A4 = (595.3, 841.9)            # points
SNAKE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")
CAMPAIGN = {"id": "cmp_0123456789abcdef0123", "title": "2026-2027 学年创先争优", "academic_year": "2026-2027"}
COLLEGES = {"college_me": "机电与信息工程学院", "college_em": "经济管理学院"}
TRAIL = [{"action": "submit", "by": {"id": "p_1", "name": "李明"}, "at": "2026-09-20T09:30:00Z"},
         {"action": "college_approve", "reason": "同意推荐", "by": {"id": "p_2", "name": "王老师"},
          "at": "2026-09-22T02:00:00Z"}]


def _programs():
    out = []
    for ep in installed_programs().values():
        loaded = ep.load()
        out.extend(loaded if isinstance(loaded, (list, tuple)) else [loaded])
    return out


def _sample(schema):
    """A value for every field: the first option of a choice (a code, which the
    document must print as its label), Chinese text otherwise."""
    out = {}
    for name, prop in (schema.get("properties") or {}).items():
        kind = prop.get("type")
        kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
        if "enum" in prop:
            out[name] = prop["enum"][0]
        elif kind == "object":
            out[name] = _sample(prop)
        elif kind == "array":
            items = prop.get("items") or {}
            if items.get("type") == "object":
                out[name] = [_sample(items), _sample(items)]
            elif "enum" in items:
                out[name] = items["enum"][:2]
            else:
                out[name] = ["第一项内容", "第二项内容"]
        elif kind in ("number", "integer"):
            out[name] = prop.get("minimum") or 1
        elif kind == "boolean":
            out[name] = True
        elif prop.get("format") == "date":
            out[name] = "2026-10-01"
        else:
            out[name] = "示范内容" * max(1, (prop.get("minLength") or 4) // 4)
    return out


def _apps(n):
    apps = []
    for i in range(n):
        college = "college_me" if i % 2 else "college_em"
        apps.append({"id": f"app_{i:020d}", "college_id": college, "applicant_name": f"第{i + 1}党支部",
                     "state": ("approved", "submitted", "college_approved")[i % 3],
                     "created_by": {"id": f"p_{i}", "name": f"负责人{i + 1}"}, "submitted_at": "2026-09-20T09:30:00Z",
                     "form": {"theme": "先锋领航·校园善治", "title": f"项目{i + 1}", "planned_budget_yuan": "2800.00",
                              "faculty_advisor": {"name": "陈老师", "phone": "13800000000"}},
                     "final_result": {"total": 87.3333 - i, "rank": i + 1, "grade_name_zh": "重点"}})
    return apps


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is missing: ./deploy/platform test installs libreoffice-writer/-calc (nogui)"
    folder = tmp_path_factory.mktemp("docs")
    files = {}
    for program in _programs():
        declaration = program.declaration()
        app = {"applicant_name": "机电学院学生第一党支部", "form": _sample(declaration["form_schema"]),
               "attachments": [{"filename": "申请表.pdf"}],
               "final_result": {"total": 87.5, "rank": 1, "grade_name_zh": "重点"}}
        files[f"form-{program.name}.docx"] = word.application_form(CAMPAIGN, declaration, app, trail=TRAIL,
                                                                   unit_name="机电与信息工程学院")
    published = {"round": 1, "selected": [{"rank": i + 1, "applicant_name": f"第{i + 1}党支部", "total": 90 - i / 3,
                                            "grade_name_zh": "重点"} for i in range(12)],
                 "rest": [{"rank": 13, "applicant_name": "第13党支部", "total": 55.0, "message_zh": "低于 60 分"}]}
    grants = [{"id": f"g{i}", "project_title": f"项目{i}", "tier": ("key", "featured", "general")[i % 3],
               "granted_fen": 300000, "paid_fen": 12345, "remaining_fen": 287655, "status": "active"} for i in range(6)]
    claims = {"g1": [{"purpose": "宣传展板", "total_fen": 12345, "status": "paid", "filed_at": "2026-10-10T02:00:00Z"}]}
    grant = {"id": "grant-app_1", "project_title": "先锋领航进宿舍", "tier": "key", "tier_name": "重点",
             "granted_fen": 500000, "display": {"granted": "¥5,000.00"}, "awarded_at": "2026-10-08T02:00:00Z"}
    files["notice.docx"] = word.project_notice(grant, CAMPAIGN, "机电与信息工程学院", "党委学生工作部", "示范大学",
                                               "创先〔2026〕立字003号",
                                               {"implementation_end": "2027-06-30 17:00",
                                                "closing_deadline": "2027-07-15 17:00"})
    files["summary.xlsx"] = excel.application_summary(CAMPAIGN, _apps(40), COLLEGES, unit="党委学生工作部")
    files["ranking.xlsx"] = excel.ranking(CAMPAIGN, published)
    files["grants.xlsx"] = excel.grants_and_claims(CAMPAIGN["title"], grants, claims)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    profile = tmp_path_factory.mktemp("lo-profile")
    run = subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                          "--convert-to", "pdf", "--outdir", str(folder), *[str(folder / n) for n in files]],
                         capture_output=True, text=True, timeout=180)
    pdfs = {}
    for name in files:
        pdf = folder / (name.rsplit(".", 1)[0] + ".pdf")
        assert pdf.exists(), f"LibreOffice did not convert {name}: {run.stdout} {run.stderr}"
        pdfs[name] = pypdf.PdfReader(str(pdf))
    award = {"recipient_name": "机电学院学生第一党支部", "title": "对标争先建设项目（重点）", "academic_year": "2026-2027",
             "project_title": "先锋领航进宿舍"}
    pdfs["certificate.pdf"] = pypdf.PdfReader(io.BytesIO(certificate.certificate(
        award, "示范大学", "2026年11月21日", number=certificate.certificate_number("创先", 2026, 12),
        issuer="党委学生工作部")))
    return pdfs


def _size(page):
    box = page.mediabox
    return float(box.width), float(box.height)


def _close(a, b):
    return abs(a - b) < 3


def _text(reader):
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _codes_in(text):
    words = set(re.findall(r"[A-Za-z_]+(?::[A-Za-z0-9_:]+)?", text))
    leaked = sorted(w for w in words if w in labels.KNOWN_CODES and len(w) > 2)
    leaked += SNAKE.findall(text)
    leaked += [m.group(0) for m in labels.ID_PATTERN.finditer(text)]
    return leaked


def test_word_forms_are_a4_portrait_short_and_show_labels_not_codes(converted):
    forms = {n: r for n, r in converted.items() if n.startswith("form-")}
    assert len(forms) == len(_programs())
    for name, reader in forms.items():
        width, height = _size(reader.pages[0])
        assert _close(width, A4[0]) and _close(height, A4[1]), (name, width, height)
        assert 1 <= len(reader.pages) <= 6, (name, len(reader.pages))
        text = _text(reader)
        assert "申报单位" in text and "负责人" in text and "李明" in text, name
        assert "同意推荐" in text and "王老师" in text and "盖章" in text, name     # opinions with who, and the stamp
        assert not _codes_in(text), (name, _codes_in(text))


def test_workbooks_print_a4_landscape_one_page_wide_with_their_title_and_no_codes(converted):
    for name in ("summary.xlsx", "ranking.xlsx", "grants.xlsx"):
        reader = converted[name]
        for page in reader.pages:
            width, height = _size(page)
            assert _close(width, A4[1]) and _close(height, A4[0]), (name, width, height)    # landscape
        text = _text(reader)
        assert "填报单位" in text and "盖章" in text, name
        assert not _codes_in(text), (name, _codes_in(text))
    summary = converted["summary.xlsx"]
    # 40 rows fit one page wide: the whole sheet, then one per college (each a page or two).
    assert 3 <= len(summary.pages) <= 6, len(summary.pages)
    text = _text(summary)
    assert "申报汇总表" in text and "小计" in text and "合计" in text and "指导教师" in text
    assert "87.33" in text and "87.3333" not in text      # totals rounded to two decimals
    assert "重点" in _text(converted["grants.xlsx"])


def test_the_project_approval_letter_is_one_a4_page(converted):
    reader = converted["notice.docx"]
    assert len(reader.pages) == 1
    width, height = _size(reader.pages[0])
    assert _close(width, A4[0]) and _close(height, A4[1])
    text = _text(reader)
    flat = re.sub(r"\s+", "", text)     # PDF text extraction spaces Chinese and digits its own way
    for expected in ("立项通知书", "创先〔2026〕立字003号", "先锋领航进宿舍", "重点", "¥5,000.00", "2027-06-30",
                     "党委学生工作部", "盖章"):
        assert expected in flat, expected
    assert not _codes_in(text)


def test_the_certificate_is_one_a4_landscape_page_with_a_readable_number(converted):
    reader = converted["certificate.pdf"]
    assert len(reader.pages) == 1
    width, height = _size(reader.pages[0])
    assert _close(width, A4[1]) and _close(height, A4[0])
    text = _text(reader)
    assert "创先〔2026〕012号" in text and "党委学生工作部" in text and "先锋领航进宿舍" in text
    assert not _codes_in(text)
