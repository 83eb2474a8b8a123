"""``diffforge audit``: does a dataset show what its captions say, to a viewer?

Reads a dataset only through ``diffforge.dataset`` and reports, per dataset: each object
change's visible target area (share of the frame, occlusion included) per change type, the
share above the visibility threshold, near-black and clipped images, objects in view, the
resample rate (rendered attempts thrown away), caption length and diversity, and caption
linter hits.
"""

from diffforge.audit.report import audit_dataset, format_report, write_audit

__all__ = ["audit_dataset", "format_report", "write_audit"]
