"""Listing and reading an s3://bucket/prefix with the project's S3 settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.conf import settings

from enhancement.ingest.sources import Item, SourceLimits, SourceRejected


def _client():
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=getattr(settings, "AWS_S3_ENDPOINT_URL", None) or None,
        region_name=getattr(settings, "AWS_S3_REGION_NAME", None) or None,
        config=Config(signature_version="s3v4"),
    )


def s3_objects(
    uri: str, limits: SourceLimits, *, wanted: Callable, too_big: Callable
) -> Iterator[Item]:
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, _, prefix = uri[len("s3://") :].partition("/")
    if not bucket:
        raise SourceRejected(f"{uri} names no bucket")
    client = _client()
    try:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        objects = [obj for page in pages for obj in page.get("Contents", [])]
    except (BotoCoreError, ClientError) as exc:
        raise SourceRejected(f"cannot list {uri}: {exc}") from None
    if not objects:
        raise SourceRejected(f"{uri} holds no files")
    if len(objects) > limits.max_files:
        raise SourceRejected(f"{uri} holds {len(objects)} files; the limit is {limits.max_files}")
    for obj in sorted(objects, key=lambda o: o["Key"]):
        name = obj["Key"][len(prefix) :].lstrip("/")
        if not wanted(name):
            continue
        if obj["Size"] > limits.max_file_bytes:
            yield Item(name, None, too_big(obj["Size"], limits))
            continue
        body = client.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
        yield Item(name, body)
