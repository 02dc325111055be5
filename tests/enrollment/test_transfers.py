"""申请转入: a clerk who meets "已在其他地区登记" asks for the person by number; the owning village
or township accepts (the residence moves, audited) or declines with a reason; the requester sees
the status, and nothing of the person before acceptance (no oracle)."""
import pytest

from enrollment.models import AuditEntry, TransferRequest
from tests.factories import GRID, NEIGHBOUR_GRID, OTHER_GRID

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(make_person):
    """A person whose file the neighbouring village holds."""
    return make_person(NEIGHBOUR_GRID, name="刘小红", phone="13700001234")


def ask(client, person, **extra):
    return client.post("/transfers/new/", {"number": person.id_number, "to_region": GRID,
                                           "note": "已在东山村常住", **extra})


def test_registration_refusal_offers_the_transfer_request(as_user, village_clerk, theirs):
    response = as_user(village_clerk).post("/persons/new/", {
        "id_type": "resident_id", "id_number": theirs.id_number, "name": "刘小红",
        "sex": "", "birth_date": "", "phone": "", "hukou_region": "430121100001",
        "residence_region": GRID, "address": "", "household_number": "",
        "relation_to_head": ""})
    page = response.content.decode()
    assert "可申请转入" in page and f"/transfers/new/?number={theirs.id_number}" in page


def test_request_then_accept_moves_the_residence(as_user, village_clerk, neighbour_clerk,
                                                 theirs):
    response = ask(as_user(village_clerk), theirs)
    assert response.status_code == 302
    transfer = TransferRequest.objects.get()
    assert transfer.status == "pending" and transfer.from_region_id == NEIGHBOUR_GRID
    # The owner's list shows the request, with the person.
    owner = as_user(neighbour_clerk)
    page = owner.get("/transfers/").content.decode()
    assert "刘小红" in page and "同意转入" in page
    assert owner.post(f"/transfers/{transfer.pk}/accept/").status_code == 302
    theirs.refresh_from_db()
    transfer.refresh_from_db()
    assert theirs.residence_region_id == GRID and transfer.status == "accepted"
    assert transfer.decided_by == neighbour_clerk
    entry = AuditEntry.objects.get(person=theirs, detail__startswith="同意转入")
    assert entry.user == neighbour_clerk and GRID in entry.detail
    # Now the requester finds the person in their own scope.
    page = as_user(village_clerk).get("/transfers/").content.decode()
    assert f"/persons/{theirs.pk}/" in page and "已同意转入" in page


def test_requester_sees_no_details_before_acceptance(as_user, village_clerk, theirs):
    client = as_user(village_clerk)
    ask(client, theirs)
    page = client.get("/transfers/").content.decode()
    assert "待处理" in page and theirs.masked_id in page
    for secret in ("刘小红", "西湖社区", theirs.id_number, f"/persons/{theirs.pk}/",
                   theirs.masked_phone):
        assert secret not in page, secret
    assert client.get(f"/persons/{theirs.pk}/").status_code == 404
    # Nor through the admin's list of requests.
    page = client.get("/admin/enrollment/transferrequest/").content.decode()
    assert "刘小红" not in page


def test_decline_needs_a_reason_which_the_requester_sees(as_user, village_clerk,
                                                         neighbour_clerk, theirs):
    ask(as_user(village_clerk), theirs)
    transfer = TransferRequest.objects.get()
    owner = as_user(neighbour_clerk)
    owner.post(f"/transfers/{transfer.pk}/decline/", {"reason": ""})
    transfer.refresh_from_db()
    assert transfer.status == "pending"
    owner.post(f"/transfers/{transfer.pk}/decline/", {"reason": "本人仍在西湖社区居住"})
    transfer.refresh_from_db()
    theirs.refresh_from_db()
    assert transfer.status == "declined" and theirs.residence_region_id == NEIGHBOUR_GRID
    page = as_user(village_clerk).get("/transfers/").content.decode()
    assert "已拒绝" in page and "本人仍在西湖社区居住" in page


def test_township_of_the_owner_may_answer(as_user, village_clerk, township_officer, theirs):
    ask(as_user(village_clerk), theirs)
    transfer = TransferRequest.objects.get()
    assert as_user(township_officer).post(
        f"/transfers/{transfer.pk}/accept/").status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "accepted"


def test_requester_cannot_accept_their_own_request(as_user, village_clerk, theirs):
    client = as_user(village_clerk)
    ask(client, theirs)
    transfer = TransferRequest.objects.get()
    assert client.post(f"/transfers/{transfer.pk}/accept/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.residence_region_id == NEIGHBOUR_GRID


def test_accepting_twice_changes_nothing_more(as_user, village_clerk, neighbour_clerk, theirs):
    ask(as_user(village_clerk), theirs)
    transfer = TransferRequest.objects.get()
    owner = as_user(neighbour_clerk)
    owner.post(f"/transfers/{transfer.pk}/accept/")
    owner.post(f"/transfers/{transfer.pk}/decline/", {"reason": "晚了"})
    transfer.refresh_from_db()
    assert transfer.status == "accepted" and not transfer.decline_reason


def test_asking_twice_is_one_request(as_user, village_clerk, theirs):
    client = as_user(village_clerk)
    ask(client, theirs)
    response = ask(client, theirs)
    assert response.status_code == 200 and "已提交" in response.content.decode()
    assert TransferRequest.objects.count() == 1


@pytest.mark.parametrize("number,message", [("", "证件号码"), ("430121199001010000", "尚未建档")])
def test_bad_or_unknown_numbers_are_refused(as_user, village_clerk, number, message):
    response = as_user(village_clerk).post("/transfers/new/", {"number": number,
                                                               "to_region": GRID})
    assert response.status_code == 200 and message in response.content.decode()
    assert not TransferRequest.objects.exists()


def test_own_person_needs_no_request(as_user, village_clerk, make_person):
    mine = make_person(GRID)
    response = ask(as_user(village_clerk), mine)
    assert "无需申请转入" in response.content.decode()
    assert not TransferRequest.objects.exists()


def test_destination_outside_scope_is_refused(as_user, village_clerk, theirs):
    response = ask(as_user(village_clerk), theirs, to_region=OTHER_GRID)
    assert response.status_code == 200 and not TransferRequest.objects.exists()


def test_city_leader_cannot_ask_or_answer(as_user, city_leader, village_clerk, theirs):
    ask(as_user(village_clerk), theirs)
    transfer = TransferRequest.objects.get()
    leader = as_user(city_leader)
    assert leader.get("/transfers/").status_code == 403
    assert leader.post(f"/transfers/{transfer.pk}/accept/").status_code == 403
    transfer.refresh_from_db()
    assert transfer.status == "pending"


def test_id_check_offers_the_transfer_for_a_number_elsewhere(as_user, village_clerk, theirs,
                                                            make_person):
    client = as_user(village_clerk)
    answer = client.get(f"/persons/id-check/?n={theirs.id_number}").json()
    assert answer["taken"] and "可申请转入" in answer["message"]
    assert answer["transfer_url"] == f"/transfers/new/?number={theirs.id_number}"
    mine = make_person(GRID)
    assert "transfer_url" not in client.get(f"/persons/id-check/?n={mine.id_number}").json()
