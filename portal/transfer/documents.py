"""A case's documents: the checklist it needs, the current paper of each kind, uploads.

Uploads are checked by content and stored by `portal.uploads`; they are served only to
users who may see the case (DOMAIN §2.2 lists the papers).
"""

from sqlmodel import Session, select

from portal import audit, uploads
from portal.accounts.models import User
from portal.audit import utcnow
from portal.errors import Conflict, NotFound
from portal.messages import N_
from portal.registry.models import Ownership
from portal.storage import Storage
from portal.transfer import rules, services
from portal.transfer.models import TransferCase, TransferDocument
from portal.transfer.terms import DocumentKind, TransferStatus
from portal.transfer.workflow import Actor


def documents_of(session: Session, case: TransferCase) -> dict[DocumentKind, TransferDocument]:
    """The case's current document of each kind."""
    statement = select(TransferDocument).where(TransferDocument.case_id == case.id)
    return {document.kind: document for document in session.exec(statement)}


def required_documents(session: Session, case: TransferCase) -> list[DocumentKind]:
    """The checklist for this case (DOMAIN §2.2)."""
    seller = session.get(Ownership, case.seller_ownership_id)
    return rules.required_documents(
        buyer_kind=case.buyer_kind,
        seller_is_person=seller.person_id is not None,
        dealer_temporary=case.dealer_temporary,
    )


def upload_document(
    session: Session,
    *,
    user: User,
    case: TransferCase,
    kind: DocumentKind,
    filename: str,
    content: bytes,
    files: Storage,
) -> TransferDocument:
    """Store a checked file as the case's document of this kind (replacing an older one)."""
    if Actor.DEALER not in services.actors_for(user, case):
        raise NotFound(N_("There is no such transfer case, or you cannot see it."))
    if case.status not in (TransferStatus.DRAFT, TransferStatus.RETURNED):
        raise Conflict(N_("Documents can be changed only in a draft or a returned case."))
    area = f"transfer/{case.id}"
    document = documents_of(session, case).get(kind) or TransferDocument(
        case_id=case.id,
        kind=kind,
        uploaded_by=user.id,
        filename="",
        stored_name="",
        content_type="",
        size=0,
    )
    replaced = document.stored_name or None
    stored = uploads.store(files, area, content)
    uploads.follow_transaction(session, files, area, new=stored.stored_name, replaced=replaced)
    document.filename = uploads.clean_filename(filename, kind.value)
    document.stored_name, document.content_type = stored.stored_name, stored.content_type
    document.size, document.uploaded_by, document.uploaded_at = stored.size, user.id, utcnow()
    session.add(document)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        entity="transfer_case",
        entity_id=case.id,
        action="document_uploaded",
        detail={"kind": kind.value},
    )
    return document


def document_for(session: Session, *, user: User, case_id: int, document_id: int):
    """A document of a case the user may see; NotFound otherwise."""
    case = services.case_for(session, user=user, case_id=case_id)
    document = session.get(TransferDocument, document_id)
    if document is None or document.case_id != case.id:
        raise NotFound(N_("There is no such document."))
    return document
