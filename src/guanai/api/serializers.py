"""The shapes the API answers with (DESIGN §7: contracts, keep them). Read shapes only:
writes are parsed by the input serializers below and go through the apps' services."""

from __future__ import annotations

from rest_framework import serializers

from guanai.care.models import AidItem, Visit
from guanai.registry import categories as cat
from guanai.registry.models import Person


class AreaRef(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


def area_ref(area) -> dict | None:
    return {"code": area.code, "name": area.name} if area is not None else None


class AreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField()
    level_label = serializers.CharField(source="get_level_display")
    parent = serializers.CharField(source="parent_id", allow_null=True)


class CategorySerializer(serializers.Serializer):
    code = serializers.CharField(source="category")
    label = serializers.CharField(source="get_category_display")
    subtype = serializers.CharField()
    since = serializers.DateField(allow_null=True)


class PersonSerializer(serializers.ModelSerializer):
    """A person in a list: no more than a list page shows; the ID number masked."""

    category = serializers.SerializerMethodField(help_text="类别（中文，多个以“、”分隔）")
    categories = serializers.SerializerMethodField()
    village = serializers.SerializerMethodField()
    id_number = serializers.CharField(source="id_number_masked", help_text="身份证号（脱敏）")
    household = serializers.IntegerField(source="household_id", allow_null=True)
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Person
        fields = ["id", "name", "sex", "birth_date", "category", "categories", "village", "id_number", "household",
                  "status", "status_label", "current_risk", "version", "updated_at"]

    def _codes(self, obj) -> list[str]:
        return sorted(c.category for c in obj.categories.all())

    def get_category(self, obj) -> str:
        return "、".join(cat.CATEGORY_LABELS.get(c, c) for c in self._codes(obj))

    def get_categories(self, obj) -> list[str]:
        return self._codes(obj)

    def get_village(self, obj) -> AreaRef:
        return area_ref(obj.area)


class AidItemSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = AidItem
        fields = ["id", "kind", "kind_label", "description", "quantity", "unit", "value_yuan", "given_on"]


class VisitSerializer(serializers.ModelSerializer):
    person_name = serializers.SerializerMethodField()
    village = serializers.SerializerMethodField()
    mode_label = serializers.CharField(source="get_mode_display")
    aid_items = AidItemSerializer(many=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Visit
        fields = ["id", "person", "household", "person_name", "village", "visit_date", "mode", "mode_label",
                  "findings", "needs", "risk_level", "next_visit_on", "other_visitors", "aid_items",
                  "created_by", "created_at"]

    def get_person_name(self, obj) -> str:
        return obj.recipient_name

    def get_village(self, obj) -> AreaRef:
        return area_ref(obj.area)


# --- input ----------------------------------------------------------------------------
# Types only: every rule (choices, dates in range, money, scope) is the service's, so the API
# answers with the pages' Chinese messages.

class AidItemInput(serializers.Serializer):
    kind = serializers.CharField(max_length=20, help_text="cash（现金）或 goods（物资）")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    quantity = serializers.CharField(max_length=30, required=False, allow_null=True, allow_blank=True, default=None)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    value_yuan = serializers.CharField(max_length=30, required=False, allow_null=True, allow_blank=True,
                                       default=None, help_text="金额（元），如 \"100.00\"")


class VisitInput(serializers.Serializer):
    person = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                      max_value=2**63 - 1)
    household = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                         max_value=2**63 - 1)
    visit_date = serializers.DateField()
    mode = serializers.CharField(max_length=20, help_text="home（入户）、phone（电话）、video（视频）、school（到校）")
    findings = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    needs = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    risk_level = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    next_visit_on = serializers.DateField(required=False, allow_null=True, default=None)
    other_visitors = serializers.CharField(required=False, allow_blank=True, default="", max_length=400)
    aid_items = AidItemInput(many=True, required=False, default=list, max_length=100)
    # The recipient's signature is sent after the visit (visits/<id>/photos/); a refusal comes with it.
    signature_declined = serializers.BooleanField(required=False, default=False, help_text="对象拒绝签字")
    signature_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=400,
                                           help_text="未签字说明")


