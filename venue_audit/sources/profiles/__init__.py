"""Profiles of known face systems (Immich, PhotoPrism, CompreFace, digiKam, Frigate, Double Take, ZKTeco)."""
