"""Reading the files of a multipart upload: size limits, file count and safe base names."""

from __future__ import annotations

from pathlib import PurePosixPath

from fastapi import Request
from starlette.datastructures import UploadFile

from api.errors import HttpError

_MAX_FILES = 20


async def uploaded_files(request: Request, limit: int) -> list[tuple[str, bytes]]:
    """Return (base name, content) of each multipart ``file`` part; 415, 413 or 400 otherwise."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise HttpError(
            415,
            "unsupported_media_type",
            "Отправьте файлы как multipart/form-data в поле «file».",
            "Send the files as multipart/form-data in the field 'file'.",
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HttpError(
            413,
            "payload_too_large",
            f"Запрос больше допустимых {limit} байт. Отправьте файлы по частям.",
            f"The request is larger than the {limit} bytes allowed. Send fewer files at once.",
        )
    files = []
    async with request.form(max_files=_MAX_FILES, max_part_size=limit) as form:
        for item in form.getlist("file"):
            if isinstance(item, UploadFile):
                files.append(await _read_upload(item, limit))
    if not files:
        raise HttpError(
            400,
            "missing_file",
            "Нет ни одного файла в поле «file».",
            "No file was sent in the field 'file'.",
        )
    return files


async def _read_upload(item: UploadFile, limit: int) -> tuple[str, bytes]:
    """Return the upload's base name and content, raising 413 past ``limit`` bytes.

    Only the last path segment of the client's file name is kept: the name appears in
    reports, and "../../etc/passwd" or "C:\\x\\y.csv" must not read as a path.
    """
    name = PurePosixPath((item.filename or "file").replace("\\", "/")).name
    if name in {"", ".", ".."}:
        name = "file"
    data = await item.read(limit + 1)
    if len(data) > limit:
        raise HttpError(
            413,
            "file_too_large",
            f"Файл «{name}» больше {limit} байт.",
            f"The file '{name}' is larger than {limit} bytes.",
        )
    return name, data
