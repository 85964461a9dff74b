"""The cloud clients of one daemon process, built from the config, and the sender each outbox
kind goes through."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiosk.config import KioskConfig
from kiosk.share.page import store_details
from kiosk.store import EventStore, Job
from kiosk.store.kinds import Kind
from kiosk.store.outcomes import Outcome, Rejected
from sync.clients.events import EventsClient
from sync.clients.images import ImageStoreClient
from sync.clients.messaging import MessagingClient
from sync.clients.persons import PersonClient
from sync.clients.smtp import SmtpSender
from sync.drain import Sender, Syncer

if TYPE_CHECKING:
    from sync.clients.s3images import S3ImageStore


class Clients:
    """One client per service, built from the config."""

    def __init__(self, cfg: KioskConfig, transport: Any = None):
        cfg.secret("person_password")       # read once now so the log filter masks it from the start
        self.events = EventsClient(str(cfg.cloud.events_url), cfg.cloud.timeout_s, transport)
        self.persons = PersonClient(str(cfg.cloud.person_url), cfg.cloud.person_email,
                                    cfg.person_password, cfg.cloud.timeout_s, transport)
        sh = cfg.share
        upload_key = cfg.secret("upload_key")
        slow = max(cfg.cloud.timeout_s, 30.0)       # photos are bigger than events
        self.images: ImageStoreClient | S3ImageStore
        if sh.image_store == "s3":
            from sync.clients.s3images import S3ImageStore, make_s3  # boto3: 0.35 s to import

            access, secret_key = cfg.secret("s3_access_key"), cfg.secret("s3_secret_key")
            endpoint = str(sh.s3_endpoint_url).rstrip("/") if sh.s3_endpoint_url else None
            self.images = S3ImageStore(make_s3(sh.s3_region, endpoint, access, secret_key, slow),
                                       sh.s3_bucket, sh.s3_prefix)
        else:
            self.images = ImageStoreClient(str(sh.upload_url or cfg.cloud.events_url), upload_key, slow,
                                           transport)
        # The store's contact details and brand on every photo's page (both image stores), read
        # from today's config: a changed phone number reaches photos queued before the change.
        self.page_fields = store_details(cfg).form()
        self.messaging: MessagingClient | None = None
        if sh.messaging_url is not None:
            secret = cfg.secret("messaging_password")
            self.messaging = MessagingClient(str(sh.messaging_url), sh.messaging_email, lambda: secret,
                                             sh.messaging_project_id, cfg.cloud.timeout_s, transport)
        self.smtp: SmtpSender | None = None
        if sh.smtp_host:
            smtp_secret = cfg.secret("smtp_password")
            self.smtp = SmtpSender(sh.smtp_host, sh.smtp_port, sh.smtp_security, sh.smtp_user,
                                   lambda: smtp_secret, sh.smtp_from, slow)

    def senders(self) -> dict[str, Sender]:
        def event(job: Job) -> Outcome:
            return self.events.send(job.payload, job.id)

        def person_create(job: Job) -> Outcome:
            assert job.vector is not None and job.blob is not None
            return self.persons.create(job.payload, job.vector, job.blob, job.id,
                                       after_ambiguous=job.ambiguous)

        def person_update(job: Job) -> Outcome:
            assert job.person_cloud_id is not None
            return self.persons.update(job.person_cloud_id, job.payload, job.id)

        def person_erase(job: Job) -> Outcome:
            # Today's bodies, not the stored one: rows queued by older releases carry nulls.
            out = self.persons.erase(str(job.payload["person_id"]), job.id)
            if isinstance(out, Rejected):    # the technician must see that a customer was not blanked
                return Rejected(f"a forgotten customer could not be blanked on the person API: {out.error}")
            return out

        def image_upload(job: Job) -> Outcome:
            assert job.blob is not None
            meta = self.page_fields | {"session_id": job.session_id or ""} | job.payload
            return self.images.upload(meta, job.blob, job.id)

        def share_send(job: Job) -> Outcome:
            p = job.payload
            content = p["message"].replace("{link}", job.share_page_url or "")
            if self.messaging is not None:
                return self.messaging.send(channel=p["channel"], destination=p["destination"], name=p["name"],
                                           content=content, idempotency_key=job.id)
            if p["channel"] == "email" and self.smtp is not None:
                return self.smtp.send(destination=p["destination"], name=p["name"], content=content,
                                      subject=p.get("subject") or "Your try-on photo", idempotency_key=job.id)
            what = "email (share.messaging_url or share.smtp_host)" if p["channel"] == "email" \
                else "WhatsApp (share.messaging_url)"
            return Rejected(f"{what} is not set up on this kiosk")

        return {Kind.EVENT: event, Kind.PERSON_CREATE: person_create, Kind.PERSON_UPDATE: person_update,
                Kind.PERSON_ERASE: person_erase, Kind.IMAGE_UPLOAD: image_upload, Kind.SHARE_SEND: share_send}

    def close(self) -> None:
        self.events.close()
        self.persons.close()
        self.images.close()
        if self.messaging is not None:
            self.messaging.close()


def make_syncer(cfg: KioskConfig, store: EventStore, clients: Clients) -> Syncer:
    s = cfg.sync
    return Syncer(store, clients.senders(), workers=s.workers, batch=s.batch,
                  retry_base_s=s.retry_base_s, retry_max_s=s.retry_max_s)
