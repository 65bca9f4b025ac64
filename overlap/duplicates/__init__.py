"""Duplicate clusters: star clusters formed from verified links only (:mod:`.cluster`)."""
