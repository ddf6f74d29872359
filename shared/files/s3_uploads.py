"""S3's side of direct uploads: presigned POSTs, multipart uploads and their presigned part URLs.

Only this module speaks S3 for the `uploads/` staging prefix; presigned URLs point at `public_endpoint` (moto's
loopback server on the local stack, S3's own endpoint on AWS).
"""

from __future__ import annotations

from typing import Any

from shared.files.storage import FileStorageError


class S3DirectUploads:
    def __init__(self, bucket: str, public_endpoint: str = "") -> None:
        self.bucket = bucket
        self.public_endpoint = public_endpoint

    def _s3(self) -> Any:
        from shared.aws import client

        return client("s3")

    def _presigner(self) -> Any:
        from shared.aws import client

        return client("s3", self.public_endpoint or None)

    def presigned_post(self, key: str, *, max_size: int, content_type: str, expires_s: int) -> dict[str, Any]:
        """A browser form POST to exactly `key`, of 0 to `max_size` bytes (and of `content_type`, if pinned)."""
        fields: dict[str, str] = {}
        conditions: list[Any] = [["content-length-range", 0, max_size]]
        if content_type:
            fields["Content-Type"] = content_type
            conditions.append({"Content-Type": content_type})
        # the key is a condition of the signed policy (the form's `key` field must equal it exactly)
        post = self._presigner().generate_presigned_post(self.bucket, key, Fields=fields or None,
                                                         Conditions=conditions, ExpiresIn=expires_s)
        return {"url": post["url"], "fields": post["fields"]}

    def create_multipart(self, key: str) -> str:
        s3 = self._s3()
        try:
            return str(s3.create_multipart_upload(Bucket=self.bucket, Key=key)["UploadId"])
        except s3.exceptions.ClientError as exc:
            raise FileStorageError("Failed to start the upload.") from exc

    def presigned_part(self, key: str, upload_id: str, part_number: int, expires_s: int) -> str:
        return str(self._presigner().generate_presigned_url(
            "upload_part", ExpiresIn=expires_s,
            Params={"Bucket": self.bucket, "Key": key, "UploadId": upload_id, "PartNumber": part_number}))

    def complete(self, key: str, upload_id: str, parts: list[tuple[int, str]] | None) -> bool:
        """Join the parts (those S3 holds when none are named); False when S3 knows no such upload or parts."""
        s3 = self._s3()
        try:
            if parts is None:
                parts = self._stored_parts(key, upload_id)
            if not parts:
                return False
            s3.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id,
                MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etag} for n, etag in sorted(parts)]})
        except s3.exceptions.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in ("NoSuchUpload", "InvalidPart", "InvalidPartOrder", "EntityTooSmall"):
                return False
            raise FileStorageError("Failed to complete the upload.") from exc
        return True

    def _stored_parts(self, key: str, upload_id: str) -> list[tuple[int, str]]:
        pages = self._s3().get_paginator("list_parts").paginate(Bucket=self.bucket, Key=key, UploadId=upload_id)
        return [(int(p["PartNumber"]), str(p["ETag"])) for page in pages for p in page.get("Parts", [])]

    def abort(self, key: str, upload_id: str) -> None:
        """Drop the upload's parts (and any completed object); an unknown upload is no error."""
        s3 = self._s3()
        try:
            s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except s3.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "NoSuchUpload":
                raise FileStorageError("Failed to abort the upload.") from exc
        try:
            s3.delete_object(Bucket=self.bucket, Key=key)
        except s3.exceptions.ClientError as exc:
            raise FileStorageError("Failed to abort the upload.") from exc
