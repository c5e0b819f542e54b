"""Uploaded files (from the Settings page or the API) read into an upload: size-checked, named."""

from django.core.files.uploadedfile import UploadedFile

from rapport.cases.access import access_case_type
from rapport.core.models import Membership
from rapport.playbooks import actions
from rapport.playbooks.models import Playbook
from rapport.playbooks.validate import MAX_DMN_FILES, MAX_FILE_BYTES, PlaybookInvalid, Problem


def read_upload(upload: UploadedFile | None, what: str) -> bytes:
    """An uploaded file's bytes, refused (with its name) when missing or too large."""
    if upload is None:
        raise PlaybookInvalid([Problem(f"Choose the {what} file to upload.")])
    name = upload.name or what
    if (upload.size or 0) > MAX_FILE_BYTES:
        raise PlaybookInvalid(
            [Problem(f"the file is {upload.size} bytes; at most {MAX_FILE_BYTES}", name)]
        )
    return upload.read()


def upload_files(
    membership: Membership,
    case_type_id: object,
    bpmn: UploadedFile | None,
    dmn: list[UploadedFile],
) -> Playbook:
    """Reads the files and uploads them as the case type's next playbook version."""
    case_type = access_case_type(membership, case_type_id)
    if len(dmn) > MAX_DMN_FILES:
        raise PlaybookInvalid([Problem(f"at most {MAX_DMN_FILES} DMN files per playbook")])
    content = read_upload(bpmn, "BPMN")
    tables = {(f.name or f"decision{i}.dmn"): read_upload(f, "DMN") for i, f in enumerate(dmn, 1)}
    return actions.upload_playbook(
        membership,
        case_type,
        bpmn=content,
        dmn=tables,
        bpmn_filename=(bpmn.name if bpmn else None) or "playbook.bpmn",
    )
