"""Image store on an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, Wasabi...) via boto3.

The bucket stays private. For each share two objects are written under
``{s3_prefix}{token}/``: ``photo.jpg`` and ``index.html`` (and ``clip.mp4`` first when the
share has a try-on clip) (the same mobile page the devcloud
and the kiosk's LAN server show, from kiosk.share.page). Both are handed out as SigV4
presigned GET URLs that run out when the share's link does, so the link itself is the only
key to the photo: the 256-bit token in the object key and the signature make it unguessable.

Choices where the issue is silent, made as a careful integrator would:
- presigned links last at most 7 days (a SigV4 limit; the config refuses a longer link_days);
  after that the bucket answers 403 rather than the friendly "link expired" page;
- a bucket lifecycle rule that deletes ``{s3_prefix}`` objects after link_days is the
  operator's job (documented in the README), the kiosk only writes;
- checksums are sent only when the API requires them: recent boto3 adds CRC trailers with
  aws-chunked uploads by default, which several S3-compatible stores refuse;
- boto3 retries are off (one attempt): the outbox owns retries and backoff;
- re-uploading after a crash overwrites the same two keys, so a repeat is harmless.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from kiosk.share import page
from kiosk.store.outcomes import Delivered, Outcome, Rejected, Retry
from sync.clients.http import USER_AGENT
from sync.clients.images import read_photo, upload_parts

MAX_PRESIGN_S = 7 * 86400

# What the seller's technician reads for the refusals that are configuration mistakes.
PLAIN = {
    "AccessDenied": "the bucket refused the kiosk's key (check share.s3_access_key and the bucket policy)",
    "InvalidAccessKeyId": "the bucket does not know share.s3_access_key",
    "SignatureDoesNotMatch": "share.s3_secret_key is wrong",
    "NoSuchBucket": "the bucket named in share.s3_bucket does not exist",
    "PermanentRedirect": "the bucket is in another region than share.s3_region",
    "AuthorizationHeaderMalformed": "the bucket is in another region than share.s3_region",
}
RETRY_CODES = {"SlowDown", "RequestTimeout", "ServiceUnavailable", "InternalError", "RequestTimeTooSkewed"}


def make_s3(region: str, endpoint_url: str | None, access_key: str | None, secret_key: str | None,
            timeout_s: float) -> Any:
    cfg = Config(signature_version="s3v4", connect_timeout=min(timeout_s, 5.0), read_timeout=timeout_s,
                 retries={"max_attempts": 1, "mode": "standard"}, user_agent_extra=USER_AGENT,
                 request_checksum_calculation="when_required", response_checksum_validation="when_required",
                 # Custom endpoints (MinIO...) rarely have wildcard DNS for virtual-host buckets.
                 s3={"addressing_style": "path" if endpoint_url else "auto"})
    session = boto3.session.Session()
    return session.client("s3", region_name=region, endpoint_url=endpoint_url, aws_access_key_id=access_key,
                          aws_secret_access_key=secret_key, config=cfg)


class S3ImageStore:
    def __init__(self, s3: Any, bucket: str, prefix: str, clock: Callable[[], float] = time.time):
        self.s3, self.bucket, self.prefix, self.clock = s3, bucket, prefix, clock

    def close(self) -> None:
        self.s3.close()

    def upload(self, meta: dict[str, Any], image: Path, idempotency_key: str) -> Outcome:
        jpeg = read_photo(image)
        if isinstance(jpeg, Rejected):
            return jpeg
        parts = upload_parts(meta, image)
        if isinstance(parts, Rejected):
            return parts
        meta, clip = parts
        token, expires_at = str(meta["token"]), float(meta["expires_at"])
        ttl = int(min(expires_at - self.clock(), MAX_PRESIGN_S))
        if ttl <= 0:
            return Rejected("the photo's link ran out before it could be uploaded")
        base = f"{self.prefix}{token}/"
        try:
            self._put(base + "photo.jpg", jpeg, "image/jpeg", ttl)
            image_url = self._presign(base + "photo.jpg", ttl)
            clip_url = None
            if clip is not None:
                self._put(base + "clip.mp4", clip, "video/mp4", ttl)
                clip_url = self._presign(base + "clip.mp4", ttl)
            html = page.render(jeweler=str(meta.get("jeweler_name") or ""),
                               jewelry=str(meta.get("jewelry_name") or ""),
                               price=None if meta.get("price") is None else float(meta["price"]),
                               currency=str(meta.get("currency") or ""), image_url=image_url,
                               expires_at=expires_at, photo_size=page.jpeg_size(jpeg), clip_url=clip_url,
                               **page.StoreDetails.from_form(meta).page())
            self._put(base + "index.html", html.encode(), "text/html; charset=utf-8", ttl)
            page_url = self._presign(base + "index.html", ttl)
        except NoCredentialsError:
            return Rejected("no S3 credentials: set share.s3_access_key and share.s3_secret_key")
        except ClientError as e:
            return _client_error(e)
        except BotoCoreError as e:      # connection refused, DNS, timeouts
            return Retry(f"cannot reach the image store ({e})")
        urls = {"image_url": image_url, "page_url": page_url}
        return Delivered(json.dumps(urls | ({"clip_url": clip_url} if clip_url else {})))

    def _put(self, key: str, body: bytes, content_type: str, ttl: int) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type,
                           CacheControl=f"private, max-age={ttl}")

    def _presign(self, key: str, ttl: int) -> str:
        return str(self.s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": key},
                                                  ExpiresIn=ttl))


def _client_error(e: ClientError) -> Outcome:
    err = e.response.get("Error", {})
    code = str(err.get("Code", ""))
    status = int(e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    said = f"{code}: {err.get('Message', '')}".strip(": ")
    if status >= 500 or status == 429 or code in RETRY_CODES:
        return Retry(f"the image store is busy or failing ({said})", throttled=code == "SlowDown")
    plain = PLAIN.get(code)
    return Rejected(f"{plain} ({code})" if plain else f"the image store refused the photo ({said})")
