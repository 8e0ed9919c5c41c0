"""The field key must fit the data: a database encrypted under another key (a copy from
another installation, a database made with the old development key) is refused at start,
not discovered page by page."""

from __future__ import annotations

from cryptography.exceptions import InvalidTag


def field_key_fits() -> bool:
    from guanai.registry import crypto
    from guanai.registry.models import Person

    sample = (Person.objects.exclude(id_number_encrypted="").order_by("pk")
              .values_list("id_number_encrypted", flat=True).first())
    if sample is None:
        return True
    try:
        crypto.decrypt(sample)
    except (InvalidTag, ValueError):
        return False
    return True


WRONG_FIELD_KEY = ("个人信息密钥（GUANAI_FIELD_KEY 或 var/field_key）与数据库中已加密的身份证号不符，"
                   "无法读取。请使用加密这些数据时的密钥；若这是用旧版本开发密钥建立的演示数据库，删除它"
                   "（var/guanai.sqlite3）后重新运行 make run。")
