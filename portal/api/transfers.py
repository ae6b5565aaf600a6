"""The transfer endpoints of /api/v1: dealers' systems file, list, document and submit cases.

Registered on the API blueprint of `blueprint.py`. Each endpoint parses its body with a
pydantic schema and calls the transfer services the pages call; the request commits once
on success, as for the pages (portal.db).
"""

from flask import current_app, request, url_for

from portal import db, storage, web
from portal.api import auth, problems
from portal.api.blueprint import bp
from portal.api.common import InvalidRequest, json_response, parse_body, parse_upload, refused_file
from portal.api.schemas import FieldError
from portal.api.transfer_schemas import (
    DocumentList,
    DocumentOut,
    DocumentUpload,
    ListQuery,
    PlateChoice,
    PlateOffer,
    TransferCreate,
    TransferOut,
    TransferPage,
)
from portal.errors import NotFound, translate
from portal.identifiers import InvalidIdentifier
from portal.limits import MAX_ID
from portal.messages import N_
from portal.payments.gateway import StripeConfig
from portal.transfer import documents as case_documents
from portal.transfer import plates, services, steps
from portal.transfer.errors import FilingRefused
from portal.transfer.models import TransferCase
from portal.transfer.workflow import Action
from portal.uploads import InvalidUpload

CASE = "/transfers/<int:case_id>"


@bp.errorhandler(FilingRefused)
def _refused(error: FilingRefused):
    return problems.refused([translate(problem) for problem in error.problems])


def _case_for(case_id: int) -> TransferCase:
    """The dealer's case; an id beyond the column's range is simply not found.

    The bound is checked here, not by the URL converter: werkzeug answers 405 instead of
    404 when a converter's max refuses a path that another method's rule would take.
    """
    if case_id > MAX_ID:
        raise NotFound(N_("There is no such transfer case, or you cannot see it."))
    return services.case_for(db.session(), user=auth.api_user(), case_id=case_id)


def _case_out(case: TransferCase, vehicle=None) -> TransferOut:
    vehicle = vehicle or services.vehicle_by_id(db.session(), case.vehicle_id)
    return TransferOut.model_validate(
        {
            **case.model_dump(),
            "vehicle": {"vin": vehicle.vin, "plate": vehicle.plate},
            "buyer": {
                "type": case.buyer_kind,
                "name": case.buyer_name,
                "id": case.buyer_id_masked or case.buyer_uscc,
            },
        }
    )


@bp.post("/transfers")
def create_transfer():
    body = parse_body(TransferCreate, lambda model: model.model_validate_json(request.get_data()))
    session, user = db.session(), auth.api_user()
    try:
        vehicle = services.vehicle_to_file(session, query=body.vin or body.plate)
    except NotFound as error:
        field = "vin" if body.vin else "plate"
        raise InvalidRequest(
            [FieldError(field=field, message=translate(error), type="not_found")]
        ) from error
    filing = services.Filing(
        vehicle_id=vehicle.id,
        seller_name=body.seller_name,
        seller_identifier=body.seller_id,
        buyer=services.Buyer(kind=body.buyer.type, name=body.buyer.name, identifier=body.buyer.id),
        destination_city_code=body.destination_city_code,
        price_fen=body.price_fen,
        sale_date=body.sale_date,
        mileage_km=body.mileage_km,
        dealer_temporary=body.dealer_temporary,
    )
    case = services.open_case(session, user=user, filing=filing, key=web.id_hash_key())
    response = json_response(_case_out(case, vehicle), 201)
    response.headers["Location"] = url_for("api.get_transfer", case_id=case.id)
    return response


@bp.get("/transfers")
def list_transfers():
    query = parse_body(ListQuery, lambda model: model.model_validate(request.args.to_dict()))
    page = services.list_cases(
        db.session(),
        user=auth.api_user(),
        statuses=[query.status] if query.status else [],
        query=query.q,
        direction=None,
        page=query.page,
        page_size=query.page_size,
    )
    items = [_case_out(row.case, row.vehicle) for row in page.rows]
    return json_response(
        TransferPage(
            items=items, page=page.number, page_size=query.page_size, has_next=page.has_next
        )
    )


@bp.get(CASE)
def get_transfer(case_id: int):
    return json_response(_case_out(_case_for(case_id)))


@bp.get(CASE + "/documents")
def list_documents(case_id: int):
    return json_response(_document_list(_case_for(case_id)))


def _document_list(case: TransferCase) -> DocumentList:
    session = db.session()
    documents = case_documents.documents_of(session, case)
    required = case_documents.required_documents(session, case)
    return DocumentList(
        items=[
            DocumentOut.model_validate(document.model_dump()) for document in documents.values()
        ],
        required=required,
        missing=[kind for kind in required if kind not in documents],
    )


@bp.post(CASE + "/documents")
def upload_document(case_id: int):
    session, user = db.session(), auth.api_user()
    case = _case_for(case_id)
    body, filename = parse_upload(DocumentUpload)
    try:
        document = case_documents.upload_document(
            session,
            user=user,
            case=case,
            kind=body.kind,
            filename=filename,
            content=body.file,
            files=storage.current(),
        )
    except InvalidUpload as error:
        raise refused_file(error) from error
    return json_response(DocumentOut.model_validate(document.model_dump()), 201)


@bp.post(CASE + "/submit")
def submit_transfer(case_id: int):
    session, user = db.session(), auth.api_user()
    case = _case_for(case_id)
    steps.act(
        session,
        user=user,
        case=case,
        action=Action.SUBMIT,
        stripe_config=StripeConfig.from_app(current_app.config),
    )
    return json_response(_case_out(case))


@bp.get(CASE + "/plates")
def offer_plates(case_id: int):
    """Free numbers the buyer may choose the new plate from (DOMAIN §2.3)."""
    case = _case_for(case_id)
    offer = plates.offer(
        db.session(), user=auth.api_user(), case=case, count=current_app.config["PLATE_CHOICES"]
    )
    return json_response(PlateOffer.model_validate(offer, from_attributes=True))


@bp.post(CASE + "/plate")
def choose_plate(case_id: int):
    """Reserve the buyer's new plate for the case; 409 when it is taken."""
    body = parse_body(PlateChoice, lambda model: model.model_validate_json(request.get_data()))
    case = _case_for(case_id)
    try:
        plates.choose(db.session(), user=auth.api_user(), case=case, text=body.plate)
    except InvalidIdentifier as error:
        raise InvalidRequest(
            [FieldError(field="plate", message=translate(error), type="invalid_plate")]
        ) from error
    return json_response(_case_out(case))
