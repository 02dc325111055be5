"""ID and phone numbers are encrypted at rest and found through the blind index."""
import datetime as dt

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from core import crypto, reencrypt
from enrollment import idnumbers, selectors, services
from enrollment.models import Household, Person, Region
from tests import factories

PHONE = "13912345678"


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def raw_text(table):
    return " ".join(str(v) for row in raw(f"SELECT * FROM {table}") for v in row)


def test_the_columns_hold_no_plain_text(make_person):
    person = make_person(phone=PHONE, birth_cert_number="R430000123")
    person.phone = "13800000000"
    person.save()  # a second historical row
    Household.objects.create(number="H1", head_name="张三", region_id=factories.VILLAGE,
                             phone="13700001111")
    for table in ("enrollment_person", "enrollment_historicalperson", "enrollment_household",
                  "enrollment_historicalhousehold"):
        stored = raw_text(table)
        for secret in (person.id_number, PHONE, "13800000000", "R430000123", "13700001111"):
            assert secret not in stored, (table, secret)
    id_number, phone = raw("SELECT id_number, phone FROM enrollment_person WHERE id = %s",
                           [person.pk])[0]
    assert crypto.is_encrypted(id_number) and crypto.is_encrypted(phone)
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.id_number, fresh.phone, fresh.birth_cert_number) == (
        person.id_number, "13800000000", "R430000123")


def test_blank_phone_stays_blank_and_a_missing_number_stays_null(make_person):
    person = make_person(phone="")
    assert raw("SELECT phone, phone_bidx, birth_cert_number, birth_cert_bidx "
               "FROM enrollment_person WHERE id = %s", [person.pk])[0] == ("", None, None, None)
    assert Person.objects.filter(birth_cert_number__isnull=True, pk=person.pk).exists()


def test_lookups_by_whole_number_go_through_the_index(make_person):
    person = make_person(phone=PHONE)
    other = make_person()
    lower_x = person.id_number.lower()
    assert list(Person.objects.filter(id_number=person.id_number)) == [person]
    assert list(Person.objects.filter(id_number=f" {lower_x} ")) == [person]
    assert list(Person.objects.filter(phone=PHONE)) == [person]
    assert set(Person.objects.filter(id_number__in=[person.id_number, other.id_number,
                                                    "nobody"])) == {person, other}
    assert not Person.objects.filter(id_number__in=[]).exists()
    assert Person.history.filter(id_number=person.id_number).count() == 1


@pytest.mark.parametrize("lookup", ["id_number__startswith", "id_number__contains",
                                    "phone__icontains", "id_number__gt"])
def test_other_lookups_on_encrypted_fields_are_refused(make_person, lookup):
    make_person()
    with pytest.raises(FieldError, match="加密存储"):
        list(Person.objects.filter(**{lookup: "4301"}))


def test_the_unique_index_refuses_a_duplicate_id(make_person):
    person = make_person()
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(id_number=person.id_number.lower(), name="李四", sex="M",
                              birth_date=person.birth_date, hukou_region_id=factories.VILLAGE,
                              residence_region_id=factories.GRID)


def test_a_duplicate_registration_gets_the_chinese_message(make_person, village_clerk):
    person = make_person()
    data = {"id_type": "resident_id", "id_number": person.id_number, "name": "张三",
            "sex": person.sex, "birth_date": person.birth_date,
            "hukou_region": Region.objects.get(pk=factories.VILLAGE),
            "residence_region": Region.objects.get(pk=factories.GRID)}
    with pytest.raises(ValidationError) as excinfo:
        services.person_register(actor=village_clerk, data=data)
    assert "已登记" in excinfo.value.message_dict["id_number"][0]


def test_bulk_create_encrypts_and_indexes(region_tree):
    numbers = [idnumbers.make_unique_id(900000 + i, dt.date(1990, 1, 1), "F") for i in range(3)]
    Person.objects.bulk_create([
        Person(id_number=n, name="王五", sex="F", birth_date=dt.date(1990, 1, 1), phone=PHONE,
               hukou_region_id=factories.VILLAGE, residence_region_id=factories.GRID)
        for n in numbers])
    assert not any(n in raw_text("enrollment_person") for n in numbers)
    assert all(Person.objects.filter(id_number=n).exists() for n in numbers)
    assert Person.objects.filter(phone=PHONE).count() == 3


def test_search_needs_the_whole_number(make_person, village_clerk):
    person = make_person(phone=PHONE)
    assert list(selectors.person_search(village_clerk, person.id_number)) == [person]
    assert list(selectors.person_search(village_clerk, PHONE)) == [person]
    assert list(selectors.person_search(village_clerk, person.id_number[:10])) == []
    assert list(selectors.person_search(village_clerk, "zs")) == [person]