class ChildProfileSerializer(serializers.ModelSerializer):
    class Meta:
        from guanai.registry.models import ChildProfile

        model = ChildProfile
        exclude = ["id", "person"]


class ElderProfileSerializer(serializers.ModelSerializer):
    class Meta:
        from guanai.registry.models import ElderProfile

        model = ElderProfile
        exclude = ["id", "person"]


class RiskSerializer(serializers.Serializer):
    assessed_on = serializers.DateField()
    level = serializers.CharField()
    level_label = serializers.CharField(source="get_level_display")
    flags = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField()


class HouseholdMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    relation_to_head = serializers.CharField()


class PersonDetailSerializer(PersonSerializer):
    """A full personal record (each read audited): household, guardians, profiles, risk."""

    categories_detail = CategorySerializer(source="categories", many=True)
    phone = serializers.CharField()
    ethnicity = serializers.CharField()
    address = serializers.CharField()
    hukou_registered = serializers.BooleanField()
    hukou_place = serializers.CharField()
    relation_to_head = serializers.CharField()
    household_detail = serializers.SerializerMethodField()
    guardians = serializers.SerializerMethodField()
    child_profile = serializers.SerializerMethodField()
    elder_profile = serializers.SerializerMethodField()
    assessments = serializers.SerializerMethodField()

    class Meta(PersonSerializer.Meta):
        fields = PersonSerializer.Meta.fields + [
            "categories_detail", "phone", "ethnicity", "address", "hukou_registered", "hukou_place",
            "relation_to_head", "household_detail", "guardians", "child_profile", "elder_profile", "assessments",
            "exit_reason", "exit_date", "created_at"]

    def get_household_detail(self, obj) -> dict | None:
        if obj.household_id is None:
            return None
        # Only the members the reader may see (the context's scoped queryset).
        members = self.context["persons"].filter(household_id=obj.household_id).order_by("name")
        return {"id": obj.household_id, "address": obj.household.address, "head_name": obj.household.head_name,
                "members": HouseholdMemberSerializer(members, many=True).data}

    def get_guardians(self, obj) -> list[dict]:
        child = getattr(obj, "child_profile", None)
        if child is None:
            return []
        found = []
        for role, name, phone, extra in (("father", child.father_name, child.father_phone, child.father_workplace),
                                         ("mother", child.mother_name, child.mother_phone, child.mother_workplace),
                                         ("entrusted", child.guardian_name, child.guardian_phone,
                                          child.guardian_relation)):
            if name:
                found.append({"role": role, "name": name, "phone": phone, "note": extra})
        return found

    def get_child_profile(self, obj) -> dict | None:
        child = getattr(obj, "child_profile", None)
        return ChildProfileSerializer(child).data if child else None

    def get_elder_profile(self, obj) -> dict | None:
        elder = getattr(obj, "elder_profile", None)
        return ElderProfileSerializer(elder).data if elder else None

    def get_assessments(self, obj) -> list[dict]:
        return RiskSerializer(obj.assessments.all()[:20], many=True).data


class PersonInput(serializers.Serializer):
    """A partial edit of a person (PATCH): only the fields sent change."""

    name = serializers.CharField(max_length=50, required=False)
    sex = serializers.CharField(max_length=2, required=False, allow_blank=True)
    ethnicity = serializers.CharField(max_length=20, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    hukou_registered = serializers.BooleanField(required=False)
    hukou_place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    relation_to_head = serializers.CharField(max_length=16, required=False, allow_blank=True)
    categories = serializers.ListField(child=serializers.CharField(max_length=30), required=False, max_length=20)
    area = serializers.CharField(max_length=12, required=False, help_text="村（社区）区划代码")
