"""A small S3-compatible server for tests: path-style PUT/GET, SigV4 credentials checked by key
id and region (not by signature), presigned GETs refused once X-Amz-Date + X-Amz-Expires has
passed, and fault switches for the error paths (AWS's XML error format)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class FakeS3:
    def __init__(self, bucket: str, access_key: str, region: str):
        self.bucket, self.access_key, self.region = bucket, access_key, region
        self.objects: dict[str, tuple[bytes, dict[str, str]]] = {}
        self.fault: tuple[int, str] | None = None        # (status, code) for every request
        self.puts = 0
        s3 = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_PUT(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                key = s3.check(self, self.headers.get("Authorization", ""))
                if key is None:
                    return
                s3.puts += 1
                s3.objects[key] = (body, {k.lower(): v for k, v in self.headers.items()})
                self.send_response(200)
                self.send_header("ETag", '"x"')
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:
                q = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                key = s3.check(self, q.get("X-Amz-Credential", ""))
                if key is None:
                    return
                signed = datetime.strptime(q.get("X-Amz-Date", "19700101T000000Z"), "%Y%m%dT%H%M%SZ")
                until = signed.replace(tzinfo=UTC).timestamp() + int(q.get("X-Amz-Expires", "0"))
                if "X-Amz-Signature" not in q or until < time.time():
                    s3.error(self, 403, "AccessDenied", "Request has expired")
                    return
                if key not in s3.objects:
                    s3.error(self, 404, "NoSuchKey", "The specified key does not exist.")
                    return
                body, headers = s3.objects[key]
                self.send_response(200)
                self.send_header("Content-Type", headers.get("content-type", "binary/octet-stream"))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def check(self, h: BaseHTTPRequestHandler, credential: str) -> str | None:
        """The object key, or None after answering with an error."""
        if self.fault is not None:
            self.error(h, *self.fault, "injected fault")
            return None
        parts = urlsplit(h.path).path.lstrip("/").split("/", 1)
        if parts[0] != self.bucket:
            self.error(h, 404, "NoSuchBucket", "The specified bucket does not exist")
            return None
        if f"{self.access_key}/" not in credential or f"/{self.region}/s3/aws4_request" not in credential:
            self.error(h, 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist")
            return None
        return parts[1] if len(parts) > 1 else ""

    @staticmethod
    def error(h: BaseHTTPRequestHandler, status: int, code: str, message: str) -> None:
        body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
                f"<Message>{message}</Message></Error>").encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/xml")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