def test_the_search_page_says_to_type_the_whole_number(as_user, village_clerk):
    assert "证件号码请输入完整号码" in as_user(village_clerk).get("/persons/").content.decode()


KEY_1, KEY_2 = "1:" + "a1" * 16, "2:" + "b2" * 16


def test_rotation_old_key_reads_new_key_writes_and_rotate_keys_reencrypts(settings,
                                                                        make_person):
    settings.CANBAO_DATA_KEYS, settings.CANBAO_DATA_KEY_ID = KEY_1, "1"
    person = make_person(phone=PHONE)
    settings.CANBAO_DATA_KEYS, settings.CANBAO_DATA_KEY_ID = f"{KEY_1},{KEY_2}", "2"
    assert Person.objects.get(id_number=person.id_number).phone == PHONE
    newer = make_person()
    stored = dict(raw("SELECT id, id_number FROM enrollment_person"))
    assert crypto.key_id_of(stored[person.pk]) == "1" and crypto.key_id_of(stored[newer.pk]) == "2"

    call_command("rotate_keys", batch=1)

    stored = raw("SELECT id_number, phone FROM enrollment_person")
    assert {crypto.key_id_of(v) for row in stored for v in row if v} == {"2"}
    assert {crypto.key_id_of(v) for (v,) in raw("SELECT id_number FROM "
                                                "enrollment_historicalperson")} == {"2"}
    settings.CANBAO_DATA_KEYS = KEY_2  # key 1 retired
    assert Person.objects.get(id_number=person.id_number).phone == PHONE


def test_rotate_keys_recomputes_the_index_after_a_new_index_key(settings, make_person):
    person = make_person(phone=PHONE)
    settings.CANBAO_INDEX_KEY = "c3" * 32
    assert not Person.objects.filter(id_number=person.id_number).exists()
    call_command("rotate_keys")
    assert Person.objects.filter(id_number=person.id_number).get().phone == PHONE


def test_tampered_ciphertext_in_the_database_is_a_clear_error(make_person):
    person = make_person()
    token = raw("SELECT id_number FROM enrollment_person WHERE id = %s", [person.pk])[0][0]
    broken = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE enrollment_person SET id_number = %s WHERE id = %s",
                       [broken, person.pk])
    with pytest.raises(crypto.DecryptionError, match="篡改"):
        Person.objects.get(pk=person.pk)


def test_the_data_migration_encrypts_plain_rows_and_back(make_person):
    person = make_person(phone=PHONE)
    with connection.cursor() as cursor:  # the row as it was before the migration
        cursor.execute("UPDATE enrollment_person SET id_number = %s, phone = %s, "
                       "id_number_bidx = NULL, phone_bidx = NULL WHERE id = %s",
                       [person.id_number, PHONE, person.pk])
    table = reencrypt.Table("enrollment_person", "id", ("id_number", "birth_cert_number", "phone"),
                            {"id_number_bidx": "id_number", "birth_cert_bidx": "birth_cert_number",
                             "phone_bidx": "phone"})
    reencrypt.rewrite(connection, table, "encrypt", batch=1)
    reencrypt.rewrite(connection, table, "encrypt", batch=1)  # a rerun changes nothing
    assert Person.objects.get(id_number=person.id_number).phone == PHONE
    assert person.id_number not in raw_text("enrollment_person")
    reencrypt.rewrite(connection, table, "decrypt")
    assert raw("SELECT id_number, phone, id_number_bidx FROM enrollment_person WHERE id = %s",
               [person.pk])[0] == (person.id_number, PHONE, None)


def test_full_clean_sees_a_duplicate_through_the_index(make_person):
    """Imports validate with full_clean before saving: the duplicate is a readable error."""
    person = make_person()
    copy = Person(id_number=person.id_number, name="李四", sex=person.sex,
                  birth_date=person.birth_date, hukou_region_id=factories.VILLAGE,
                  residence_region_id=factories.GRID)
    with pytest.raises(ValidationError) as excinfo:
        copy.full_clean()
    assert "该证件号码已登记" in str(excinfo.value.message_dict)


def test_admin_search_finds_a_whole_id_not_a_part(as_user, village_clerk, make_person):
    mine = make_person(name="王小明")
    client = as_user(village_clerk)
    page = client.get("/admin/enrollment/person/", {"q": mine.id_number.lower()}).content.decode()
    assert "王小明" in page
    page = client.get("/admin/enrollment/person/", {"q": mine.id_number[:10]}).content.decode()
    assert "王小明" not in page


def test_an_encrypted_field_without_an_index_cannot_be_searched(region_tree):
    Household.objects.create(number="H2", head_name="李四", region_id=factories.VILLAGE,
                             phone="13700002222")
    with pytest.raises(FieldError, match="没有盲索引"):
        list(Household.objects.filter(phone="13700002222"))
    assert Household.objects.get(number="H2").phone == "13700002222"
