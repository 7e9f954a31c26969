"""Readers that find stored faces in evidence: one registered module per format."""
