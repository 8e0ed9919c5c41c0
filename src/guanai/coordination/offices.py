"""The leading group's office (领导小组办公室) of an area: the joint conference's office,
which issues briefings, supervision reports and assessment notices."""


def office_name(area) -> str:
    return f"{area.name}关爱服务工作领导小组办公室"
