"""A form task's questions, as the office writes them (one a line) and as the school answers them.

    本学期开展家长会次数｜数字
    是否完成自查｜是/否/部分完成
    自查中发现的主要问题

A line is a question; after ｜ (or |) comes what kind of answer it takes: 数字 for a number, choices
separated by / for one of them, nothing for text. Every question must be answered."""
import re
from decimal import Decimal, InvalidOperation

MAX_QUESTIONS = 20
LABEL_LIMIT = 100
ANSWER_LIMIT = 500
SEPARATOR = re.compile(r"[|｜]")
NUMBER = re.compile(r"^-?\d{1,12}(\.\d{1,4})?$")


class Problem(ValueError):
    """What is wrong with the office's questions or a school's answer, for beside the field."""


def parse(text: str) -> list[dict]:
    """The questions in the office's lines; Problem naming the first line that cannot be one."""
    questions = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        label, kind = _split(line)
        if not label:
            raise Problem(f"第 {number} 行没有问题内容")
        if len(label) > LABEL_LIMIT:
            raise Problem(f"第 {number} 行的问题最多 {LABEL_LIMIT} 字")
        if not kind:
            questions.append({"label": label, "type": "text"})
        elif kind == "数字":
            questions.append({"label": label, "type": "number"})
        else:
            choices = [c.strip() for c in kind.split("/") if c.strip()]
            if len(choices) < 2 or len(set(choices)) != len(choices):
                raise Problem(f"第 {number} 行的选项应是两个以上互不相同的选项，用 / 分开（如 是/否）")
            questions.append({"label": label, "type": "choice", "choices": choices})
    if not questions:
        raise Problem("请至少写一个问题")
    if len(questions) > MAX_QUESTIONS:
        raise Problem(f"最多 {MAX_QUESTIONS} 个问题")
    return questions


def _split(line: str) -> tuple[str, str]:
    parts = SEPARATOR.split(line, maxsplit=1)
    return parts[0].strip(), (parts[1] if len(parts) > 1 else "").strip()


def as_text(questions: list[dict]) -> str:
    """The questions as the office wrote them (parse(as_text(q)) == q)."""
    return "\n".join(q["label"] + ("｜数字" if q["type"] == "number" else
                                    "｜" + "/".join(q["choices"]) if q["type"] == "choice" else "") for q in questions)


def hint(question: dict) -> str:
    return {"number": "填数字", "choice": "选一项"}.get(question["type"], f"最多 {ANSWER_LIMIT} 字")


def check(questions: list[dict], given: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(values, errors): a school's answers by question number ("1", "2", ...), each checked; errors by
    question number. Nothing is kept unless there are no errors."""
    values, errors = {}, {}
    for number, question in enumerate(questions, start=1):
        key = str(number)
        value = (given.get(key) or "").strip()
        if not value:
            errors[key] = "请填写" if question["type"] != "choice" else "请选择"
        elif question["type"] == "number":
            try:
                if not NUMBER.match(value.replace(",", "")):
                    raise InvalidOperation
                value = f"{Decimal(value.replace(',', '')).normalize():f}"
            except InvalidOperation:
                errors[key] = "请填写数字（如 12 或 3.5）"
        elif question["type"] == "choice" and value not in question["choices"]:
            errors[key] = "请从选项中选择"
        elif len(value) > ANSWER_LIMIT:
            errors[key] = f"最多 {ANSWER_LIMIT} 字"
        values[key] = value
    return values, errors
