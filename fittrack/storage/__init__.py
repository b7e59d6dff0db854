"""Bytes and where they live: the store (local folder or S3), its keys, atomic files, the dataset scan.

The lowest layer: it knows store keys and files, nothing of what a video
shows, so any part may use it and it can be tested without a video.

May import: the top-level modules (settings, errors, labels, logs).
Never: `pose`, `recognition`, `movement`, `jobs`.
"""
