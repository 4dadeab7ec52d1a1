"""Member submissions of catalogues and veterinary logs: validated replacement, versions,
provenance and diffs.

A submission is parsed, mapped and validated. Only a submission without violations replaces
the member's catalogue graph, and then in one transaction with its PROV-O record. Earlier
versions are kept as snapshots in the provenance graph (see ``versions``). A submission
rejected for violations adds only a ``vic:RejectedSubmission`` record there, without its data.
"""

from vic_semantic.submissions.diff import CatalogueDiff, diff_catalogues
from vic_semantic.submissions.pipeline import Submission, submit_catalogue
from vic_semantic.submissions.versions import (
    CatalogueVersion,
    SubmissionKind,
    SubmissionVersion,
    list_versions,
    read_version,
    version_numbers,
)
from vic_semantic.submissions.veterinary_diff import VeterinaryDiff, diff_veterinary

__all__ = [
    "CatalogueDiff",
    "CatalogueVersion",
    "Submission",
    "SubmissionKind",
    "SubmissionVersion",
    "VeterinaryDiff",
    "diff_catalogues",
    "diff_veterinary",
    "list_versions",
    "read_version",
    "submit_catalogue",
    "version_numbers",
]
