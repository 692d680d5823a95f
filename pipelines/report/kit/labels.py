"""Thai labels for the warehouse's codes (roles, statuses, groups, severities, checks); the
checks' names and severities are the quality stage's (pipelines.quality.checks)."""

from __future__ import annotations

from pipelines.quality.checks import CHECK_TH, SEVERITY_TH

ROLE_TH = {"sage": "ปราชญ์ชุมชน", "team": "ทีมวิทยากร"}
STATUS_TH = {"active": "ร่วมโครงการ", "withdrawn": "ถอนตัว", "replacement": "ครัวเรือนทดแทน"}
GROUP_TH = {"agriculture": "เกษตร", "processing": "แปรรูป", "community_tourism": "ท่องเที่ยวชุมชน", "other": "อื่นๆ"}
FILE_STATUS_TH = {"loaded": "นำเข้าแล้ว", "duplicate": "ไฟล์ซ้ำ", "replaced": "แทนที่ข้อมูลเดิม", "refused": "ไม่รับไฟล์"}

__all__ = ["CHECK_TH", "FILE_STATUS_TH", "GROUP_TH", "ROLE_TH", "SEVERITY_TH", "STATUS_TH", "check_th"]


def check_th(check_name: str) -> str:
    return CHECK_TH.get(check_name, check_name)
