"""The 督导事项 a 责任督学 looks after at their schools (挂牌督导): printed on every school's sign and
ticked on each visit. Stored by name (ASCII, stable); the labels stay here."""

DUTIES: dict[str, str] = {
    "management": "校务管理",
    "admission": "招生收费",
    "curriculum": "课程开设",
    "teaching": "教育教学",
    "teachers": "教师队伍",
    "workload": "学生学业负担",
    "safety": "校园安全",
    "hygiene": "卫生管理",
    "ethos": "校风教风学风",
    "complaints": "家长和社会反映的问题",
}


def labels(names: list[str]) -> list[str]:
    """The labels of stored names, in the list's order (a name no longer listed is skipped)."""
    return [label for name, label in DUTIES.items() if name in names]
