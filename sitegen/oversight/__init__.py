"""Oversight (监督): payment warnings and their acknowledgements (`supervise`), the registries of cadres and
recipients (`registries`), who may review what (`reviewers`), reviews and what they hold back (`review`), hotline
questions (`questions`) and their reference codes (`refcode`)."""
