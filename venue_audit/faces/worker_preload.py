"""Imported once by the fork server, so that every pool worker starts warm.

Workers fork from a process that has already imported the engine and loaded
dlib's HOG detector and landmark model (plain memory, safe to fork). The ONNX
session is not made here: it is created in each worker, after the fork.
"""

from venue_audit.faces.models import hog_detector, landmark_predictor

hog_detector()
landmark_predictor()
