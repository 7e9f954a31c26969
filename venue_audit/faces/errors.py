"""Typed errors for input the face engine cannot analyse.

Each names its reason with a short stable code (``reason``) so that the scanner can
count skipped items per reason and list them in the report, and carries a human
message that says what was wrong with which input.
"""

from __future__ import annotations


class FaceInputError(ValueError):
    """Base class: this input was not analysed. ``reason`` is a stable short code."""

    reason = "bad-input"

    def __init__(self, message: str, name: str = "") -> None:
        self.name = name
        self.message = message
        super().__init__(f"{name}: {message}" if name else message)

    def __reduce__(self) -> tuple[type[FaceInputError], tuple[str, str]]:
        # Keeps subclasses intact when a worker process sends one back.
        return (type(self), (self.message, self.name))


class EmptyInput(FaceInputError):
    reason = "empty"


class NotAnImage(FaceInputError):
    """The bytes are no image format we decode, whatever the file name says."""

    reason = "not-an-image"


class TruncatedImage(FaceInputError):
    reason = "truncated"


class CorruptImage(FaceInputError):
    reason = "corrupt"


class DecompressionBomb(FaceInputError):
    """The header declares more pixels than the configured limit; nothing was decoded."""

    reason = "too-many-pixels"


class UndecodableVideo(FaceInputError):
    reason = "undecodable-video"


class AnalysisFailed(FaceInputError):
    """Decoding worked but a later step failed on this input (the message names the error)."""

    reason = "analysis-failed"


class NoDetectableFace(FaceInputError):
    """A picture stored as a face (a database face column) in which no detector finds a face.

    Never silent: the capture is still a stored picture of someone, so it is listed with its
    location for the examiner to look at, and counted as skipped.
    """

    reason = "no-detectable-face"
