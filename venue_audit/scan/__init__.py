"""The scan stage: find every stored face image and template in the acquired evidence."""

from venue_audit.scan.counts import FaceCounts, count_faces
from venue_audit.scan.pipeline import ScanOptions, ScanRun, scan

__all__ = ["FaceCounts", "ScanOptions", "ScanRun", "count_faces", "scan"]
